"""The admin as a read-only view of finance's tasks (自评任务, 监控任务): issued, extended and closed only on
finance's pages (``performance.tasks.services``), which notify the departments. Each user sees the tasks that
concern them (``tasks_for``)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..admin import ReadOnlyMixin
from .models import Task
from .services import tasks_for


@admin.register(Task)
class TaskAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["kind", "year", "round_number", "deadline", "all_departments", "status", "issued_by", "issued_at"]
    list_filter = ["kind", "year", "status"]
    search_fields = ["note"]
    list_select_related = ["issued_by"]
    filter_horizontal = ["departments"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=tasks_for(request.user, status=None).values("pk"))
