"""The Django admin for departments, units, projects and the department budget, scoped to the user.

Non-superusers see only the rows of their units and departments (budgets.permissions), in lists,
inlines and foreign-key choices alike. performance/admin.py registers Project (with its goal and
indicators inline) and adds its own models to ``FOREIGN_KEY_SCOPES``.
"""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import (
    Access,
    AssetLine,
    Department,
    DepartmentBudget,
    Duty,
    GlossaryTerm,
    ProcurementLine,
    Project,
    ProjectSpendingItem,
    Unit,
)
from .permissions import departments_for, sees_everything, units_for
from .templatetags.money import format_money

admin.site.site_header = _("绩效管理 Jixiao")
admin.site.site_title = _("绩效管理")
admin.site.index_title = _("数据管理")
admin.site.enable_nav_sidebar = False  # the tables of a budget need the full width


def limit_to_scope(queryset: QuerySet, user, *, unit_path: str | None = None, department_path: str | None = None):
    """Rows of ``queryset`` the user may see: through ``unit_path`` to a Unit, or ``department_path`` to a Department.

    An empty path means the queryset is of units (or departments) itself.
    """
    if sees_everything(user):
        return queryset
    if unit_path is not None:
        lookup = f"{unit_path}__in" if unit_path else "pk__in"
        return queryset.filter(**{lookup: units_for(user)})
    if department_path is not None:
        lookup = f"{department_path}__in" if department_path else "pk__in"
        return queryset.filter(**{lookup: departments_for(user)})
    raise ValueError("limit_to_scope needs unit_path or department_path")


# How to scope a model when it is offered as a foreign-key choice; performance/admin.py adds its models.
FOREIGN_KEY_SCOPES: dict[type[Model], dict[str, str]] = {
    Unit: {"unit_path": ""},
    Department: {"department_path": ""},
    Project: {"unit_path": "unit"},
    DepartmentBudget: {"department_path": "department"},
}


