"""Scoring a self-evaluation (SPEC section 6), checked against the sample workbook's expected figures."""

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from performance.actuals import Tier
from performance.rules.shipped import ENV_RULES
from performance.scoring import (
    BudgetInput,
    RowInput,
    default_weights,
    grade_for,
    score_evaluation,
)
from performance.targets import Kind, parse_target

D = Decimal
SAMPLES = Path("/work/shared/samples")
FULL_BUDGET = BudgetInput(full_year=D("100"), executed=D("100"))
GROUPS = {
    "产出指标": "output",
    "成本指标": "output",
    "效益指标": "effect",
    "效果指标": "effect",
    "满意度指标": "satisfaction",
}


def row(target="12次", actual="12次", *, group="output", cost=False, **fields):
    return RowInput(group=group, target=parse_target(target, cost=cost), actual=actual, **fields)


TEN = D("10")


def one(target, actual, *, weight=TEN, **fields):
    """The score of a single row worth ``weight`` (custom weights, the rest of the 90 on a filler row)."""
    rows = [row(target, actual, weight=weight, name="被测指标", **fields)]
    if weight < 90:
        rows.append(row("1次", "1次", weight=D("90") - weight, name="其他"))
    return score_evaluation(FULL_BUDGET, rows).rows[0]


# --- the sample workbook --------------------------------------------------------------------------


def _records(sheet):
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, values, strict=True)) for values in rows]


def _decimal(value):
    return None if value is None else D(str(value))


def sample_projects():
    book = openpyxl.load_workbook(SAMPLES / "seed-2021-731001-sample-actuals.xlsx")
    indicators = _records(book["指标"])
    projects = []
    for project in _records(book["项目"]):
        rows = []
        for record in indicators:
            if record["项目名称"] != project["项目名称"]:
                continue
            target = parse_target(record["指标值"], cost="成本" in record["一级指标"] + record["二级指标"])
            own = _decimal(record["得分(自评)"])
            qualitative = target.kind == Kind.QUALITATIVE
            rows.append(
                RowInput(
                    group=GROUPS[record["一级指标"]],
                    target=target,
                    actual="" if record["实际完成值"] is None else str(record["实际完成值"]),
                    evaluator_score=own if qualitative else None,
                    reported_score=None if qualitative else own,
                    weight=_decimal(record["分值"]),
                    deviation_reason=record["偏差原因分析及改进措施"] or "",
                    name=record["三级指标"],
                )
            )
        budget = BudgetInput(
            full_year=_decimal(project["全年预算数"]),
            executed=_decimal(project["全年执行数"]),
            reported_score=_decimal(project["执行率得分(自评)"]),
            deviation_reason=project["执行偏差原因"] or "",
        )
        projects.append((project["项目名称"], score_evaluation(budget, rows)))
    return projects


