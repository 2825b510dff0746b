"""Forms of the self-evaluation entry page: they parse input; the rules live in entry_services and scoring."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from budgets.models import FUND_SOURCES, STAGES

from .entry_services import REASON_MAX_LENGTH
from .evidence import XLSX, check_evidence_file, detect_evidence_type
from .models import ActualResult, Indicator
from .uploads import check_office_file

CENT = Decimal("0.01")
STAGE_LABELS = {"initial": _("年初预算数"), "full_year": _("全年预算数"), "executed": _("全年执行数")}
SOURCE_LABELS = {"fiscal": _("财政拨款"), "carryover": _("上年结转"), "other": _("其他资金")}
NOT_NEGATIVE = {"min_value": _("金额不能为负数。"), "invalid": _("请输入数字（万元），例如 12.5。")}


class MoneyInput(forms.TextInput):
    """An amount in 万元 shown with 2 places (stored with 4): 12.5 → 12.50, 12.3456 → 12.35. What the user typed
    is shown as typed; the entry page keeps a stored 4-place amount sent back unchanged
    (``entry_services.entry_keeping_saved``)."""

    def format_value(self, value):
        if isinstance(value, Decimal) and value.is_finite():
            return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):f}"
        return super().format_value(value)


def money_field(label) -> forms.DecimalField:
    """An amount in 万元, never negative; labelled for screen readers (the table shows it as headers)."""
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=18,
        decimal_places=4,
        error_messages=NOT_NEGATIVE,
        widget=MoneyInput(attrs={"inputmode": "decimal", "class": "form-control text-end", "aria-label": label}),
    )


def reason_field(label) -> forms.CharField:
    """A deviation reason: at most ``REASON_MAX_LENGTH`` characters, counted live (static/js/char-counter.js)."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=REASON_MAX_LENGTH,
        error_messages={"max_length": _("原因最多 %(limit_value)d 字，现有 %(show_value)d 字，请精简。")},
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control", "data-counter": ""}),
    )


class EvidenceField(forms.FileField):
    """A file checked by content (performance.evidence): ≤ 20 MB, pdf/jpg/png/docx/xlsx."""

    def clean(self, data, initial=None):
        data = super().clean(data, initial)
        if data:
            data.evidence_type = check_evidence_file(data)
        return data


