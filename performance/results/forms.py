"""The results application forms: the year's rule per grade (a new version) and finance's opinion on a project."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .arithmetic import ACTIONS, GRADES, GradeRule


class RuleForm(forms.Form):
    """The rule per grade: an action and a percentage each, and why it changed."""

    note = forms.CharField(label=_("修改说明"), required=False, max_length=500)

    def __init__(self, *args, rules: dict[str, GradeRule], **kwargs):
        super().__init__(*args, **kwargs)
        for n, grade in enumerate(GRADES):
            rule = rules[grade]
            self.fields[f"action_{n}"] = forms.ChoiceField(
                label=_("等级“%(grade)s”的处理方式") % {"grade": grade},
                choices=list(ACTIONS.items()),
                initial=rule.action,
            )
            self.fields[f"percent_{n}"] = forms.DecimalField(
                label=_("等级“%(grade)s”的比例（%%）") % {"grade": grade},
                min_value=Decimal("0"),
                max_value=Decimal("100"),
                max_digits=5,
                decimal_places=2,
                initial=rule.percent,
            )
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if name.startswith("action") else "form-control form-control-sm"
            )

    def rows(self):
        """(grade, action field, percent field) for the template's table."""
        return [(grade, self[f"action_{n}"], self[f"percent_{n}"]) for n, grade in enumerate(GRADES)]

    def rules(self) -> dict[str, GradeRule]:
        data = self.cleaned_data
        return {grade: GradeRule(data[f"action_{n}"], data[f"percent_{n}"]) for n, grade in enumerate(GRADES)}


class OpinionForm(forms.Form):
    """Finance's opinion on a project: the text and, optionally, the amount decided for next year."""

    opinion = forms.CharField(label=_("结果应用意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    decided = forms.DecimalField(
        label=_("确定下年预算数（万元）"),
        required=False,
        min_value=Decimal("0"),
        max_digits=18,
        decimal_places=4,
    )
