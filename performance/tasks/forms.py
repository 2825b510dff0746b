"""The forms of finance's task pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from budgets.models import Department

from .models import Task


class TaskForm(forms.Form):
    """Issue a task: kind, year, round, deadline, note, and to whom."""

    kind = forms.ChoiceField(
        label=_("任务类型"), choices=Task.Kind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    year = forms.IntegerField(
        label=_("年度"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs={"class": "form-control"})
    )
    round_number = forms.IntegerField(
        label=_("批次"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("监控任务一年可有多次；自评任务填1。"),
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    deadline = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
    to_all = forms.BooleanField(
        label=_("下达给全部部门"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("部门"),
        queryset=Department.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不下达给全部部门时，选择接收任务的部门。"),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("to_all") and not cleaned.get("departments"):
            self.add_error("departments", _("请选择至少一个部门，或选择下达给全部部门。"))
        return cleaned


class TaskEditForm(forms.Form):
    """An open task's deadline and note."""

    deadline = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