EXPECTED = json.loads((SAMPLES / "seed-2021-731001-sample-expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("expected", EXPECTED, ids=[project["project_name"] for project in EXPECTED])
def test_sample_workbook_scores_match_the_expected_figures(expected):
    scores = dict(sample_projects())
    score = scores[expected["project_name"]]
    assert str(score.budget.rate) == expected["budget"]["rate"]
    assert str(score.budget.score) == expected["budget"]["score"]
    got = [
        {"level3": r.name, "weight": str(r.weight), "score": str(r.score), "reason_required": r.reason_required}
        for r in score.rows
    ]
    want = [
        {key: item[key] for key in ("level3", "weight", "score", "reason_required")} for item in expected["indicators"]
    ]
    assert got == want
    assert str(score.total) == expected["total"]
    assert score.grade == expected["grade"]
    assert score.problems == []


def test_sample_workbook_qualitative_score_sets_partial_tier():
    score = dict(sample_projects())["开展科技工作者助力精准扶贫经费"]
    assert score.rows[4].tier == Tier.PARTIAL
    assert score.budget.reason_required is True


# --- weights -------------------------------------------------------------------------------------


def test_default_weights_split_each_group_with_the_remainder_on_its_last_row():
    assert default_weights(["output"] * 3 + ["effect", "satisfaction"]) == [
        D("16.67"),
        D("16.67"),
        D("16.66"),
        D("30"),
        D("10"),
    ]


def test_default_weights_keep_the_rows_order():
    # no satisfaction row: 产出 56.25 and 效益 33.75, each split over two rows
    assert default_weights(["effect", "output", "effect", "output"]) == [D("16.88"), D("28.13"), D("16.87"), D("28.12")]


def test_an_empty_group_gives_its_points_to_the_others_in_proportion():
    assert default_weights(["output", "effect"]) == [D("56.25"), D("33.75")]
    assert default_weights(["output", "satisfaction"]) == [D("75.00"), D("15.00")]
    assert default_weights(["effect", "satisfaction", "satisfaction"]) == [D("67.50"), D("11.25"), D("11.25")]
    assert default_weights(["output"]) == [D("90")]


def test_cost_level1_rows_share_the_output_points():
    score = score_evaluation(
        FULL_BUDGET,
        [row(), row(), row("≤9万元", "9万元", cost=True), row(group="effect"), row(group="satisfaction")],
    )
    assert [r.weight for r in score.rows] == [D("16.67"), D("16.67"), D("16.66"), D("30"), D("10")]
    assert score.total == D("100.00")


def test_not_applicable_rows_weigh_nothing_and_leave_the_split_to_the_others():
    score = score_evaluation(
        FULL_BUDGET, [row(), row("/", ""), row("12次", "/"), row(group="effect"), row(group="satisfaction")]
    )
    assert [r.weight for r in score.rows] == [D("50"), D("0"), D("0"), D("30"), D("10")]
    assert [r.applicable for r in score.rows] == [True, False, False, True, True]
    assert score.total == D("100.00")
    assert score.problems == []


def test_custom_weights_are_used_when_they_sum_to_100_with_the_budget():
    score = score_evaluation(FULL_BUDGET, [row(weight=D("60")), row(group="effect", weight=D("30"))])
    assert [r.weight for r in score.rows] == [D("60.00"), D("30.00")]
    assert score.problems == []


def test_custom_weights_that_do_not_sum_to_100_are_a_problem_naming_the_sums():
    score = score_evaluation(FULL_BUDGET, [row(weight=D("60")), row(group="effect", weight=D("25"))])
    assert score.problems == ["分值合计应为 100：指标分值合计 85.00，加预算执行率 10.00，共 95.00。"]
    assert [r.weight for r in score.rows] == [D("60.00"), D("25.00")]


def test_custom_weights_on_some_rows_only_are_a_problem():
    score = score_evaluation(FULL_BUDGET, [row(weight=D("80"), name="甲"), row(group="effect", name="乙")])
    assert score.problems == ["已为部分指标设定分值，其余指标也须设定：“乙”未设定分值。"]


def test_an_unweighted_row_under_weights_that_already_sum_to_100_is_a_breakdown_row():
    rows = [
        row("≥1000户", "1200户", weight=D("40"), name="补助户数"),
        row("≥300户", "150户", name="其中：脱贫户"),  # no 分值: details the row above
        row("≥300元/人*月", "280元/人·月", weight=D("20"), name="补助标准", deviation_reason="物价"),
        row(group="effect", weight=D("30"), name="效益"),
    ]
    score = score_evaluation(FULL_BUDGET, rows)
    assert score.problems == []
    breakdown = score.rows[1]
    assert (breakdown.breakdown, breakdown.applicable, breakdown.weight, breakdown.score) == (True, False, 0, 0)
    assert breakdown.actual.value == D("150")  # read against its target, not scored
    assert not breakdown.reason_required
    assert [r.score for r in score.rows] == [D("40.00"), D("0"), D("18.67"), D("30.00")]
    assert score.total == D("98.67")


def test_a_breakdown_row_without_an_actual_blocks_nothing():
    rows = [row(weight=D("90"), name="甲"), row("≥3次", "", name="其中：乙")]
    score = score_evaluation(FULL_BUDGET, rows)
    assert (score.problems, score.total, score.rows[1].breakdown) == ([], D("100.00"), True)


def test_unweighted_rows_under_weights_short_of_100_are_still_missing_weights():
    rows = [row(weight=D("60"), name="甲"), row(name="其中：乙"), row(group="effect", weight=D("20"), name="丙")]
    score = score_evaluation(FULL_BUDGET, rows)
    assert score.problems == ["已为部分指标设定分值，其余指标也须设定：“其中：乙”未设定分值。"]
    assert not any(r.breakdown for r in score.rows)


def test_without_any_weight_a_qizhong_row_takes_its_default_weight():
    score = score_evaluation(FULL_BUDGET, [row(name="甲"), row(name="其中：乙"), row(group="effect", name="丙")])
    assert [r.weight for r in score.rows] == [D("28.13"), D("28.12"), D("33.75")]
    assert not any(r.breakdown for r in score.rows)


# --- one row by kind and direction ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "actual", "score"),
    [
        ("20次", "18次", D("9.00")),
        ("20次", "20次", D("10.00")),
        ("20次", "25次", D("10.00")),  # overshoot: no bonus
        ("≥95%", "90%", D("9.47")),
        (">3次", "2次", D("6.67")),
        ("0次", "0次", D("10.00")),  # A = 0
        ("≤81万元", "78.6万元", D("10.00")),
        ("≤81万元", "81万元", D("10.00")),
        ("≤8万元", "10万元", D("8.00")),
        ("<5天", "4天", D("10.00")),
        ("<5天", "8天", D("6.25")),
        ("=100%", "100%", D("10.00")),
        ("=100%", "80%", D("8.00")),
        ("=80%", "100%", D("8.00")),
        ("=0", "3", D("0.00")),
        ("=3", "0", D("0.00")),
        ("80%-90%", "85%", D("10.00")),
        ("80%-90%", "80%", D("10.00")),
        ("80%-90%", "60%", D("7.50")),
        ("80%-90%", "100%", D("9.00")),
        ("2000人", "1850人", D("9.25")),
        ("1.8万人", "9000人", D("5.00")),
        ("1.8万人", "0.9万人", D("5.00")),
    ],
)
def test_quantitative_scores_by_direction(target, actual, score):
    assert one(target, actual).score == score


def test_scores_round_half_up_to_two_places():
    assert one("2000人", "1850人", weight=D("12.5")).score == D("11.56")  # 11.5625
    assert one("8次", "1次", weight=D("0.1")).score == D("0.01")  # 0.0125
    assert one("8次", "3次", weight=D("0.1")).score == D("0.04")  # 0.0375


@pytest.mark.parametrize(
    ("target", "actual", "score"),
    [
        ("2021年12月31日前", "2021-12-28", D("10.00")),
        ("2021年12月31日前", "2021-12-31", D("10.00")),
        ("2021.3.1-2021.12.31", "2021-12-15", D("10.00")),
        ("2021年12月底前", "2021年11月30日", D("10.00")),
        ("2021年12月31日前", "按时完成", D("10.00")),
    ],
)
def test_a_date_met_on_time_earns_the_weight(target, actual, score):
    assert one(target, actual).score == score


def test_a_late_date_is_scored_as_qualitative():
    assert one("2021年12月31日前", "2022-01-15", tier="partial", deviation_reason="延期").score == D("7.00")
    assert one("2021.3.1-2021.12.31", "2021-02-01", tier="missed", deviation_reason="提前").score == D("3.00")
    late = one("2021年12月31日前", "2022-01-15", deviation_reason="延期")
    assert late.score == D("0.00")
    assert late.errors == ["“被测指标”的完成日期晚于指标值，请选择完成档次。"]


@pytest.mark.parametrize(("tier", "score"), [("met", D("10.00")), ("partial", D("7.00")), ("missed", D("3.00"))])
def test_tier_defaults(tier, score):
    assert one("效果显著", "", tier=tier, deviation_reason="原因").score == score


@pytest.mark.parametrize(
    ("tier", "evaluator", "ok"),
    [
        ("met", D("10.00"), True),
        ("met", D("8.00"), True),
        ("met", D("7.99"), False),
        ("met", D("10.01"), False),
        ("partial", D("7.99"), True),
        ("partial", D("6.00"), True),
        ("partial", D("8.00"), False),
        ("partial", D("5.99"), False),
        ("missed", D("5.99"), True),
        ("missed", D("0"), True),
        ("missed", D("6.00"), False),
    ],
)
def test_an_evaluator_score_must_lie_in_its_tiers_band(tier, evaluator, ok):
    scored = one("效果显著", "", tier=tier, evaluator_score=evaluator, deviation_reason="原因")
    if ok:
        assert (scored.score, scored.errors) == (evaluator.quantize(D("0.01")), [])
    else:
        assert len(scored.errors) == 1
        assert "不在" in scored.errors[0] and Tier.LABELS[tier] in scored.errors[0]


def test_band_error_names_the_band():
    scored = one("效果显著", "部分达成年度指标并具有一定效果", evaluator_score=D("25"), weight=D("30"))
    assert scored.errors == [
        "“被测指标”的得分 25.00 不在“部分达成年度指标并具有一定效果”的分数区间（18.00 至 24.00，不含）内。"
    ]


@pytest.mark.parametrize(
    ("evaluator", "tier"),
    [
        (D("10"), Tier.MET),
        (D("8"), Tier.MET),
        (D("7.99"), Tier.PARTIAL),
        (D("6"), Tier.PARTIAL),
        (D("5.99"), Tier.MISSED),
    ],
)
def test_a_score_without_a_tier_takes_the_tier_whose_band_holds_it(evaluator, tier):
    scored = one("效果显著", "", evaluator_score=evaluator, deviation_reason="原因")
    assert (scored.tier, scored.score) == (tier, evaluator.quantize(D("0.01")))


def test_a_score_above_the_weight_without_a_tier_is_an_error():
    scored = one("效果显著", "", evaluator_score=D("12"))
    assert scored.errors == ["“被测指标”的得分 12.00 超出分值 10.00。"]


def test_a_qualitative_row_without_tier_is_a_problem():
    score = score_evaluation(FULL_BUDGET, [row("效果显著", "做了很多工作", name="宣传效果", weight=D("90"))])
    assert score.rows[0].score == D("0.00")
    assert "“宣传效果”为定性指标，请选择完成档次（达成、部分达成或未达成）。" in score.problems


def test_a_missing_actual_scores_zero_and_blocks_submission():
    score = score_evaluation(FULL_BUDGET, [row("12次", "", name="培训次数", weight=D("90"), deviation_reason="x")])
    assert score.rows[0].score == D("0.00")
    assert score.problems == ["“培训次数”缺少实际完成值。"]


def test_an_unreadable_actual_is_a_problem():
    score = score_evaluation(FULL_BUDGET, [row("12次", "12万元", weight=D("90"), deviation_reason="x")])
    assert score.problems == ["实际完成值“12万元”的单位与指标值“12次”的单位不一致"]


def test_a_reason_is_required_below_the_weight_and_its_absence_blocks():
    score = score_evaluation(FULL_BUDGET, [row("20次", "18次", name="活动次数", weight=D("90"))])
    assert score.rows[0].reason_required is True
    assert score.problems == ["“活动次数”得分低于分值，请填写偏差原因分析及改进措施。"]
    full = score_evaluation(FULL_BUDGET, [row("20次", "20次", weight=D("90"))])
    assert (full.rows[0].reason_required, full.problems) == (False, [])


def test_reported_scores_are_kept_and_differences_listed():
    score = score_evaluation(
        FULL_BUDGET,
        [
            row("5次", "4次", name="培训次数", weight=D("50"), reported_score=D("12.5"), deviation_reason="推迟"),
            row("5次", "5次", name="其他", weight=D("40"), reported_score=D("40")),
        ],
        reported_total=D("99"),
    )
    assert score.rows[0].reported_score == D("12.50")
    assert score.findings == ["复核：“培训次数”自评得分 12.50，系统计算 40.00", "复核：自评总分 99.00，系统计算 90.00"]


def test_sample_style_review_finding():
    score = score_evaluation(
        FULL_BUDGET,
        [
            row("5次", "4次", name="培训次数", weight=D("12.5"), reported_score=D("12.50"), deviation_reason="推迟"),
            row("1次", "1次", weight=D("77.5")),
        ],
    )
    assert score.findings == ["复核：“培训次数”自评得分 12.50，系统计算 10.00"]


# --- budget, total, grade --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full_year", "executed", "rate", "score", "reason"),
    [
        (D("81"), D("78.6"), D("0.9704"), D("9.70"), False),
        (D("25"), D("21.3"), D("0.8520"), D("8.52"), True),
        (D("10"), D("9"), D("0.9000"), D("9.00"), False),
        (D("10"), D("12"), D("1.2000"), D("10.00"), False),
        (D("9"), D("8.95"), D("0.9944"), D("9.94"), False),
    ],
)
def test_budget_execution_rate_and_score(full_year, executed, rate, score, reason):
    budget = score_evaluation(BudgetInput(full_year, executed, deviation_reason="原因"), []).budget
    assert (budget.rate, budget.score, budget.weight, budget.reason_required) == (rate, score, D("10.00"), reason)


