"""The declaration form (绩效目标申报): the goal, then one row per indicator, added, removed and reordered in
the browser. The adjustment form is the same rows with a reason."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from ..models import IndicatorCategory
from .services import DeclaredRow

BASES = ["计划标准", "行业标准", "历史标准", "其他"]
MAX_ROWS = 200


class Level2Select(forms.Select):
    """Each 二级 option carries its 一级, so the page can offer only the 二级 of the 一级 chosen."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        parent = self.parents.get(str(getattr(value, "value", value)))
        if parent:
            option["attrs"]["data-level1"] = parent
        return option


class IndicatorRowForm(forms.Form):
    indicator_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    level1 = forms.ModelChoiceField(
        label=_("一级指标"), queryset=IndicatorCategory.objects.filter(level=1).order_by("order", "id")
    )
    level2 = forms.ModelChoiceField(
        label=_("二级指标"),
        queryset=IndicatorCategory.objects.filter(level=2).select_related("parent").order_by("parent__order", "order"),
        widget=Level2Select,
    )
    name = forms.CharField(label=_("三级指标"), max_length=200)
    description = forms.CharField(label=_("绩效指标描述"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    target = forms.CharField(label=_("指标值"), max_length=500, required=False)
    basis = forms.CharField(label=_("指标值确定依据"), max_length=200, required=False)
    weight = forms.DecimalField(
        label=_("分值"), required=False, min_value=0, max_value=100, max_digits=6, decimal_places=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["level2"]
        field.widget.parents = {str(c.pk): str(c.parent_id) for c in field.queryset}
        field.label_from_instance = lambda category: category.name
        field.widget.attrs.update(
            {"class": "form-select form-select-sm", "data-level2-select": "", "data-field": "level2"}
        )
        self.fields["basis"].widget.attrs["list"] = "jx-bases"
        self.fields["weight"].widget.attrs.update({"step": "0.01", "inputmode": "decimal"})
        # Every control names its row for a screen reader (the row's number is set by the page as rows move).
        for name, item in self.fields.items():
            if name != "indicator_id":
                item.widget.attrs["data-label"] = str(item.label)

    def clean(self):
        cleaned = super().clean()
        level1, level2 = cleaned.get("level1"), cleaned.get("level2")
        if level1 and level2 and level2.parent_id != level1.pk:
            self.add_error(
                "level2", _("二级指标“%(l2)s”不属于一级指标“%(l1)s”。") % {"l2": level2.name, "l1": level1.name}
            )
        return cleaned

    def has_changed(self):
        """A row added and left blank is no row: its position and delete box are not content."""
        return any(name not in ("ORDER", "DELETE", "indicator_id") for name in self.changed_data)

    def row(self) -> DeclaredRow:
        data = self.cleaned_data
        return DeclaredRow(
            level1=data["level1"],
            level2=data["level2"],
            name=data["name"],
            description=data.get("description") or "",
            target=data.get("target") or "",
            basis=data.get("basis") or "",
            weight=data.get("weight"),
            indicator_id=data.get("indicator_id"),
        )


IndicatorRowFormSet = formset_factory(
    IndicatorRowForm, extra=0, can_order=True, can_delete=True, max_num=MAX_ROWS, validate_max=True
)


class DeclarationForm(forms.Form):
    goal = forms.CharField(label=_("年度总体目标"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AdjustmentForm(forms.Form):
    reason = forms.CharField(
        label=_("调整理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("说明为什么要调整批复的绩效目标，审核人据此批准或不予批准。"),
    )


def ordered_rows(formset) -> list[DeclaredRow]:
    """The rows kept, in the order the page gave them (the ORDER field), deleted ones left out."""
    kept = [form for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
    kept.sort(key=lambda form: (form.cleaned_data.get("ORDER") is None, form.cleaned_data.get("ORDER") or 0))
    return [form.row() for form in kept]


def initial_rows(indicators) -> list[dict]:
    return [
        {
            "indicator_id": indicator.pk,
            "level1": indicator.level1_id,
            "level2": indicator.level2_id,
            "name": indicator.name,
            "description": indicator.description,
            "target": indicator.target,
            "basis": indicator.basis,
            "weight": indicator.weight,
            "ORDER": position,
        }
        for position, indicator in enumerate(indicators, start=1)
    ]
