"""Cell-level helpers shared by the standard sheets: styles, a small grid, row heights, sheet names.

Every sheet is first laid out in a ``Grid`` (one sheet is a few dozen rows), then written row by row
into a write-only worksheet, so a department workbook of hundreds of sheets never holds more than one
sheet in memory. Write-only worksheets have no ``merge_cells``; the ranges are added to
``ws.merged_cells`` (written with the sheet's tail), and every cell of a merged range is written with
its border so the printed grid is complete.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import wraps

from django.utils import translation
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

OFFICIAL_LANGUAGE = "zh-hans"


def in_official_language(function):
    """The standard sheets are official forms (SPEC section 14): written in Chinese, whatever language
    the user reads the site in. Decorates every function that writes one."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override(OFFICIAL_LANGUAGE):
            return function(*args, **kwargs)

    return wrapper


FONT_NAME = "宋体"
MONEY = "#,##0.00"
RATE = "0.00%"
SCORE = "0.00"
FORMULA_STARTS = ("=", "+", "-", "@")
LINE_HEIGHT = 14.5  # points per line of 11 pt text
INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NO_BORDER = Border()


@dataclass(frozen=True)
class Style:
    font: Font
    alignment: Alignment
    border: Border = BORDER
    number_format: str = "General"


def _font(size: float = 11, *, bold: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold)


STYLES = {
    "title": Style(_font(16, bold=True), Alignment(horizontal="center", vertical="center", wrap_text=True), NO_BORDER),
    "subtitle": Style(_font(11), Alignment(horizontal="left", vertical="center", wrap_text=True), NO_BORDER),
    "label": Style(_font(11, bold=True), Alignment(horizontal="center", vertical="center", wrap_text=True)),
    "center": Style(_font(11), Alignment(horizontal="center", vertical="center", wrap_text=True)),
    "text": Style(_font(11), Alignment(horizontal="left", vertical="center", wrap_text=True)),
    "money": Style(_font(11), Alignment(horizontal="right", vertical="center"), BORDER, MONEY),
    "rate": Style(_font(11), Alignment(horizontal="right", vertical="center"), BORDER, RATE),
    "score": Style(_font(11), Alignment(horizontal="right", vertical="center"), BORDER, SCORE),
    "plain": Style(_font(11), Alignment(horizontal="left", vertical="center", wrap_text=False), NO_BORDER),
}
# The cells a 自评表 upload reads (performance.interchange.sheet_upload): filled light yellow and left unlocked;
# every other cell is locked by the sheet's protection (``protect``).
INPUT_FILL = PatternFill(fill_type="solid", start_color="FFFFF2CC", end_color="FFFFF2CC")
INPUT_STYLES = {f"input_{name}": name for name in ("text", "center", "money", "score")}
STYLES |= {"note": Style(_font(10), Alignment(horizontal="left", vertical="center", wrap_text=True), NO_BORDER)}
WRAPPED = {"title", "subtitle", "label", "center", "text", "note", "input_text", "input_center"}