def test_a_budget_under_90_percent_needs_a_reason():
    score = score_evaluation(BudgetInput(D("25"), D("21.3")), [row(weight=D("90"))])
    assert score.problems == ["预算执行率低于 90%，请填写执行偏差原因。"]


def test_a_zero_budget_gives_no_rate_and_says_so():
    score = score_evaluation(BudgetInput(D("0"), D("0")), [row(weight=D("90"))])
    assert (score.budget.rate, score.budget.score) == (None, D("0.00"))
    assert score.budget.errors == ["全年预算数为 0，无法计算预算执行率。"]
    assert score.problems == ["全年预算数为 0，无法计算预算执行率。"]


def test_a_reported_budget_score_is_compared():
    score = score_evaluation(BudgetInput(D("25"), D("21.3"), reported_score=D("10"), deviation_reason="x"), [])
    assert score.findings == ["复核：预算执行率自评得分 10.00，系统计算 8.52"]


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (D("100"), "优"),
        (D("90.00"), "优"),
        (D("89.99"), "良"),
        (D("80"), "良"),
        (D("79.99"), "中"),
        (D("60"), "中"),
        (D("59.99"), "差"),
        (D("0"), "差"),
    ],
)
def test_grades(total, grade):
    assert grade_for(total) == grade


def test_total_is_the_sum_of_rounded_rows_and_the_budget_score():
    rows = [row("3次", "1次", deviation_reason="x") for _ in range(3)] + [
        row(group="effect"),
        row(group="satisfaction"),
    ]
    score = score_evaluation(BudgetInput(D("3"), D("2"), deviation_reason="x"), rows)
    # 16.67/3 = 5.556 -> 5.56, 5.56, 16.66/3 = 5.553 -> 5.55; budget 6.67
    assert [r.score for r in score.rows] == [D("5.56"), D("5.56"), D("5.55"), D("30.00"), D("10.00")]
    assert score.budget.score == D("6.67")
    assert (score.total, score.grade) == (D("63.34"), "中")


