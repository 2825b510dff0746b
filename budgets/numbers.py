"""How a Decimal is written where it is shown as a plain number (targets, the disclosure, the import's cells,
the consistency checks' figures): no exponent, no trailing zeros, and never "-0" or an empty string."""

from decimal import Decimal


def plain(value: Decimal) -> str:
    """18000, 0.5, 95, 370.4, 0: a Decimal as a person writes it."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
