"""Amounts on screen: 2 decimals, thousands separators, half-up; quantities as written."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from budgets.templatetags.money import format_money, format_quantity


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1006.4600"), "1,006.46"),
        (Decimal("0"), "0.00"),
        (Decimal("-87.9100"), "-87.91"),
        (Decimal("0.0050"), "0.01"),
        (Decimal("1234567.8949"), "1,234,567.89"),
        (None, ""),
    ],
)
def test_format_money(value, shown):
    assert format_money(value) == shown


def test_money_filter_shows_the_given_placeholder_for_a_missing_figure():
    template = Template('{% load money %}{{ a|money }}|{{ b|money:"—" }}')
    assert template.render(Context({"a": Decimal("92.61"), "b": None})) == "92.61|—"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("382.6000"), "382.6"), (Decimal("3792.0000"), "3792"), (Decimal("0.5000"), "0.5"), (None, "")],
)
def test_format_quantity(value, shown):
    assert format_quantity(value) == shown


def test_an_amount_sent_back_as_shown_with_2_places_keeps_its_stored_4_places():
    from decimal import Decimal as D

    from budgets.numbers import kept_amount

    assert kept_amount(D("12.35"), D("12.3456")) == D("12.3456")
    assert kept_amount(D("12.34"), D("12.3456")) == D("12.34")  # a change
    assert kept_amount(None, D("12.3456")) is None  # cleared
    assert kept_amount(D("5"), None) == D("5")


def test_an_amount_shown_for_editing_has_2_places_unless_its_yuan_need_more():
    from decimal import Decimal as D

    from budgets.numbers import shown_amount

    assert shown_amount(D("81.0000")) == "81.00"
    assert shown_amount(D("636.0600")) == "636.06"
    assert shown_amount(D("1.2345")) == "1.2345"
    assert shown_amount(D("0")) == "0.00"
    assert shown_amount(None) is None
