"""Rule sets as a plain value (performance/rules/value.py) and the scorer under them (issue 19).

The property tests hold the scorer to its past: under the default rule set every score, problem and finding
is the one the scorer gave before rule sets (a frozen copy: tests/performance/legacy_scoring.py), on the
sample workbook and on random projects; under the former switches' rule set every figure is the one the
switches gave.
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from performance.rules.shipped import ENV_RULES, MANUAL_RULES
from performance.rules.value import (
    ALL_OR_NOTHING,
    LATE_ZERO,
    SPLIT_REFUSED,
    SPLIT_WARNED,
    GradeBand,
    RateCap,
    Rules,
    RulesError,
    TierBand,
    rules_from_json,
    rules_problems,
    rules_to_json,
)
from performance.scoring import BudgetInput, RowInput, score_evaluation
from performance.targets import parse_target
from tests.performance import legacy_scoring
from tests.performance.test_scoring import FULL_BUDGET, row, sample_projects

D = Decimal


def figures(score, *, with_texts=True):
    """Everything a score says, as plain values (the two scorers' classes differ)."""
    budget = score.budget
    rows = [
        (r.weight, r.score, r.tier, r.reason_required, r.applicable, r.actual, r.name, r.reported_score)
        + ((tuple(r.errors),) if with_texts else ())
        for r in score.rows
    ]
    head = (score.total, score.grade, budget.rate, budget.weight, budget.score, budget.reason_required, rows)
    if not with_texts:
        return head
    return (*head, tuple(budget.errors), tuple(score.problems), tuple(score.findings), score.reported_total)


def legacy_inputs(budget, rows):
    return (
        legacy_scoring.BudgetInput(**budget.__dict__),
        [legacy_scoring.RowInput(**r.__dict__) for r in rows],
    )


# --- the default rules score as before ------------------------------------------------------------------


def sample_inputs():
    """The sample workbook's projects as the scorer's inputs (tests/performance/test_scoring.py reads them)."""
    captured = []

    def capture(budget, rows, **kwargs):
        captured.append((budget, rows))
        return score_evaluation(budget, rows, **kwargs)

    import tests.performance.test_scoring as sample_module

    original = sample_module.score_evaluation
    sample_module.score_evaluation = capture
    try:
        sample_projects()
    finally:
        sample_module.score_evaluation = original
    return captured


def test_the_default_rules_score_the_sample_workbook_exactly_as_before():
    inputs = sample_inputs()
    assert len(inputs) >= 3
    for budget, rows in inputs:
        before = legacy_scoring.score_evaluation(*legacy_inputs(budget, rows))
        assert figures(score_evaluation(budget, rows, rules=Rules())) == figures(before)


TARGETS = [
    "12次",
    "≥12次",
    ">10人",
    "≤9万元",
    "<5%",
    "=100%",
    "100%",
    "0次",
    "80%-90%",
    "按时完工",
    "2021年12月底前",
    "2021年6月-2021年9月",
    "/",
    "有所提高",
]
ACTUALS = ["12次", "3次", "16次", "8万元", "10万元", "120%", "95%", "0次", "达成", "", "2021-12-05", "2022-01-05", "/"]
amounts = st.decimals(min_value=0, max_value=10**4, places=2, allow_nan=False, allow_infinity=False)
maybe_points = st.none() | st.decimals(min_value=0, max_value=40, places=2, allow_nan=False, allow_infinity=False)
rows_strategy = st.lists(
    st.builds(
        lambda group, target, actual, tier, evaluator_score, weight, reason, reported: RowInput(
            group=group,
            target=parse_target(target),
            actual=actual,
            tier=tier,
            evaluator_score=evaluator_score,
            weight=weight,
            deviation_reason=reason,
            reported_score=reported,
        ),
        st.sampled_from(["output", "effect", "satisfaction", "other"]),
        st.sampled_from(TARGETS),
        st.sampled_from(ACTUALS),
        st.sampled_from(["", "met", "partial", "missed"]),
        maybe_points,
        st.none() | st.sampled_from([D("10"), D("30"), D("45"), D("15.5")]),
        st.sampled_from(["", "原因"]),
        maybe_points,
    ),
    max_size=10,
)
budgets = st.builds(
    BudgetInput,
    st.none() | amounts,
    st.none() | amounts,
    maybe_points,
    st.sampled_from(["", "原因"]),
)


@settings(max_examples=300, deadline=None)
@given(budgets, rows_strategy, st.none() | amounts)
def test_the_default_rules_score_random_projects_exactly_as_before(budget, rows, reported_total):
    before = legacy_scoring.score_evaluation(*legacy_inputs(budget, rows), reported_total=reported_total)
    now = score_evaluation(budget, rows, rules=Rules(), reported_total=reported_total)
    assert figures(now) == figures(before)


@settings(max_examples=300, deadline=None)
@given(budgets, rows_strategy)
def test_the_former_switches_rule_set_scores_random_projects_as_the_switches_did(budget, rows):
    switches = legacy_scoring.Rules(overshoot_penalty=True, execution_rate_caps=True)
    before = legacy_scoring.score_evaluation(*legacy_inputs(budget, rows), rules=switches)
    now = score_evaluation(budget, rows, rules=ENV_RULES)
    assert figures(now, with_texts=False) == figures(before, with_texts=False)


# --- the manual's rules ------------------------------------------------------------------------------------


def test_the_manual_caps_the_total_by_the_band_of_the_execution_rate():
    rows = [row(weight=D("90"))]
    for executed, total in (("80", "98.00"), ("75", "89.00"), ("70", "89.00"), ("65", "79.00"), ("55", "69.00")):
        score = score_evaluation(BudgetInput(D("100"), D(executed), deviation_reason="x"), rows, rules=MANUAL_RULES)
        assert score.total == D(total), executed
    low = score_evaluation(BudgetInput(D("100"), D("45"), deviation_reason="x"), rows, rules=MANUAL_RULES)
    assert (low.total, low.grade) == (D("59.00"), "差")
    assert low.adjustments == [
        "预算执行率 45% 低于 50%，总分按“预算管理一体化操作手册（第1版）”的执行率封顶规则由 94.50 封顶为 59.00。"
    ]


def test_the_manual_deducts_2_points_for_an_actual_30_percent_above_its_target_and_asks_why():
    rows = [row("≥10次", "13次", weight=D("90"), name="培训次数")]
    score = score_evaluation(FULL_BUDGET, rows, rules=MANUAL_RULES)
    assert score.rows[0].score == D("88.00")
    assert score.total == D("98.00")
    assert score.adjustments == [
        "“培训次数”实际完成值超过指标值 30% 以上，按“预算管理一体化操作手册（第1版）”的超额扣分规则扣 2.00 分。"
    ]
    assert "“培训次数”得分低于分值，请填写偏差原因分析及改进措施。" in score.problems
    under = score_evaluation(FULL_BUDGET, [row("≥10次", "12.9次", weight=D("90"))], rules=MANUAL_RULES)
    assert under.rows[0].score == D("90.00") and under.adjustments == []


def test_an_overshoot_reason_is_asked_for_without_a_deduction_where_the_rules_say_so():
    rules = Rules(overshoot_reason=True, overshoot_reason_threshold=D("1.5"))
    rows = [row("≥10次", "15次", weight=D("90"), name="培训次数")]
    score = score_evaluation(FULL_BUDGET, rows, rules=rules)
    assert score.rows[0].score == D("90.00")
    assert score.rows[0].reason_required is True
    assert score.problems == ["“培训次数”实际完成值高于指标值较多，请分析原因。"]
    explained = [row("≥10次", "15次", weight=D("90"), name="培训次数", deviation_reason="需求超出预期")]
    assert score_evaluation(FULL_BUDGET, explained, rules=rules).problems == []


# --- other rules a set may vary ------------------------------------------------------------------------------


def test_group_weights_come_from_the_rules():
    rules = Rules(budget_weight=D("20"), output_weight=D("40"))
    rows = [row(group="output"), row(group="effect"), row(group="satisfaction")]
    score = score_evaluation(FULL_BUDGET, rows, rules=rules)
    assert [r.weight for r in score.rows] == [D("40.00"), D("30.00"), D("10.00")]
    assert (score.budget.weight, score.total) == (D("20.00"), D("100.00"))


def test_all_or_nothing_scores_a_shortfall_zero_and_a_late_date_may_score_zero():
    rules = Rules(at_least=ALL_OR_NOTHING, late_date=LATE_ZERO)
    rows = [row("12次", "11次", name="a", deviation_reason="x"), row("2021年6月底前", "2021-07-02", name="b")]
    score = score_evaluation(FULL_BUDGET, rows, rules=rules)
    assert [r.score for r in score.rows] == [D("0.00"), D("0.00")]
    assert [r.score for r in score_evaluation(FULL_BUDGET, rows[:1]).rows] == [D("82.50")]


def test_tier_bands_and_grade_bands_come_from_the_rules():
    tiers = (
        TierBand("met", D("0.9"), D("1"), D("1")),
        TierBand("partial", D("0.5"), D("0.9"), D("0.6")),
        TierBand("missed", D("0"), D("0.5"), D("0.2")),
    )
    grades = (GradeBand("优", D("95")), GradeBand("良", D("85")), GradeBand("中", D("60")), GradeBand("差", D("0")))
    rules = Rules(tiers=tiers, grades=grades)
    score = score_evaluation(FULL_BUDGET, [row("有所提高", "部分达成", tier="partial", weight=D("90"))], rules=rules)
    assert (score.rows[0].score, score.total, score.grade) == (D("54.00"), D("64.00"), "中")
    typed = score_evaluation(FULL_BUDGET, [row("有所提高", "", evaluator_score=D("80"), weight=D("90"))], rules=rules)
    assert (typed.rows[0].tier, typed.grade) == ("partial", "良")


def test_custom_first_level_weights_departing_from_the_split_are_refused_warned_or_allowed():
    rows = [
        row(group="output", weight=D("60")),
        row(group="effect", weight=D("20")),
        row(group="satisfaction", weight=D("10")),
    ]
    assert score_evaluation(FULL_BUDGET, rows).problems == []
    refused = score_evaluation(FULL_BUDGET, rows, rules=Rules(weight_split=SPLIT_REFUSED))
    message = "一级指标分值与评分规则的分配不一致：产出 60.00（规则为 50.00）、效益 20.00（规则为 30.00）。"
    assert refused.problems == [message]
    warned = score_evaluation(FULL_BUDGET, rows, rules=Rules(weight_split=SPLIT_WARNED))
    assert (warned.problems, warned.findings) == ([], [message])
    assert warned.total == refused.total == D("100.00")


def test_the_budget_reason_threshold_comes_from_the_rules():
    budget = BudgetInput(D("100"), D("85"))
    assert score_evaluation(budget, [row()]).problems == ["预算执行率低于 90%，请填写执行偏差原因。"]
    assert score_evaluation(budget, [row()], rules=Rules(budget_reason_rate=D("0.8"))).problems == []


# --- JSON and problems --------------------------------------------------------------------------------------


@pytest.mark.parametrize("rules", [Rules(), MANUAL_RULES, ENV_RULES], ids=["10号", "manual", "switches"])
def test_a_rule_set_survives_its_json(rules):
    back = rules_from_json(rules_to_json(rules), name=rules.name)
    assert back == rules
    assert rules_problems(back) == []


def test_a_bad_rule_set_is_refused_with_every_problem_named():
    data = rules_to_json(Rules())
    data["output_weight"] = "60"
    data["rate_caps"] = [{"low": "0.5", "high": "0.8", "cap": "80"}, {"low": "0.7", "high": "0.9", "cap": "90"}]
    data["tiers"][1]["low"] = "0.5"  # 部分达成 from 50%: overlaps 未达成 (0 to 60%)
    data["grades"][1]["low"] = "95"
    problems = rules_problems(rules_from_json(data))
    assert problems == [
        "分值合计应为 100：预算执行率 10 + 产出 60 + 效益 30 + 满意度 10 = 110。",
        "档次“未达成年度指标且效果较差”与“部分达成年度指标并具有一定效果”的区间重叠。",
        "执行率封顶区间重叠：50% 至 80% 与 70% 至 90%。",
        "等级的分数下限应从高到低严格递减，区间不能重叠。",
    ]


def test_json_that_is_not_a_rule_set_is_refused_naming_each_field():
    with pytest.raises(RulesError) as refused:
        rules_from_json({"output_weight": "lots", "overshoot": "sometimes", "colour": "red"})
    assert refused.value.problems == [
        "未知的规则项：colour。",
        "“output_weight”“lots”不是数字。",
        "“overshoot”应为 off、points、share 之一，而不是 'sometimes'。",
    ]


def test_a_cap_band_without_a_lower_bound_holds_every_rate_below_its_top():
    cap = RateCap(None, D("0.5"), D("59"))
    assert cap.holds(D("-0.1")) and cap.holds(D("0.49")) and not cap.holds(D("0.5"))
