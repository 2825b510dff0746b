"""The rule per grade and the suggested amount: pure arithmetic on Decimals (results application, issue 17)."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from performance.results.arithmetic import (
    CUT,
    DEFAULT_RULES,
    INCREASE,
    KEEP,
    STOP,
    GradeRule,
    rules_from_json,
    rules_problems,
    rules_to_json,
    suggested_amount,
)

amounts = st.decimals(min_value=D("0"), max_value=D("99999999"), places=4)
percents = st.decimals(min_value=D("0"), max_value=D("100"), places=2)


def test_the_default_rules_keep_excellent_and_good_projects_and_cut_fair_and_poor_ones():
    base = D("81.0000")
    assert suggested_amount(base, DEFAULT_RULES["优"]) == D("81.0000")
    assert suggested_amount(base, DEFAULT_RULES["良"]) == D("81.0000")
    assert suggested_amount(base, DEFAULT_RULES["中"]) == D("72.9000")
    assert suggested_amount(base, DEFAULT_RULES["差"]) == D("56.7000")


def test_a_stopped_project_is_suggested_nothing_and_a_project_without_budget_no_suggestion():
    assert suggested_amount(D("147.9"), GradeRule(STOP)) == D("0.0000")
    assert suggested_amount(None, DEFAULT_RULES["中"]) is None


def test_a_cut_is_rounded_half_up_to_the_yuan():
    assert suggested_amount(D("0.0015"), GradeRule(CUT, D("30"))) == D("0.0011")  # 0.00105
    assert suggested_amount(D("103.5"), GradeRule(CUT, D("12.5"))) == D("90.5625")


@given(amounts, percents)
def test_a_cut_never_exceeds_the_base_and_is_stored_to_four_places(base, percent):
    suggested = suggested_amount(base, GradeRule(CUT, percent))
    assert D("0") <= suggested <= base
    assert suggested.as_tuple().exponent == -4
    assert abs(suggested - base * (100 - percent) / 100) <= D("0.00005")


@given(amounts, percents)
def test_keeping_or_a_possible_increase_suggest_the_base_itself(base, percent):
    assert suggested_amount(base, GradeRule(KEEP)) == base
    assert suggested_amount(base, GradeRule(INCREASE, percent)) == base


def test_the_rules_say_what_they_do_in_words():
    assert DEFAULT_RULES["中"].describe() == "压减10%"
    assert DEFAULT_RULES["良"].describe() == "保持"
    assert GradeRule(INCREASE, D("20")).describe() == "可适当增加（不超过20%）"
    assert GradeRule(STOP).describe() == "取消"


def test_unsound_rules_are_refused_with_every_problem_named():
    rules = dict(DEFAULT_RULES)
    del rules["优"]
    rules["中"] = GradeRule(CUT, D("0"))
    rules["差"] = GradeRule(CUT, D("130"))
    problems = rules_problems(rules)
    assert len(problems) == 3
    assert "“优”" in problems[0] and "“中”" in problems[1] and "“差”" in problems[2]
    assert rules_problems(DEFAULT_RULES) == []


def test_rules_survive_their_json():
    assert rules_from_json(rules_to_json(DEFAULT_RULES)) == DEFAULT_RULES
