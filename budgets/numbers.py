"""How a Decimal is written where it is shown as a plain number (targets, the disclosure, the import's cells,
the consistency checks' figures): no exponent, no trailing zeros, and never "-0" or an empty string."""

from decimal import ROUND_HALF_UP, Decimal


def plain(value: Decimal) -> str:
    """18000, 0.5, 95, 370.4, 0: a Decimal as a person writes it."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def kept_amount(typed: Decimal | None, saved: Decimal | None) -> Decimal | None:
    """The amount to store from a form that shows money with 2 places (万元, stored with 4): a saved 12.3456
    shown as 12.35 and sent back unchanged stays 12.3456; anything else is stored as typed."""
    if typed is None or saved is None or typed == saved:
        return typed
    return saved if typed == saved.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) else typed


def shown_amount(amount: Decimal | None) -> str | None:
    """An amount as a form shows it for editing (万元, stored with 4 places): 2 places as money is shown (81.0000 →
    81.00), more only where the stored 元 need them (1.2345 stays), so saving the form unchanged loses nothing."""
    if amount is None:
        return None
    return f"{amount:.2f}" if amount == amount.quantize(Decimal("0.01")) else plain(amount)
