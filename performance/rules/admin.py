"""The admin as a fallback for rule sets (finance's pages are performance/rules/views.py).

A version is saved only through the same check as the pages (every problem named) and never changed after;
which version is the default, and the departments' choices, change scores, so they are read-only here:
choices are made on the page that previews and rescores.
"""

from django import forms
from django.contrib import admin

from budgets.permissions import departments_for

from .models import RuleChoice, RuleSet, RuleVersion
from .services import check_rules


class RuleVersionForm(forms.ModelForm):
    class Meta:
        model = RuleVersion
        fields = ["rule_set", "number", "content", "note"]

    def clean_content(self):
        content = self.cleaned_data["content"]
        check_rules(content)  # raises ValidationError naming every problem
        return content


class RuleVersionInline(admin.TabularInline):
    model = RuleVersion
    fields = ["number", "note", "is_fallback", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "created_at"]
    search_fields = ["name", "code"]
    inlines = [RuleVersionInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RuleVersion)
class RuleVersionAdmin(admin.ModelAdmin):
    form = RuleVersionForm
    list_display = ["rule_set", "number", "is_fallback", "created_by", "created_at"]
    list_filter = ["rule_set"]
    readonly_fields = ["is_fallback", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a saved version never changes
            return ["rule_set", "number", "content", "note", *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RuleChoice)
class RuleChoiceAdmin(admin.ModelAdmin):
    """Read-only: a department's rules change on the page that previews and rescores."""

    list_display = ["department", "year", "version", "chosen_by", "chosen_at"]
    list_filter = ["year"]

    def get_queryset(self, request):
        choices = super().get_queryset(request).select_related("department", "version__rule_set", "chosen_by")
        return choices.filter(department__in=departments_for(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