def text_units(text: str) -> float:
    """Approximate width of ``text`` in Excel character units (a CJK character is two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def lines_needed(text: str, width: float) -> int:
    """Lines a wrapped ``text`` takes in a column (or merged range) ``width`` characters wide."""
    usable = max(width - 1.5, 1)
    return sum(max(1, math.ceil(text_units(part) / usable)) for part in str(text).split("\n"))


def safe_text(value) -> str:
    return "" if value is None else str(value)


@dataclass
class Entry:
    value: object
    style: str
    width: float = 0  # the width of the cell or its merged range, for the row height


@dataclass
class Grid:
    """One sheet laid out in memory: values and styles by (row, column), merged ranges, heights."""

    widths: list[float]
    cells: dict[tuple[int, int], Entry] = field(default_factory=dict)
    merges: list[str] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)
    min_heights: dict[int, float] = field(default_factory=dict)

    def put(self, row: int, col: int, value, style: str = "text", *, rows: int = 1, cols: int = 1) -> str:
        """Place a value (merged over ``rows`` × ``cols`` when larger than one cell); its address."""
        width = sum(self.widths[col - 1 : col - 1 + cols])
        self.cells[(row, col)] = Entry(value, style, width if rows == 1 else 0)
        if rows > 1 or cols > 1:
            last = f"{get_column_letter(col + cols - 1)}{row + rows - 1}"
            self.merges.append(f"{get_column_letter(col)}{row}:{last}")
            for r in range(row, row + rows):
                for c in range(col, col + cols):
                    if (r, c) != (row, col):
                        self.cells[(r, c)] = Entry(None, style)
        return f"{get_column_letter(col)}{row}"

    def row_height(self, row: int) -> float:
        if row in self.heights:
            return self.heights[row]
        lines = 1
        for (r, _c), entry in self.cells.items():
            if r == row and entry.width and isinstance(entry.value, str) and entry.style in WRAPPED:
                lines = max(lines, lines_needed(entry.value, entry.width))
        size = 22 if any(e.style == "title" for (r, _c), e in self.cells.items() if r == row) else 0
        return max(lines * LINE_HEIGHT + 6, size, self.min_heights.get(row, 0))

    @property
    def last_row(self) -> int:
        return max((r for r, _c in self.cells), default=0)


def add_styles(wb) -> None:
    """Register the sheets' styles once per workbook as named styles (setting one per cell is slow); each
    ``input_*`` style is its base style filled and unlocked."""
    for name, style in [*STYLES.items(), *((key, STYLES[base]) for key, base in INPUT_STYLES.items())]:
        named = NamedStyle(name=f"jx_{name}")
        named.font, named.alignment, named.border = style.font, style.alignment, style.border
        named.number_format = style.number_format
        if name in INPUT_STYLES:
            named.fill = INPUT_FILL
            named.protection = Protection(locked=False)
        wb.add_named_style(named)


def protect(ws) -> None:
    """Lock every cell but the ``input_*`` ones (no password: Excel's 审阅 → 撤销工作表保护 lifts it); rows and
    columns may still be resized to read a long text."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def text_cell(ws, value) -> WriteOnlyCell:
    """An unstyled cell; text is a string cell, never a formula."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def styled_cell(ws, value, style_name: str) -> WriteOnlyCell:
    """A write-only cell in one of ``STYLES`` (registered with ``add_styles``); text is never a formula."""
    if isinstance(value, Decimal) and style_name not in ("money", "rate", "score", "input_money", "input_score"):
        value = str(value)
    cell = text_cell(ws, value)
    cell.style = f"jx_{style_name}"
    return cell


def write_grid(ws, grid: Grid, *, landscape: bool, title_rows: str | None = None) -> None:
    """Write a laid-out grid into a (write-only) worksheet with widths, heights and A4 print set-up.

    A write-only sheet writes its properties (fit to page) and column widths with its first row, so
    both are set before any row is appended.
    """
    print_setup(ws, landscape=landscape, title_rows=title_rows)
    for index, width in enumerate(grid.widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ncols = len(grid.widths)
    for row in range(1, grid.last_row + 1):
        ws.row_dimensions[row].height = round(grid.row_height(row), 1)
        values = []
        for col in range(1, ncols + 1):
            entry = grid.cells.get((row, col))
            values.append(None if entry is None else styled_cell(ws, entry.value, entry.style))
        ws.append(values)
    for ref in grid.merges:
        ws.merged_cells.add(ref)


def print_setup(ws, *, landscape: bool, title_rows: str | None = None) -> None:
    """A4, fitted to the page width (as many pages down as needed), centred, title rows repeated."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE if landscape else Worksheet.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = title_rows


def sheet_title(name: str, taken: set[str]) -> str:
    """An Excel sheet name from ``name``: no []:*?/\\ characters, at most 31 long, unique in ``taken``."""
    base = INVALID_SHEET_CHARS.sub("_", name).strip().strip("'") or "Sheet"
    title = base[:31]
    n = 2
    while title.lower() in {t.lower() for t in taken}:
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title)
    return title
