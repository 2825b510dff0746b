"""Reading actual values (实际完成值) against their target: SPEC section 5.

INTERFACE (fixed; the implementation is being written):
    read_actual(text: str | None, target: Target, *, tier: str = "") -> Actual
    Actual: frozen dataclass with
        text: str                  # as entered
        kind: str                  # "number" | "date" | "tier" | "not_applicable" | "missing"
        value: Decimal | None      # number converted to the target's unit
        on: date | None            # completion date for date targets
        tier: str                  # "met" | "partial" | "missed" | ""  (ActualResult.Tier values)
        error: str                 # a Chinese sentence for the user, "" when readable
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .targets import Target


@dataclass(frozen=True)
class Actual:
    text: str
    kind: str
    value: Decimal | None = None
    on: date | None = None
    tier: str = ""
    error: str = ""


def read_actual(text: str | None, target: Target, *, tier: str = "") -> Actual:
    """Placeholder until the reader lands."""
    text = (text or "").strip()
    return Actual(text=text, kind="missing" if not text else "tier", tier=tier)
