"""FROZEN COPY of performance/scoring.py as it was before rule sets (issue 19), breakdown rows (issue 19 point 6)
included, for the property test that the default rule set scores every project as before. Do not edit; do not
import from the app.

Scoring a project's self-evaluation by the Ministry of Finance rules: SPEC section 6.

Interface:
    RowInput(group: str, target: Target, actual: str, tier: str = "", evaluator_score: Decimal | None = None,
             weight: Decimal | None = None, reported_score: Decimal | None = None, deviation_reason: str = "")
        group: IndicatorCategory.Group value: "output" | "effect" | "satisfaction"
    BudgetInput(full_year: Decimal | None, executed: Decimal | None, reported_score: Decimal | None = None,
                deviation_reason: str = "")
    Rules(overshoot_penalty: bool = False, execution_rate_caps: bool = False)
    score_evaluation(budget: BudgetInput, rows: list[RowInput], *, rules: Rules = Rules()) -> EvaluationScore
    EvaluationScore: budget: BudgetScore(rate: Decimal | None, weight, score, reason_required: bool, errors: list[str]),
                     rows: list[RowScore(weight, score, actual: Actual, tier: str, reason_required: bool,
                                         errors: list[str])],
                     total: Decimal, grade: str ("优"/"良"/"中"/"差"),
                     problems: list[str]  (what blocks submission, in Chinese),
                     findings: list[str]  (复核: reported vs computed differences, in Chinese)

Also: ``RowInput.name`` (the 三级指标, used in messages), ``score_evaluation(..., reported_total=None)``,
``RowScore.name/reported_score/applicable``, ``BudgetScore.reported_score``, ``EvaluationScore.reported_total``,
``default_weights(groups)``, ``row_weights(rows, applicable)``, ``breakdown_rows(rows, applicable)``,
``weight_problems(rows)``, ``weighted(row)``,
``tier_ratio(score, weight)``, ``in_band(tier, ratio)``, ``band_of(ratio)``, ``grade_for(total)``, ``TIER_BANDS``.

The rules (all Decimal, every row score rounded half-up to 2 places, the total the sum of the rounded
rows plus the budget score):
- weights: 预算执行率 10, 产出 50 (成本 as a level 1 is in the 产出 group), 效益 30, 满意度 10, each
  group split equally among its applicable rows (remainder on its last row); a group without rows gives
  its points to the others in proportion. Custom weights: when any applicable row has one, all must,
  and they must sum to 90 (100 with the budget row); otherwise a problem names the sums. Where the weighted
  rows already sum to 100 with the budget row, a row without a weight is a breakdown row (其中：…): its
  actual is read, it is not scored, its weight is 0 and it is not a missing weight (``RowScore.breakdown``).
- quantitative rows by comparator (at least / more than: w × min(B/A, 1); at most / less than: w, else
  w × A/B; equal: w × min(B/A, A/B); between: w inside, w × B/lo below, w × hi/B above); no bonus for
  overshooting.
- date rows: w when done on or before the deadline (inside the period), otherwise as qualitative.
- qualitative rows: tier 达成 r ∈ [0.8, 1] (default 1), 部分达成 [0.6, 0.8) (default 0.7), 未达成 [0, 0.6)
  (default 0.3); an evaluator's score outside its tier's band is an error; a score without a tier takes
  the tier whose band holds it.
- not applicable: weight 0; missing actual: 0 and a problem.
- 偏差原因 required on every row scoring below its weight and on the budget row under a 90% rate.

Optional rules (``Rules``, off by default; settings.JIXIAO_SCORING):
- ``overshoot_penalty``: an actual at or above 130% of an at-least / more-than target (A > 0) means the
  target was set too low: the row scores 80% of its weight (the bottom of the 达成 band) instead of 100%,
  so it also needs a deviation reason.
- ``execution_rate_caps``: the total is capped by the execution rate: under 60% at most 60.00, under
  80% at most 80.00, under 90% at most 90.00 (so a poorly executed budget cannot earn a better grade).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from performance.actuals import Actual, ActualKind, Tier, read_actual
from performance.targets import Comparator, Kind, Target

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
ZERO = Decimal("0")
ONE = Decimal("1")
BUDGET_WEIGHT = Decimal("10.00")
GROUP_POINTS = {"output": Decimal("50"), "effect": Decimal("30"), "satisfaction": Decimal("10")}
REASON_RATE = Decimal("0.9")
# tier -> (lowest ratio, highest ratio, highest included?, default ratio)
TIER_BANDS = {
    Tier.MET: (Decimal("0.8"), Decimal("1"), True, Decimal("1")),
    Tier.PARTIAL: (Decimal("0.6"), Decimal("0.8"), False, Decimal("0.7")),
    Tier.MISSED: (Decimal("0"), Decimal("0.6"), False, Decimal("0.3")),
}
OVERSHOOT_RATIO = Decimal("1.3")
OVERSHOOT_SCORE = Decimal("0.8")
RATE_CAPS = [(Decimal("0.6"), Decimal("60.00")), (Decimal("0.8"), Decimal("80.00")), (Decimal("0.9"), Decimal("90.00"))]


def money2(value: Decimal) -> Decimal:
    """Round half-up to 2 places (the rounding of every score and weight)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RowInput:
    group: str
    target: Target
    actual: str
    tier: str = ""
    evaluator_score: Decimal | None = None
    weight: Decimal | None = None
    reported_score: Decimal | None = None
    deviation_reason: str = ""
    name: str = ""


