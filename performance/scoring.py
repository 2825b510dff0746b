"""Scoring a project's self-evaluation by the Ministry of Finance rules: SPEC section 6.

Interface:
    RowInput(group: str, target: Target, actual: str, tier: str = "", evaluator_score: Decimal | None = None,
             weight: Decimal | None = None, reported_score: Decimal | None = None, deviation_reason: str = "")
        group: IndicatorCategory.Group value: "output" | "effect" | "satisfaction"
    BudgetInput(full_year: Decimal | None, executed: Decimal | None, reported_score: Decimal | None = None,
                deviation_reason: str = "")
    Rules: performance.rules.value.Rules (a frozen dataclass; ``Rules()`` is 10号)
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

The rules vary by rule set (``Rules``, performance/rules/value.py; SPEC section 16): every function
takes them as a plain value, 财预〔2020〕10号 by default. Optional rules there: an overshoot rule (an actual at or
above a threshold × an at-least target loses points or scores a share of its weight, and may need a
reason), caps on the total by execution-rate bands, how each comparator and a late date are scored, and
whether custom first-level weights may depart from the group weights. What a rule changed (a cap, a
deduction) is said in ``EvaluationScore.adjustments``, naming the rule set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .actuals import Actual, ActualKind, Tier, read_actual
from .rules.value import (
    ALL_OR_NOTHING,
    DEFAULT_RULES,
    LATE_ZERO,
    OVERSHOOT_OFF,
    OVERSHOOT_POINTS,
    SPLIT_ALLOWED,
    SPLIT_REFUSED,
    Rules,
)
from .targets import Comparator, Kind, Target

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
ZERO = Decimal("0")
ONE = Decimal("1")
# 10号's figures, for the callers that check a workbook before any project's rules are known (the import).
BUDGET_WEIGHT = Decimal("10.00")
GROUP_POINTS = DEFAULT_RULES.group_points
# tier -> (lowest ratio, highest ratio, highest included?, default ratio)
TIER_BANDS = {band.tier: (band.low, band.high, band.high_included, band.default) for band in DEFAULT_RULES.tiers}


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
    rules: Rules = DEFAULT_RULES
    adjustments: list[str] = field(default_factory=list)  # what the rules changed (a cap, a deduction), and why

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


def grade_for(total: Decimal, rules: Rules = DEFAULT_RULES) -> str:
    for band in rules.grades:
        if total >= band.low:
            return band.grade
    return rules.grades[-1].grade


# --- weights -------------------------------------------------------------------------------------


def _split(points: Decimal, parts: int) -> list[Decimal]:
    """Points split equally, each rounded to 2 places, the remainder on the last part."""
    share = money2(points / parts)
    return [share] * (parts - 1) + [points - share * (parts - 1)]


def default_weights(groups: list[str], rules: Rules = DEFAULT_RULES) -> list[Decimal]:
    """The default weight of each applicable row, given the scoring group of each (SPEC section 6)."""
    group_points = rules.group_points
    counts = {group: groups.count(group) for group in group_points}
    present = [group for group in group_points if counts[group] and group_points[group]]
    if not present:
        return [ZERO for _group in groups]
    base = sum(group_points[group] for group in present)
    whole = sum(group_points.values())
    points = {group: money2(group_points[group] * whole / base) for group in present}
    points[present[-1]] = whole - sum(points[group] for group in present[:-1])
    shares = {group: _split(points[group], counts[group]) for group in present}
    used = dict.fromkeys(present, 0)
    weights = []
    for group in groups:
        if group not in shares:  # a group the rules give no points
            weights.append(ZERO)
            continue
        weights.append(shares[group][used[group]])
        used[group] += 1
    return weights


def _label(row: RowInput, index: int) -> str:
    return row.name.strip() or _("第%(n)s个指标") % {"n": index + 1}


def weighted(row: RowInput) -> bool:
    """Whether the row takes a weight before any actual is known: a known group, a target that applies."""
    return row.group in GROUP_POINTS and row.target.kind != Kind.NOT_APPLICABLE


def breakdown_rows(rows: list[RowInput], applicable: list[bool], rules: Rules = DEFAULT_RULES) -> list[bool]:
    """Which rows are breakdown rows (SPEC section 6): where the weighted rows already sum to 100 with the
    budget row, an applicable row with no 分值 (typically ``其中：…`` under the row it details)."""
    chosen = [i for i, row in enumerate(rows) if applicable[i]]
    given = [i for i in chosen if rows[i].weight is not None]
    if not given or len(given) == len(chosen):
        return [False] * len(rows)
    if sum((money2(rows[i].weight) for i in given), ZERO) + money2(rules.budget_weight) != 100:
        return [False] * len(rows)
    return [applicable[i] and rows[i].weight is None for i in range(len(rows))]


def row_weights(
    rows: list[RowInput], applicable: list[bool], rules: Rules = DEFAULT_RULES, warnings: list[str] | None = None
) -> tuple[list[Decimal], list[str]]:
    """Each row's weight (0 where it does not apply, and on a breakdown row), and what is wrong with the
    weights (SPEC section 6): custom weights where every applicable row has one (breakdown rows aside),
    summing to 100 with the budget's 10; else the default weights. Custom weights whose first-level sums
    depart from the rules' split are a problem (refused) or a warning added to ``warnings`` (warned), as the
    rules say."""
    problems: list[str] = []
    budget_weight = money2(rules.budget_weight)
    breakdown = breakdown_rows(rows, applicable, rules)
    chosen = [i for i, row in enumerate(rows) if applicable[i] and not breakdown[i]]
    defaults = default_weights([rows[i].group for i in chosen], rules)
    weights = [ZERO] * len(rows)
    given = [i for i in chosen if rows[i].weight is not None]
    if given and len(given) < len(chosen):
        missing = "、".join(f"“{_label(rows[i], i)}”" for i in chosen if rows[i].weight is None)
        problems.append(_("已为部分指标设定分值，其余指标也须设定：%(rows)s未设定分值。") % {"rows": missing})
    if given and len(given) == len(chosen):
        for i in chosen:
            weights[i] = money2(rows[i].weight)
        indicators = sum(weights)
        if indicators + budget_weight != 100:
            problems.append(
                _("分值合计应为 100：指标分值合计 %(rows)s，加预算执行率 %(budget)s，共 %(total)s。")
                % {"rows": indicators, "budget": budget_weight, "total": indicators + budget_weight}
            )
        elif rules.weight_split != SPLIT_ALLOWED:
            split = _split_departure(rows, chosen, weights, defaults)
            if split:
                (problems if rules.weight_split == SPLIT_REFUSED else warnings if warnings is not None else []).append(
                    split
                )
        return weights, problems
    for i, weight in zip(chosen, defaults, strict=True):
        weights[i] = weight
    return weights, problems


GROUP_NAMES = {"output": gettext_lazy("产出"), "effect": gettext_lazy("效益"), "satisfaction": gettext_lazy("满意度")}


def _split_departure(rows: list[RowInput], chosen: list[int], weights: list[Decimal], defaults: list[Decimal]) -> str:
    """A sentence naming the first-level sums of custom weights that differ from the rules' split; "" if none."""
    given: dict[str, Decimal] = {}
    expected: dict[str, Decimal] = {}
    for i, default in zip(chosen, defaults, strict=True):
        group = rows[i].group
        given[group] = given.get(group, ZERO) + weights[i]
        expected[group] = expected.get(group, ZERO) + default
    departing = [group for group in given if given[group] != expected[group]]
    if not departing:
        return ""
    sums = "、".join(
        _("%(group)s %(given)s（规则为 %(expected)s）")
        % {"group": GROUP_NAMES[group], "given": given[group], "expected": expected[group]}
        for group in departing
    )
    return _("一级指标分值与评分规则的分配不一致：%(sums)s。") % {"sums": sums}


