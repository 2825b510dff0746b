"""The department frameworks' arithmetic (SPEC section 15): pure values, no database."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from performance.department.framework import (
    ITEMS,
    Decision,
    Figure,
    Framework,
    FrameworkError,
    Item,
    assess,
    check_decision,
    framework_from_json,
    framework_problems,
    framework_to_json,
    indicator_figures,
    suggest,
    three_level_rules,
)
from performance.department.shipped import SICHUAN_FRAMEWORK, THREE_LEVEL_FRAMEWORK
from performance.scoring import BudgetInput, RowInput, score_evaluation
from performance.targets import parse_target


def figure(key, ratio):
    return Figure(key, key, "", None if ratio is None else D(ratio), "来源")


def test_both_shipped_frameworks_add_up_to_100_with_groups_equal_to_their_parts():
    assert framework_problems(THREE_LEVEL_FRAMEWORK) == []
    assert framework_problems(SICHUAN_FRAMEWORK) == []
    top = {item.code: item.weight for item in SICHUAN_FRAMEWORK.items if not item.parent}
    assert top == {"decision": D("25"), "management": D("30"), "results": D("45")}
    assert len(SICHUAN_FRAMEWORK.leaves()) == 24


def test_a_framework_survives_its_json():
    assert framework_from_json(framework_to_json(SICHUAN_FRAMEWORK)) == SICHUAN_FRAMEWORK


def test_a_group_whose_parts_do_not_add_up_is_refused_with_the_sums():
    framework = Framework(
        ITEMS, (Item("a", "甲", D("60")), Item("a.1", "甲一", D("50"), parent="a"), Item("b", "乙", D("40")))
    )
    with pytest.raises(FrameworkError) as error:
        framework_from_json(framework_to_json(framework))
    assert "“甲”的分值 60 不等于其下各项之和 50。" in error.value.problems
    assert "各末级评价项目的分值合计 90，应为 100。" in error.value.problems


def test_suggestion_is_weight_times_the_ratio_clamped_and_rounded_half_up():
    assert suggest(D("3"), figure("x", "0.8333")) == D("2.50")
    assert suggest(D("2"), figure("x", "1.2")) == D("2.00")
    assert suggest(D("5"), figure("x", "0.12345")) == D("0.62")
    assert suggest(D("5"), figure("x", None)) is None
    assert suggest(D("5"), None) is None


def test_sichuan_total_sums_confirmed_and_overridden_leaves_and_counts_pending_as_zero():
    figures = {
        "targets_approved": figure("targets_approved", "0.5"),  # 目标管理 5 → 2.50
        "execution_rate": figure("execution_rate", "0.9"),  # 预算执行进度监控 2 → 1.80
        "monitored": figure("monitored", "1"),  # 绩效目标动态监控 3 → 3.00
    }
    decisions = {
        "decision.budgeting.targets": Decision("confirm"),
        "management.monitoring.progress": Decision("confirm"),
        "management.monitoring.targets": Decision("override", D("2.5"), "两个项目监控流于形式"),
        "results.duties": Decision("override", D("18"), "履职良好"),
    }
    result = assess(SICHUAN_FRAMEWORK, figures, decisions)
    by_code = {row.item.code: row for row in result.rows}
    assert by_code["decision.budgeting.targets"].score == D("2.50")
    assert by_code["management.monitoring.targets"].suggested == D("3.00")
    assert by_code["management.monitoring.targets"].score == D("2.5")
    assert by_code["management.monitoring"].score == D("4.30")  # the group: the sum of its leaves
    assert result.total == D("24.80")  # 2.50 + 1.80 + 2.5 + 18
    assert result.grade == "差"
    assert len(result.pending) == 24 - 4


def test_confirming_an_item_without_a_figure_is_refused_and_an_override_needs_a_score_in_range_and_a_reason():
    item = Item("x", "资产管理", D("6"))
    assert check_decision(item, None, Decision("confirm")) == ["“资产管理”没有可确认的预填得分，请填写得分和理由。"]
    assert check_decision(item, None, Decision("override", D("7"), "好")) == ["“资产管理”的得分须在 0 至 6 之间。"]
    assert check_decision(item, None, Decision("override", D("5"), " ")) == ["调整“资产管理”的得分须说明理由。"]
    assert check_decision(item, None, Decision("override", D("5"), "账实相符")) == []


def test_three_level_scheme_scores_the_departments_indicators_by_section_6_with_the_frameworks_weights():
    rows = [
        RowInput("output", parse_target("≥12次"), "9次", name="活动场次"),  # 25 × 9/12 = 18.75
        RowInput("output", parse_target("100%"), "100%", name="合格率"),  # 25
        RowInput("effect", parse_target("≥95%"), "95%", name="覆盖率"),  # 30
        RowInput("satisfaction", parse_target("≥90%"), "81%", name="满意度", deviation_reason="宣传不足"),  # 9
    ]
    rules = three_level_rules(THREE_LEVEL_FRAMEWORK)
    score = score_evaluation(BudgetInput(D("1000"), D("850")), rows, rules=rules)
    parts = indicator_figures(score, rows, rules)
    assert parts["output"] == (D("43.75"), D("50.00"))
    assert parts["effect"] == (D("30.00"), D("30.00"))
    assert parts["satisfaction"] == (D("9.00"), D("10.00"))
    figures = {
        "execution_rate": figure("execution_rate", "0.85"),
        **{key: figure(key, str(earned / available)) for key, (earned, available) in parts.items()},
    }
    result = assess(
        THREE_LEVEL_FRAMEWORK,
        figures,
        {code: Decision("confirm") for code in ("budget", "output", "effect", "satisfaction")},
    )
    assert [row.score for row in result.rows] == [D("8.50"), D("43.75"), D("30.00"), D("9.00")]
    assert result.total == score.total == D("91.25")
    assert result.grade == "优"


@given(
    ratios=st.lists(st.one_of(st.none(), st.decimals(min_value=-1, max_value=3, places=4)), min_size=24, max_size=24),
    actions=st.lists(st.sampled_from(["confirm", "override", "none"]), min_size=24, max_size=24),
    scores=st.lists(st.decimals(min_value=-5, max_value=30, places=2), min_size=24, max_size=24),
)
def test_a_total_is_the_sum_of_its_leaves_each_within_its_weight_and_never_above_100(ratios, actions, scores):
    leaves = SICHUAN_FRAMEWORK.leaves()
    figures = {
        leaf.code: Figure(leaf.code, leaf.name, "", ratio, "来源") for leaf, ratio in zip(leaves, ratios, strict=True)
    }
    framework = Framework(
        ITEMS, tuple(Item(**{**i.__dict__, "figure": i.code if i in leaves else ""}) for i in SICHUAN_FRAMEWORK.items)
    )
    decisions = {
        leaf.code: Decision(action, score, "理由")
        for leaf, action, score in zip(leaves, actions, scores, strict=True)
        if action != "none"
    }
    result = assess(framework, figures, decisions)
    leaf_rows = [row for row in result.rows if row.leaf]
    assert all(D("0") <= (row.score or 0) <= row.weight for row in leaf_rows)
    assert result.total == sum((row.score or D("0") for row in leaf_rows), D("0"))
    assert D("0") <= result.total <= D("100")
    top = [row for row in result.rows if not row.item.parent]
    assert sum((row.score for row in top), D("0")) == result.total
