"""The pure rules of a spot check: the risk score with its reasons, the sample size and the seeded draw."""

import random
from collections import Counter
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from performance.spotchecks.risk import Signals, below_last_actual, draw, risk_of, sample_size
from performance.targets import parse_target


def signals(**fields) -> Signals:
    return Signals(**({"computed_total": Decimal("90.00"), "checked_before": True} | fields))


def test_a_project_without_signals_has_no_risk():
    assert risk_of(signals()).score == 0
    assert risk_of(signals()).reasons == []


def test_a_project_never_checked_scores_ten_and_says_so():
    risk = risk_of(signals(checked_before=False))
    assert (risk.score, risk.reasons) == (10, ["从未被抽查"])


def test_a_self_reported_total_above_the_computed_one_weighs_more_than_one_below():
    higher = risk_of(signals(reported_total=Decimal("95.00")))
    lower = risk_of(signals(reported_total=Decimal("85.00")))
    assert (higher.score, lower.score) == (30, 15)
    assert higher.reasons == ["自评总分 95.00 与系统计算 90.00 不一致（相差 +5.00）"]


def test_the_same_self_reported_total_is_no_signal():
    assert risk_of(signals(reported_total=Decimal("90.00"))).score == 0


def test_excellent_with_an_execution_rate_under_ninety_percent_is_flagged_and_ninety_is_not():
    low = risk_of(signals(grade="优", rate=Decimal("0.8512")))
    assert low.score == 25
    assert low.reasons == ["等级为优但预算执行率仅 85.12%"]
    assert risk_of(signals(grade="优", rate=Decimal("0.9"))).score == 0
    assert risk_of(signals(grade="良", rate=Decimal("0.5"))).score == 0


def test_counted_signals_add_per_item_up_to_their_caps():
    risk = risk_of(signals(unevidenced_met=5, below_last_year=1, missing_reasons=3, returns=4))
    assert risk.score == 30 + 10 + 20 + 15
    assert risk.reasons == [
        "5 个定性指标评为达成但无佐证材料",
        "1 个指标的指标值低于上年实际完成值",
        "3 处缺少偏差原因",
        "曾被退回 4 次",
    ]


def test_sample_size_by_size_is_capped_by_the_population():
    assert sample_size(10, size=3) == 3
    assert sample_size(2, size=3) == 2


def test_sample_size_by_share_rounds_up_and_takes_at_least_one():
    assert sample_size(101, share=Decimal("10")) == 11
    assert sample_size(5, share=Decimal("1")) == 1
    assert sample_size(0, share=Decimal("10")) == 0


def test_the_same_seed_draws_the_same_projects_and_another_seed_others():
    risks = {pk: pk % 7 * 10 for pk in range(1, 200)}
    assert draw(risks, 10, seed=42) == draw(dict(reversed(risks.items())), 10, seed=42)
    assert set(draw(risks, 10, seed=42)) != set(draw(risks, 10, seed=43))


def test_the_sample_is_ranked_by_risk_then_id():
    risks = {1: 0, 2: 50, 3: 50, 4: 10}
    assert draw(risks, 4, seed=1) == [2, 3, 4, 1]


def test_a_riskier_project_is_drawn_more_often_but_a_riskless_one_can_be_drawn():
    drawn = Counter(draw({1: 0, 2: 90}, 1, seed=seed)[0] for seed in range(400))
    assert drawn[2] > 300
    assert drawn[1] > 0


@given(
    st.dictionaries(st.integers(1, 10_000), st.integers(0, 150), max_size=60),
    st.integers(0, 80),
    st.integers(0, 2**32),
)
def test_a_draw_takes_distinct_candidates_as_many_as_asked_riskiest_first(risks, size, seed):
    drawn = draw(risks, size, seed)
    assert len(drawn) == min(size, len(risks)) == len(set(drawn))
    assert set(drawn) <= set(risks)
    assert [risks[pk] for pk in drawn] == sorted((risks[pk] for pk in drawn), reverse=True)


def draw_by_full_sort(risks: dict[int, int], size: int, seed: int) -> list[int]:
    """The draw as first written: every key computed, all sorted, the first ``size`` taken."""
    rng = random.Random(seed)  # noqa: S311 - the draw's own generator
    keys = []
    for pk in sorted(risks):
        u = 1.0 - rng.random()
        keys.append((u ** (1.0 / (1 + risks[pk])), pk))
    keys.sort(key=lambda key: (-key[0], key[1]))
    return sorted((pk for _key, pk in keys[:size]), key=lambda pk: (-risks[pk], pk))


@given(
    st.dictionaries(st.integers(1, 10_000), st.integers(0, 150), max_size=80),
    st.integers(0, 100),
    st.integers(0, 2**32),
)
def test_the_draw_is_the_one_a_full_sort_of_the_keys_gives(risks, size, seed):
    assert draw(risks, size, seed) == draw_by_full_sort(risks, size, seed)


def test_a_target_below_last_years_actual_is_flagged():
    assert below_last_actual(parse_target("≥10次"), parse_target("≥8次"), "12次")
    assert not below_last_actual(parse_target("≥12次"), parse_target("≥8次"), "12次")


def test_ceilings_other_units_and_unreadable_actuals_are_not_flagged():
    assert not below_last_actual(parse_target("≤10万元", cost=True), parse_target("≤8万元", cost=True), "12万元")
    assert not below_last_actual(parse_target("≥10次"), parse_target("≥8人"), "12人")
    assert not below_last_actual(parse_target("≥10次"), parse_target("≥8次"), "很多")