def weight_problems(rows: list[RowInput], rules: Rules = DEFAULT_RULES) -> list[str]:
    """What is wrong with the rows' weights (SPEC section 6) before any actual is known: the rows a
    declaration may not be submitted with, nor a workbook imported with. Pure, like the scorer, and by the
    scorer's own rule."""
    return row_weights(rows, [weighted(row) for row in rows], rules)[1]


# --- one row -------------------------------------------------------------------------------------


def _quantity_ratio(target: Target, value: Decimal, rules: Rules = DEFAULT_RULES) -> Decimal:
    a, b = target.value, value
    comparator = target.comparator
    if comparator in (Comparator.AT_LEAST, Comparator.MORE_THAN):
        ratio, scoring = (ONE if a == 0 else min(b / a, ONE)), rules.at_least
    elif comparator in (Comparator.AT_MOST, Comparator.LESS_THAN):
        ratio, scoring = (ONE if b <= a else a / b), rules.at_most
    elif comparator == Comparator.EQUAL:
        if b == a:
            ratio = ONE
        elif a == 0 or b == 0:
            ratio = ZERO
        else:
            ratio = min(b / a, a / b)
        scoring = rules.equal
    else:
        low, high = target.value, target.high
        ratio = b / low if b < low else high / b if b > high else ONE
        scoring = rules.between
    if scoring == ALL_OR_NOTHING and ratio < ONE:
        return ZERO
    return ratio


