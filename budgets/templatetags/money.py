"""Display filters for amounts: 2 decimals and thousands separators (SPEC section 1)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

CENT = Decimal("0.01")


def format_money(value, empty: str = "") -> str:
    """`Decimal("1006.4600")` → `"1,006.46"`; None (a figure not given) → `empty`."""
    if value is None or value == "":
        return empty
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    return f"{amount:,.2f}"


def format_quantity(value, empty: str = "") -> str:
    """A count or area as written: `Decimal("382.6000")` → `"382.6"`, `Decimal("5.0000")` → `"5"`."""
    if value is None or value == "":
        return empty
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def money(value, empty=""):
    """`{{ amount|money }}` or `{{ amount|money:"—" }}` to show a dash for a figure not given."""
    return format_money(value, empty)


@register.filter
def quantity(value, empty=""):
    return format_quantity(value, empty)
