"""The Django admin for projects (with goal and indicators inline), the indicator framework and evaluations.

Scoped like budgets/admin.py: a non-superuser sees the rows of their own units and departments only.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from budgets.admin import FOREIGN_KEY_SCOPES, ScopedMixin, money_column
from budgets.models import Project

from .declaration.models import Adjustment, AdjustmentItem, BaselineIndicator, TargetSet
from .models import (
    ActualResult,
    CategoryAlias,
    DepartmentGoal,
    DepartmentSubGoal,
    Evaluation,
    GuaranteeMeasure,
    Indicator,
    IndicatorCategory,
    IndicatorMonitoring,
    Job,
    MonitoringRound,
    ProjectGoal,
    ProjectMonitoring,
)
from .rights import may, refusal
from .scores.keep import kept_scores
from .services import score_project

FOREIGN_KEY_SCOPES.update(
    {
        Indicator: {"unit_path": "project__unit"},
        ProjectGoal: {"unit_path": "project__unit"},
        Evaluation: {"unit_path": "project__unit"},
    }
)

# 已审核的自评锁定 ----------------------------------------------------------------------------------


def _project_of(obj):
    """The project an admin object belongs to (None for a new object)."""
    if obj is None:
        return None
    if isinstance(obj, Project):
        return obj
    if isinstance(obj, ActualResult):
        return obj.indicator.project
    return getattr(obj, "project", None)


def is_locked(obj) -> bool:
    """Approved self-evaluations are read-only everywhere, the admin included (SPEC section 7)."""
    project = _project_of(obj)
    if project is None or project.pk is None:
        return False
    return Evaluation.objects.filter(project=project, status=Evaluation.Status.APPROVED).exists()


class LockedWhenApprovedMixin:
    """No change or delete in the admin once the project's self-evaluation is approved; reopen it first.

    ``right`` (a right of ``performance.rights``) narrows it: the change is the user's to make on the
    project as it stands, superusers included: targets (``declare_targets``) while they are a draft or
    returned, never once submitted or approved (that takes an adjustment); actuals (``enter_actuals``)
    while the self-evaluation is a draft or returned.
    """

    right: str | None = None

    def locked(self, request, obj) -> bool:
        if is_locked(obj):
            return True
        project = _project_of(obj)
        if self.right is None or project is None or project.pk is None:
            return False
        return not may(request.user, self.right, project)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self.locked(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self.locked(request, obj)

    def has_add_permission(self, request, obj=None):
        args = (request, obj) if isinstance(self, admin.options.InlineModelAdmin) else (request,)
        return super().has_add_permission(*args) and not self.locked(request, obj)

    def save_model(self, request, obj, form, change):
        """A new row names its project on the form: checked as it is saved."""
        project = _project_of(obj)
        if self.right is not None and project is not None and project.pk is not None:
            reason = refusal(request.user, self.right, project)
            if reason is not None:
                raise PermissionDenied(reason)
        super().save_model(request, obj, form, change)


class TargetsRight(LockedWhenApprovedMixin):
    right = "declare_targets"


class ActualsRight(LockedWhenApprovedMixin):
    right = "enter_actuals"


class EvaluationInline(ActualsRight, admin.StackedInline):
    """The self-evaluation under its project, with the computed scores shown read-only beside it."""

    model = Evaluation
    extra = 0
    max_num = 1
    can_delete = False
    fields = [
        ("status", "version"),
        "goal_actual",
        ("reported_budget_score", "computed_budget"),
        "budget_deviation_reason",
        ("reported_total", "computed_total"),
        "computed_findings",
    ]
    readonly_fields = ["status", "version", "computed_budget", "computed_total", "computed_findings"]

    def _score(self, obj):
        cache = getattr(obj, "_admin_score", None)
        if cache is None:
            cache = obj._admin_score = score_project(obj.project)
        return cache

    @admin.display(description=_("执行率得分（系统计算）"))
    def computed_budget(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        budget = self._score(obj).budget
        rate = "—" if budget.rate is None else f"{budget.rate:.2%}"
        return f"{rate} → {budget.score:.2f}"

    @admin.display(description=_("总分（系统计算）"))
    def computed_total(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        score = self._score(obj)
        return f"{score.total:.2f} {score.grade}"

    @admin.display(description=_("问题与复核"))
    def computed_findings(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        score = self._score(obj)
        return "；".join([*score.problems, *score.findings]) or "—"


# 项目 ---------------------------------------------------------------------------------------------


class ProjectGoalInline(TargetsRight, admin.StackedInline):
    model = ProjectGoal
    fields = ["text"]
    extra = 1
    max_num = 1
    can_delete = False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "text":
            field.widget.attrs["rows"] = 3
        return field


class IndicatorInline(TargetsRight, admin.TabularInline):
    model = Indicator
    fields = [
        "order",
        "level1",
        "level2",
        "name",
        "description",
        "target",
        "basis",
        "weight",
    ]
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("level1", "level2")

    # Narrow widgets so the six columns of the seed's goal table fit on one screen.
    # The names as written (效果指标 ...) are on each indicator's own page (the change link).
    widths = {"order": "3em", "name": "10em", "target": "10em", "basis": "6em", "weight": "4em"}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is None:
            return field
        if db_field.name == "description":
            field.widget.attrs.update({"rows": 2, "style": "width: 18em"})
        elif db_field.name in self.widths:
            field.widget.attrs.update({"style": f"width: {self.widths[db_field.name]}"})
        elif db_field.name in {"level1", "level2"}:
            # The framework is edited on its own page: no add/change/delete/view buttons in every row.
            for flag in ("can_add_related", "can_change_related", "can_delete_related", "can_view_related"):
                setattr(field.widget, flag, False)
            field.widget.attrs.update({"style": "width: 8em" if db_field.name == "level1" else "width: 12em"})
        return field


class KeptScoresMixin:
    """A page that saves or deletes rows a score is computed from rescores their projects once, at its end, in
    its transaction (``performance.scores.keep``), however many inline rows it saved."""

    def changeform_view(self, *args, **kwargs):
        with kept_scores():
            return super().changeform_view(*args, **kwargs)

    def delete_view(self, *args, **kwargs):
        with kept_scores():
            return super().delete_view(*args, **kwargs)

    def changelist_view(self, *args, **kwargs):  # the "delete selected" action
        with kept_scores():
            return super().changelist_view(*args, **kwargs)


@admin.register(Project)
class ProjectAdmin(KeptScoresMixin, ActualsRight, ScopedMixin, admin.ModelAdmin):
    """A project's money is what its self-evaluation is scored on: changed while the evaluation is editable."""

    unit_path = "unit"
    list_display = [
        "year",
        "unit",
        "code",
        "name",
        money_column(Project, "initial_total"),
        money_column(Project, "full_year_total"),
        money_column(Project, "executed_total"),
    ]
    list_display_links = ["name"]
    list_filter = ["year", "unit__department", "unit"]
    search_fields = ["code", "name", "title_as_published", "unit__code", "unit__name"]
    list_select_related = ["unit"]
    inlines = [ProjectGoalInline, IndicatorInline, EvaluationInline]
    fieldsets = [
        (None, {"fields": ["unit", "year", "code", "name", "title_as_published", "order"]}),
        (_("年初预算数"), {"fields": [("initial_total", "initial_fiscal", "initial_carryover", "initial_other")]}),
        (
            _("全年预算数"),
            {"fields": [("full_year_total", "full_year_fiscal", "full_year_carryover", "full_year_other")]},
        ),
        (_("全年执行数"), {"fields": [("executed_total", "executed_fiscal", "executed_carryover", "executed_other")]}),
    ]


