"""The admin for a department's main tasks and indicators (scoped to the user's departments) and, read-only, the
frameworks and self-evaluations (finance changes frameworks by new versions on its page; reviewers decide items on
the department self-evaluation page)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from budgets.admin import ScopedMixin

from .models import DepartmentEvaluation, DepartmentFramework, DepartmentIndicator, DepartmentTask, ItemDecision


@admin.register(DepartmentTask)
class DepartmentTaskAdmin(ScopedMixin, admin.ModelAdmin):
    department_path = "department"
    list_display = ["department", "year", "number", "name", "amount_total", "amount_fiscal", "amount_other"]
    list_filter = ["year", "department"]
    search_fields = ["name", "content"]
    list_select_related = ["department"]


@admin.register(DepartmentIndicator)
class DepartmentIndicatorAdmin(ScopedMixin, SimpleHistoryAdmin):
    department_path = "department"
    list_display = ["department", "year", "level1", "level2", "name", "target", "actual"]
    list_filter = ["year", "department"]
    search_fields = ["name", "description", "target"]
    list_select_related = ["department", "level1", "level2"]


@admin.register(DepartmentFramework)
class DepartmentFrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    readonly_fields = ["code"]


class ItemDecisionInline(admin.TabularInline):
    model = ItemDecision
    fields = ["code", "action", "suggested", "score", "reason", "decided_by", "decided_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DepartmentEvaluation)
class DepartmentEvaluationAdmin(ScopedMixin, SimpleHistoryAdmin):
    department_path = "department"
    list_display = ["department", "year", "version"]
    list_filter = ["year", "department"]
    readonly_fields = ["department", "year", "version"]
    inlines = [ItemDecisionInline]