def tier_ratio(score: Decimal, weight: Decimal) -> Decimal:
    """The share of its weight an evaluator's score is, to be placed in a tier's band; on a weight of 0,
    no points are 0 and any points lie beyond every band."""
    return score / weight if weight else (ZERO if score == 0 else Decimal("2"))


def in_band(tier: str, ratio: Decimal, rules: Rules = DEFAULT_RULES) -> bool:
    """Whether the share of the weight lies in the tier's band (SPEC section 6)."""
    band = rules.tier(tier)
    return band.low <= ratio <= band.high if band.high_included else band.low <= ratio < band.high


def band_of(ratio: Decimal, rules: Rules = DEFAULT_RULES) -> str:
    """The tier whose band holds the share of the weight; empty where none does (more than the weight)."""
    for band in rules.tiers:
        if in_band(band.tier, ratio, rules):
            return band.tier
    return ""


def _tier_score(
    row: RowInput, label: str, actual: Actual, weight: Decimal, errors: list[str], rules: Rules
) -> tuple[Decimal, str]:
    """Score by tier (qualitative rows, late or unreadable dates): the evaluator's score or the tier default."""
    tier = actual.tier
    score = row.evaluator_score
    if score is not None:
        score = money2(score)
        ratio = tier_ratio(score, weight)
        if not tier:
            tier = band_of(ratio, rules)
            if not tier:
                errors.append(
                    _("“%(row)s”的得分 %(score)s 超出分值 %(weight)s。")
                    % {"row": label, "score": score, "weight": weight}
                )
                return ZERO, ""
            return score, tier
        if in_band(tier, ratio, rules):
            return score, tier
        band = rules.tier(tier)
        low, high, high_included, default = band.low, band.high, band.high_included, band.default
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
        return weight * rules.tier(tier).default, tier
    if row.target.kind == Kind.DATE and actual.kind == ActualKind.DATE:
        errors.append(_("“%(row)s”的完成日期晚于指标值，请选择完成档次。") % {"row": label})
    else:
        errors.append(_("“%(row)s”为定性指标，请选择完成档次（达成、部分达成或未达成）。") % {"row": label})
    return ZERO, ""


def _overshoots(target: Target, value: Decimal, threshold: Decimal) -> bool:
    """Whether an actual is at or above ``threshold`` × an at-least / more-than target (A > 0)."""
    return (
        target.comparator in (Comparator.AT_LEAST, Comparator.MORE_THAN)
        and target.value > 0
        and value >= target.value * threshold
    )


def _percent(ratio: Decimal) -> str:
    return f"{(ratio * 100).normalize():f}%"


