"""The department self-evaluation's forms: a reviewer's decision on an item, 基本支出's figures, finance's choice
of framework, and a framework's items for a new version."""

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import DepartmentFrameworkVersion


class DecisionForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=100)
    action = forms.ChoiceField(
        label=_("处理"), choices=[("confirm", _("确认预填得分")), ("override", _("调整得分"))], initial="confirm"
    )
    score = forms.DecimalField(label=_("得分"), required=False, max_digits=6, decimal_places=2)
    reason = forms.CharField(label=_("理由"), required=False, max_length=2000)


class BasicSpendingForm(forms.Form):
    basic_full_year = forms.DecimalField(
        label=_("基本支出全年预算数（万元）"),
        required=False,
        max_digits=18,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
    )
    basic_executed = forms.DecimalField(
        label=_("基本支出全年执行数（万元）"),
        required=False,
        max_digits=18,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
    )


class FrameworkChoiceForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("评价框架"), queryset=DepartmentFrameworkVersion.objects.select_related("framework")
    )


class FrameworkItemForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=100)
    name = forms.CharField(label=_("评价项目"), max_length=100)
    weight = forms.DecimalField(label=_("分值"), max_digits=6, decimal_places=2, min_value=Decimal("0"))
    guidance = forms.CharField(label=_("评分标准"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


FrameworkItemFormSet = forms.formset_factory(FrameworkItemForm, extra=0)


class FrameworkNoteForm(forms.Form):
    note = forms.CharField(label=_("修改说明"), widget=forms.Textarea(attrs={"rows": 2}))
