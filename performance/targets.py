"""Reading target values (指标值) as finance staff write them: SPEC section 4.

Pure Python, no ORM. ``parse_target`` never raises: what cannot be read as a number or a
date is qualitative, and the target review can question it.

INTERFACE (fixed; the implementation is being written):
    parse_target(text: str | None, *, cost: bool = False) -> Target
    Target: frozen dataclass with
        text: str                      # exactly as entered
        kind: str                      # Kind.QUANTITATIVE | DATE | QUALITATIVE | NOT_APPLICABLE
        comparator: str | None         # Comparator.AT_LEAST | AT_MOST | MORE_THAN | LESS_THAN | EQUAL | BETWEEN
        value: Decimal | None          # magnitude folded in (1.8万人 -> 18000, unit 人); low end of a range
        high: Decimal | None           # high end of a range (BETWEEN)
        unit: str                      # normalised unit ('' when none; 百分比 -> %)
        start: date | None             # period start (DATE)
        end: date | None               # deadline or period end (DATE)
        display: str                   # normalised display, e.g. '≥ 95%'
        as_json() -> dict              # JSON-safe (Decimals and dates as strings)
        Target.from_json(d) -> Target
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


class Kind:
    QUANTITATIVE = "quantitative"
    DATE = "date"
    QUALITATIVE = "qualitative"
    NOT_APPLICABLE = "not_applicable"


class Comparator:
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    MORE_THAN = "more_than"
    LESS_THAN = "less_than"
    EQUAL = "equal"
    BETWEEN = "between"


@dataclass(frozen=True)
class Target:
    text: str
    kind: str
    comparator: str | None = None
    value: Decimal | None = None
    high: Decimal | None = None
    unit: str = ""
    start: date | None = None
    end: date | None = None
    display: str = ""

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "comparator": self.comparator,
            "value": None if self.value is None else str(self.value),
            "high": None if self.high is None else str(self.high),
            "unit": self.unit,
            "start": None if self.start is None else self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "display": self.display,
        }


def parse_target(text: str | None, *, cost: bool = False) -> Target:
    """Read a target as written. Placeholder until the parser lands: everything is qualitative."""
    text = text or ""
    return Target(text=text, kind=Kind.QUALITATIVE, display=text.strip())
