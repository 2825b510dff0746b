"""A rule set (评分规则) as a plain value: what ``performance.scoring`` takes (SPEC sections 6 and 16).

Pure: Decimals, strings and tuples, no ORM. ``Rules()`` is 财预〔2020〕10号 as SPEC section 6 states it.
``rules_from_json``/``rules_to_json`` convert to and from the JSON a version stores and finance exports;
``rules_problems`` names everything wrong with a rule set (overlapping bands, weights not summing to 100 ...).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from django.utils.translation import gettext as _

from ..actuals import Tier

HUNDRED = Decimal("100")
ZERO = Decimal("0")
ONE = Decimal("1")

# How a quantitative target of each comparator is scored.
PROPORTIONAL = "proportional"  # SPEC section 6's formulas: w × the share met
ALL_OR_NOTHING = "all_or_nothing"  # w when met, else 0
QUANTITY_SCORINGS = (PROPORTIONAL, ALL_OR_NOTHING)
# How a date target met late is scored.
LATE_AS_TIER = "tier"  # as a qualitative row: the evaluator chooses a tier
LATE_ZERO = "zero"
LATE_DATES = (LATE_AS_TIER, LATE_ZERO)
# The overshoot rule (an actual at or above threshold × an at-least target).
OVERSHOOT_OFF = "off"
OVERSHOOT_POINTS = "points"  # deduct ``overshoot_points`` from the row
OVERSHOOT_SHARE = "share"  # the row scores ``overshoot_share`` of its weight
OVERSHOOTS = (OVERSHOOT_OFF, OVERSHOOT_POINTS, OVERSHOOT_SHARE)
# Custom first-level weights that depart from the group weights.
SPLIT_ALLOWED = "allowed"
SPLIT_WARNED = "warned"  # a finding (复核)
SPLIT_REFUSED = "refused"  # a problem: cannot be submitted
SPLITS = (SPLIT_ALLOWED, SPLIT_WARNED, SPLIT_REFUSED)
GRADES = ("优", "良", "中", "差")
TIERS = (Tier.MET, Tier.PARTIAL, Tier.MISSED)


@dataclass(frozen=True)
class TierBand:
    """A qualitative tier's band of the weight's share: low ≤ r < high (r ≤ high where high is 1), and the
    share it scores when no evaluator's score is given."""

    tier: str
    low: Decimal
    high: Decimal
    default: Decimal

    @property
    def high_included(self) -> bool:
        return self.high == ONE


@dataclass(frozen=True)
class RateCap:
    """The total is at most ``cap`` where the execution rate is at least ``low`` (None: no lower bound) and
    under ``high``."""

    low: Decimal | None
    high: Decimal
    cap: Decimal

    def holds(self, rate: Decimal) -> bool:
        return (self.low is None or rate >= self.low) and rate < self.high


@dataclass(frozen=True)
class GradeBand:
    """The grade of a total at least ``low`` (and under the next band's)."""

    grade: str
    low: Decimal


DEFAULT_TIERS = (
    TierBand(Tier.MET, Decimal("0.8"), ONE, ONE),
    TierBand(Tier.PARTIAL, Decimal("0.6"), Decimal("0.8"), Decimal("0.7")),
    TierBand(Tier.MISSED, ZERO, Decimal("0.6"), Decimal("0.3")),
)
DEFAULT_GRADES = (
    GradeBand("优", Decimal("90")),
    GradeBand("良", Decimal("80")),
    GradeBand("中", Decimal("60")),
    GradeBand("差", ZERO),
)


