"""The report's free-text sections, one textarea each."""

from django import forms

from .content import SECTIONS, TEXT_LENGTH


class ReportTextForm(forms.Form):
    def __init__(self, *args, texts: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for key, title in SECTIONS:
            self.fields[key] = forms.CharField(
                label=title,
                required=False,
                max_length=TEXT_LENGTH,
                initial=texts.get(key, ""),
                widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
            )