@dataclass(frozen=True)
class BudgetInput:
    full_year: Decimal | None
    executed: Decimal | None
    reported_score: Decimal | None = None
    deviation_reason: str = ""


@dataclass(frozen=True)
class Rules:
    overshoot_penalty: bool = False
    execution_rate_caps: bool = False


@dataclass(frozen=True)
class BudgetScore:
    rate: Decimal | None
    weight: Decimal
    score: Decimal
    reason_required: bool
    errors: list[str] = field(default_factory=list)
    reported_score: Decimal | None = None


@dataclass(frozen=True)
class RowScore:
    weight: Decimal
    score: Decimal
    actual: Actual
    tier: str
    reason_required: bool
    errors: list[str] = field(default_factory=list)
    name: str = ""
    reported_score: Decimal | None = None
    applicable: bool = True
    breakdown: bool = False  # a 其中 row (SPEC section 6): shown, its actual read, not scored


@dataclass(frozen=True)
class EvaluationScore:
    budget: BudgetScore
    rows: list[RowScore]
    total: Decimal
    grade: str
    problems: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    reported_total: Decimal | None = None

    @property
    def started(self) -> bool:
        """Whether anything has been entered yet: an actual value or the amount executed (a rate)."""
        return self.budget.rate is not None or any(
            row.actual.kind != ActualKind.MISSING for row in self.rows if row.applicable
        )


# The grades as stored and written on the official sheets (always Chinese), with the name each is shown by.
GRADE_LABELS = {"优": gettext_lazy("优"), "良": gettext_lazy("良"), "中": gettext_lazy("中"), "差": gettext_lazy("差")}


def grade_label(grade: str) -> str:
    """The name a grade is shown by in the user's language (优 → Excellent in English); anything else as it is."""
    return str(GRADE_LABELS.get(grade, grade))


def grade_for(total: Decimal) -> str:
    if total >= 90:
        return "优"
    if total >= 80:
        return "良"
    if total >= 60:
        return "中"
    return "差"


# --- weights -------------------------------------------------------------------------------------


def _split(points: Decimal, parts: int) -> list[Decimal]:
    """Points split equally, each rounded to 2 places, the remainder on the last part."""
    share = money2(points / parts)
    return [share] * (parts - 1) + [points - share * (parts - 1)]


def default_weights(groups: list[str]) -> list[Decimal]:
    """The default weight of each applicable row, given the scoring group of each (SPEC section 6)."""
    counts = {group: groups.count(group) for group in GROUP_POINTS}
    present = [group for group in GROUP_POINTS if counts[group]]
    if not present:
        return [ZERO for _group in groups]
    base = sum(GROUP_POINTS[group] for group in present)
    whole = sum(GROUP_POINTS.values())
    points = {group: money2(GROUP_POINTS[group] * whole / base) for group in present}
    points[present[-1]] = whole - sum(points[group] for group in present[:-1])
    shares = {group: _split(points[group], counts[group]) for group in present}
    used = dict.fromkeys(present, 0)
    weights = []
    for group in groups:
        weights.append(shares[group][used[group]])
        used[group] += 1
    return weights


