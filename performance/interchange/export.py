"""Exporting projects as the flat interchange workbook (SPEC section 11): what ``import_workbook`` reads
back, changing nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from budgets.models import Project

from ..actuals import Tier
from ..declaration.models import TargetSet
from ..models import Indicator
from .columns import (
    INDICATOR_COLUMNS,
    INDICATOR_SHEET,
    MONEY_COLUMNS,
    PROJECT_COLUMNS,
    PROJECT_SHEET,
    TARGETS_STATUS,
    TARGETS_STATUS_WORDS,
    TIER,
)

MONEY_FORMAT = "#,##0.00##"  # shown with 2 places, stored to the 元 (4 places of 万元)
POINTS_FORMAT = "0.00"


def _cell(sheet, value, number_format: str | None = None):
    """A write-only cell; text is always text, even when it starts with '=' (never a formula)."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value:
        cell.data_type = "s"
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def _fast(sheet, value, number_format: str | None = None):
    """What ``_cell`` writes, as a plain value where openpyxl writes the same thing for it.

    A ``WriteOnlyCell`` handed to ``append`` costs openpyxl a failed conversion (an exception and a
    repr) per cell; plain text and numbers are written as text and numbers anyway. Only text openpyxl
    would read as a formula or an error code, and numbers with a format, need a cell of their own.
    """
    if isinstance(value, str):
        return _cell(sheet, value) if value[:1] == "=" or value in ERROR_CODES else value
    if number_format and value is not None:
        return _cell(sheet, value, number_format)
    return value


def _header(sheet, titles: list[str]) -> None:
    bold = Font(bold=True)
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


PROJECT_VALUES = [
    "pk",
    "year",
    "unit__department__code",
    "unit__department__name",
    "unit__code",
    "unit__name",
    "code",
    "name",
    "goal__text",
    "evaluation__goal_actual",
    *MONEY_COLUMNS,
    "evaluation__reported_budget_score",
    "evaluation__budget_deviation_reason",
    "target_set__status",
]
# The columns of SPEC section 11 and 目标状态: the state of the project's declared targets.
EXPORTED_PROJECT_COLUMNS = [*PROJECT_COLUMNS, TARGETS_STATUS]
# … and 完成档次: the tier chosen, which the actual's text may not say.
EXPORTED_INDICATOR_COLUMNS = [*INDICATOR_COLUMNS, TIER]
INDICATOR_VALUES = [
    "project_id",
    "level1_as_written",
    "level1__name",
    "level2_as_written",
    "level2__name",
    "name",
    "description",
    "target",
    "basis",
    "weight",
    "result__actual",
    "result__evaluator_score",
    "result__reported_score",
    "result__deviation_reason",
    "result__tier",
]
CHUNK = 500
MONEY_POSITIONS = range(9, 9 + len(MONEY_COLUMNS))  # in PROJECT_COLUMNS


def write_flat_workbook(projects: QuerySet[Project], file, *, progress: Callable[[int], None] | None = None) -> int:
    """Write the projects as the flat workbook of SPEC section 11 to ``file`` (a path or a binary file).

    Importing the file back changes nothing. Returns the number of indicator rows written;
    ``progress`` is told how many projects are written after each chunk of them. The rows are
    read as plain values (one query for the projects, one per 500 projects for their indicators), not
    as model instances: at 60,000 indicators building the instances cost more than writing the cells.
    """
    book = Workbook(write_only=True)
    project_sheet = _sheet(book, PROJECT_SHEET, EXPORTED_PROJECT_COLUMNS)
    indicator_sheet = _sheet(book, INDICATOR_SHEET, EXPORTED_INDICATOR_COLUMNS)
    money = slice(10, 10 + len(MONEY_COLUMNS))
    listed = list(projects.prefetch_related(None).values_list(*PROJECT_VALUES))
    rows = 0
    for start in range(0, len(listed), CHUNK):
        chunk = listed[start : start + CHUNK]
        by_project = defaultdict(list)
        indicators = Indicator.objects.filter(project_id__in=[p[0] for p in chunk]).order_by(
            "project_id", "order", "id"
        )
        for values in indicators.values_list(*INDICATOR_VALUES):
            by_project[values[0]].append(values)
        for p in chunk:
            pk, year, _dept_code, _dept_name, unit_code, _unit_name, code, name = p[:8]
            # A missing goal or evaluation reads as empty text (its columns come back None).
            status = TARGETS_STATUS_WORDS[p[-1] or TargetSet.Status.DRAFT]  # no declaration: a draft
            cells = [*p[1:8], p[8] or "", p[9] or "", *p[money], p[-3], p[-2] or "", status]
            project_sheet.append(
                [
                    _fast(project_sheet, value, MONEY_FORMAT if i in MONEY_POSITIONS else None)
                    for i, value in enumerate(cells)
                ]
            )
            for i in by_project.get(pk, ()):
                indicator_sheet.append(_indicator_cells(indicator_sheet, (year, unit_code, code, name), i))
                rows += 1
        if progress:
            progress(start + len(chunk))
    book.save(file)
    return rows


def _sheet(book, title: str, titles: list[str]):
    """A write-only sheet with its bold header row, frozen under it, and widths by its titles."""
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(titles, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(column) * 2 + 2))
    _header(sheet, titles)
    return sheet


def _indicator_cells(sheet, project: tuple, i: tuple) -> list:
    """One row of the 指标 sheet: the project's year, unit code, code and name, then the indicator's values
    (``INDICATOR_VALUES``); its score the evaluator's where there is one, else the reported one."""
    score = i[11] if i[11] is not None else i[12]
    cells = [
        *project,
        i[1] or i[2],
        i[3] or i[4],
        i[5],
        i[6],
        i[7],
        i[8],
        i[9],
        "" if i[10] is None else i[10],
        score,
        "" if i[13] is None else i[13],
        Tier.LABELS.get(i[14] or "", ""),
    ]
    return [
        _fast(sheet, cells[0], None),
        *[_fast(sheet, value) for value in cells[1:10]],
        _fast(sheet, cells[10], POINTS_FORMAT),
        _fast(sheet, cells[11]),
        _fast(sheet, cells[12], POINTS_FORMAT),
        _fast(sheet, cells[13]),
        _fast(sheet, cells[14]),
    ]
