"""Finance's forms for rule sets: a rule set's fields (rates in percent, as people write them), a JSON file to
import, and the choice of a department's rules for a year."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from budgets.models import Department

from ..actuals import Tier
from .models import RuleVersion
from .value import (
    ALL_OR_NOTHING,
    LATE_AS_TIER,
    LATE_ZERO,
    OVERSHOOT_OFF,
    OVERSHOOT_POINTS,
    OVERSHOOT_SHARE,
    PROPORTIONAL,
    SPLIT_ALLOWED,
    SPLIT_REFUSED,
    SPLIT_WARNED,
    Rules,
    rules_to_json,
)

HUNDRED = Decimal("100")
QUANTITY_CHOICES = [(PROPORTIONAL, _("按完成比例计分")), (ALL_OR_NOTHING, _("完成得满分，未完成不得分"))]
LATE_CHOICES = [(LATE_AS_TIER, _("按定性指标选择档次")), (LATE_ZERO, _("不得分"))]
OVERSHOOT_CHOICES = [
    (OVERSHOOT_OFF, _("不处理（不加分也不扣分）")),
    (OVERSHOOT_POINTS, _("扣减固定分数")),
    (OVERSHOOT_SHARE, _("按分值的一定比例计分")),
]
SPLIT_CHOICES = [
    (SPLIT_ALLOWED, _("允许（合计为 100 即可）")),
    (SPLIT_WARNED, _("允许，但在复核中提示")),
    (SPLIT_REFUSED, _("不允许（不能提交）")),
]
TIER_FIELDS = {Tier.MET: "met", Tier.PARTIAL: "partial", Tier.MISSED: "missed"}
GRADE_FIELDS = {"优": "grade_excellent", "良": "grade_good", "中": "grade_fair", "差": "grade_poor"}


def styled(form: forms.Form) -> None:
    """Bootstrap's classes on every widget."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


def _points(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=6, decimal_places=2, **kwargs)


def _percent(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=7, decimal_places=2, help_text="%", **kwargs)


def _as_percent(ratio: Decimal | None) -> Decimal | None:
    return None if ratio is None else (ratio * HUNDRED).normalize()


def _as_ratio(percent: Decimal | None) -> str | None:
    return None if percent is None else str((percent / HUNDRED).normalize())