def _label(row: RowInput, index: int) -> str:
    return row.name.strip() or _("第%(n)s个指标") % {"n": index + 1}


def weighted(row: RowInput) -> bool:
    """Whether the row takes a weight before any actual is known: a known group, a target that applies."""
    return row.group in GROUP_POINTS and row.target.kind != Kind.NOT_APPLICABLE


def breakdown_rows(rows: list[RowInput], applicable: list[bool]) -> list[bool]:
    """Which rows are breakdown rows (SPEC section 6): where the weighted rows already sum to 100 with the
    budget row, an applicable row with no 分值 (typically ``其中：…`` under the row it details)."""
    chosen = [i for i, row in enumerate(rows) if applicable[i]]
    given = [i for i in chosen if rows[i].weight is not None]
    if not given or len(given) == len(chosen):
        return [False] * len(rows)
    if sum((money2(rows[i].weight) for i in given), ZERO) + BUDGET_WEIGHT != 100:
        return [False] * len(rows)
    return [applicable[i] and rows[i].weight is None for i in range(len(rows))]


def row_weights(rows: list[RowInput], applicable: list[bool]) -> tuple[list[Decimal], list[str]]:
    """Each row's weight (0 where it does not apply, and on a breakdown row), and what is wrong with the
    weights (SPEC section 6): custom weights where every applicable row has one (breakdown rows aside),
    summing to 100 with the budget's 10; else the default weights."""
    problems: list[str] = []
    breakdown = breakdown_rows(rows, applicable)
    chosen = [i for i, row in enumerate(rows) if applicable[i] and not breakdown[i]]
    defaults = default_weights([rows[i].group for i in chosen])
    weights = [ZERO] * len(rows)
    given = [i for i in chosen if rows[i].weight is not None]
    if given and len(given) < len(chosen):
        missing = "、".join(f"“{_label(rows[i], i)}”" for i in chosen if rows[i].weight is None)
        problems.append(_("已为部分指标设定分值，其余指标也须设定：%(rows)s未设定分值。") % {"rows": missing})
    if given and len(given) == len(chosen):
        for i in chosen:
            weights[i] = money2(rows[i].weight)
        indicators = sum(weights)
        if indicators + BUDGET_WEIGHT != 100:
            problems.append(
                _("分值合计应为 100：指标分值合计 %(rows)s，加预算执行率 %(budget)s，共 %(total)s。")
                % {"rows": indicators, "budget": BUDGET_WEIGHT, "total": indicators + BUDGET_WEIGHT}
            )
        return weights, problems
    for i, weight in zip(chosen, defaults, strict=True):
        weights[i] = weight
    return weights, problems


def weight_problems(rows: list[RowInput]) -> list[str]:
    """What is wrong with the rows' weights (SPEC section 6) before any actual is known: the rows a
    declaration may not be submitted with, nor a workbook imported with. Pure, like the scorer, and by the
    scorer's own rule."""
    return row_weights(rows, [weighted(row) for row in rows])[1]


# --- one row -------------------------------------------------------------------------------------


def _quantity_ratio(target: Target, value: Decimal) -> Decimal:
    a, b = target.value, value
    comparator = target.comparator
    if comparator in (Comparator.AT_LEAST, Comparator.MORE_THAN):
        return ONE if a == 0 else min(b / a, ONE)
    if comparator in (Comparator.AT_MOST, Comparator.LESS_THAN):
        return ONE if b <= a else a / b
    if comparator == Comparator.EQUAL:
        if b == a:
            return ONE
        if a == 0 or b == 0:
            return ZERO
        return min(b / a, a / b)
    low, high = target.value, target.high
    if b < low:
        return b / low
    if b > high:
        return high / b
    return ONE


def tier_ratio(score: Decimal, weight: Decimal) -> Decimal:
    """The share of its weight an evaluator's score is, to be placed in a tier's band; on a weight of 0,
    no points are 0 and any points lie beyond every band."""
    return score / weight if weight else (ZERO if score == 0 else Decimal("2"))


