"""The project list as a django-tables2 table.

The scores are the stored ones (``performance.scores``), annotated on the queryset by ``with_scores``, so the
table sorts by them and the filter picks a grade in SQL. ``render_*`` formats for the screen, ``value_*`` gives
the raw number so the xlsx download gets numbers.
"""

from decimal import Decimal

import django_tables2 as tables
from django.db.models import DecimalField, F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from budgets.models import Project

from .models import Evaluation, TargetSet
from .scoring import grade_label

NO_RATE = Decimal("-1")
GRADE_CLASSES = {"优": "text-bg-success", "良": "text-bg-primary", "中": "text-bg-warning", "差": "text-bg-danger"}
STATUS_CLASSES = {
    Evaluation.Status.DRAFT: "text-bg-secondary",
    Evaluation.Status.SUBMITTED: "text-bg-info",
    Evaluation.Status.RETURNED: "text-bg-warning",
    Evaluation.Status.APPROVED: "text-bg-success",
}
STATUS_LABELS = dict(Evaluation.Status.choices)
TARGETS_LABELS = dict(TargetSet.Status.choices)  # the same four codes, the declaration's own words
NOT_STARTED = _("未填报")


def with_scores(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The projects with their stored scores (``performance.scores``) as the columns the table shows and sorts by;
    a project not scored yet reads as one nobody has started."""
    return projects.annotate(
        score_total=Coalesce("stored_score__total", Value(Decimal("0")), output_field=DecimalField()),
        score_rate=F("stored_score__rate"),
        score_rate_key=Coalesce("stored_score__rate", Value(NO_RATE), output_field=DecimalField()),
        score_grade=Coalesce("stored_score__grade", Value("")),
        score_started=Coalesce("stored_score__started", Value(False)),
    )


class ProjectTable(tables.Table):
    year = tables.Column(verbose_name=_("年度"))
    department = tables.Column(
        accessor="unit__department__name",
        verbose_name=_("部门"),
        order_by=("unit__department__code",),
        attrs={"th": {"class": "d-none d-lg-table-cell"}, "td": {"class": "d-none d-lg-table-cell"}},
    )
    unit = tables.Column(
        accessor="unit__name",
        verbose_name=_("预算单位"),
        order_by=("unit__department__code", "unit__order", "unit__name"),
    )
    name = tables.Column(
        verbose_name=_("项目名称"),
        linkify=("performance:project-detail", {"pk": tables.A("pk")}),
        order_by=("name_pinyin", "name", "pk"),  # by pinyin (budgets.pinyin), in SQL on its index
    )
    targets = tables.Column(accessor="targets_code", verbose_name=_("目标状态"), order_by=("targets_code",))
    status = tables.Column(accessor="status_code", verbose_name=_("状态"), order_by=("status_code",))
    grade = tables.Column(
        accessor="score_grade",
        verbose_name=_("等级"),
        empty_values=(),  # "" means 未填报, rendered as such
        order_by=("stored_score__total", "stored_score__pk"),
        attrs={"td": {"class": "text-center"}},
    )
    rate = tables.Column(
        accessor="score_rate",
        verbose_name=_("预算执行率"),
        order_by=("score_rate_key", "pk"),
        attrs={"td": {"class": "text-end jx-num"}, "th": {"class": "text-end"}},
    )
    total = tables.Column(
        accessor="score_total",
        verbose_name=_("总分"),
        order_by=("stored_score__total", "stored_score__pk"),
        attrs={"td": {"class": "text-end jx-num"}, "th": {"class": "text-end"}},
    )

    class Meta:
        model = Project
        fields = ("year", "department", "unit", "name", "targets", "status", "grade", "rate", "total")
        sequence = fields
        attrs = {"class": "table table-sm table-hover align-middle jx-project-table"}
        empty_text = _("没有符合条件的项目。")
        per_page = 25

    def render_unit(self, record):
        return str(record.unit)  # code, space, name: as everywhere (budgets.models.Unit)

    def value_unit(self, record):
        return str(record.unit)

    def render_targets(self, value):
        return format_html(
            '<span class="badge {}">{}</span>', STATUS_CLASSES.get(value, ""), TARGETS_LABELS.get(value, value)
        )

    def value_targets(self, value):
        return str(TARGETS_LABELS.get(value, value))

    def render_status(self, value):
        return format_html(
            '<span class="badge {}">{}</span>', STATUS_CLASSES.get(value, ""), STATUS_LABELS.get(value, value)
        )

    def value_status(self, value):
        return str(STATUS_LABELS.get(value, value))

    def render_grade(self, value):
        if not value:
            return format_html('<span class="badge text-bg-light border">{}</span>', NOT_STARTED)
        return format_html('<span class="badge {}">{}</span>', GRADE_CLASSES.get(value, ""), grade_label(value))

    def value_grade(self, value):
        return grade_label(value) if value else str(NOT_STARTED)

    def render_rate(self, value):
        return f"{value * 100:.2f}%"

    def value_rate(self, value):
        return value

    def render_total(self, value, record):
        return f"{value:.2f}" if record.score_started else "—"

    def value_total(self, value, record):
        return value if record.score_started else None