class RuleSetForm(forms.Form):
    """A rule set's description and every rule, laid out for people; ``content()`` is its JSON."""

    name = forms.CharField(label=_("名称"), max_length=100)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    source = forms.CharField(label=_("依据"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    note = forms.CharField(label=_("修改说明"), max_length=500, required=False)

    budget_weight = _points(_("预算执行率分值"))
    output_weight = _points(_("产出指标分值"))
    effect_weight = _points(_("效益指标分值"))
    satisfaction_weight = _points(_("满意度指标分值"))
    weight_split = forms.ChoiceField(label=_("自定分值偏离一级指标分配"), choices=SPLIT_CHOICES)

    at_least = forms.ChoiceField(label=_("至少型指标（≥、>）"), choices=QUANTITY_CHOICES)
    at_most = forms.ChoiceField(label=_("至多型指标（≤、<）"), choices=QUANTITY_CHOICES)
    equal = forms.ChoiceField(label=_("等于型指标（=）"), choices=QUANTITY_CHOICES)
    between = forms.ChoiceField(label=_("区间型指标"), choices=QUANTITY_CHOICES)
    late_date = forms.ChoiceField(label=_("时限指标逾期完成"), choices=LATE_CHOICES)

    met_low = _percent(_("达成：区间下限"))
    met_high = _percent(_("达成：区间上限"))
    met_default = _percent(_("达成：默认得分比例"))
    partial_low = _percent(_("部分达成：区间下限"))
    partial_high = _percent(_("部分达成：区间上限"))
    partial_default = _percent(_("部分达成：默认得分比例"))
    missed_low = _percent(_("未达成：区间下限"))
    missed_high = _percent(_("未达成：区间上限"))
    missed_default = _percent(_("未达成：默认得分比例"))

    overshoot = forms.ChoiceField(label=_("超额完成"), choices=OVERSHOOT_CHOICES)
    overshoot_threshold = _percent(_("超额认定：实际完成值达到指标值的"))
    overshoot_points = _points(_("超额扣分"))
    overshoot_share = _percent(_("超额时得分为分值的"))
    overshoot_reason = forms.BooleanField(label=_("超额较多须分析原因"), required=False)
    overshoot_reason_threshold = _percent(_("须分析原因：实际完成值达到指标值的"))

    rate_caps = forms.CharField(
        label=_("按预算执行率封顶"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个区间：下限%,上限%,封顶分数；下限可空（如“,50,59”表示执行率低于 50% 最高 59 分）。"),
    )
    budget_reason_rate = _percent(_("执行率低于此值须说明原因"))

    grade_excellent = _points(_("优：总分不低于"))
    grade_good = _points(_("良：总分不低于"))
    grade_fair = _points(_("中：总分不低于"))
    grade_poor = _points(_("差：总分不低于"))

    def __init__(self, *args, naming: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not naming:  # a new version of a set keeps its name
            del self.fields["name"]
        styled(self)

    @staticmethod
    def initial_for(rules: Rules, **extra) -> dict:
        initial = {
            "budget_weight": rules.budget_weight,
            "output_weight": rules.output_weight,
            "effect_weight": rules.effect_weight,
            "satisfaction_weight": rules.satisfaction_weight,
            "weight_split": rules.weight_split,
            "at_least": rules.at_least,
            "at_most": rules.at_most,
            "equal": rules.equal,
            "between": rules.between,
            "late_date": rules.late_date,
            "overshoot": rules.overshoot,
            "overshoot_threshold": _as_percent(rules.overshoot_threshold),
            "overshoot_points": rules.overshoot_points,
            "overshoot_share": _as_percent(rules.overshoot_share),
            "overshoot_reason": rules.overshoot_reason,
            "overshoot_reason_threshold": _as_percent(rules.overshoot_reason_threshold),
            "budget_reason_rate": _as_percent(rules.budget_reason_rate),
            "rate_caps": "\n".join(
                f"{'' if cap.low is None else _as_percent(cap.low)},{_as_percent(cap.high)},{cap.cap.normalize()}"
                for cap in rules.rate_caps
            ),
        }
        for band in rules.tiers:
            prefix = TIER_FIELDS[band.tier]
            initial[f"{prefix}_low"] = _as_percent(band.low)
            initial[f"{prefix}_high"] = _as_percent(band.high)
            initial[f"{prefix}_default"] = _as_percent(band.default)
        for band in rules.grades:
            initial[GRADE_FIELDS[band.grade]] = band.low
        return initial | extra

    def clean_rate_caps(self) -> list[dict]:
        caps, problems = [], []
        for number, line in enumerate(self.cleaned_data["rate_caps"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip().rstrip("%") for part in line.replace("，", ",").split(",")]
            try:
                if len(parts) != 3 or not parts[1] or not parts[2]:
                    raise InvalidOperation
                low = Decimal(parts[0]) if parts[0] else None
                high, cap = Decimal(parts[1]), Decimal(parts[2])
            except InvalidOperation:
                problems.append(
                    _("封顶第 %(n)s 行“%(line)s”应为“下限%%,上限%%,封顶分数”。") % {"n": number, "line": line.strip()}
                )
                continue
            caps.append({"low": _as_ratio(low), "high": _as_ratio(high), "cap": str(cap)})
        if problems:
            raise ValidationError(problems)
        return caps

    def content(self) -> dict:
        """The rule set's JSON (``value.rules_to_json``'s shape) from the cleaned fields."""
        data = self.cleaned_data
        content = rules_to_json(Rules())
        for key in ("budget_weight", "output_weight", "effect_weight", "satisfaction_weight", "overshoot_points"):
            content[key] = str(data[key])
        for key in ("weight_split", "at_least", "at_most", "equal", "between", "late_date", "overshoot"):
            content[key] = data[key]
        for key in ("overshoot_threshold", "overshoot_share", "overshoot_reason_threshold", "budget_reason_rate"):
            content[key] = _as_ratio(data[key])
        content["overshoot_reason"] = data["overshoot_reason"]
        content["tiers"] = [
            {
                "tier": tier,
                "low": _as_ratio(data[f"{prefix}_low"]),
                "high": _as_ratio(data[f"{prefix}_high"]),
                "default": _as_ratio(data[f"{prefix}_default"]),
            }
            for tier, prefix in TIER_FIELDS.items()
        ]
        content["rate_caps"] = data["rate_caps"]
        content["grades"] = [{"grade": grade, "low": str(data[field])} for grade, field in GRADE_FIELDS.items()]
        return content


class RuleImportForm(forms.Form):
    file = forms.FileField(label=_("评分规则文件（JSON）"))


class RuleChoiceForm(forms.Form):
    """A department's rules for a year: which version, and why."""

    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.order_by("code"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    version = forms.ModelChoiceField(
        label=_("评分规则版本"),
        queryset=RuleVersion.objects.select_related("rule_set").order_by("rule_set_id", "-number"),
    )
    reason = forms.CharField(label=_("变更原因"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)


def _percent_text(ratio: Decimal) -> str:
    return f"{(ratio * HUNDRED).normalize():f}%"


def rule_labels(rules: Rules) -> dict[str, str]:
    """The rules' choices in words, for a rule set's page."""
    quantity = dict(QUANTITY_CHOICES)
    labels = {key: str(quantity[getattr(rules, key)]) for key in ("at_least", "at_most", "equal", "between")}
    labels["late_date"] = str(dict(LATE_CHOICES)[rules.late_date])
    labels["weight_split"] = str(dict(SPLIT_CHOICES)[rules.weight_split])
    threshold = _percent_text(rules.overshoot_threshold)
    if rules.overshoot == OVERSHOOT_POINTS:
        overshoot = _("实际完成值达到至少型指标值的 %(threshold)s 及以上：扣 %(points)s 分") % {
            "threshold": threshold,
            "points": rules.overshoot_points.normalize(),
        }
    elif rules.overshoot == OVERSHOOT_SHARE:
        overshoot = _("实际完成值达到至少型指标值的 %(threshold)s 及以上：得分为分值的 %(share)s") % {
            "threshold": threshold,
            "share": _percent_text(rules.overshoot_share),
        }
    else:
        overshoot = str(dict(OVERSHOOT_CHOICES)[OVERSHOOT_OFF])
    if rules.overshoot_reason:
        overshoot += str(
            _("；达到 %(threshold)s 及以上须分析原因") % {"threshold": _percent_text(rules.overshoot_reason_threshold)}
        )
    labels["overshoot"] = overshoot
    return labels