@dataclass(frozen=True)
class Rules:
    """Everything scoring may vary by (SPEC section 16); the defaults are 财预〔2020〕10号 (section 6).
    ``name`` and ``version`` only label what the rules did, in the scorer's explanations."""

    name: str = "财预〔2020〕10号"
    version: int = 1
    budget_weight: Decimal = Decimal("10")
    output_weight: Decimal = Decimal("50")
    effect_weight: Decimal = Decimal("30")
    satisfaction_weight: Decimal = Decimal("10")
    at_least: str = PROPORTIONAL
    at_most: str = PROPORTIONAL
    equal: str = PROPORTIONAL
    between: str = PROPORTIONAL
    late_date: str = LATE_AS_TIER
    tiers: tuple[TierBand, ...] = DEFAULT_TIERS
    overshoot: str = OVERSHOOT_OFF
    overshoot_threshold: Decimal = Decimal("1.3")
    overshoot_points: Decimal = ZERO
    overshoot_share: Decimal = Decimal("0.8")
    overshoot_reason: bool = False
    overshoot_reason_threshold: Decimal = Decimal("1.3")
    rate_caps: tuple[RateCap, ...] = ()
    budget_reason_rate: Decimal = Decimal("0.9")
    grades: tuple[GradeBand, ...] = DEFAULT_GRADES
    weight_split: str = SPLIT_ALLOWED

    @property
    def group_points(self) -> dict[str, Decimal]:
        return {"output": self.output_weight, "effect": self.effect_weight, "satisfaction": self.satisfaction_weight}

    def tier(self, tier: str) -> TierBand:
        return next(band for band in self.tiers if band.tier == tier)

    def label(self) -> str:
        return _("%(name)s（第%(version)s版）") % {"name": self.name, "version": self.version}


DEFAULT_RULES = Rules()


# --- JSON ---------------------------------------------------------------------------------------------

DECIMALS = {
    "budget_weight",
    "output_weight",
    "effect_weight",
    "satisfaction_weight",
    "overshoot_threshold",
    "overshoot_points",
    "overshoot_share",
    "overshoot_reason_threshold",
    "budget_reason_rate",
}
CHOICES = {
    "at_least": QUANTITY_SCORINGS,
    "at_most": QUANTITY_SCORINGS,
    "equal": QUANTITY_SCORINGS,
    "between": QUANTITY_SCORINGS,
    "late_date": LATE_DATES,
    "overshoot": OVERSHOOTS,
    "weight_split": SPLITS,
}
LABELS = {"name", "version"}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def rules_to_json(rules: Rules) -> dict:
    """The rules as JSON (Decimals as strings), without the name and version (they belong to the version row)."""
    data: dict = {}
    for item in fields(Rules):
        if item.name in LABELS:
            continue
        value = getattr(rules, item.name)
        if item.name in DECIMALS:
            value = str(value)
        data[item.name] = value
    data["tiers"] = [
        {"tier": b.tier, "low": str(b.low), "high": str(b.high), "default": str(b.default)} for b in rules.tiers
    ]
    data["rate_caps"] = [{"low": _text(c.low), "high": str(c.high), "cap": str(c.cap)} for c in rules.rate_caps]
    data["grades"] = [{"grade": g.grade, "low": str(g.low)} for g in rules.grades]
    return data


