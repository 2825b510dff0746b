"""Exporting projects: the flat interchange workbook (SPEC section 11) and the evaluation JSON (section 12)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from budgets.models import Project

from .declaration.models import TargetSet
from .imports import (
    INDICATOR_COLUMNS,
    INDICATOR_SHEET,
    MONEY_COLUMNS,
    PROJECT_COLUMNS,
    PROJECT_SHEET,
    TARGETS_STATUS,
    TARGETS_STATUS_WORDS,
)
from .models import Evaluation, Indicator, evaluation_of, goal_of, result_of
from .rights import targets_status
from .services import score_projects

MONEY_FORMAT = "#,##0.00##"  # shown with 2 places, stored to the 元 (4 places of 万元)
POINTS_FORMAT = "0.00"
CENT = Decimal("0.01")
RATE = Decimal("0.0001")


def with_related(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The projects with everything the exports read, in a constant number of queries."""
    indicators = Indicator.objects.select_related("level1", "level2", "result").order_by("order", "id")
    return projects.select_related("unit__department", "goal", "evaluation", "target_set").prefetch_related(
        Prefetch("indicators", queryset=indicators)
    )


# ---------------------------------------------------------------------------------------------
# The flat workbook


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
# The columns of SPEC section 11 and 目标状态 (issue 14): the state of the project's declared targets.
EXPORTED_PROJECT_COLUMNS = [*PROJECT_COLUMNS, TARGETS_STATUS]
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
    project_sheet = book.create_sheet(PROJECT_SHEET)
    indicator_sheet = book.create_sheet(INDICATOR_SHEET)
    for sheet, titles in ((project_sheet, EXPORTED_PROJECT_COLUMNS), (indicator_sheet, INDICATOR_COLUMNS)):
        sheet.freeze_panes = "A2"
        for index, title in enumerate(titles, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(title) * 2 + 2))
        _header(sheet, titles)
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
                score = i[11] if i[11] is not None else i[12]
                cells = [
                    year,
                    unit_code,
                    code,
                    name,
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
                ]
                indicator_sheet.append(
                    [
                        _fast(indicator_sheet, cells[0], None),
                        *[_fast(indicator_sheet, value) for value in cells[1:10]],
                        _fast(indicator_sheet, cells[10], POINTS_FORMAT),
                        _fast(indicator_sheet, cells[11]),
                        _fast(indicator_sheet, cells[12], POINTS_FORMAT),
                        _fast(indicator_sheet, cells[13]),
                    ]
                )
                rows += 1
        if progress:
            progress(start + len(chunk))
    book.save(file)
    return rows


# ---------------------------------------------------------------------------------------------
# The evaluation JSON


def _points(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(RATE, rounding=ROUND_HALF_UP))


def evaluation_document(project: Project, score) -> dict:
    """One project's self-evaluation in the shape of SPEC section 12 (``score``: its EvaluationScore)."""
    goal = goal_of(project)
    evaluation = evaluation_of(project)
    indicators = list(project.indicators.all())
    rows = []
    for indicator, row in zip(indicators, score.rows, strict=True):
        result = result_of(indicator)
        tier = row.tier or (result.tier if result else "")
        rows.append(
            {
                "level1": indicator.level1.name,
                "level2": indicator.level2.name,
                "level3": indicator.name,
                "target": indicator.target,
                "target_kind": indicator.target_kind,
                "actual": result.actual if result else "",
                "tier": tier or None,
                "weight": _points(row.weight),
                "score": _points(row.score),
                "reported_score": _points(result.reported_score if result else None),
                "deviation_reason": result.deviation_reason if result else "",
                "reason_required": bool(row.reason_required),
            }
        )
    return {
        "year": project.year,
        "unit_code": project.unit.code,
        "unit_name": project.unit.name,
        "project_code": project.code,
        "project_name": project.name,
        "status": evaluation.status if evaluation else Evaluation.Status.DRAFT.value,
        "targets_status": str(targets_status(project)),
        "goal": goal.text if goal else "",
        "goal_actual": evaluation.goal_actual if evaluation else "",
        "budget": {
            "initial": _points(project.total("initial")),
            "full_year": _points(project.total("full_year")),
            "executed": _points(project.total("executed")),
            "rate": _rate(score.budget.rate),
            "weight": _points(score.budget.weight),
            "score": _points(score.budget.score),
            "reported_score": _points(evaluation.reported_budget_score if evaluation else None),
        },
        "indicators": rows,
        "total": _points(score.total),
        "grade": score.grade,
        "reported_total": _points(evaluation.reported_total if evaluation else None),
        "findings": list(score.findings),
    }


def evaluations_document(projects: QuerySet[Project], *, with_ids: bool = False) -> dict:
    """``{"projects": [...]}`` for the projects, scored in a constant number of queries."""
    scores = score_projects(projects)
    documents = []
    for project in with_related(projects):
        document = evaluation_document(project, scores[project.pk])
        if with_ids:
            document = {"id": project.pk, **document}
        documents.append(document)
    return {"projects": documents}
