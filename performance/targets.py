"""Reading target values (指标值) as finance staff write them: SPEC section 4.

Pure Python, no ORM. ``parse_target`` never raises: what cannot be read as a number or a
date is qualitative, and the target review can question it.

Interface:
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
        as_json() -> dict              # JSON-safe (Decimals and dates as strings); includes "text"
        Target.from_json(d) -> Target

Also here (added): ``normalise(text)``, ``compact(text)``, ``read_number(text)``, ``read_unit(text)``,
``read_date(text)``, ``unit_factor(actual_unit, target_unit)`` shared with the actual-value reader.

Real tables print comparators as ``≧ ≦ ═`` (read as ≥ ≤ =) and compound units with ``*`` or ``·``
(``元/人*月``): the unit keeps its parts, its multiplication signs all read as ``·``, so an actual in
the same unit written with another sign reads the same.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from budgets.numbers import plain


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


SYMBOLS = {
    Comparator.AT_LEAST: "≥",
    Comparator.AT_MOST: "≤",
    Comparator.MORE_THAN: ">",
    Comparator.LESS_THAN: "<",
    Comparator.EQUAL: "=",
}


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
            "text": self.text,
            "kind": self.kind,
            "comparator": self.comparator,
            "value": None if self.value is None else str(self.value),
            "high": None if self.high is None else str(self.high),
            "unit": self.unit,
            "start": None if self.start is None else self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "display": self.display,
        }

    @classmethod
    def from_json(cls, d: dict, *, text: str | None = None) -> Target:
        """The inverse of ``as_json``; ``text`` overrides the JSON's (older JSON had none)."""
        return cls(
            text=text if text is not None else d.get("text", ""),
            kind=d.get("kind", Kind.QUALITATIVE),
            comparator=d.get("comparator"),
            value=None if d.get("value") is None else Decimal(d["value"]),
            high=None if d.get("high") is None else Decimal(d["high"]),
            unit=d.get("unit", ""),
            start=None if d.get("start") is None else date.fromisoformat(d["start"]),
            end=None if d.get("end") is None else date.fromisoformat(d["end"]),
            display=d.get("display", ""),
        )


# --- normalising -------------------------------------------------------------------------------

NOT_APPLICABLE_TEXTS = {"/", "-", "—", "——", "–", "无", "\\"}


# Comparator signs real tables print that NFKC leaves alone: the same comparators (SPEC section 4).
COMPARATOR_VARIANTS = str.maketrans({"≧": "≥", "≦": "≤", "═": "="})


def normalise(text: str | None) -> str:
    """NFKC (full width to half width), ≧ ≦ ═ read as ≥ ≤ =, trimmed, inner runs of white space collapsed
    to one space."""
    text = unicodedata.normalize("NFKC", text or "").translate(COMPARATOR_VARIANTS)
    return re.sub(r"\s+", " ", text).strip()


def is_cost(level1_name: str, level2_name: str) -> bool:
    """A 成本 indicator (by its 一级 or 二级 name): a bare number in its target is a ceiling (SPEC section 4)."""
    return "成本" in level1_name or "成本" in level2_name


def compact(text: str | None) -> str:
    """The normalised text without any white space or thousands separators: what the readers match on."""
    text = re.sub(r"\s+", "", normalise(text))
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


# --- numbers and units -------------------------------------------------------------------------

