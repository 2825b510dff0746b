"""Filters of the project list (django-filter), limited to what the user may see."""

from html import escape

import django_filters
from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from budgets.models import Department, Project, Unit
from budgets.permissions import departments_for, units_for

from .models import Evaluation
from .scoring import GRADE_LABELS

GRADES = list(GRADE_LABELS.items())


class PlainSelect(forms.Select):
    """A ``<select>`` of flat choices written in Python, the same markup as Django's ``Select``.

    Django's builds a dict and renders a template per option (~40 µs each); the unit filter lists every
    unit the user may see, 200 in a large department.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(self._options(chosen))
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attrs, mark_safe(options))

    def _options(self, chosen: set[str]):
        for choice, label in self.choices:
            value = "" if choice is None else str(choice)
            selected = " selected" if value in chosen else ""
            yield f'<option value="{escape(value)}"{selected}>{escape(str(label))}</option>'


def _departments(request):
    if request is None:
        return Department.objects.none()
    return departments_for(request.user).order_by("code")


def _units(request):
    if request is None:
        return Unit.objects.none()
    units = units_for(request.user).only("id", "code", "name", "short_name")
    return units.order_by("department__code", "order", "code")


def _style(form) -> None:
    """Bootstrap classes on the filter form's widgets."""
    for field in form.fields.values():
        field.widget.attrs.setdefault(
            "class",
            "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm",
        )
    if "q" in form.fields:
        form.fields["q"].widget.attrs.setdefault("placeholder", _("项目或单位的名称、编码"))
        form.fields["q"].widget.input_type = "search"


SEARCH_WORDS = 5
UNIT_CHOICES_AT_MOST = 200  # more units than this: the unit filter takes a unit code, not a choice from a list
PAGE_SIZES = [("25", "25"), ("50", "50"), ("100", "100")]


class ProjectFilter(django_filters.FilterSet):
    """Year, department, unit, status, grade (the stored score's, ``performance.scores``) and a search over
    project and unit names."""

    q = django_filters.CharFilter(method="search", label=_("搜索"))
    year = django_filters.ChoiceFilter(label=_("年度"), empty_label=_("全部年度"), widget=PlainSelect)
    department = django_filters.ModelChoiceFilter(
        field_name="unit__department",
        queryset=_departments,
        to_field_name="code",
        label=_("部门"),
        empty_label=_("全部部门"),
        widget=PlainSelect,
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=_units, label=_("预算单位"), empty_label=_("全部单位"), widget=PlainSelect
    )
    status = django_filters.ChoiceFilter(
        choices=Evaluation.Status.choices,
        method="filter_status",
        label=_("状态"),
        empty_label=_("全部状态"),
        widget=PlainSelect,
    )
    grade = django_filters.ChoiceFilter(
        choices=GRADES, field_name="stored_score__grade", label=_("等级"), empty_label=_("全部等级"), widget=PlainSelect
    )

    per_page = django_filters.ChoiceFilter(
        choices=PAGE_SIZES, method="keep", label=_("每页"), empty_label=None, widget=PlainSelect
    )

    class Meta:
        model = Project
        fields = ["q", "year", "department", "unit", "status", "grade", "per_page"]

    def __init__(self, data=None, queryset=None, *, request=None, years: list[int] | None = None, **kwargs):
        """``years``: the years of ``queryset``'s projects, if the caller knows them (they are looked up otherwise)."""
        super().__init__(data, queryset, request=request, **kwargs)
        if years is None:
            years = queryset.order_by().values_list("year", flat=True).distinct() if queryset is not None else []
        self.filters["year"].extra["choices"] = [(year, year) for year in sorted(set(years), reverse=True)]
        if request is not None and units_for(request.user).count() > UNIT_CHOICES_AT_MOST:
            # A province's 2,000 units are no list to scroll (nor to render on every page): the unit is typed.
            self.filters["unit"].extra.update(
                to_field_name="code",
                widget=forms.TextInput(attrs={"placeholder": _("单位编码"), "inputmode": "numeric"}),
            )
        _style(self.form)

    def search(self, queryset, name, value):
        """Every word typed (up to ``SEARCH_WORDS``) in the project's name or code or its unit's name, short name
        or code."""
        for word in value.split()[:SEARCH_WORDS]:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(code__icontains=word)
                | Q(unit__name__icontains=word)
                | Q(unit__short_name__icontains=word)  # the name the unit is shown by
                | Q(unit__code__icontains=word)
            )
        return queryset

    def keep(self, queryset, name, value):
        """A field of the form that filters nothing (the page size: the view reads it)."""
        return queryset

    @property
    def page_size(self) -> int:
        """The rows a page asked for, one of ``PAGE_SIZES``; the first otherwise."""
        chosen = self.form.cleaned_data.get("per_page") if self.is_bound and self.errors is not None else None
        return int(chosen or PAGE_SIZES[0][0])

    def filter_status(self, queryset, name, value):
        if value == Evaluation.Status.DRAFT:
            return queryset.filter(Q(evaluation__isnull=True) | Q(evaluation__status=value))
        return queryset.filter(evaluation__status=value)


class DashboardFilter(django_filters.FilterSet):
    """The dashboard's year (the latest the user may see unless chosen) and department."""

    year = django_filters.ChoiceFilter(label=_("年度"), empty_label=None)
    department = django_filters.ModelChoiceFilter(
        field_name="unit__department",
        queryset=_departments,
        to_field_name="code",
        label=_("部门"),
        empty_label=_("全部部门"),
    )

    class Meta:
        model = Project
        fields = ["year", "department"]

    def __init__(self, data=None, queryset=None, *, request=None, years: list[int] | None = None, **kwargs):
        """``years``: the years of ``queryset``'s projects, newest first, if the caller knows them."""
        if years is None:
            years = list(queryset.order_by("-year").values_list("year", flat=True).distinct())
        data = data.copy() if data is not None else {}
        if years and not data.get("year"):
            data["year"] = str(years[0])
        super().__init__(data, queryset, request=request, **kwargs)
        self.filters["year"].extra["choices"] = [(year, year) for year in years]
        self.years = years
        _style(self.form)

    @property
    def chosen_year(self) -> int | None:
        if self.form.is_valid() and self.form.cleaned_data.get("year"):
            return int(self.form.cleaned_data["year"])
        return None
