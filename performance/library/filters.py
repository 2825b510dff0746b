"""Filters of the library list (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..filters import PlainSelect
from ..models import IndicatorCategory
from .models import LibraryEntry, ProjectCategory


class EntryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称"), method="filter_q")
    level2 = django_filters.ModelChoiceFilter(
        label=_("二级指标"),
        queryset=IndicatorCategory.objects.filter(level=2).select_related("parent").order_by("parent__order", "order"),
        empty_label=_("全部二级指标"),
    )
    category = django_filters.ModelChoiceFilter(
        label=_("项目类别"), queryset=ProjectCategory.objects.all(), method="filter_category", empty_label=_("全部类别")
    )
    source = django_filters.ChoiceFilter(
        label=_("来源"), choices=LibraryEntry.Source.choices, empty_label=_("全部来源"), widget=PlainSelect
    )

    class Meta:
        model = LibraryEntry
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm",
            )

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(aliases__icontains=value)) if value else queryset

    def filter_category(self, queryset, name, value):
        return queryset.filter(Q(common=True) | Q(categories=value)).distinct() if value else queryset
