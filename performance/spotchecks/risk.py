"""The pure rules of a spot check: a project's risk score with its reasons, and the seeded draw (no ORM).

Risk: each signal adds points, listed as a reason a reader can check (``WEIGHTS``):
- a self-reported total that differs from the computed one: 30 when it is higher (the self-evaluation claims more
  than the rules give), 15 when lower;
- qualitative rows scored 达成 with no evidence file: 10 each, at most 30;
- grade 优 with a budget execution rate under 90%: 25;
- targets below last year's actual of the same indicator: 10 each, at most 20;
- rows (or the budget row) that need a deviation reason and have none: 10 each, at most 20;
- returns (退回 and 重新打开 in the evaluation's history): 5 each, at most 15;
- never checked in an earlier spot check: 10.

The draw: a weighted sample without replacement (Efraimidis–Spirakis): ``random.Random(seed)`` gives each
candidate, in the order of its project id, a number u in (0, 1); its key is u ** (1 / (1 + risk)) and the ``size``
largest keys are drawn. Every project can be drawn (weight at least 1), a riskier one is likelier to be, and the
same seed over the same candidates draws the same projects. The sample is then ranked by risk (highest first,
then project id).
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from ..actuals import read_actual
from ..targets import Comparator, Kind, Target

RATE_FLOOR = Decimal("0.9")


@dataclass(frozen=True)
class Weights:
    reported_higher: int = 30
    reported_lower: int = 15
    unevidenced_met: int = 10
    unevidenced_met_cap: int = 30
    excellent_low_rate: int = 25
    below_last_year: int = 10
    below_last_year_cap: int = 20
    missing_reason: int = 10
    missing_reason_cap: int = 20
    returned: int = 5
    returned_cap: int = 15
    never_checked: int = 10


WEIGHTS = Weights()


@dataclass(frozen=True)
class Signals:
    """What the app already knows of a project that makes its self-evaluation worth a second look."""

    computed_total: Decimal
    reported_total: Decimal | None = None
    grade: str = ""
    rate: Decimal | None = None  # budget execution rate as a fraction (0.85 = 85%)
    unevidenced_met: int = 0
    below_last_year: int = 0
    missing_reasons: int = 0
    returns: int = 0
    checked_before: bool = False


@dataclass(frozen=True)
class Risk:
    score: int
    reasons: list[str] = field(default_factory=list)


def _capped(count: int, each: int, cap: int) -> int:
    return min(count * each, cap)


def _parts(signals: Signals, weights: Weights) -> list[tuple[int, Callable[[], str]]]:
    """The signals that count, in the order of ``WEIGHTS``: each one's points and how to say it (said only where a
    reason is shown: a draw ranks every project and explains its sample)."""
    parts = []
    reported, computed = signals.reported_total, signals.computed_total
    if reported is not None and reported != computed:
        parts.append(
            (
                weights.reported_higher if reported > computed else weights.reported_lower,
                lambda: (
                    _("自评总分 %(reported)s 与系统计算 %(computed)s 不一致（相差 %(diff)s）")
                    % {"reported": reported, "computed": computed, "diff": f"{reported - computed:+.2f}"}
                ),
            )
        )
    if signals.unevidenced_met:
        parts.append(
            (
                _capped(signals.unevidenced_met, weights.unevidenced_met, weights.unevidenced_met_cap),
                lambda: _("%(n)s 个定性指标评为达成但无佐证材料") % {"n": signals.unevidenced_met},
            )
        )
    if signals.grade == "优" and signals.rate is not None and signals.rate < RATE_FLOOR:
        parts.append(
            (
                weights.excellent_low_rate,
                lambda: _("等级为优但预算执行率仅 %(rate)s%%") % {"rate": f"{signals.rate * 100:.2f}"},
            )
        )
    if signals.below_last_year:
        parts.append(
            (
                _capped(signals.below_last_year, weights.below_last_year, weights.below_last_year_cap),
                lambda: _("%(n)s 个指标的指标值低于上年实际完成值") % {"n": signals.below_last_year},
            )
        )
    if signals.missing_reasons:
        parts.append(
            (
                _capped(signals.missing_reasons, weights.missing_reason, weights.missing_reason_cap),
                lambda: _("%(n)s 处缺少偏差原因") % {"n": signals.missing_reasons},
            )
        )
    if signals.returns:
        parts.append(
            (
                _capped(signals.returns, weights.returned, weights.returned_cap),
                lambda: _("曾被退回 %(n)s 次") % {"n": signals.returns},
            )
        )
    if not signals.checked_before:
        parts.append((weights.never_checked, lambda: _("从未被抽查")))
    return parts


def risk_of(signals: Signals, weights: Weights = WEIGHTS) -> Risk:
    """A project's risk score and the reasons that make it, in the order of ``WEIGHTS``."""
    parts = _parts(signals, weights)
    return Risk(sum(points for points, _say in parts), [say() for _points, say in parts])


