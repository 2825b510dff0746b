"""Reading one cell of an uploaded sheet: as text, a code, a year or a Decimal, each problem noted by sheet,
row and column (``Row``)."""

from __future__ import annotations

import sys
import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from budgets.numbers import plain

from .columns import LARGEST
from .report import WorkbookProblem


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def cell_text(value) -> str:
    """A cell as text: numbers without a spurious '.0', dates as ISO dates."""
    if type(value) is str:  # most cells: no conversion
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Row:
    """One row of a sheet, reading cells by column title and collecting problems.

    Once read (``release``), the row keeps only its place (sheet and number), for the problems found later.
    The values read are the sheet's ``shared`` ones: one object for each distinct text, number or year.
    ``notes`` collects what was read in a way the report should say (a sentence -> the rows it applies to).
    """

    __slots__ = ("notes", "number", "positions", "problems", "shared", "sheet", "values")

    def __init__(
        self,
        sheet: str,
        number: int,
        values: list,
        positions: dict[str, int],
        problems: list[WorkbookProblem],
        shared: dict,
        notes: dict[str, list[int]] | None = None,
    ):
        self.sheet, self.number, self.problems = sheet, number, problems
        self.values, self.positions, self.shared = values, positions, shared
        self.notes = {} if notes is None else notes

    def release(self) -> None:
        """Let go of the cells and the sheet's values: what the row says has been read (a large sheet's rows are
        not all kept)."""
        self.values, self.shared = (), None

    def share(self, value):
        """The sheet's one object for the value: a province's file repeats its targets, actuals and amounts on
        thousands of rows, and what each row says is kept until the import is written."""
        # A Decimal by its digits: 1.00, 1.0000 and 1 are equal, and so are 0 and -0.
        key = (Decimal, str(value)) if isinstance(value, Decimal) else value
        return self.shared.setdefault(key, value)

    def cell(self, column: str):
        """The cell's value under the column title (every title read is known: missing columns are refused)."""
        index = self.positions[column]
        return self.values[index] if index < len(self.values) else None

    def has(self, column: str) -> bool:
        """Whether the sheet has the (optional) column."""
        return column in self.positions

    def error(self, column: str, message: str) -> None:
        self.problems.append(WorkbookProblem(self.sheet, self.number, column, message))

    def text(self, column: str, *, required: bool = False, max_length: int | None = None, verbatim=False) -> str:
        """The cell as text, trimmed; ``verbatim`` keeps free text exactly as written (SPEC section 4)."""
        value = cell_text(self.cell(column))
        if not verbatim:
            value = value.strip()
        if required and not value.strip():
            self.error(column, "必填，不能为空")
        if max_length and len(value) > max_length:
            self.error(column, f"最多{max_length}个字符（现有{len(value)}个）")
        return self.share(value)

    def code(self, column: str, *, required: bool = False, max_length: int = 64) -> str:
        """A code, normalised; a code repeated on many rows (a unit's, a project's) is one string (sys.intern)."""
        return sys.intern(normalise(self.text(column, required=required, max_length=max_length)))

    def year(self, column: str = "年度") -> int | None:
        raw = self.cell(column)
        text = normalise(cell_text(raw))
        if not text:
            self.error(column, "必填，不能为空")
            return None
        if not text.isdigit() or not 1900 <= int(text) <= 2100:
            self.error(column, f"“{text}”不是年度")
            return None
        return self.share(int(text))

    def note(self, message: str) -> None:
        self.notes.setdefault(message, []).append(self.number)

    def decimal(
        self, column: str, *, places: Decimal, maximum: Decimal | None = None, round_to_places: bool = False
    ) -> Decimal | None:
        """The cell as a Decimal of at most ``places``; more places are a problem, or with ``round_to_places``
        (amounts in 万元 worked out from 元 and 分: 12.345678) are rounded half-up, with a note."""
        raw = self.cell(column)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool | datetime | date):
            self.error(column, f"“{cell_text(raw)}”不是数字")
            return None
        try:
            number = Decimal(str(raw)) if isinstance(raw, float) else Decimal(normalise(str(raw)).replace(",", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.error(column, f"“{cell_text(raw)}”不是数字")
            return None
        if number < 0:
            self.error(column, f"{cell_text(raw)}为负数，不能为负")
            return None
        if number >= LARGEST:  # more than a Decimal(18, 4) column holds (and than quantize can)
            self.error(column, f"{cell_text(raw)}过大，请检查单位（万元）")
            return None
        rounded = number.quantize(places, rounding=ROUND_HALF_UP)
        # A float read from Excel may carry binary noise (78.60000000000001): that is still 78.6.
        if rounded != number and not (isinstance(raw, float) and abs(rounded - number) < Decimal("1e-9")):
            if not round_to_places:
                self.error(column, f"{cell_text(raw)}最多{-places.as_tuple().exponent}位小数")
                return None
            self.note(
                f"{self.sheet}表“{column}”的金额多于{-places.as_tuple().exponent}位小数（不足1元），"
                "已四舍五入到元（万元保留4位小数）"
            )
        if maximum is not None and rounded > maximum:
            self.error(column, f"{cell_text(raw)}超过{plain(maximum)}")
            return None
        return self.share(rounded)
