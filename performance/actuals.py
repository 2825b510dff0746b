"""Reading actual values (实际完成值) against their target: SPEC section 5.

Interface:
    read_actual(text: str | None, target: Target, *, tier: str = "") -> Actual
    Actual: frozen dataclass with
        text: str                  # as entered
        kind: str                  # "number" | "date" | "tier" | "not_applicable" | "missing"
        value: Decimal | None      # number converted to the target's unit
        on: date | None            # completion date for date targets
        tier: str                  # "met" | "partial" | "missed" | ""  (ActualResult.Tier values)
        error: str                 # a Chinese sentence for the user, "" when readable

Rules, in order:
- empty text and no tier: missing; ``/`` (or ``-`` ``—``): not applicable, as is a not-applicable target;
- the target text repeated (``≥266米``) means the target was met exactly;
- quantitative targets: a number with or without unit (a bare number takes the target's unit), a
  compatible unit converts (人/万人, 元/万元), an incompatible one, a negative number or text is an error;
- date targets: a completion date (``2021-12-15``, ``2021年12月28日``, ``2021.12.28``, a date's or a
  datetime's ``str``); anything else is read as for a qualitative target (a tier);
- qualitative targets: the evaluator's ``tier`` wins; otherwise the tier phrases of SPEC section 5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from .targets import Kind, Target, compact, read_date, read_number, split_comparator, unit_factor


class ActualKind:
    NUMBER = "number"
    DATE = "date"
    TIER = "tier"
    NOT_APPLICABLE = "not_applicable"
    MISSING = "missing"


class Tier:
    """The three tiers of a qualitative result (the values of ActualResult.Tier)."""

    MET = "met"
    PARTIAL = "partial"
    MISSED = "missed"

    LABELS = {
        MET: "达成年度指标",
        PARTIAL: "部分达成年度指标并具有一定效果",
        MISSED: "未达成年度指标且效果较差",
    }


@dataclass(frozen=True)
class Actual:
    text: str
    kind: str
    value: Decimal | None = None
    on: date | None = None
    tier: str = ""
    error: str = ""


NOT_APPLICABLE_ACTUALS = {"/", "-", "—", "——", "–", "\\"}
TIER_PHRASES = {
    "达成年度指标": Tier.MET,
    "达成": Tier.MET,
    "达成预期指标": Tier.MET,
    "完成": Tier.MET,
    "已完成": Tier.MET,
    "按时完成": Tier.MET,
    "部分达成年度指标并具有一定效果": Tier.PARTIAL,
    "部分达成": Tier.PARTIAL,
    "部分完成": Tier.PARTIAL,
    "未达成年度指标且效果较差": Tier.MISSED,
    "未达成": Tier.MISSED,
    "未完成": Tier.MISSED,
}
# Words an entered number may carry in front of it: 完成12次, 约95%, 共1850人.
LEADING_WORDS = ("实际完成", "已完成", "完成", "达到", "累计", "共计", "共", "约")
TRAILING_PUNCTUATION = "。.;；,，!！"


def tier_from_text(text: str) -> str:
    """The tier an entered tier word or label means ("met", "partial", "missed"), "" when none."""
    key = compact(text).rstrip(TRAILING_PUNCTUATION)
    if key in Tier.LABELS:
        return key
    return TIER_PHRASES.get(key, "")


def read_actual(text: str | None, target: Target, *, tier: str = "") -> Actual:
    """Read what was achieved against ``target`` (SPEC section 5); never raises."""
    entered = "" if text is None else str(text)
    shown = entered.strip()
    key = compact(entered)
    chosen = tier_from_text(tier) if tier else ""
    if tier and not chosen:
        return Actual(text=entered, kind=ActualKind.TIER, error=_("未知的完成档次“%(tier)s”。") % {"tier": tier})

    if target.kind == Kind.NOT_APPLICABLE or key in NOT_APPLICABLE_ACTUALS:
        return Actual(text=entered, kind=ActualKind.NOT_APPLICABLE)
    if not key and (not chosen or target.kind == Kind.QUANTITATIVE):
        return Actual(text=entered, kind=ActualKind.MISSING)

    repeated = bool(key) and key in {compact(target.text), compact(target.display)}
    if target.kind == Kind.QUANTITATIVE:
        if repeated:
            return Actual(text=entered, kind=ActualKind.NUMBER, value=target.value)
        return _read_quantity(entered, shown, key, target)
    if target.kind == Kind.DATE:
        if repeated:
            return Actual(text=entered, kind=ActualKind.DATE, on=target.end, tier=chosen)
        on = read_completion_date(key)
        if on is not None:
            return Actual(text=entered, kind=ActualKind.DATE, on=on, tier=chosen)
    # Qualitative, and a date target whose actual is not a date: a tier.
    if chosen:
        return Actual(text=entered, kind=ActualKind.TIER, tier=chosen)
    if repeated:
        return Actual(text=entered, kind=ActualKind.TIER, tier=Tier.MET)
    return Actual(text=entered, kind=ActualKind.TIER, tier=tier_from_text(entered))


def read_completion_date(key: str) -> date | None:
    """A completion date from a compact text, including ``str(date)`` and ``str(datetime)``."""
    key = re.sub(r"(?<=\d)(?:T|)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?$", "", key)
    dates = read_date(key)
    if dates is None or dates[0] is not None:
        return None
    return dates[1]


def _read_quantity(entered: str, shown: str, key: str, target: Target) -> Actual:
    _comparator, rest = split_comparator(key)
    for word in LEADING_WORDS:
        if rest.startswith(word):
            rest = rest[len(word) :]
            break
    negative = rest.startswith("-") or rest.startswith("负")
    quantity = read_number(rest.lstrip("-负"))
    if quantity is None:
        return Actual(
            text=entered,
            kind=ActualKind.NUMBER,
            error=_("实际完成值“%(actual)s”不是数值，指标值“%(target)s”需要填写数值。")
            % {"actual": shown, "target": target.text.strip()},
        )
    if negative:
        return Actual(
            text=entered,
            kind=ActualKind.NUMBER,
            error=_("实际完成值“%(actual)s”不能为负数。") % {"actual": shown},
        )
    value, unit = quantity
    factor = unit_factor(unit, target.unit)
    if factor is None:
        return Actual(
            text=entered,
            kind=ActualKind.NUMBER,
            error=_("实际完成值“%(actual)s”的单位与指标值“%(target)s”的单位不一致")
            % {"actual": shown, "target": target.text.strip()},
        )
    return Actual(text=entered, kind=ActualKind.NUMBER, value=value * factor)
