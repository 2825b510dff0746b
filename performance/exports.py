"""Exporting projects: the flat interchange workbook (SPEC section 11) and the evaluation JSON (section 12)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from budgets.models import Project

from .imports import INDICATOR_COLUMNS, INDICATOR_SHEET, MONEY_COLUMNS, PROJECT_COLUMNS, PROJECT_SHEET
from .models import ActualResult, Evaluation, Indicator, ProjectGoal
from .services import score_projects

MONEY_FORMAT = "#,##0.00##"  # shown with 2 places, stored to the 元 (4 places of 万元)
POINTS_FORMAT = "0.00"
CENT = Decimal("0.01")
RATE = Decimal("0.0001")


def with_related(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The projects with everything the exports read, in a constant number of queries."""
    indicators = Indicator.objects.select_related("level1", "level2", "result").order_by("order", "id")
    return projects.select_related("unit__department", "goal", "evaluation").prefetch_related(
        Prefetch("indicators", queryset=indicators)
    )


def _related(obj, name: str, model):
    try:
        return getattr(obj, name)
    except model.DoesNotExist:
        return None


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


def _header(sheet, titles: list[str]) -> None:
    bold = Font(bold=True)
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def write_flat_workbook(projects: QuerySet[Project], file) -> int:
    """Write the projects as the flat workbook of SPEC section 11 to ``file`` (a path or a binary file).

    Importing the file back changes nothing. Returns the number of indicator rows written.
    """
    book = Workbook(write_only=True)
    project_sheet = book.create_sheet(PROJECT_SHEET)
    indicator_sheet = book.create_sheet(INDICATOR_SHEET)
    for sheet, titles in ((project_sheet, PROJECT_COLUMNS), (indicator_sheet, INDICATOR_COLUMNS)):
        sheet.freeze_panes = "A2"
        for index, title in enumerate(titles, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(title) * 2 + 2))
        _header(sheet, titles)
    rows = 0
    for project in with_related(projects).iterator(chunk_size=500):
        unit = project.unit
        goal = _related(project, "goal", ProjectGoal)
        evaluation = _related(project, "evaluation", Evaluation)
        values = {
            "年度": project.year,
            "主管部门编码": unit.department.code,
            "主管部门": unit.department.name,
            "单位编码": unit.code,
            "单位名称": unit.name,
            "项目编码": project.code,
            "项目名称": project.name,
            "年度总体目标": goal.text if goal else "",
            "实际完成情况": evaluation.goal_actual if evaluation else "",
            "执行率得分(自评)": evaluation.reported_budget_score if evaluation else None,
            "执行偏差原因": evaluation.budget_deviation_reason if evaluation else "",
        }
        money_titles = set(MONEY_COLUMNS.values())
        values |= {title: getattr(project, name) for name, title in MONEY_COLUMNS.items()}
        project_sheet.append(
            [
                _cell(project_sheet, values[title], MONEY_FORMAT if title in money_titles else None)
                for title in PROJECT_COLUMNS
            ]
        )
        for indicator in project.indicators.all():
            result = _related(indicator, "result", ActualResult)
            score = None
            if result is not None:
                score = result.evaluator_score if result.evaluator_score is not None else result.reported_score
            values = {
                "年度": project.year,
                "单位编码": unit.code,
                "项目编码": project.code,
                "项目名称": project.name,
                "一级指标": indicator.level1_as_written or indicator.level1.name,
                "二级指标": indicator.level2_as_written or indicator.level2.name,
                "三级指标": indicator.name,
                "绩效指标描述": indicator.description,
                "指标值": indicator.target,
                "指标值确定依据": indicator.basis,
                "分值": indicator.weight,
                "实际完成值": result.actual if result else "",
                "得分(自评)": score,
                "偏差原因分析及改进措施": result.deviation_reason if result else "",
            }
            indicator_sheet.append(
                [
                    _cell(indicator_sheet, values[title], POINTS_FORMAT if title in ("分值", "得分(自评)") else None)
                    for title in INDICATOR_COLUMNS
                ]
            )
            rows += 1
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
    goal = _related(project, "goal", ProjectGoal)
    evaluation = _related(project, "evaluation", Evaluation)
    indicators = list(project.indicators.all())
    rows = []
    for indicator, row in zip(indicators, score.rows, strict=True):
        result = _related(indicator, "result", ActualResult)
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
