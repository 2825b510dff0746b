"""The admin as a read-only view of spot checks (抽查复核): a sample is drawn and re-reviewed only through finance's
pages (``performance.spotchecks.services``), which keep who did what. Finance's alone, as those pages are."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from budgets.permissions import is_finance_bureau

from ..admin import ReadOnlyMixin
from .models import SpotCheck, SpotCheckItem


class FinanceOnlyMixin:
    def get_queryset(self, request):
        rows = super().get_queryset(request)
        return rows if is_finance_bureau(request.user) else rows.none()


class SpotCheckItemInline(ReadOnlyMixin, admin.TabularInline):
    model = SpotCheckItem
    fields = ["rank", "project", "risk", "reasons", "conclusion", "budget_score", "reviewed_by", "reviewed_at"]
    readonly_fields = fields
    extra = 0


@admin.register(SpotCheck)
class SpotCheckAdmin(FinanceOnlyMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["year", "scope", "size", "share", "seed", "population", "drawn_by", "drawn_at"]
    list_filter = ["year", "scope"]
    list_select_related = ["drawn_by"]
    inlines = [SpotCheckItemInline]


@admin.register(SpotCheckItem)
class SpotCheckItemAdmin(FinanceOnlyMixin, ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["project", "spot_check", "rank", "risk", "conclusion", "reviewed_by", "reviewed_at"]
    list_filter = ["conclusion", "spot_check__year"]
    search_fields = ["project__name", "project__code", "note"]
    list_select_related = ["project", "spot_check", "reviewed_by"]
