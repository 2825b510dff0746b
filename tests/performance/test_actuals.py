"""Reading actual values against their targets (SPEC section 5)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from performance.actuals import ActualKind, Tier, read_actual
from performance.targets import parse_target

D = Decimal


@pytest.mark.parametrize(
    ("actual", "target", "value"),
    [
        ("12次", "12次", D("12")),
        ("18次", "20次", D("18")),
        ("18", "20次", D("18")),
        ("95%", "≥95%", D("95")),
        ("96 %", "≥95 %", D("96")),
        ("１８次", "20次", D("18")),
        ("1850人", "2000人", D("1850")),
        ("1,850人", "2000人", D("1850")),
        ("1.8万人", "20000人", D("18000")),
        ("18000人", "1.8万人", D("18000")),
        ("78.6万元", "≤81万元", D("78.6")),
        ("786000元", "≤81万元", D("78.6")),
        ("28人", "30位", D("28")),
        ("0", "12次", D("0")),
        ("完成12次", "12次", D("12")),
        ("≥98%", "≥95%", D("98")),
    ],
)
def test_numbers_convert_to_the_target_unit(actual, target, value):
    result = read_actual(actual, parse_target(target))
    assert (result.kind, result.value, result.error) == (ActualKind.NUMBER, value, "")


@pytest.mark.parametrize(("actual", "target"), [("≥266米", "≥266米"), ("≥ 266 米", "≥266米"), ("100%", "100%")])
def test_the_target_repeated_means_met_exactly(actual, target):
    parsed = parse_target(target)
    assert read_actual(actual, parsed).value == parsed.value


def test_an_incompatible_unit_is_an_error_the_user_sees():
    result = read_actual("12万元", parse_target("12次"))
    assert result.value is None
    assert result.error == "实际完成值“12万元”的单位与指标值“12次”的单位不一致"


@pytest.mark.parametrize(("actual", "target"), [("5人次", "5人"), ("95%", "12次"), ("3次", "≤9万元")])
def test_other_incompatible_units_are_refused(actual, target):
    assert "单位不一致" in read_actual(actual, parse_target(target)).error


def test_a_negative_number_is_an_error():
    result = read_actual("-3次", parse_target("12次"))
    assert result.value is None
    assert result.error == "实际完成值“-3次”不能为负数。"


def test_text_for_a_quantitative_target_is_an_error():
    result = read_actual("较好", parse_target("12次"))
    assert result.error == "实际完成值“较好”不是数值，指标值“12次”需要填写数值。"


@pytest.mark.parametrize("actual", ["", None, "  "])
def test_empty_is_missing(actual):
    assert read_actual(actual, parse_target("12次")).kind == ActualKind.MISSING
    assert read_actual(actual, parse_target("按时完工")).kind == ActualKind.MISSING


@pytest.mark.parametrize("actual", ["/", "／", "-", "—"])
def test_slash_is_not_applicable(actual):
    assert read_actual(actual, parse_target("12次")).kind == ActualKind.NOT_APPLICABLE


def test_a_not_applicable_target_makes_the_actual_not_applicable():
    assert read_actual("12次", parse_target("/")).kind == ActualKind.NOT_APPLICABLE


@pytest.mark.parametrize(
    "actual",
    ["2021-12-15", "2021年12月15日", "2021.12.15", "2021/12/15", str(date(2021, 12, 15)), str(datetime(2021, 12, 15))],
)
def test_completion_dates_for_date_targets(actual):
    result = read_actual(actual, parse_target("2021年12月31日前"))
    assert (result.kind, result.on, result.error) == (ActualKind.DATE, date(2021, 12, 15), "")


def test_a_date_target_repeated_is_met_on_its_deadline():
    result = read_actual("2021年12月底前", parse_target("2021年12月底前"))
    assert (result.kind, result.on) == (ActualKind.DATE, date(2021, 12, 31))


def test_an_unreadable_date_falls_back_to_tiers():
    target = parse_target("2021年12月31日前")
    assert read_actual("按时完成", target).tier == Tier.MET
    assert read_actual("有所延误", target).kind == ActualKind.TIER
    assert read_actual("有所延误", target).tier == ""
    assert read_actual("有所延误", target, tier="partial").tier == Tier.PARTIAL


@pytest.mark.parametrize(
    ("actual", "tier"),
    [
        ("达成年度指标", Tier.MET),
        ("达成", Tier.MET),
        ("达成预期指标", Tier.MET),
        ("完成", Tier.MET),
        ("已完成", Tier.MET),
        ("按时完成", Tier.MET),
        ("按时完成。", Tier.MET),
        ("按时完工", Tier.MET),  # the target text itself
        ("部分达成年度指标并具有一定效果", Tier.PARTIAL),
        ("未达成年度指标且效果较差", Tier.MISSED),
        ("做了一些工作", ""),
    ],
)
def test_tier_phrases_for_qualitative_targets(actual, tier):
    result = read_actual(actual, parse_target("按时完工"))
    assert (result.kind, result.tier) == (ActualKind.TIER, tier)


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        ("met", Tier.MET),
        ("partial", Tier.PARTIAL),
        ("missed", Tier.MISSED),
        ("部分达成年度指标并具有一定效果", Tier.PARTIAL),
    ],
)
def test_the_evaluators_tier_wins_over_the_text(tier, expected):
    assert read_actual("达成年度指标", parse_target("效果显著"), tier=tier).tier == expected


def test_a_tier_without_text_is_not_missing():
    assert read_actual("", parse_target("效果显著"), tier="missed").tier == Tier.MISSED


def test_an_unknown_tier_is_an_error():
    assert read_actual("", parse_target("效果显著"), tier="excellent").error == "未知的完成档次“excellent”。"


@given(
    st.one_of(st.none(), st.text()),
    st.sampled_from(["12次", "≤81万元", "80%-90%", "2021年12月底前", "2021.3.1-2021.12.31", "按时完工", "/", ""]),
    st.sampled_from(["", "met", "partial", "missed", "达成年度指标"]),
)
def test_read_actual_never_raises(text, target, tier):
    actual = read_actual(text, parse_target(target), tier=tier)
    assert actual.kind in {"number", "date", "tier", "not_applicable", "missing"}
    assert actual.value is None or actual.value >= 0
