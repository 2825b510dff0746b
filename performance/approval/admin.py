"""A department's year before finance in the admin: shown with its history, never changed here (it moves only
through its flow, ``performance.approval.flows``)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from budgets.admin import ScopedMixin

from ..admin import ReadOnlyMixin
from .models import DepartmentYear


@admin.register(DepartmentYear)
class DepartmentYearAdmin(ReadOnlyMixin, ScopedMixin, SimpleHistoryAdmin):
    department_path = "department"
    list_display = ["department", "year", "status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at"]
    list_filter = ["year", "status", "department"]
    list_select_related = ["department", "submitted_by", "reviewed_by"]