class ScopedMixin:
    """For ModelAdmin and inlines: rows and foreign-key choices limited to the user's scope."""

    unit_path: str | None = None
    department_path: str | None = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.unit_path is None and self.department_path is None:
            return queryset
        return limit_to_scope(queryset, request.user, unit_path=self.unit_path, department_path=self.department_path)

    def get_list_filter(self, request):
        """Filters on a related model offer only the values in the user's rows, never every department."""
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
                item = (item, admin.RelatedOnlyFieldListFilter)
            filters.append(item)
        return filters

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = FOREIGN_KEY_SCOPES.get(db_field.related_model)
        if scope is not None and "queryset" not in kwargs:
            kwargs["queryset"] = limit_to_scope(db_field.related_model._default_manager.all(), request.user, **scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def money_column(model: type[Model], field_name: str):
    """A list_display column showing an amount with 2 decimals and thousands separators."""

    @admin.display(description=model._meta.get_field(field_name).verbose_name, ordering=field_name)
    def column(obj):
        return format_money(getattr(obj, field_name), "—")

    column.__name__ = f"{field_name}_display"
    return column


# 部门 ---------------------------------------------------------------------------------------------


class UnitInline(ScopedMixin, admin.TabularInline):
    model = Unit
    unit_path = ""
    fields = ["order", "code", "name", "short_name", "nature", "rank", "funding_form"]
    extra = 0


class DutyInline(admin.TabularInline):
    model = Duty
    fields = ["number", "text"]
    extra = 0


@admin.register(Department)
class DepartmentAdmin(ScopedMixin, admin.ModelAdmin):
    department_path = ""
    list_display = ["code", "name", "short_name"]
    search_fields = ["code", "name", "short_name"]
    inlines = [UnitInline, DutyInline]


@admin.register(Duty)
class DutyAdmin(ScopedMixin, admin.ModelAdmin):
    department_path = "department"
    list_display = ["department", "number", "__str__"]
    list_filter = ["department"]
    search_fields = ["text"]
    list_select_related = ["department"]


@admin.register(Unit)
class UnitAdmin(ScopedMixin, admin.ModelAdmin):
    unit_path = ""
    list_display = ["code", "name", "department", "nature", "rank", "funding_form", "order"]
    list_filter = ["department", "nature", "funding_form"]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["department"]


# 部门预算 -----------------------------------------------------------------------------------------


class ProjectSpendingItemInline(admin.TabularInline):
    model = ProjectSpendingItem
    fields = ["order", "name", "amount"]
    extra = 0


class ProcurementLineInline(ScopedMixin, admin.TabularInline):
    model = ProcurementLine
    unit_path = "unit"
    fields = [
        "order",
        "unit",
        "source_project",
        "source_budget",
        "item",
        "catalogue_code",
        "measure_unit",
        "quantity",
        "unit_price",
        "amount_total",
        "amount_general_budget",
        "amount_unit_funds",
    ]
    extra = 0


class AssetLineInline(admin.TabularInline):
    model = AssetLine
    fields = ["order", "kind", "label", "quantity", "value"]
    extra = 0


@admin.register(DepartmentBudget)
class DepartmentBudgetAdmin(ScopedMixin, admin.ModelAdmin):
    department_path = "department"
    list_display = [
        "year",
        "department",
        money_column(DepartmentBudget, "income_total"),
        money_column(DepartmentBudget, "basic_total"),
        money_column(DepartmentBudget, "project_total"),
        money_column(DepartmentBudget, "three_public_total"),
        money_column(DepartmentBudget, "procurement_total"),
    ]
    list_filter = ["year", "department"]
    search_fields = ["department__code", "department__name", "title"]
    list_select_related = ["department"]
    inlines = [ProjectSpendingItemInline, ProcurementLineInline, AssetLineInline]
    fieldsets = [
        (None, {"fields": ["department", "year", "title", "preamble", "overview"]}),
        (
            _("收入"),
            {
                "fields": [
                    "income_total",
                    "income_general_budget",
                    "income_fund_budget",
                    "income_special_account",
                    "income_other",
                    "income_carryover",
                ]
            },
        ),
        (
            _("支出"),
            {"fields": ["expenditure_total", "basic_total", "basic_personnel", "basic_public", "project_total"]},
        ),
        (
            _("比上年增减"),
            {
                "fields": [
                    "last_year_total",
                    "last_year_basic",
                    "last_year_project",
                    "stated_total_change",
                    "stated_basic_change",
                    "stated_project_change",
                    "basic_change_reason",
                    "project_change_reason",
                ]
            },
        ),
        (_("机关运行经费"), {"fields": ["operating_cost", "operating_cost_uses"]}),
        (
            _("“三公”经费"),
            {
                "fields": [
                    ("three_public_total", "three_public_total_last_year"),
                    ("overseas_travel", "overseas_travel_last_year"),
                    ("vehicle_total", "vehicle_total_last_year"),
                    ("vehicle_purchase", "vehicle_purchase_last_year"),
                    ("vehicle_running", "vehicle_running_last_year"),
                    ("reception", "reception_last_year"),
                    "three_public_change_reason",
                ]
            },
        ),
        (
            _("政府采购与国有资产"),
            {
                "fields": [
                    "procurement_total",
                    "assets_as_of",
                    "planned_asset_purchase",
                    "planned_asset_purchase_note",
                    "other_notes",
                ]
            },
        ),
    ]


@admin.register(ProjectSpendingItem)
class ProjectSpendingItemAdmin(ScopedMixin, admin.ModelAdmin):
    department_path = "budget__department"
    list_display = ["name", "budget", money_column(ProjectSpendingItem, "amount"), "order"]
    list_filter = ["budget__year", "budget__department"]
    search_fields = ["name"]
    list_select_related = ["budget__department"]


@admin.register(ProcurementLine)
class ProcurementLineAdmin(ScopedMixin, admin.ModelAdmin):
    unit_path = "unit"
    list_display = [
        "item",
        "unit",
        "source_project",
        "catalogue_code",
        "measure_unit",
        "quantity",
        money_column(ProcurementLine, "unit_price"),
        money_column(ProcurementLine, "amount_total"),
    ]
    list_filter = ["budget__year", "unit"]
    search_fields = ["item", "catalogue_code", "source_project"]
    list_select_related = ["unit", "budget"]


@admin.register(AssetLine)
class AssetLineAdmin(ScopedMixin, admin.ModelAdmin):
    department_path = "budget__department"
    list_display = ["label", "budget", "kind", "quantity", money_column(AssetLine, "value")]
    list_filter = ["budget__year", "kind"]
    search_fields = ["label"]
    list_select_related = ["budget__department"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["order", "term", "definition"]
    list_display_links = ["term"]
    search_fields = ["term", "definition"]


@admin.register(Access)
class AccessAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit", "department"]
    list_filter = ["role", "department"]
    search_fields = ["user__username", "user__first_name", "unit__code", "unit__name", "department__name"]
    list_select_related = ["user", "unit", "department"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        """Finance and superusers see every access; others those of their own units and departments."""
        queryset = super().get_queryset(request)
        if sees_everything(request.user):
            return queryset
        return queryset.filter(Q(unit__in=units_for(request.user)) | Q(department__in=departments_for(request.user)))

    def get_list_filter(self, request):
        """Filters on a related model offer only the values in the user's rows, never every department."""
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
                item = (item, admin.RelatedOnlyFieldListFilter)
            filters.append(item)
        return filters

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = FOREIGN_KEY_SCOPES.get(db_field.related_model)
        if scope is not None:
            kwargs["queryset"] = limit_to_scope(db_field.related_model._default_manager.all(), request.user, **scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
