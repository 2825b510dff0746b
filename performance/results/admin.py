"""The admin as a read-only view of the results application: rules change by new versions and opinions through
their page (``performance.results.views``); opinions limited to the user's scope."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from budgets.admin import ScopedMixin

from ..admin import ReadOnlyMixin
from .models import ResultOpinion, ResultRuleVersion


@admin.register(ResultRuleVersion)
class ResultRuleVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["year", "number", "note", "created_by", "created_at"]
    list_filter = ["year"]


@admin.register(ResultOpinion)
class ResultOpinionAdmin(ReadOnlyMixin, ScopedMixin, SimpleHistoryAdmin):
    unit_path = "project__unit"
    list_display = ["project", "grade", "rule", "suggested", "decided", "decided_by", "decided_at"]
    list_filter = ["grade", "project__year"]
    search_fields = ["project__name", "opinion"]
    list_select_related = ["project", "decided_by"]