def _overshoot_score(row_label: str, weight: Decimal, ratio: Decimal, rules: Rules, notes: list[str]) -> Decimal:
    """The row's score before rounding under the rules' overshoot rule, and what it did in ``notes``."""
    above = _percent(rules.overshoot_threshold - ONE)
    if rules.overshoot == OVERSHOOT_POINTS:
        score = max(weight * ratio - rules.overshoot_points, ZERO)
        notes.append(
            _("“%(row)s”实际完成值超过指标值 %(above)s 以上，按“%(rules)s”的超额扣分规则扣 %(points)s 分。")
            % {"row": row_label, "above": above, "rules": rules.label(), "points": money2(rules.overshoot_points)}
        )
        return score
    notes.append(
        _("“%(row)s”实际完成值超过指标值 %(above)s 以上，指标值设定偏低，按“%(rules)s”的规则得分为分值的 %(share)s。")
        % {"row": row_label, "above": above, "rules": rules.label(), "share": _percent(rules.overshoot_share)}
    )
    return weight * rules.overshoot_share


def _score_row(row: RowInput, label: str, actual: Actual, weight: Decimal, rules: Rules, notes: list[str]):
    """(score before rounding, tier, errors) of one applicable row; what the rules changed goes to ``notes``."""
    errors: list[str] = []
    if actual.error:
        return ZERO, actual.tier, [actual.error]
    if actual.kind == ActualKind.MISSING and (row.evaluator_score is None or row.target.kind == Kind.QUANTITATIVE):
        return ZERO, "", [_("“%(row)s”缺少实际完成值。") % {"row": label}]
    target = row.target
    if target.kind == Kind.QUANTITATIVE:
        value = actual.value
        ratio = _quantity_ratio(target, value, rules)
        if rules.overshoot != OVERSHOOT_OFF and _overshoots(target, value, rules.overshoot_threshold):
            return _overshoot_score(label, weight, ratio, rules, notes), "", errors
        return weight * ratio, "", errors
    if target.kind == Kind.DATE and actual.kind == ActualKind.DATE and actual.on is not None:
        start, end = target.start, target.end
        if actual.on <= end and (start is None or actual.on >= start):
            return weight, "", errors
        if rules.late_date == LATE_ZERO:
            return ZERO, "", errors
    score, tier = _tier_score(row, label, actual, weight, errors, rules)
    return score, tier, errors


def _overshoot_needs_reason(row: RowInput, actual: Actual, rules: Rules) -> bool:
    """Whether the rules ask for a reason for this row's overshoot (对完成值高于指标值较多的，要分析原因)."""
    return (
        rules.overshoot_reason
        and row.target.kind == Kind.QUANTITATIVE
        and actual.kind == ActualKind.NUMBER
        and actual.value is not None
        and _overshoots(row.target, actual.value, rules.overshoot_reason_threshold)
    )


def row_reason_problem(label: str, *, below_weight: bool = True) -> str:
    """The sentence asking for a row's reason: for a score below its weight, or for an overshoot the rules ask
    a reason for."""
    if below_weight:
        return _("“%(row)s”得分低于分值，请填写偏差原因分析及改进措施。") % {"row": label}
    return _("“%(row)s”实际完成值高于指标值较多，请分析原因。") % {"row": label}


def budget_reason_problem(rules: Rules = DEFAULT_RULES) -> str:
    """The sentence asking for the budget row's reason (a rate under the rules' threshold, 90% by 10号)."""
    return _("预算执行率低于 %(rate)s，请填写执行偏差原因。") % {"rate": _percent(rules.budget_reason_rate)}


# --- budget --------------------------------------------------------------------------------------


def _score_budget(
    budget: BudgetInput, problems: list[str], findings: list[str], rules: Rules
) -> tuple[BudgetScore, Decimal | None]:
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
    weight = money2(rules.budget_weight)
    score = ZERO if raw is None else money2(weight * max(min(raw, ONE), ZERO))
    reason_required = raw is not None and raw < rules.budget_reason_rate
    problems.extend(errors)
    if reason_required and not (budget.deviation_reason or "").strip():
        problems.append(budget_reason_problem(rules))
    reported = None if budget.reported_score is None else money2(budget.reported_score)
    if reported is not None and reported != score:
        findings.append(
            _("复核：预算执行率自评得分 %(reported)s，系统计算 %(score)s") % {"reported": reported, "score": score}
        )
    rate = None if raw is None else raw.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    return BudgetScore(rate, weight, score, reason_required, errors, reported), raw


