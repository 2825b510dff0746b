"""The library page's forms: an entry, the workbook upload, and a department's peer factor."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import IndicatorCategory
from .models import LibraryEntry, PeerFactor
from .names import name_key


class EntryForm(forms.ModelForm):
    class Meta:
        model = LibraryEntry
        fields = [
            "level1",
            "level2",
            "name",
            "aliases",
            "description",
            "target_kind",
            "unit",
            "example_target",
            "basis",
            "common",
            "categories",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "categories": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level1"].queryset = IndicatorCategory.objects.filter(level=1).order_by("order")
        self.fields["level2"].queryset = (
            IndicatorCategory.objects.filter(level=2).select_related("parent").order_by("parent__order", "order")
        )
        for name, field in self.fields.items():
            if name not in ("common", "categories"):
                field.widget.attrs.setdefault(
                    "class", "form-select" if name in ("level1", "level2", "target_kind", "basis") else "form-control"
                )

    def clean(self):
        cleaned = super().clean()
        level1, level2, name = cleaned.get("level1"), cleaned.get("level2"), cleaned.get("name")
        if level1 and level2 and level2.parent_id != level1.pk:
            self.add_error("level2", _("二级指标不属于所选的一级指标。"))
        if level2 and name:
            twins = LibraryEntry.objects.filter(level2=level2, name_key=name_key(name)).exclude(pk=self.instance.pk)
            if twins.exists():
                self.add_error("name", _("指标库已有“%(name)s”（名称相同或只差空格、标点）。") % {"name": name})
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(label=_("指标库工作簿（.xlsx）"))


class PeerFactorForm(forms.ModelForm):
    class Meta:
        model = PeerFactor
        fields = ["factor"]
        widgets = {"factor": forms.NumberInput(attrs={"class": "form-control", "step": "0.1", "min": "1.1"})}
