"""The forms of the spot-check pages: a draw, and finance's re-review of one sampled project."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SpotCheck, SpotCheckItem


class DrawForm(forms.Form):
    """A draw: the year, the size or the share, the seed (kept; left empty, one is chosen) and which projects."""

    year = forms.IntegerField(
        label=_("年度"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs={"class": "form-control"})
    )
    size = forms.IntegerField(
        label=_("抽取数量"),
        required=False,
        min_value=1,
        max_value=100000,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    share = forms.DecimalField(
        label=_("抽取比例（%）"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
    )
    seed = forms.IntegerField(
        label=_("随机种子"),
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_("同一种子、同一数据抽出同样的项目；留空则随机选取并记录。"),
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    scope = forms.ChoiceField(
        label=_("抽取范围"),
        choices=SpotCheck.Scope.choices,
        initial=SpotCheck.Scope.APPROVED,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and (data.get("size") is None) == (data.get("share") is None):
            raise forms.ValidationError(_("请填写抽取数量或抽取比例（二者选一）。"))
        return data


class ReviewForm(forms.Form):
    """Finance's score of each row of a sampled project (one field per row, named after it), the budget row's
    score, a conclusion and a note."""

    budget_score = forms.DecimalField(
        label=_("预算执行率复核得分"),
        min_value=Decimal("0"),
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.01"}),
    )
    conclusion = forms.ChoiceField(
        label=_("复核结论"),
        choices=[("", _("请选择")), *SpotCheckItem.Conclusion.choices[1:]],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label=_("复核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.row_fields = []
        for row in rows:
            if row.indicator is None:
                continue
            name = f"row_{row.indicator.pk}"
            self.fields[name] = forms.DecimalField(
                label=_("“%(name)s”复核得分") % {"name": row.name},
                min_value=Decimal("0"),
                max_digits=6,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.01"}),
            )
            self.row_fields.append(name)

    def scores(self) -> dict[int, Decimal]:
        return {int(name.removeprefix("row_")): self.cleaned_data[name] for name in self.row_fields}