# 指标体系 -----------------------------------------------------------------------------------------


class CategoryAliasInline(admin.TabularInline):
    model = CategoryAlias
    fields = ["name", "level", "parent_name"]
    extra = 0


@admin.register(IndicatorCategory)
class IndicatorCategoryAdmin(KeptScoresMixin, admin.ModelAdmin):
    list_display = ["__str__", "level", "group", "scheme", "order"]
    list_filter = ["level", "group", "scheme"]
    search_fields = ["name"]
    list_select_related = ["parent"]
    inlines = [CategoryAliasInline]


@admin.register(CategoryAlias)
class CategoryAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent_name", "category"]
    list_filter = ["level"]
    search_fields = ["name", "category__name"]
    list_select_related = ["category__parent"]


# 指标、目标与自评（有修改历史） ---------------------------------------------------------------------


@admin.register(ProjectGoal)
class ProjectGoalAdmin(TargetsRight, ScopedMixin, SimpleHistoryAdmin):
    unit_path = "project__unit"
    list_display = ["project", "__str__"]
    list_filter = ["project__year", "project__unit"]
    search_fields = ["text", "project__name"]
    list_select_related = ["project"]


class ActualResultInline(ActualsRight, admin.StackedInline):
    """The indicator's actual result; the score the rules give it is shown read-only beside it."""

    model = ActualResult
    extra = 0
    max_num = 1
    fields = [("actual", "tier", "evaluator_score"), ("reported_score", "computed_score"), "deviation_reason"]
    readonly_fields = ["computed_score"]

    @admin.display(description=_("得分（系统计算）"))
    def computed_score(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        indicator = obj.indicator
        rows = list(indicator.project.indicators.order_by("order", "id").values_list("pk", flat=True))
        row = score_project(indicator.project).rows[rows.index(indicator.pk)]
        return f"{row.score:.2f} / {row.weight:.2f}" + (f"（{'；'.join(row.errors)}）" if row.errors else "")


@admin.register(Indicator)
class IndicatorAdmin(KeptScoresMixin, TargetsRight, ScopedMixin, SimpleHistoryAdmin):
    unit_path = "project__unit"
    list_display = ["name", "project", "level1", "level2", "target", "target_kind", "basis", "weight"]
    list_filter = ["project__year", "level1", "level2", "target_kind", "project__unit"]
    search_fields = ["name", "description", "target", "project__name"]
    list_select_related = ["project", "level1", "level2__parent"]
    readonly_fields = ["target_kind", "target_parsed"]
    inlines = [ActualResultInline]


@admin.register(ActualResult)
class ActualResultAdmin(KeptScoresMixin, ActualsRight, ScopedMixin, SimpleHistoryAdmin):
    unit_path = "indicator__project__unit"
    list_display = ["indicator", "actual", "tier", "evaluator_score", "reported_score"]
    list_filter = ["tier", "indicator__project__year", "indicator__project__unit"]
    search_fields = ["actual", "indicator__name", "indicator__project__name"]
    list_select_related = ["indicator"]


@admin.register(Evaluation)
class EvaluationAdmin(ActualsRight, ScopedMixin, SimpleHistoryAdmin):
    unit_path = "project__unit"
    list_display = ["project", "status", "reported_total", "submitted_by", "submitted_at", "reviewed_at"]
    list_filter = ["status", "project__year", "project__unit"]
    search_fields = ["project__name", "project__code"]
    list_select_related = ["project", "submitted_by"]
    readonly_fields = ["version", "status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at"]


# 绩效目标申报与调整（只读：状态只经流程改变） -------------------------------------------------------


class ReadOnlyMixin:
    """Shown, never changed here: declarations and adjustments move only through their flows."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BaselineIndicatorInline(ReadOnlyMixin, admin.TabularInline):
    model = BaselineIndicator
    fields = ["order", "level1", "level2", "name", "target", "basis", "weight"]
    readonly_fields = fields
    extra = 0


@admin.register(TargetSet)
class TargetSetAdmin(ReadOnlyMixin, ScopedMixin, SimpleHistoryAdmin):
    unit_path = "project__unit"
    list_display = ["project", "status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "version"]
    list_filter = ["status", "project__year", "project__unit"]
    search_fields = ["project__name", "project__code"]
    list_select_related = ["project", "submitted_by", "reviewed_by"]
    inlines = [BaselineIndicatorInline]


class AdjustmentItemInline(ReadOnlyMixin, admin.TabularInline):
    model = AdjustmentItem
    fields = ["action", "indicator", "name", "target", "weight", "before"]
    readonly_fields = fields
    extra = 0


@admin.register(Adjustment)
class AdjustmentAdmin(ReadOnlyMixin, ScopedMixin, SimpleHistoryAdmin):
    unit_path = "project__unit"
    list_display = ["project", "status", "reason", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at"]
    list_filter = ["status", "project__year", "project__unit"]
    search_fields = ["project__name", "reason"]
    list_select_related = ["project", "submitted_by", "reviewed_by"]
    inlines = [AdjustmentItemInline]


# 部门整体绩效目标 ---------------------------------------------------------------------------------


@admin.register(DepartmentGoal)
class DepartmentGoalAdmin(ScopedMixin, admin.ModelAdmin):
    department_path = "department"
    list_display = ["department", "year", "number", "__str__"]
    list_filter = ["year", "department"]
    search_fields = ["text"]
    list_select_related = ["department"]


@admin.register(DepartmentSubGoal)
class DepartmentSubGoalAdmin(ScopedMixin, admin.ModelAdmin):
    department_path = "department"
    list_display = ["department", "year", "number", "name"]
    list_filter = ["year", "department"]
    search_fields = ["name", "goal", "indicators"]
    list_select_related = ["department"]


@admin.register(GuaranteeMeasure)
class GuaranteeMeasureAdmin(ScopedMixin, admin.ModelAdmin):
    department_path = "department"
    list_display = ["department", "year", "number", "title"]
    list_filter = ["year", "department"]
    search_fields = ["title", "text"]
    list_select_related = ["department"]


# 绩效运行监控 -------------------------------------------------------------------------------------


@admin.register(MonitoringRound)
class MonitoringRoundAdmin(ScopedMixin, SimpleHistoryAdmin):
    department_path = "department"
    list_display = ["department", "year", "task", "cut_off", "status", "opened_by", "opened_at"]
    list_filter = ["year", "status", "department"]
    list_select_related = ["department", "task", "opened_by"]


class IndicatorMonitoringInline(admin.TabularInline):
    model = IndicatorMonitoring
    fields = ["indicator", "value_to_date", "forecast", "deviation_cause", "note", "likelihood"]
    readonly_fields = ["indicator"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProjectMonitoring)
class ProjectMonitoringAdmin(ScopedMixin, SimpleHistoryAdmin):
    """Monitoring entries; their status changes only through the workflow on the monitoring page."""

    unit_path = "project__unit"
    list_display = ["project", "round", "status", "executed_to_date", "forecast_full_year_execution"]
    list_filter = ["status", "round__year", "project__unit"]
    search_fields = ["project__name"]
    list_select_related = ["project", "round__department", "round__task"]
    readonly_fields = [
        "round",
        "project",
        "status",
        "version",
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
    ]
    inlines = [IndicatorMonitoringInline]

    def has_change_permission(self, request, obj=None):
        locked = obj is not None and obj.status == ProjectMonitoring.Status.APPROVED
        return super().has_change_permission(request, obj) and not locked


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Background jobs, read-only: a user sees their own, a superuser everyone's (to follow a stuck queue)."""

    list_display = ["title", "kind", "status", "user", "created_at", "finished_at", "attempts", "worker"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "input_name", "output_name"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        jobs = super().get_queryset(request).select_related("user")
        return jobs if request.user.is_superuser else jobs.filter(user=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The admins of the packages live beside them: departments' years (issue 16), rectification (issue 21), rule sets
# (issue 19), the department as a whole (issue 18), the indicator library (issue 15), tasks and spot checks (issue 16),
# the reports' text (issue 17).
from .approval import admin as _approval_admin  # noqa: E402, F401
from .department import admin as _department_admin  # noqa: E402, F401
from .library import admin as _library_admin  # noqa: E402, F401
from .rectification import admin as _rectification_admin  # noqa: E402, F401
from .report import admin as _report_admin  # noqa: E402, F401
from .results import admin as _results_admin  # noqa: E402, F401
from .rules import admin as _rules_admin  # noqa: E402, F401
from .spotchecks import admin as _spotchecks_admin  # noqa: E402, F401
from .tasks import admin as _tasks_admin  # noqa: E402, F401
