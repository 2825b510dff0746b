"""Forms of the monitoring entry page (绩效运行监控): they parse input; the rules live in performance.monitoring."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from budgets.numbers import shown_amount

from .forms import money_field
from .models import Indicator, IndicatorMonitoring
from .monitoring import IndicatorEntry, MonitoringEntry


def _text(label) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=500, widget=forms.TextInput(attrs={"class": "form-control"})
    )


def _choice(label, choices) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", "—"), *choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class MonitoringForm(forms.Form):
    """The project-wide part: the budget, executed to date and the year's forecast, in 万元."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_year_budget"] = money_field(_("全年预算数"))
        self.fields["executed_to_date"] = money_field(_("截至监控日执行数"))
        self.fields["forecast_full_year_execution"] = money_field(_("全年预计执行数"))


class IndicatorMonitoringForm(forms.Form):
    """One indicator's row: value to date, forecast, deviation cause and note, likelihood."""

    value_to_date = _text(_("截至监控日完成情况"))
    forecast = _text(_("全年预计完成情况"))
    likelihood = _choice(_("完成目标可能性"), IndicatorMonitoring.Likelihood.choices)
    deviation_cause = _choice(_("偏差原因"), IndicatorMonitoring.Cause.choices)
    note = forms.CharField(
        label=_("原因说明"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )

    def __init__(self, *args, indicator: Indicator, **kwargs):
        kwargs.setdefault("prefix", f"ind-{indicator.pk}")
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        for field in self.fields.values():  # the table's column heads are not labels: name the row in each control
            field.widget.attrs["aria-label"] = format_lazy("{} {}", indicator.name, field.label)


def build_monitoring_forms(
    *, indicators: list[Indicator], data=None, initial: dict | None = None
) -> tuple[MonitoringForm, list[IndicatorMonitoringForm]]:
    initial = initial or {}
    form = MonitoringForm(data, initial=initial.get("monitoring"))
    rows = [IndicatorMonitoringForm(data, indicator=i, initial=initial.get(i.pk)) for i in indicators]
    return form, rows


def monitoring_initial(entry: MonitoringEntry, *, version: int) -> dict:
    initial: dict = {
        "monitoring": {
            "version": version,
            "full_year_budget": shown_amount(entry.full_year_budget),
            "executed_to_date": shown_amount(entry.executed_to_date),
            "forecast_full_year_execution": shown_amount(entry.forecast_full_year_execution),
        }
    }
    for pk, row in entry.indicators.items():
        initial[pk] = {
            "value_to_date": row.value_to_date,
            "forecast": row.forecast,
            "deviation_cause": row.deviation_cause,
            "note": row.note,
            "likelihood": row.likelihood,
        }
    return initial


def entry_from_monitoring_forms(form: MonitoringForm, rows: list[IndicatorMonitoringForm]) -> MonitoringEntry:
    """The entry from (possibly partly invalid) bound forms: an invalid field counts as empty."""
    data = getattr(form, "cleaned_data", {})
    indicators = {}
    for row in rows:
        cleaned = getattr(row, "cleaned_data", {})
        indicators[row.indicator.pk] = IndicatorEntry(
            value_to_date=cleaned.get("value_to_date") or "",
            forecast=cleaned.get("forecast") or "",
            deviation_cause=cleaned.get("deviation_cause") or "",
            note=cleaned.get("note") or "",
            likelihood=cleaned.get("likelihood") or "",
        )
    return MonitoringEntry(
        full_year_budget=data.get("full_year_budget"),
        executed_to_date=data.get("executed_to_date"),
        forecast_full_year_execution=data.get("forecast_full_year_execution"),
        indicators=indicators,
    )


def with_notes(form: forms.Form, notes: dict[str, list[str]]) -> list[tuple[forms.BoundField, list[str]]]:
    """The form's visible fields, each with what blocks submitting it (``monitoring_field_problems``): the page
    shows each note beside its field."""
    return [(field, notes.get(field.html_name, [])) for field in form.visible_fields()]