def risk_score(signals: Signals, weights: Weights = WEIGHTS) -> int:
    """``risk_of(signals).score`` without saying the reasons."""
    return sum(points for points, _say in _parts(signals, weights))


def sample_size(population: int, *, size: int | None = None, share: Decimal | None = None) -> int:
    """How many to draw: ``size`` (at most the population), or ``share`` percent rounded up (at least one)."""
    if size is not None:
        return max(0, min(size, population))
    if share is None or population == 0:
        return 0
    return min(population, max(1, math.ceil(population * share / 100)))


def draw(risks: dict[int, int], size: int, seed: int) -> list[int]:
    """The ids drawn from ``risks`` (project id → risk score), riskiest first: see the module's docstring."""
    rng = random.Random(seed)  # noqa: S311 (a reproducible draw, not a secret)
    keys = []  # (−key, id): the smallest are the largest keys, ties to the lower id
    for pk in sorted(risks):
        u = 1.0 - rng.random()  # in (0, 1]: 0 would tie every key at 0
        keys.append((-(u ** (1.0 / (1 + risks[pk]))), pk))
    drawn = [pk for _key, pk in heapq.nsmallest(size, keys)]
    return sorted(drawn, key=lambda pk: (-risks[pk], pk))


HIGHER_IS_BETTER = {Comparator.AT_LEAST, Comparator.MORE_THAN}


def floor_of(target: Target) -> tuple[Decimal, str] | None:
    """The value and unit an at-least target asks for; None for any other target (ceilings, ranges, dates,
    qualitative), which is never flagged below last year."""
    if target.kind != Kind.QUANTITATIVE or target.comparator not in HIGHER_IS_BETTER or target.value is None:
        return None
    return target.value, target.unit


def last_value_of(last_target: Target, last_actual: str) -> tuple[Decimal, str] | None:
    """Last year's actual of a quantitative target read as a number, with the target's unit; None when it is not
    a number (missing, not applicable, unreadable) or the target is not quantitative."""
    if last_target.kind != Kind.QUANTITATIVE:
        return None
    actual = read_actual(last_actual, last_target)
    if actual.value is None or actual.error:
        return None
    return actual.value, last_target.unit


def below(floor: tuple[Decimal, str] | None, last_value: tuple[Decimal, str] | None) -> bool:
    """Whether a floor (``floor_of``) asks for less than last year's value (``last_value_of``) in the same unit."""
    return floor is not None and last_value is not None and floor[1] == last_value[1] and floor[0] < last_value[0]


def below_last_actual(target: Target, last_target: Target, last_actual: str) -> bool:
    """Whether an at-least target asks for less than last year's actual of the same indicator (same unit): a
    target set low to be met easily. Other targets (ceilings, ranges, dates, qualitative) are never flagged."""
    floor = floor_of(target)
    return floor is not None and below(floor, last_value_of(last_target, last_actual))
