"""Exporting projects as the flat interchange workbook (SPEC section 11): what ``import_workbook`` reads
back, changing nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from itertools import islice

import xlsxwriter
from django.db.models import QuerySet

from budgets.models import Project

from ..actuals import Tier
from ..declaration.models import TargetSet
from ..models import Evaluation, Evidence, Indicator
from .columns import (
    EVALUATION_STATUS_WORDS,
    EVALUATOR_SCORE,
    INDICATOR_SHEET,
    MONEY_COLUMNS,
    PROJECT_SHEET,
    REPORTED_TOTAL,
    SHEET_COLUMNS,
    TARGETS_STATUS_WORDS,
)

MONEY_FORMAT = "#,##0.00##"  # shown with 2 places, stored to the 元 (4 places of 万元)
POINTS_FORMAT = "0.00"
# XlsxWriter, as the file is written: rows go to disk as they come (constant memory, strings in line),
# text stays text (never a formula or a link, even when it starts with '=' or 'http://').
WRITER_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
# Excel's limit for one cell's text, which XlsxWriter would cut a longer text to. The app's text fields
# have no such limit, and the import reads a longer text back whole: it is written whole, as before.
LONGEST_TEXT = 10**9


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
    "evaluation__status",
    "evaluation__reported_total",
]
# The columns of SPEC section 11 and the optional ones (``columns``): every value a user sets on the entry page,
# in the admin or on the 自评表 goes out, and comes back unchanged.
EXPORTED_PROJECT_COLUMNS = SHEET_COLUMNS[PROJECT_SHEET]
EXPORTED_INDICATOR_COLUMNS = SHEET_COLUMNS[INDICATOR_SHEET]
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
    "id",
]
CHUNK = 500
MONEY_POSITIONS = range(9, 9 + len(MONEY_COLUMNS))  # in PROJECT_COLUMNS
POINTS_POSITIONS = tuple(EXPORTED_INDICATOR_COLUMNS.index(title) for title in ("分值", "得分(自评)", EVALUATOR_SCORE))
TOTAL_POSITION = EXPORTED_PROJECT_COLUMNS.index(REPORTED_TOTAL)


def write_flat_workbook(projects: QuerySet[Project], file, *, progress: Callable[[int], None] | None = None) -> int:
    """Write the projects as the flat workbook of SPEC section 11 to ``file`` (a path or a binary file).

    Importing the file back changes nothing. Returns the number of indicator rows written;
    ``progress`` is told how many projects are written after each chunk of them. The rows are
    read as plain values, 500 projects at a time (one query for the projects, read as it goes, one per
    500 projects for their indicators), not as model instances: at 60,000 indicators building the
    instances cost more than writing the cells. Each row goes to a temporary file as it is written
    (XlsxWriter's constant memory mode): memory does not grow with the rows.
    """
    book = xlsxwriter.Workbook(file, WRITER_OPTIONS)
    money, points = book.add_format({"num_format": MONEY_FORMAT}), book.add_format({"num_format": POINTS_FORMAT})
    project_formats = dict.fromkeys(MONEY_POSITIONS, money) | {TOTAL_POSITION: points}
    project_sheet = _sheet(book, PROJECT_SHEET, EXPORTED_PROJECT_COLUMNS, project_formats)
    indicator_sheet = _sheet(book, INDICATOR_SHEET, EXPORTED_INDICATOR_COLUMNS, dict.fromkeys(POINTS_POSITIONS, points))
    money_values = slice(10, 10 + len(MONEY_COLUMNS))
    listed = projects.prefetch_related(None).values_list(*PROJECT_VALUES).iterator(chunk_size=CHUNK)
    done = project_row = indicator_row = 0
    while chunk := list(islice(listed, CHUNK)):
        by_project = defaultdict(list)
        indicators = Indicator.objects.filter(project_id__in=[p[0] for p in chunk]).order_by(
            "project_id", "order", "id"
        )
        for values in indicators.values_list(*INDICATOR_VALUES):
            by_project[values[0]].append(values)
        evidence = _evidence_names([p[0] for p in chunk])
        for p in chunk:
            pk, year, _dept_code, _dept_name, unit_code, _unit_name, code, name = p[:8]
            reported_budget, budget_reason, targets, evaluation, reported_total = p[-5:]
            project_row += 1
            # A missing goal or evaluation reads as empty text (its columns come back None), a draft.
            cells = [*p[1:8], p[8] or "", p[9] or "", *p[money_values], reported_budget, budget_reason or ""]
            cells += [
                TARGETS_STATUS_WORDS[targets or TargetSet.Status.DRAFT],  # no declaration: a draft
                EVALUATION_STATUS_WORDS[evaluation or Evaluation.Status.DRAFT],
                reported_total,
                "\n".join(evidence.get((pk, None), ())),
            ]
            _write_row(project_sheet, project_row, cells)
            for i in by_project.get(pk, ()):
                indicator_row += 1
                cells = _indicator_cells((year, unit_code, code, name), i, evidence.get((pk, i[-1]), ()))
                _write_row(indicator_sheet, indicator_row, cells)
        done += len(chunk)
        if progress:
            progress(done)
    book.close()
    return indicator_row


def _sheet(book, title: str, titles: list[str], formats: dict):
    """A sheet with its bold header row, frozen under it, widths by its titles and ``formats`` by column
    (a number format for the numbers written below the header: empty cells stay unwritten)."""
    sheet = book.add_worksheet(title)
    sheet.xls_strmax = LONGEST_TEXT
    sheet.freeze_panes(1, 0)
    for index, column in enumerate(titles):
        width = max(10, min(40, len(column) * 2 + 2))  # in characters
        # In pixels, 7 to a character: the file says this width (``set_column`` would add Excel's padding).
        sheet.set_column_pixels(index, index, width * 7, formats.get(index))
    sheet.write_row(0, 0, titles, book.add_format({"bold": True}))
    return sheet


def _write_row(sheet, row: int, values: list) -> None:
    """Text as text, numbers (int, Decimal) as numbers; empty text and None leave the cell unwritten.

    ``write_row`` asks every value for each type XlsxWriter knows; these rows hold only these two.
    """
    write_string, write_number = sheet.write_string, sheet.write_number
    for column, value in enumerate(values):
        if value.__class__ is str:
            if value:
                write_string(row, column, value)
        elif value is not None:
            write_number(row, column, value)


def _evidence_names(project_ids: list[int]) -> dict[tuple, list[str]]:
    """The names of the projects' evidence files, by (project id, indicator id or None), in upload order."""
    names: dict[tuple, list[str]] = defaultdict(list)
    files = Evidence.objects.filter(project_id__in=project_ids).order_by("uploaded_at", "id")
    for project_id, indicator_id, name in files.values_list("project_id", "indicator_id", "original_name"):
        names[(project_id, indicator_id)].append(name)
    return names


def _indicator_cells(project: tuple, i: tuple, evidence) -> list:
    """One row of the 指标 sheet: the project's year, unit code, code and name, then the indicator's values
    (``INDICATOR_VALUES``): 得分(自评) the unit's own score, 评价得分 the evaluator's, the evidence one a line."""
    return [
        *project,
        i[1] or i[2],
        i[3] or i[4],
        i[5],
        i[6],
        i[7],
        i[8],
        i[9],
        "" if i[10] is None else i[10],
        i[12],
        "" if i[13] is None else i[13],
        Tier.LABELS.get(i[14] or "", ""),
        i[11],
        "\n".join(evidence),
    ]