# --- the evaluation ------------------------------------------------------------------------------


def score_evaluation(
    budget: BudgetInput,
    rows: list[RowInput],
    *,
    rules: Rules = DEFAULT_RULES,
    reported_total: Decimal | None = None,
) -> EvaluationScore:
    """Score a project's self-evaluation (SPEC section 6). Pure: plain values in, plain values out."""
    problems: list[str] = []
    findings: list[str] = []
    adjustments: list[str] = []
    labels = [_label(row, i) for i, row in enumerate(rows)]
    actuals = [read_actual(row.actual, row.target, tier=row.tier) for row in rows]
    applicable = []
    for row, actual, label in zip(rows, actuals, labels, strict=True):
        known = row.group in GROUP_POINTS
        if not known:
            problems.append(_("“%(row)s”的一级指标不属于产出、效益或满意度，无法计分。") % {"row": label})
        applicable.append(known and row.target.kind != Kind.NOT_APPLICABLE and actual.kind != ActualKind.NOT_APPLICABLE)
    weights, weight_errors = row_weights(rows, applicable, rules, findings)
    problems.extend(weight_errors)
    breakdown = breakdown_rows(rows, applicable, rules)

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
        raw, tier, errors = _score_row(row, label, actual, weight, rules, adjustments)
        score = min(max(money2(raw), ZERO), weight)
        reason_required = score < weight or (not errors and _overshoot_needs_reason(row, actual, rules))
        problems.extend(errors)
        # The reason for a shortfall is asked for once the actual can be read (as the entry form does).
        if reason_required and not errors and not (row.deviation_reason or "").strip():
            problems.append(row_reason_problem(label, below_weight=score < weight))
        if reported is not None and reported != score:
            findings.append(
                _("复核：“%(row)s”自评得分 %(reported)s，系统计算 %(score)s")
                % {"row": label, "reported": reported, "score": score}
            )
        scored.append(RowScore(weight, score, actual, tier, reason_required, errors, label, reported))

    budget_score, raw_rate = _score_budget(budget, problems, findings, rules)
    total = sum((row.score for row in scored), ZERO) + budget_score.score
    if raw_rate is not None:
        total = _capped(total, raw_rate, rules, adjustments)
    findings.extend(adjustments)
    total = money2(total)
    reported_total = None if reported_total is None else money2(reported_total)
    if reported_total is not None and reported_total != total:
        findings.append(
            _("复核：自评总分 %(reported)s，系统计算 %(total)s") % {"reported": reported_total, "total": total}
        )
    return EvaluationScore(
        budget_score, scored, total, grade_for(total, rules), problems, findings, reported_total, rules, adjustments
    )


def _capped(total: Decimal, rate: Decimal, rules: Rules, notes: list[str]) -> Decimal:
    """The total under the rules' cap for the band the execution rate falls in, and what it did in ``notes``."""
    for band in rules.rate_caps:
        if band.holds(rate) and total > band.cap:
            cap = money2(band.cap)
            if band.low is None:
                where = _("低于 %(high)s") % {"high": _percent(band.high)}
            else:
                where = _("在 %(low)s 至 %(high)s（不含）之间") % {
                    "low": _percent(band.low),
                    "high": _percent(band.high),
                }
            notes.append(
                _("预算执行率 %(rate)s %(where)s，总分按“%(rules)s”的执行率封顶规则由 %(total)s 封顶为 %(cap)s。")
                % {
                    "rate": _percent(rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)),
                    "where": where,
                    "rules": rules.label(),
                    "total": money2(total),
                    "cap": cap,
                }
            )
            return cap
    return total