# (prefix, comparator), longest first so that 大于等于 wins over 大于.
PREFIXES = sorted(
    [
        (">=", Comparator.AT_LEAST),
        ("≥", Comparator.AT_LEAST),
        ("不低于", Comparator.AT_LEAST),
        ("不少于", Comparator.AT_LEAST),
        ("不小于", Comparator.AT_LEAST),
        ("大于等于", Comparator.AT_LEAST),
        ("大于或等于", Comparator.AT_LEAST),
        ("至少", Comparator.AT_LEAST),
        ("达到", Comparator.AT_LEAST),
        ("<=", Comparator.AT_MOST),
        ("≤", Comparator.AT_MOST),
        ("不超过", Comparator.AT_MOST),
        ("不高于", Comparator.AT_MOST),
        ("不大于", Comparator.AT_MOST),
        ("不多于", Comparator.AT_MOST),
        ("小于等于", Comparator.AT_MOST),
        ("小于或等于", Comparator.AT_MOST),
        ("控制在", Comparator.AT_MOST),
        (">", Comparator.MORE_THAN),
        ("高于", Comparator.MORE_THAN),
        ("超过", Comparator.MORE_THAN),
        ("大于", Comparator.MORE_THAN),
        ("多于", Comparator.MORE_THAN),
        ("<", Comparator.LESS_THAN),
        ("低于", Comparator.LESS_THAN),
        ("小于", Comparator.LESS_THAN),
        ("少于", Comparator.LESS_THAN),
        ("=", Comparator.EQUAL),
        ("等于", Comparator.EQUAL),
    ],
    key=lambda pair: -len(pair[0]),
)
SUFFIXES = [
    ("及以上", Comparator.AT_LEAST),
    ("以上", Comparator.AT_LEAST),
    ("及以下", Comparator.AT_MOST),
    ("以下", Comparator.AT_MOST),
    ("以内", Comparator.AT_MOST),
]
NUMBER = r"\d+(?:\.\d+)?"
# The signs a compound unit multiplies its parts with (元/人*月, 人·次, 元/人×月): all read as ·.
TIMES = "*·・•∙⋅×"
TIMES_TABLE = str.maketrans(dict.fromkeys(TIMES, "·"))
# A unit: a short run of letters, CJK or unit signs, no digits and no sentence punctuation (``is_unit``).
UNIT_CHARS = rf"A-Za-z%‰°²³/{re.escape(TIMES)}\u4e00-\u9fff"
UNIT = rf"[{UNIT_CHARS}]{{0,16}}"
SIMPLE_UNIT_RE = re.compile(r"[A-Za-z%‰°²³/\u4e00-\u9fff]{0,6}")
# A compound unit: up to four short parts joined by / or · (元/人·月, 元/户, 人·次, 元/平方米·年).
COMPOUND_UNIT_RE = re.compile(r"[A-Za-z%‰°²³\u4e00-\u9fff]{1,4}(?:[/·][A-Za-z%‰°²³\u4e00-\u9fff]{1,4}){1,3}")
QUANTITY_RE = re.compile(rf"^(?P<number>{NUMBER})(?P<unit>{UNIT})$")
RANGE_RE = re.compile(
    rf"^(?P<low>{NUMBER})(?P<low_unit>{UNIT}?)(?:-|~|至|到|—|–|〜)(?P<high>{NUMBER})(?P<unit>{UNIT})$"
)


def read_unit(text: str) -> str | None:
    """A unit as written, its multiplication signs read as · (元/人*月 -> 元/人·月); None when it is not a unit
    (too long, or words rather than a unit: 个县区开展试点工作)."""
    unit = text.translate(TIMES_TABLE)
    if "·" not in unit and SIMPLE_UNIT_RE.fullmatch(unit):
        return unit
    if len(unit) <= 12 and COMPOUND_UNIT_RE.fullmatch(unit):
        return unit
    return None


MAGNITUDES = {"万": Decimal("10000"), "亿": Decimal("100000000")}

# Units that convert into one another: unit -> (base unit, factor to the base).
MONEY = {
    "元": Decimal("1"),
    "千元": Decimal("1000"),
    "万元": Decimal("10000"),
    "百万元": Decimal("1000000"),
    "千万元": Decimal("10000000"),
    "亿元": Decimal("100000000"),
}
EQUIVALENT = {
    "名": ("人", Decimal("1")),
    "位": ("人", Decimal("1")),
    "m": ("米", Decimal("1")),
    "cm": ("米", Decimal("0.01")),
    "厘米": ("米", Decimal("0.01")),
    "km": ("米", Decimal("1000")),
    "公里": ("米", Decimal("1000")),
    "千米": ("米", Decimal("1000")),
    "m2": ("平方米", Decimal("1")),
    "日": ("天", Decimal("1")),
    "百分比": ("%", Decimal("1")),
    "人·次": ("人次", Decimal("1")),
}


def fold(number: Decimal, unit: str) -> tuple[Decimal, str]:
    """Fold a magnitude (万, 亿) into the number: 1.8万人 -> 18000 人; 万元 is money and stays; 亿元 -> 万元."""
    if unit == "百分比":
        return number, "%"
    if unit == "亿元":
        return number * MAGNITUDES["万"], "万元"
    if unit in MONEY:
        return number, unit
    if unit[:1] in MAGNITUDES and not unit.startswith("万元"):
        return number * MAGNITUDES[unit[0]], unit[1:]
    return number, unit


