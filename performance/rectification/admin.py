"""The admin as a read-only view of rectification items and dismissed proposals: they change only through their
pages and their flow (``performance.rectification.flows``); rows limited to the user's scope."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from budgets.admin import ScopedMixin
from budgets.permissions import departments_for

from ..admin import ReadOnlyMixin
from .models import DismissedProposal, RectificationEvidence, RectificationItem
from .rights import may_propose_for


class RectificationEvidenceInline(ReadOnlyMixin, admin.TabularInline):
    model = RectificationEvidence
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0


@admin.register(RectificationItem)
class RectificationItemAdmin(ReadOnlyMixin, ScopedMixin, SimpleHistoryAdmin):
    unit_path = "unit"
    list_display = ["problem", "unit", "project", "year", "source", "status", "due_date", "verified_by"]
    list_filter = ["status", "source", "year", "unit"]
    search_fields = ["problem", "measures", "response", "project__name"]
    list_select_related = ["unit", "project", "verified_by"]
    inlines = [RectificationEvidenceInline]


@admin.register(DismissedProposal)
class DismissedProposalAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["problem", "department", "year", "source", "reason", "dismissed_by", "dismissed_at"]
    list_filter = ["source", "year"]
    search_fields = ["problem", "reason"]
    list_select_related = ["department", "dismissed_by"]

    def get_queryset(self, request):
        """Only the departments whose proposals the user handles: a proposal names problems of every unit."""
        handled = [d.pk for d in departments_for(request.user) if may_propose_for(request.user, d)]
        return super().get_queryset(request).filter(department__in=handled)