# --- optional rules ----------------------------------------------------------------------------------


def test_overshoot_scores_a_share_of_the_weight_under_the_former_switch_rules():
    rows = [row("10次", "13次", weight=D("90"), name="培训次数", deviation_reason="目标偏低")]
    assert score_evaluation(FULL_BUDGET, rows).rows[0].score == D("90.00")
    penalised = score_evaluation(FULL_BUDGET, rows, rules=ENV_RULES)
    assert penalised.rows[0].score == D("72.00")
    assert penalised.rows[0].reason_required is True
    assert penalised.findings == [
        "“培训次数”实际完成值超过指标值 30% 以上，指标值设定偏低，"
        "按“10号文加可选规则（原环境变量）（第1版）”的规则得分为分值的 80%。"
    ]
    assert penalised.adjustments == penalised.findings
    below = [row("10次", "12.9次", weight=D("90"))]
    assert score_evaluation(FULL_BUDGET, below, rules=ENV_RULES).rows[0].score == D("90.00")


def test_execution_rate_caps_cap_the_total_under_the_former_switch_rules():
    rows = [row(weight=D("90"))]
    budget = BudgetInput(D("100"), D("50"), deviation_reason="x")
    assert score_evaluation(budget, rows).total == D("95.00")
    capped = score_evaluation(budget, rows, rules=ENV_RULES)
    assert (capped.total, capped.grade) == (D("60.00"), "中")
    assert capped.adjustments == [
        "预算执行率 50% 低于 60%，"
        "总分按“10号文加可选规则（原环境变量）（第1版）”的执行率封顶规则由 95.00 封顶为 60.00。"
    ]
    at_85 = score_evaluation(BudgetInput(D("100"), D("85"), deviation_reason="x"), rows, rules=ENV_RULES)
    assert at_85.total == D("90.00")


