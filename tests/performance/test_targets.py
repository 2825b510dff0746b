"""Reading target values (SPEC section 4)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from performance.actuals import read_actual
from performance.targets import Comparator, Kind, Target, parse_target, unit_factor

D = Decimal


@pytest.mark.parametrize(
    ("text", "comparator", "value", "unit"),
    [
        ("12次", Comparator.AT_LEAST, D("12"), "次"),
        ("100%", Comparator.AT_LEAST, D("100"), "%"),
        ("≥95%", Comparator.AT_LEAST, D("95"), "%"),
        ("≥95 %", Comparator.AT_LEAST, D("95"), "%"),
        ("≥ 95 %", Comparator.AT_LEAST, D("95"), "%"),
        (">=95%", Comparator.AT_LEAST, D("95"), "%"),
        ("＞＝95％", Comparator.AT_LEAST, D("95"), "%"),
        ("不低于90%", Comparator.AT_LEAST, D("90"), "%"),
        ("不少于10篇", Comparator.AT_LEAST, D("10"), "篇"),
        ("至少3个", Comparator.AT_LEAST, D("3"), "个"),
        ("达到100%", Comparator.AT_LEAST, D("100"), "%"),
        ("95%以上", Comparator.AT_LEAST, D("95"), "%"),
        ("≤81万元", Comparator.AT_MOST, D("81"), "万元"),
        ("<=9万元", Comparator.AT_MOST, D("9"), "万元"),
        ("不超过5天", Comparator.AT_MOST, D("5"), "天"),
        ("不高于3%", Comparator.AT_MOST, D("3"), "%"),
        ("5%以内", Comparator.AT_MOST, D("5"), "%"),
        ("2次以下", Comparator.AT_MOST, D("2"), "次"),
        (">3次", Comparator.MORE_THAN, D("3"), "次"),
        ("高于80%", Comparator.MORE_THAN, D("80"), "%"),
        ("超过1000人", Comparator.MORE_THAN, D("1000"), "人"),
        ("<5天", Comparator.LESS_THAN, D("5"), "天"),
        ("=100%", Comparator.EQUAL, D("100"), "%"),
        ("＝1", Comparator.EQUAL, D("1"), ""),
        ("1", Comparator.AT_LEAST, D("1"), ""),
        ("１２次", Comparator.AT_LEAST, D("12"), "次"),
        ("≥266米", Comparator.AT_LEAST, D("266"), "米"),
        ("1.8万人", Comparator.AT_LEAST, D("18000"), "人"),
        ("4万人", Comparator.AT_LEAST, D("40000"), "人"),
        ("2万人次", Comparator.AT_LEAST, D("20000"), "人次"),
        ("5万", Comparator.AT_LEAST, D("50000"), ""),
        ("1.5亿元", Comparator.AT_LEAST, D("15000"), "万元"),
        ("90百分比", Comparator.AT_LEAST, D("90"), "%"),
        ("1,000人", Comparator.AT_LEAST, D("1000"), "人"),
        ("30位", Comparator.AT_LEAST, D("30"), "位"),
    ],
)
def test_quantitative_targets_read_comparator_value_and_unit(text, comparator, value, unit):
    target = parse_target(text)
    assert (target.kind, target.comparator, target.value, target.unit) == (Kind.QUANTITATIVE, comparator, value, unit)
    assert target.text == text


def test_a_plain_quantity_under_cost_is_at_most():
    assert parse_target("81万元", cost=True).comparator == Comparator.AT_MOST
    assert parse_target("81万元").comparator == Comparator.AT_LEAST
    assert parse_target("≥81万元", cost=True).comparator == Comparator.AT_LEAST


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("3-5次", D("3"), D("5"), "次"),
        ("3~5次", D("3"), D("5"), "次"),
        ("3至5次", D("3"), D("5"), "次"),
        ("80%-90%", D("80"), D("90"), "%"),
        ("1万-2万人", D("10000"), D("20000"), "人"),
        ("1.5-2.5", D("1.5"), D("2.5"), ""),
    ],
)
def test_ranges_are_between(text, low, high, unit):
    target = parse_target(text)
    assert (target.kind, target.comparator, target.value, target.high, target.unit) == (
        Kind.QUANTITATIVE,
        Comparator.BETWEEN,
        low,
        high,
        unit,
    )


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2021年12月31日前", None, date(2021, 12, 31)),
        ("2021年12月31日前完工", None, date(2021, 12, 31)),
        ("2021年12月底前", None, date(2021, 12, 31)),
        ("2021年12月", None, date(2021, 12, 31)),
        ("2021年11月", None, date(2021, 11, 30)),
        ("2024年2月底前", None, date(2024, 2, 29)),
        ("2021年底前", None, date(2021, 12, 31)),
        ("2021-12-15", None, date(2021, 12, 15)),
        ("2021.3.1-2021.12.31", date(2021, 3, 1), date(2021, 12, 31)),
        ("2023.07-2024.01", date(2023, 7, 1), date(2024, 1, 31)),
        ("2021年3月-12月", date(2021, 3, 1), date(2021, 12, 31)),
        ("2021.3.1-12.31", date(2021, 3, 1), date(2021, 12, 31)),
    ],
)
def test_dates_are_deadlines_or_periods(text, start, end):
    target = parse_target(text)
    assert (target.kind, target.start, target.end, target.comparator) == (Kind.DATE, start, end, None)


def test_a_period_of_dotted_dates_is_not_a_range():
    target = parse_target("2021.3.1-2021.12.31")
    assert target.kind == Kind.DATE
    assert target.value is None
    assert target.display == "2021-03-01 至 2021-12-31"


@pytest.mark.parametrize("text", ["/", "-", "—", "无", "／", " / "])
def test_not_applicable(text):
    assert parse_target(text).kind == Kind.NOT_APPLICABLE


@pytest.mark.parametrize(
    "text",
    [
        "按时完工",
        "效果显著",
        "优良",
        "合规",
        "被帮扶人员种植技术得到一定程度提高",
        "壮大科普中国信息员队伍，发挥他们的传播作用",
        "达到预期",
        "12个县区开展试点工作",
        "2021.2.30",
    ],
)
def test_everything_else_is_qualitative_and_kept_as_written(text):
    target = parse_target(text)
    assert (target.kind, target.text, target.display) == (Kind.QUALITATIVE, text, text)


@pytest.mark.parametrize("text", ["", None, "   "])
def test_empty_is_qualitative_with_nothing_written(text):
    target = parse_target(text)
    assert (target.kind, target.display) == (Kind.QUALITATIVE, "")


@pytest.mark.parametrize(
    ("text", "display"),
    [
        ("≥95 %", "≥ 95%"),
        ("12次", "≥ 12次"),
        ("≤81万元", "≤ 81万元"),
        ("1.8万人", "≥ 18000人"),
        ("3~5次", "3–5次"),
        ("2021年12月底前", "2021-12-31 前"),
        ("  按时  完工 ", "按时 完工"),
    ],
)
def test_display_is_normalised(text, display):
    assert parse_target(text).display == display


@pytest.mark.parametrize(
    "text", ["≥95 %", "1.8万人", "3~5次", "2021.3.1-2021.12.31", "2021年12月底前", "按时完工", "/", ""]
)
def test_from_json_inverts_as_json(text):
    target = parse_target(text)
    assert Target.from_json(target.as_json()) == target
    assert Target.from_json(target.as_json(), text="原文") == replace(target, text="原文")


def test_as_json_is_plain_strings():
    assert parse_target("≤81万元").as_json() == {
        "text": "≤81万元",
        "kind": "quantitative",
        "comparator": "at_most",
        "value": "81",
        "high": None,
        "unit": "万元",
        "start": None,
        "end": None,
        "display": "≤ 81万元",
    }


@pytest.mark.parametrize(
    ("actual_unit", "target_unit", "factor"),
    [
        ("人", "人", D("1")),
        ("", "人", D("1")),
        ("人", "", D("1")),
        ("元", "万元", D("0.0001")),
        ("万元", "元", D("10000")),
        ("亿元", "万元", D("10000")),
        ("位", "人", D("1")),
        ("cm", "米", D("0.01")),
        ("公里", "米", D("1000")),
        ("次", "万元", None),
        ("人次", "人", None),
        ("%", "次", None),
        ("次", "次/年", D("1")),
        ("万元", "元/年", D("10000")),
        ("次/年", "次/年", D("1")),
        ("次/月", "次/年", None),
        ("%", "/年", None),
    ],
)
def test_unit_compatibility(actual_unit, target_unit, factor):
    assert unit_factor(actual_unit, target_unit) == factor


@given(st.text())
def test_parse_target_never_raises(text):
    target = parse_target(text)
    assert target.kind in {Kind.QUANTITATIVE, Kind.DATE, Kind.QUALITATIVE, Kind.NOT_APPLICABLE}
    assert target.text == text


@given(st.text(alphabet="0123456789.-~至年月日底前万亿元人次%≥≤<>=/ ", max_size=30))
def test_parse_target_never_raises_on_number_like_text(text):
    target = parse_target(text)
    if target.kind == Kind.QUANTITATIVE:
        assert target.value is not None and target.value >= 0
    if target.kind == Kind.DATE:
        assert target.end is not None
        assert target.start is None or target.start <= target.end


# --- patterns of tables as published (issue 19, point 6) -----------------------------------------


@pytest.mark.parametrize(
    ("text", "comparator", "value", "display"),
    [
        ("≧95%", Comparator.AT_LEAST, D("95"), "≥ 95%"),
        ("≦5天", Comparator.AT_MOST, D("5"), "≤ 5天"),
        ("═100%", Comparator.EQUAL, D("100"), "= 100%"),
        ("═ 1", Comparator.EQUAL, D("1"), "= 1"),
    ],
)
def test_comparator_variants_printed_by_real_tables_are_the_same_comparators(text, comparator, value, display):
    target = parse_target(text)
    assert (target.kind, target.comparator, target.value, target.display) == (
        Kind.QUANTITATIVE,
        comparator,
        value,
        display,
    )
    assert target.text == text


def test_a_deadline_with_a_variant_comparator_is_still_a_date():
    target = parse_target("≦2021年12月31日")
    assert (target.kind, target.end) == (Kind.DATE, date(2021, 12, 31))


@pytest.mark.parametrize(
    ("text", "comparator", "value", "unit"),
    [
        ("≥300元/人*月", Comparator.AT_LEAST, D("300"), "元/人·月"),
        ("≥300元/人·月", Comparator.AT_LEAST, D("300"), "元/人·月"),
        ("≧300元/人×月", Comparator.AT_LEAST, D("300"), "元/人·月"),
        ("≤500元/户", Comparator.AT_MOST, D("500"), "元/户"),
        ("1200元/户", Comparator.AT_LEAST, D("1200"), "元/户"),
        ("5000人·次", Comparator.AT_LEAST, D("5000"), "人·次"),
        ("12元/平方米·年", Comparator.AT_LEAST, D("12"), "元/平方米·年"),
        ("1.2万人*次", Comparator.AT_LEAST, D("12000"), "人·次"),
    ],
)
def test_compound_units_are_quantitative_with_their_unit(text, comparator, value, unit):
    target = parse_target(text)
    assert (target.kind, target.comparator, target.value, target.unit) == (Kind.QUANTITATIVE, comparator, value, unit)
    assert target.text == text


def test_a_range_in_a_compound_unit_is_between():
    target = parse_target("200-300元/人*月")
    assert (target.kind, target.comparator, target.value, target.high, target.unit) == (
        Kind.QUANTITATIVE,
        Comparator.BETWEEN,
        D("200"),
        D("300"),
        "元/人·月",
    )


@pytest.mark.parametrize("text", ["12个县区开展试点工作", "5*8小时", "300元/人*月*户*年*次", "3元/每人每月发放到位"])
def test_words_after_a_number_are_still_not_a_unit(text):
    assert parse_target(text).kind == Kind.QUALITATIVE


@pytest.mark.parametrize(
    ("actual_unit", "target_unit", "factor"),
    [
        ("元/人·月", "元/人·月", D("1")),
        ("万元/户", "元/户", D("10000")),
        ("元/户", "万元/户", D("0.0001")),
        ("人·次", "人次", D("1")),
        ("元", "元/户", None),
        ("元/户", "元/人", None),
    ],
)
def test_compound_units_convert_only_into_the_same_unit(actual_unit, target_unit, factor):
    assert unit_factor(actual_unit, target_unit) == factor


UNIT_PARTS = st.sampled_from(["元", "万元", "人", "户", "月", "次", "平方米", "年", "亩"])
TIMES_SIGNS = st.sampled_from(["*", "·", "×", "・", "＊"])


@given(
    st.decimals(min_value=0, max_value=10**6, places=2),
    UNIT_PARTS,
    UNIT_PARTS,
    UNIT_PARTS,
    TIMES_SIGNS,
    TIMES_SIGNS,
    st.sampled_from(["≥", "≧", "≤", "≦", "═", ""]),
)
def test_a_compound_unit_is_read_the_same_whichever_sign_multiplies_it(number, a, b, c, sign, other, comparator):
    text = f"{comparator}{number}{a}/{b}{sign}{c}"
    target = parse_target(text)
    assert target.kind == Kind.QUANTITATIVE
    assert target.value == number
    assert target.unit == f"{a}/{b}·{c}"
    assert target.text == text
    # The actual in the same unit, written with another sign, reads in the target's unit.
    actual = read_actual(f"{number}{a}/{b}{other}{c}", target)
    assert (actual.error, actual.value) == ("", number)