PER_PERIOD = re.compile(r"/(?:年|半年|季度?|月|周|日|天)$")


def base_unit(unit: str) -> tuple[str, Decimal]:
    unit = PER_PERIOD.sub("", unit) or unit  # 12次/年 counts as 次 against an actual of 12次
    if unit in MONEY:
        return "元", MONEY[unit]
    head, per, rest = unit.partition("/")
    if per and head in MONEY:  # 万元/户 is 10000 元/户
        return f"元/{rest}", MONEY[head]
    return EQUIVALENT.get(unit, (unit, Decimal("1")))


def unit_factor(actual_unit: str, target_unit: str) -> Decimal | None:
    """What an amount in ``actual_unit`` is multiplied by to be in ``target_unit``; None when they differ in kind.

    A missing unit on either side is compatible (a bare number takes the other's unit).
    """
    if not actual_unit or not target_unit or actual_unit == target_unit:
        return Decimal("1")
    if actual_unit in ("%", "百分比") or target_unit in ("%", "百分比"):
        return Decimal("1") if {actual_unit, target_unit} == {"%", "百分比"} else None
    periods = {PER_PERIOD.search(unit).group(0) for unit in (actual_unit, target_unit) if PER_PERIOD.search(unit)}
    if len(periods) > 1:
        return None  # per month against per year
    actual_base, actual_factor = base_unit(actual_unit)
    target_base, target_factor = base_unit(target_unit)
    if actual_base != target_base:
        return None
    return actual_factor / target_factor


def split_comparator(text: str) -> tuple[str | None, str]:
    """Take a leading comparator word or sign, then a trailing 以上/以下/以内, off a compact text."""
    comparator = None
    for prefix, meaning in PREFIXES:
        if text.startswith(prefix):
            comparator, text = meaning, text[len(prefix) :]
            break
    for suffix, meaning in SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            comparator, text = comparator or meaning, text[: -len(suffix)]
            break
    return comparator, text


def read_number(text: str) -> tuple[Decimal, str] | None:
    """A compact ``number[magnitude][unit]`` as (value with the magnitude folded in, unit); None otherwise."""
    match = QUANTITY_RE.match(text)
    if not match:
        return None
    try:
        number = Decimal(match["number"])
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        return None
    unit = read_unit(match["unit"])
    if unit is None:
        return None
    if re.fullmatch(r"(19|20)\d\d", match["number"]) and unit.startswith("年"):
        return None  # 2021年..., a year rather than an amount
    return fold(number, unit)


# --- dates ---------------------------------------------------------------------------------------

YEAR = r"(?P<{p}y>(?:19|20)\d\d)"
DATE_PART = (
    r"(?:{y}(?:年(?:(?P<{p}m>\d{{1,2}})月(?:(?P<{p}d>\d{{1,2}})[日号]?)?)?"
    r"|[.\-/](?P<{p}m2>\d{{1,2}})(?:[.\-/](?P<{p}d2>\d{{1,2}})日?)?))"
)


def _date_part(prefix: str) -> str:
    return DATE_PART.format(y=YEAR.format(p=prefix), p=prefix)


SEPARATOR = r"(?:-|~|至|到|—|–|〜)"
DEADLINE_TAIL = r"(?P<tail>(?:底|末)?(?:前|以前|之前|内|以内|止)?(?:[\u4e00-\u9fff]{0,8})?)"
DEADLINE_RE = re.compile(rf"^(?:≤|<=|<|不晚于|截至|截止|于|在)?{_date_part('a')}{DEADLINE_TAIL}$")
PERIOD_RE = re.compile(
    rf"^{_date_part('a')}{SEPARATOR}(?:{_date_part('b')}|(?:(?P<cm>\d{{1,2}})月(?:(?P<cd>\d{{1,2}})日)?)"
    rf"|(?P<cm2>\d{{1,2}})[.\-/](?P<cd2>\d{{1,2}}))(?:止)?$"
)
TAIL_WORDS = ("完成", "完工", "结束", "竣工", "实施", "办结", "全部", "任务", "项目", "工作", "开展", "验收")


