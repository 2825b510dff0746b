"""The forms of the rectification pages: a new item, the unit's response, a proposal confirmed or dismissed."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets.models import Project, Unit


def _control(form) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault(
            "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        )


class ItemForm(forms.Form):
    """A new item, created by hand: the units and projects offered are those the user may create items for."""

    unit = forms.ModelChoiceField(label=_("责任单位"), queryset=Unit.objects.none())
    project = forms.ModelChoiceField(
        label=_("项目"), queryset=Project.objects.none(), required=False, empty_label=_("（不涉及具体项目）")
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    problem = forms.CharField(label=_("存在问题"), widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("整改要求"), widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, units, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["project"].queryset = projects
        _control(self)

    def clean(self):
        data = super().clean()
        unit, project = data.get("unit"), data.get("project")
        if unit and project and project.unit_id != unit.pk:
            self.add_error("project", _("所选项目不属于所选单位。"))
        if project and data.get("year") and project.year != data["year"]:
            self.add_error("year", _("年度应与所选项目的年度（%(year)s）一致。") % {"year": project.year})
        return data


class ResponseForm(forms.Form):
    response = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _control(self)


class ConfirmForm(forms.Form):
    key = forms.CharField(max_length=100, widget=forms.HiddenInput)
    measures = forms.CharField(label=_("整改要求"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"}))


class DismissForm(forms.Form):
    key = forms.CharField(max_length=100, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("不予整改的理由"), required=False)


def default_due_date():
    """Three months from today: a usual term for rectification."""
    return timezone.localdate() + datetime.timedelta(days=90)
