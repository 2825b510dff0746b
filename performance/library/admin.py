"""The library in the admin: entries and project categories for everyone with the admin permission (the library
names no unit's data); the peer factors of the departments the user sees."""

from django.contrib import admin

from budgets.permissions import departments_for

from .forms import EntryForm
from .models import LibraryEntry, PeerFactor, ProjectCategory


@admin.register(LibraryEntry)
class LibraryEntryAdmin(admin.ModelAdmin):
    form = EntryForm
    fields = [*EntryForm.Meta.fields, "source", "department", "order"]
    list_display = ["name", "level1", "level2", "target_kind", "unit", "basis", "common", "source", "department"]
    list_filter = ["level1", "level2", "common", "source", "categories"]
    search_fields = ["name", "aliases", "description"]
    list_select_related = ["level1", "level2__parent", "department"]
    filter_horizontal = ["categories"]


@admin.register(ProjectCategory)
class ProjectCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "keywords", "order"]
    search_fields = ["name", "keywords"]


@admin.register(PeerFactor)
class PeerFactorAdmin(admin.ModelAdmin):
    list_display = ["department", "factor"]
    list_select_related = ["department"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(department__in=departments_for(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = departments_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