def _make(year: str | None, month: str | None, day: str | None, *, last: bool) -> date | None:
    """A date from its parts; a missing day (or month) means the end (last=True) or the start of the span."""
    if year is None:
        return None
    try:
        y = int(year)
        if month is None:
            return date(y, 12, 31) if last else date(y, 1, 1)
        m = int(month)
        if day is None:
            return date(y, m, calendar.monthrange(y, m)[1] if last else 1)
        return date(y, m, int(day))
    except ValueError:
        return None


def _from_match(match: re.Match, p: str, *, last: bool) -> date | None:
    month = match[f"{p}m"] or match[f"{p}m2"]
    day = match[f"{p}d"] or match[f"{p}d2"]
    return _make(match[f"{p}y"], month, day, last=last)


def read_date(text: str) -> tuple[date | None, date] | None:
    """A compact date text as (period start or None, deadline or period end); None when it is not a date."""
    match = PERIOD_RE.match(text)
    if match:
        start = _from_match(match, "a", last=False)
        if match["by"]:
            end = _from_match(match, "b", last=True)
        else:
            month, day = match["cm"] or match["cm2"], match["cd"] or match["cd2"]
            end = _make(match["ay"], month, day, last=True)
        if start and end and start <= end:
            return start, end
        return None
    match = DEADLINE_RE.match(text)
    if match:
        tail = match["tail"]
        marker = re.match(r"(?:底|末)?(?:前|以前|之前|内|以内|止)?", tail).group(0)
        rest = tail[len(marker) :]
        # Words after the date are allowed only as a deadline phrase: 前完工, 底前全部完成 ...
        if rest and not (marker and any(word in rest for word in TAIL_WORDS)) and rest not in TAIL_WORDS:
            return None
        end = _from_match(match, "a", last=True)
        if end is not None:
            return None, end
    return None


# --- the parser ----------------------------------------------------------------------------------


def parse_target(text: str | None, *, cost: bool = False) -> Target:
    """Read a target as written (SPEC section 4). Never raises: anything unreadable is qualitative."""
    original = "" if text is None else str(text)
    try:
        return _parse(original, cost=cost)
    except Exception:
        return Target(text=original, kind=Kind.QUALITATIVE, display=original.strip())


def _parse(original: str, *, cost: bool) -> Target:
    # Sentences keep their full-width punctuation; only white space is tidied for display.
    display = re.sub(r"\s+", " ", original).strip()
    text = compact(original)
    if not text:
        return Target(text=original, kind=Kind.QUALITATIVE, display="")
    if text in NOT_APPLICABLE_TEXTS:
        return Target(text=original, kind=Kind.NOT_APPLICABLE, display=display)

    dates = read_date(text)
    if dates is not None:
        start, end = dates
        shown = f"{start.isoformat()} 至 {end.isoformat()}" if start else f"{end.isoformat()} 前"
        return Target(text=original, kind=Kind.DATE, start=start, end=end, display=shown)

    comparator, rest = split_comparator(text)
    quantity = read_number(rest)
    if quantity is not None:
        value, unit = quantity
        value = Decimal(plain(value))
        if comparator is None:
            comparator = Comparator.AT_MOST if cost else Comparator.AT_LEAST
        shown = f"{SYMBOLS[comparator]} {plain(value)}{unit}"
        return Target(
            text=original, kind=Kind.QUANTITATIVE, comparator=comparator, value=value, unit=unit, display=shown
        )

    match = RANGE_RE.match(rest)
    units = (read_unit(match["low_unit"] or match["unit"]), read_unit(match["unit"])) if match else (None, None)
    if match and comparator is None and None not in units:
        low, low_unit = fold(Decimal(match["low"]), units[0])
        high, unit = fold(Decimal(match["high"]), units[1])
        low, high = Decimal(plain(low)), Decimal(plain(high))
        if unit_factor(low_unit, unit) == Decimal("1") and low <= high:
            return Target(
                text=original,
                kind=Kind.QUANTITATIVE,
                comparator=Comparator.BETWEEN,
                value=low,
                high=high,
                unit=unit,
                display=f"{plain(low)}–{plain(high)}{unit}",
            )
    return Target(text=original, kind=Kind.QUALITATIVE, display=display)
