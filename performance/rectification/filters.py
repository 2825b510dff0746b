"""Filters of the rectification list (django-filter), limited to the units the user sees."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets.models import Unit
from budgets.permissions import units_for

from ..filters import PlainSelect
from .models import RectificationItem, Source

OPEN, OVERDUE, DONE = "open", "overdue", "done"


def _units(request):
    if request is None:
        return Unit.objects.none()
    return units_for(request.user).order_by("department__code", "order", "code")


class RectificationFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("年度"), widget=forms.NumberInput(attrs={"min": 2000, "max": 2100}))
    unit = django_filters.ModelChoiceFilter(label=_("责任单位"), queryset=_units, empty_label=_("全部单位"))
    status = django_filters.ChoiceFilter(
        label=_("整改状态"), choices=RectificationItem.Status.choices, empty_label=_("全部状态"), widget=PlainSelect
    )
    source = django_filters.ChoiceFilter(
        label=_("来源"), choices=Source.choices, empty_label=_("全部来源"), widget=PlainSelect
    )
    due = django_filters.ChoiceFilter(
        label=_("期限"),
        choices=[(OPEN, _("未完成")), (OVERDUE, _("已逾期")), (DONE, _("已完成"))],
        empty_label=_("全部"),
        method="filter_due",
        widget=PlainSelect,
    )

    class Meta:
        model = RectificationItem
        fields = ["year", "unit", "status", "source", "due"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm",
            )

    def filter_due(self, queryset, _name, value):
        if value == OPEN:
            return queryset.open()
        if value == OVERDUE:
            return queryset.overdue(timezone.localdate())
        if value == DONE:
            return queryset.filter(status=RectificationItem.Status.DONE)
        return queryset