def in_band(tier: str, ratio: Decimal) -> bool:
    """Whether the share of the weight lies in the tier's band (SPEC section 6)."""
    low, high, high_included, _default = TIER_BANDS[tier]
    return low <= ratio <= high if high_included else low <= ratio < high


def band_of(ratio: Decimal) -> str:
    """The tier whose band holds the share of the weight; empty where none does (more than the weight)."""
    for tier in TIER_BANDS:
        if in_band(tier, ratio):
            return tier
    return ""


def _tier_score(row: RowInput, label: str, actual: Actual, weight: Decimal, errors: list[str]) -> tuple[Decimal, str]:
    """Score by tier (qualitative rows, late or unreadable dates): the evaluator's score or the tier default."""
    tier = actual.tier
    score = row.evaluator_score
    if score is not None:
        score = money2(score)
        ratio = tier_ratio(score, weight)
        if not tier:
            tier = band_of(ratio)
            if not tier:
                errors.append(
                    _("“%(row)s”的得分 %(score)s 超出分值 %(weight)s。")
                    % {"row": label, "score": score, "weight": weight}
                )
                return ZERO, ""
            return score, tier
        if in_band(tier, ratio):
            return score, tier
        low, high, high_included, default = TIER_BANDS[tier]
        errors.append(
            _("“%(row)s”的得分 %(score)s 不在“%(tier)s”的分数区间（%(low)s 至 %(high)s%(open)s）内。")
            % {
                "row": label,
                "score": score,
                "tier": Tier.LABELS[tier],
                "low": money2(weight * low),
                "high": money2(weight * high),
                "open": "" if high_included else _("，不含"),
            }
        )
        return weight * default, tier
    if tier:
        return weight * TIER_BANDS[tier][3], tier
    if row.target.kind == Kind.DATE and actual.kind == ActualKind.DATE:
        errors.append(_("“%(row)s”的完成日期晚于指标值，请选择完成档次。") % {"row": label})
    else:
        errors.append(_("“%(row)s”为定性指标，请选择完成档次（达成、部分达成或未达成）。") % {"row": label})
    return ZERO, ""


def _score_row(row: RowInput, label: str, actual: Actual, weight: Decimal, rules: Rules, notes: list[str]):
    """(score before rounding, tier, errors) of one applicable row."""
    errors: list[str] = []
    if actual.error:
        return ZERO, actual.tier, [actual.error]
    if actual.kind == ActualKind.MISSING and (row.evaluator_score is None or row.target.kind == Kind.QUANTITATIVE):
        return ZERO, "", [_("“%(row)s”缺少实际完成值。") % {"row": label}]
    target = row.target
    if target.kind == Kind.QUANTITATIVE:
        value = actual.value
        ratio = _quantity_ratio(target, value)
        if (
            rules.overshoot_penalty
            and target.comparator in (Comparator.AT_LEAST, Comparator.MORE_THAN)
            and target.value > 0
            and value >= target.value * OVERSHOOT_RATIO
        ):
            ratio = OVERSHOOT_SCORE
            notes.append(
                _("“%(row)s”实际完成值超过指标值 30%% 以上，指标值设定偏低，按规则得分为分值的 80%%。") % {"row": label}
            )
        return weight * ratio, "", errors
    if target.kind == Kind.DATE and actual.kind == ActualKind.DATE and actual.on is not None:
        start, end = target.start, target.end
        if actual.on <= end and (start is None or actual.on >= start):
            return weight, "", errors
    score, tier = _tier_score(row, label, actual, weight, errors)
    return score, tier, errors


# --- budget --------------------------------------------------------------------------------------


