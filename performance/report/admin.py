"""The admin as a read-only view of the self-evaluation reports' edited text (自评报告): edited only on the report's
page, which checks who may write it. Rows limited to the user's scope: a project's or a unit's text where the user
sees the unit, a department's where the user sees the department."""

from django.contrib import admin
from django.db.models import Q
from simple_history.admin import SimpleHistoryAdmin

from budgets.permissions import departments_for, sees_everything, units_for

from ..admin import ReadOnlyMixin
from .models import ReportText


@admin.register(ReportText)
class ReportTextAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "year", "updated_by", "updated_at"]
    list_filter = ["year"]
    list_select_related = ["project", "unit", "department", "updated_by"]

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if sees_everything(request.user):
            return rows
        units, departments = units_for(request.user), departments_for(request.user)
        return rows.filter(Q(project__unit__in=units) | Q(unit__in=units) | Q(department__in=departments))
