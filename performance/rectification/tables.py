"""The rectification list as a django-tables2 table; ``value_*`` give the workbook plain values."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import RectificationItem

Status = RectificationItem.Status
STATUS_CLASSES = {
    Status.PENDING: "text-bg-warning",
    Status.IN_PROGRESS: "text-bg-info",
    Status.SUBMITTED: "text-bg-primary",
    Status.DONE: "text-bg-success",
    Status.RETURNED: "text-bg-danger",
}


class RectificationTable(tables.Table):
    due_date = tables.DateColumn(verbose_name=_("整改期限"), format="Y-m-d", attrs={"td": {"class": "jx-nowrap"}})
    unit = tables.Column(accessor="unit", verbose_name=_("责任单位"), order_by=("unit__order", "unit__code"))
    project = tables.Column(verbose_name=_("项目"), order_by=("project__name",), default="—")
    problem = tables.Column(
        verbose_name=_("存在问题"), linkify=("performance:rectification-detail", {"pk": tables.A("pk")})
    )
    source = tables.Column(verbose_name=_("来源"))
    status = tables.Column(verbose_name=_("整改状态"))
    measures = tables.Column(verbose_name=_("整改要求"), visible=False)
    response = tables.Column(verbose_name=_("整改情况"), visible=False)
    verified_by = tables.Column(verbose_name=_("验收人"), visible=False)
    verified_at = tables.DateTimeColumn(verbose_name=_("验收时间"), visible=False)
    return_reason = tables.Column(verbose_name=_("退回原因"), visible=False)

    class Meta:
        model = RectificationItem
        fields = ()
        sequence = (
            "due_date",
            "unit",
            "project",
            "problem",
            "source",
            "status",
            "measures",
            "response",
            "return_reason",
            "verified_by",
            "verified_at",
        )
        order_by = ("due_date",)
        attrs = {"class": "table table-sm jx-table align-middle mb-0", "data-testid": "rectification-table"}
        row_attrs = {"data-testid": "rectification-row"}
        empty_text = _("没有符合条件的整改事项。")

    def render_problem(self, value):
        return value if len(value) <= 60 else value[:60] + "…"

    def render_status(self, record):
        badge = format_html(
            '<span class="badge {}">{}</span>', STATUS_CLASSES.get(record.status, ""), record.get_status_display()
        )
        if record.is_overdue:
            return format_html(
                '{} <span class="badge text-bg-dark" data-testid="overdue">{}</span>', badge, _("已逾期")
            )
        return badge

    def value_status(self, record):
        label = record.get_status_display()
        return f"{label}（{_('已逾期')}）" if record.is_overdue else label

    def value_source(self, record):
        return record.get_source_display()

    def value_unit(self, record):
        return str(record.unit)

    def value_project(self, record):
        return record.project.name if record.project else ""

    def value_due_date(self, record):
        return record.due_date

    def value_verified_by(self, record):
        return str(record.verified_by) if record.verified_by else ""

    def value_verified_at(self, record):
        return timezone.localtime(record.verified_at).replace(tzinfo=None) if record.verified_at else None