# --- properties ----------------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
weights = st.decimals(min_value=0, max_value=90, places=2, allow_nan=False, allow_infinity=False)
comparators = st.sampled_from(["", "≥", "≤", ">", "<", "="])
units = st.sampled_from(["", "次", "人", "%", "万元"])


@given(comparators, amounts, amounts, units, weights)
def test_a_quantitative_score_stays_within_its_weight(comparator, a, b, unit, weight):
    scored = one(f"{comparator}{a}{unit}", f"{b}{unit}", weight=weight, deviation_reason="x")
    assert D("0") <= scored.score <= scored.weight == weight.quantize(D("0.01"))


@given(amounts, amounts, amounts, weights)
def test_a_range_score_stays_within_its_weight(low, high, b, weight):
    assume(low < high)
    scored = one(f"{low}-{high}次", f"{b}次", weight=weight, deviation_reason="x")
    assert D("0") <= scored.score <= scored.weight


@given(comparators, amounts, units, weights)
def test_meeting_a_target_earns_the_full_weight(comparator, a, unit, weight):
    target = parse_target(f"{comparator}{a}{unit}")
    assume(not (comparator in ("<", ">") and a == 0))
    # A bare number that reads as a year and month (2008.01, 2021.12) is a date in the target grammar.
    assume(not (unit == "" and target.kind == Kind.DATE))
    met = {"": a, "≥": a, "≤": a, ">": a + 1, "<": a / 2, "=": a}[comparator]
    scored = one(f"{comparator}{a}{unit}", f"{met}{unit}", weight=weight)
    assert target.kind == Kind.QUANTITATIVE
    assert scored.score == scored.weight
    assert scored.reason_required is False


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["output", "effect", "satisfaction"]),
            st.sampled_from(["12次", "≤9万元", "100%", "按时完工", "2021年12月底前", "/", "80%-90%"]),
            st.sampled_from(["12次", "3次", "8万元", "120%", "达成", "", "2022-01-05", "/", "95%", "部分达成"]),
            st.sampled_from(["", "met", "partial", "missed"]),
        ),
        max_size=12,
    ),
    amounts,
    amounts,
)
def test_a_total_never_exceeds_100(items, full_year, executed):
    rows = [row(target, actual, group=group, tier=tier) for group, target, actual, tier in items]
    score = score_evaluation(BudgetInput(full_year, executed), rows)
    assert D("0") <= score.total <= D("100")
    assert all(D("0") <= r.score <= r.weight for r in score.rows)
    assert sum(r.weight for r in score.rows) in ({D("90")} if any(r.applicable for r in score.rows) else {D("0")})