class RulesError(ValueError):
    """The JSON is not a rule set; ``problems`` names every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def _decimal(value, where: str, problems: list[str], *, optional: bool = False) -> Decimal | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        problems.append(_("%(where)s应为数字（文本形式），而不是 %(value)r。") % {"where": where, "value": value})
        return ZERO
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        problems.append(_("%(where)s“%(value)s”不是数字。") % {"where": where, "value": value})
        return ZERO
    return number


def _list(data: dict, key: str, problems: list[str]) -> list[dict]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        problems.append(_("“%(key)s”应为对象列表。") % {"key": key})
        return []
    return items


def rules_from_json(data, *, name: str = "", version: int = 1) -> Rules:
    """Rules from their JSON; a key left out keeps 10号's value. Raises ``RulesError`` naming every problem
    of form (unknown keys, values that are not numbers or choices); ``rules_problems`` checks the rules."""
    if not isinstance(data, dict):
        raise RulesError([_("评分规则应为 JSON 对象。")])
    problems: list[str] = []
    known = {item.name for item in fields(Rules)} - LABELS
    unknown = sorted(set(data) - known)
    if unknown:
        problems.append(_("未知的规则项：%(keys)s。") % {"keys": "、".join(unknown)})
    values: dict = {}
    for key in DECIMALS & set(data):
        values[key] = _decimal(data[key], f"“{key}”", problems)
    for key, choices in CHOICES.items():
        if key in data:
            if data[key] not in choices:
                problems.append(
                    _("“%(key)s”应为 %(choices)s 之一，而不是 %(value)r。")
                    % {"key": key, "choices": "、".join(choices), "value": data[key]}
                )
            else:
                values[key] = data[key]
    if "overshoot_reason" in data:
        if not isinstance(data["overshoot_reason"], bool):
            problems.append(_("“overshoot_reason”应为 true 或 false。"))
        else:
            values["overshoot_reason"] = data["overshoot_reason"]
    if "tiers" in data:
        values["tiers"] = tuple(
            TierBand(
                str(item.get("tier", "")),
                _decimal(item.get("low"), _("档次区间下限"), problems),
                _decimal(item.get("high"), _("档次区间上限"), problems),
                _decimal(item.get("default"), _("档次默认得分比例"), problems),
            )
            for item in _list(data, "tiers", problems)
        )
    if "rate_caps" in data:
        values["rate_caps"] = tuple(
            RateCap(
                _decimal(item.get("low"), _("封顶区间下限"), problems, optional=True),
                _decimal(item.get("high"), _("封顶区间上限"), problems),
                _decimal(item.get("cap"), _("封顶分数"), problems),
            )
            for item in _list(data, "rate_caps", problems)
        )
    if "grades" in data:
        values["grades"] = tuple(
            GradeBand(str(item.get("grade", "")), _decimal(item.get("low"), _("等级分数下限"), problems))
            for item in _list(data, "grades", problems)
        )
    if problems:
        raise RulesError(problems)
    return Rules(name=name or Rules.name, version=version, **values)


# --- what is wrong with a rule set ---------------------------------------------------------------------


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{(value * HUNDRED).normalize():f}%"


def rules_problems(rules: Rules) -> list[str]:
    """Every problem of a rule set, each a sentence; empty when it may be used."""
    problems: list[str] = []
    weights = [rules.budget_weight, rules.output_weight, rules.effect_weight, rules.satisfaction_weight]
    if any(weight < 0 for weight in weights):
        problems.append(_("各部分分值不能为负数。"))
    if sum(weights) != HUNDRED:
        problems.append(
            _(
                "分值合计应为 100：预算执行率 %(budget)s + 产出 %(output)s + 效益 %(effect)s"
                " + 满意度 %(satisfaction)s = %(total)s。"
            )
            % {
                "budget": rules.budget_weight,
                "output": rules.output_weight,
                "effect": rules.effect_weight,
                "satisfaction": rules.satisfaction_weight,
                "total": sum(weights),
            }
        )
    problems += _tier_problems(rules.tiers)
    problems += _cap_problems(rules.rate_caps)
    problems += _grade_problems(rules.grades)
    for key in ("overshoot_threshold", "overshoot_reason_threshold"):
        if getattr(rules, key) <= ONE:
            problems.append(
                _("超额阈值应大于 100%%（实际完成值为指标值的倍数），现为 %(value)s。")
                % {"value": _percent(getattr(rules, key))}
            )
    if rules.overshoot == OVERSHOOT_POINTS and rules.overshoot_points <= 0:
        problems.append(_("超额扣分规则须扣大于 0 的分数。"))
    if rules.overshoot == OVERSHOOT_SHARE and not ZERO <= rules.overshoot_share <= ONE:
        problems.append(
            _("超额得分比例应在 0 至 100%% 之间，现为 %(value)s。") % {"value": _percent(rules.overshoot_share)}
        )
    if not ZERO <= rules.budget_reason_rate <= ONE:
        problems.append(
            _("需填写执行偏差原因的执行率应在 0 至 100%% 之间，现为 %(value)s。")
            % {"value": _percent(rules.budget_reason_rate)}
        )
    return problems


def _tier_problems(tiers: tuple[TierBand, ...]) -> list[str]:
    problems = []
    names = [band.tier for band in tiers]
    if sorted(names) != sorted(TIERS):
        problems.append(_("定性指标应恰有三个档次：达成、部分达成、未达成。"))
    for band in tiers:
        label = Tier.LABELS.get(band.tier, band.tier)
        if not ZERO <= band.low < band.high <= ONE:
            problems.append(
                _("档次“%(tier)s”的区间 %(low)s 至 %(high)s 无效：应在 0 至 100%% 之间且下限小于上限。")
                % {"tier": label, "low": _percent(band.low), "high": _percent(band.high)}
            )
        elif not (band.low <= band.default < band.high or (band.high_included and band.default == band.high)):
            problems.append(
                _("档次“%(tier)s”的默认得分比例 %(default)s 不在其区间内。")
                % {"tier": label, "default": _percent(band.default)}
            )
    ordered = sorted(tiers, key=lambda band: band.low)
    for lower, upper in pairwise(ordered):
        if upper.low < lower.high:
            problems.append(
                _("档次“%(a)s”与“%(b)s”的区间重叠。")
                % {"a": Tier.LABELS.get(lower.tier, lower.tier), "b": Tier.LABELS.get(upper.tier, upper.tier)}
            )
        elif upper.low > lower.high:
            problems.append(
                _("档次区间之间有空缺：%(low)s 至 %(high)s 不属于任何档次。")
                % {"low": _percent(lower.high), "high": _percent(upper.low)}
            )
    if ordered and (ordered[0].low != ZERO or ordered[-1].high != ONE):
        problems.append(_("档次区间应覆盖 0 至 100%。"))
    return problems


def _cap_problems(caps: tuple[RateCap, ...]) -> list[str]:
    problems = []
    for cap in caps:
        if cap.low is not None and cap.low >= cap.high:
            problems.append(
                _("执行率封顶区间 %(low)s 至 %(high)s 无效：下限应小于上限。")
                % {"low": _percent(cap.low), "high": _percent(cap.high)}
            )
        if not ZERO <= cap.cap <= HUNDRED:
            problems.append(_("封顶分数应在 0 至 100 之间，现为 %(cap)s。") % {"cap": cap.cap})
    ordered = sorted(caps, key=lambda cap: (cap.low is not None, cap.low or ZERO))
    for lower, upper in pairwise(ordered):
        if upper.low is None or upper.low < lower.high:
            problems.append(
                _("执行率封顶区间重叠：%(a_low)s 至 %(a_high)s 与 %(b_low)s 至 %(b_high)s。")
                % {
                    "a_low": _percent(lower.low),
                    "a_high": _percent(lower.high),
                    "b_low": _percent(upper.low),
                    "b_high": _percent(upper.high),
                }
            )
    return problems


def _grade_problems(grades: tuple[GradeBand, ...]) -> list[str]:
    problems = []
    if tuple(band.grade for band in grades) != GRADES:
        problems.append(_("等级应依次为优、良、中、差，各一次。"))
    lows = [band.low for band in grades]
    if any(high <= low for high, low in pairwise(lows)):
        problems.append(_("等级的分数下限应从高到低严格递减，区间不能重叠。"))
    if lows and lows[-1] != ZERO:
        problems.append(_("最低等级的分数下限应为 0。"))
    if any(not ZERO <= low <= HUNDRED for low in lows):
        problems.append(_("等级的分数下限应在 0 至 100 之间。"))
    return problems