def _textarea(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


class EvaluationEntryForm(forms.Form):
    """The evaluation-wide part of the entry page: the project's money, achieved goal, budget reason.

    Money fields are named as the Project's: ``{stage}_{total|fiscal|carryover|other}``.
    """

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    goal_actual = forms.CharField(label=_("实际完成情况"), required=False, widget=_textarea(4))
    budget_deviation_reason = reason_field(_("执行偏差原因"))
    evidence = EvidenceField(label=_("项目佐证材料"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for stage in STAGES:
            total = money_field(format_lazy("{}（{}）", STAGE_LABELS[stage], _("合计")))
            total.widget.attrs["placeholder"] = _("按来源合计")
            self.fields[f"{stage}_total"] = total
            for source in FUND_SOURCES:
                label = format_lazy("{}-{}", STAGE_LABELS[stage], SOURCE_LABELS[source])
                self.fields[f"{stage}_{source}"] = money_field(label)

    def money_rows(self) -> list[tuple[str, list]]:
        """(stage label, [total, fiscal, carryover, other bound fields]) for the page's money table."""
        keys = ("total", *FUND_SOURCES)
        return [(STAGE_LABELS[stage], [self[f"{stage}_{key}"] for key in keys]) for stage in STAGES]

    # A total that disagrees with its fund sources is checked on the entry with the saved amounts put back
    # (entry_services.money_total_errors): 12.35 shown of a saved 12.3456 is not a disagreement.


class ResultEntryForm(forms.Form):
    """One indicator's row: actual value, tier and evaluator's score, deviation reason, evidence."""

    actual = forms.CharField(
        label=_("实际完成值"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    tier = forms.ChoiceField(
        label=_("完成档次"),
        required=False,
        choices=[("", _("（请选择）")), *ActualResult.Tier.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    evaluator_score = forms.DecimalField(
        label=_("评价得分"),
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=6,
        decimal_places=2,
        error_messages={"min_value": _("得分不能为负数。"), "invalid": _("请输入数字。")},
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "class": "form-control text-end", "placeholder": _("得分")}
        ),
    )
    deviation_reason = reason_field(_("偏差原因分析及改进措施"))
    evidence = EvidenceField(label=_("佐证材料"), required=False)

    def __init__(self, *args, indicator: Indicator, **kwargs):
        kwargs.setdefault("prefix", f"ind-{indicator.pk}")
        super().__init__(*args, **kwargs)
        self.indicator = indicator


def build_entry_forms(
    *, indicators: list[Indicator], data=None, files=None, initial: dict | None = None
) -> tuple[EvaluationEntryForm, list[ResultEntryForm]]:
    """The page's forms, bound to ``data`` or filled from ``initial`` ({"evaluation": {...}, pk: {...}})."""
    initial = initial or {}
    form = EvaluationEntryForm(data, files, initial=initial.get("evaluation"))
    rows = [
        ResultEntryForm(data, files, indicator=indicator, initial=initial.get(indicator.pk)) for indicator in indicators
    ]
    return form, rows


def forms_are_valid(form: forms.Form, rows: list[ResultEntryForm]) -> bool:
    return all([form.is_valid(), *[row.is_valid() for row in rows]])


class WorkbookUploadForm(forms.Form):
    """The flat interchange workbook (SPEC section 11): an .xlsx by content, at most JIXIAO_WEB_UPLOAD_MAX_MB.

    A larger one is for ``manage.py import_workbook`` on the server, which the refusal names.
    """

    file = forms.FileField(label=_("工作簿（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    too_large = _(
        "“%(name)s”有 %(size)s MB，超过网页上传 %(limit)s MB 的上限（设置 JIXIAO_WEB_UPLOAD_MAX_MB）。"
        "更大的工作簿请交系统管理员在服务器上导入：python manage.py import_workbook FILE --user NAME"
        "（FILE 为该文件，NAME 为您的用户名）。"
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        limit = settings.JIXIAO_WEB_UPLOAD_MAX_MB
        if file.size > limit * 1024 * 1024:
            size = f"{file.size / 1024 / 1024:.1f}"
            raise forms.ValidationError(self.too_large % {"name": file.name, "size": size, "limit": limit})
        if detect_evidence_type(file) != XLSX:
            raise forms.ValidationError(_("“%(name)s”不是 .xlsx 工作簿（按文件内容判断）。") % {"name": file.name})
        check_office_file(file, allow_formulas=True)  # zip bomb, macros, entities, too many rows
        return file


class EvaluationSheetUploadForm(WorkbookUploadForm):
    """A 自评表 workbook filled offline (SPEC section 14): the same checks; a larger one is split by unit."""

    too_large = _(
        "“%(name)s”有 %(size)s MB，超过网页上传 %(limit)s MB 的上限（设置 JIXIAO_WEB_UPLOAD_MAX_MB）。"
        "请按单位分成几个工作簿分别上传；或导出绩效数据工作簿（项目、指标两张表），填好后交系统管理员在服务器上导入："
        "python manage.py import_workbook FILE --user NAME（FILE 为该文件，NAME 为您的用户名）。"
    )


class WorkbookExportForm(forms.Form):
    """A year and a scope (everything the user sees, one department, or one unit) to export."""

    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    scope = forms.ChoiceField(label=_("范围"), required=False, widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, user, **kwargs):
        from budgets.permissions import departments_for, projects_for, units_for

        super().__init__(*args, **kwargs)
        years = projects_for(user).order_by("-year").values_list("year", flat=True).distinct()
        self.fields["year"].choices = [(year, year) for year in years]
        departments = departments_for(user).order_by("code")
        units = units_for(user).exclude(code=None).select_related("department").order_by("department__code", "order")
        self.labels = {"": _("本人可见的全部项目")}
        self.labels |= {f"d:{d.code}": f"{d.code} {d.name}" for d in departments}
        self.labels |= {f"u:{u.code}": f"{u.code} {u.name}" for u in units}
        self.fields["scope"].choices = [
            ("", self.labels[""]),
            (_("部门"), [(key, label) for key, label in self.labels.items() if key.startswith("d:")]),
            (_("单位"), [(key, label) for key, label in self.labels.items() if key.startswith("u:")]),
        ]

    def params(self) -> dict:
        year, scope = self.cleaned_data["year"], self.cleaned_data.get("scope") or ""
        params: dict = {"year": year}
        if scope.startswith("d:"):
            params["department"] = scope[2:]
        elif scope.startswith("u:"):
            params["unit"] = scope[2:]
        return params

    def title(self) -> str:
        scope = self.cleaned_data.get("scope") or ""
        label = self.labels[scope].split(" ", 1)[1] if scope else ""
        return _("%(year)s年度%(label)s绩效数据工作簿") % {"year": self.cleaned_data["year"], "label": label}