def _score_budget(budget: BudgetInput, problems: list[str], findings: list[str]) -> tuple[BudgetScore, Decimal | None]:
    errors: list[str] = []
    raw = None
    if budget.full_year is None:
        errors.append(_("全年预算数未填写，无法计算预算执行率。"))
    elif budget.full_year == 0:
        errors.append(_("全年预算数为 0，无法计算预算执行率。"))
    elif budget.executed is None:
        errors.append(_("全年执行数未填写，无法计算预算执行率。"))
    else:
        raw = Decimal(budget.executed) / Decimal(budget.full_year)
    score = ZERO if raw is None else money2(BUDGET_WEIGHT * max(min(raw, ONE), ZERO))
    reason_required = raw is not None and raw < REASON_RATE
    problems.extend(errors)
    if reason_required and not (budget.deviation_reason or "").strip():
        problems.append(_("预算执行率低于 90%，请填写执行偏差原因。"))
    reported = None if budget.reported_score is None else money2(budget.reported_score)
    if reported is not None and reported != score:
        findings.append(
            _("复核：预算执行率自评得分 %(reported)s，系统计算 %(score)s") % {"reported": reported, "score": score}
        )
    rate = None if raw is None else raw.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    return BudgetScore(rate, BUDGET_WEIGHT, score, reason_required, errors, reported), raw


# --- the evaluation ------------------------------------------------------------------------------


def score_evaluation(
    budget: BudgetInput,
    rows: list[RowInput],
    *,
    rules: Rules = Rules(),
    reported_total: Decimal | None = None,
) -> EvaluationScore:
    """Score a project's self-evaluation (SPEC section 6). Pure: plain values in, plain values out."""
    problems: list[str] = []
    findings: list[str] = []
    labels = [_label(row, i) for i, row in enumerate(rows)]
    actuals = [read_actual(row.actual, row.target, tier=row.tier) for row in rows]
    applicable = []
    for row, actual, label in zip(rows, actuals, labels, strict=True):
        known = row.group in GROUP_POINTS
        if not known:
            problems.append(_("“%(row)s”的一级指标不属于产出、效益或满意度，无法计分。") % {"row": label})
        applicable.append(known and row.target.kind != Kind.NOT_APPLICABLE and actual.kind != ActualKind.NOT_APPLICABLE)
    weights, weight_errors = row_weights(rows, applicable)
    problems.extend(weight_errors)
    breakdown = breakdown_rows(rows, applicable)

    scored: list[RowScore] = []
    for i, (row, actual, label, weight) in enumerate(zip(rows, actuals, labels, weights, strict=True)):
        reported = None if row.reported_score is None else money2(row.reported_score)
        if breakdown[i]:
            errors = [actual.error] if actual.error else []
            scored.append(RowScore(ZERO, ZERO, actual, actual.tier, False, errors, label, reported, False, True))
            continue
        if not applicable[i]:
            scored.append(RowScore(ZERO, ZERO, actual, "", False, [], label, reported, applicable=False))
            continue
        raw, tier, errors = _score_row(row, label, actual, weight, rules, findings)
        score = min(max(money2(raw), ZERO), weight)
        reason_required = score < weight
        problems.extend(errors)
        # The reason for a shortfall is asked for once the actual can be read (as the entry form does).
        if reason_required and not errors and not (row.deviation_reason or "").strip():
            problems.append(_("“%(row)s”得分低于分值，请填写偏差原因分析及改进措施。") % {"row": label})
        if reported is not None and reported != score:
            findings.append(
                _("复核：“%(row)s”自评得分 %(reported)s，系统计算 %(score)s")
                % {"row": label, "reported": reported, "score": score}
            )
        scored.append(RowScore(weight, score, actual, tier, reason_required, errors, label, reported))

    budget_score, raw_rate = _score_budget(budget, problems, findings)
    total = sum((row.score for row in scored), ZERO) + budget_score.score
    if rules.execution_rate_caps and raw_rate is not None:
        for below, cap in RATE_CAPS:
            if raw_rate < below and total > cap:
                findings.append(
                    _("预算执行率低于 %(rate)s%%，总分按规则由 %(total)s 封顶为 %(cap)s。")
                    % {"rate": int(below * 100), "total": total, "cap": cap}
                )
                total = cap
                break
    total = money2(total)
    reported_total = None if reported_total is None else money2(reported_total)
    if reported_total is not None and reported_total != total:
        findings.append(
            _("复核：自评总分 %(reported)s，系统计算 %(total)s") % {"reported": reported_total, "total": total}
        )
    return EvaluationScore(budget_score, scored, total, grade_for(total), problems, findings, reported_total)