groups = st.sampled_from(["output", "effect", "satisfaction"])


@given(
    st.lists(st.tuples(amounts, amounts, groups), min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(min_value=0, max_value=5), amounts, amounts), max_size=4),
)
def test_breakdown_rows_never_change_the_weights_or_the_total(weighted_rows, details):
    """Unweighted rows added under weights that sum to 100 (其中：…) are shown and read, never scored."""
    share = D("90") / len(weighted_rows)
    weights_given = [share.quantize(D("0.01"))] * (len(weighted_rows) - 1)
    weights_given.append(D("90") - sum(weights_given, D("0")))
    rows = [
        row(f"{a}次", f"{b}次", group=group, weight=weight, deviation_reason="x")
        for (a, b, group), weight in zip(weighted_rows, weights_given, strict=True)
    ]
    alone = score_evaluation(FULL_BUDGET, rows)
    with_details = list(rows)
    for position, a, b in details:
        with_details.insert(min(position, len(with_details)), row(f"≥{a}人", f"{b}人", name="其中：明细"))
    scored = score_evaluation(FULL_BUDGET, with_details)
    assert scored.total == alone.total
    assert scored.problems == alone.problems
    assert [r.score for r in scored.rows if not r.breakdown] == [r.score for r in alone.rows]
    assert sum(1 for r in scored.rows if r.breakdown) == len(details)
    assert all(r.weight == 0 and r.score == 0 and r.actual.value is not None for r in scored.rows if r.breakdown)
