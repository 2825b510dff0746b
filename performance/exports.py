"""Exporting projects: the project list as shown (xlsx) and the evaluation JSON (SPEC section 12). The flat
interchange workbook (section 11) is ``performance.interchange.export``."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from budgets.models import FUND_SOURCES, STAGES, Project

from .models import Evaluation, Evidence, Indicator, evaluation_of, goal_of, result_of
from .rights import targets_status
from .services import score_projects

CENT = Decimal("0.01")
MONEY = Decimal("0.0001")
RATE = Decimal("0.0001")


def with_related(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The projects with everything the exports read, in a constant number of queries."""
    indicators = Indicator.objects.select_related("level1", "level2", "result").order_by("order", "id")
    evidence = Evidence.objects.order_by("uploaded_at", "id").only("project_id", "indicator_id", "original_name")
    return projects.select_related("unit__department", "goal", "evaluation", "target_set").prefetch_related(
        Prefetch("indicators", queryset=indicators), Prefetch("evidence_files", queryset=evidence)
    )


# ---------------------------------------------------------------------------------------------
# The project list

LIST_FORMATS = {"year": "0", "rate": "0.00%", "total": "0.00"}
LIST_WIDTHS = {"year": 8, "department": 24, "unit": 28, "name": 40, "status": 10, "grade": 8, "rate": 14, "total": 10}


def project_list_workbook(table) -> bytes:
    """The project list's table (``ProjectTable``, filtered and sorted) as xlsx: its exported columns, a
    bold header, numbers as numbers with formats, widths, a filter and landscape print set-up."""
    names = [column.name for column in table.columns.iterall() if not column.column.exclude_from_export]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("项目列表")
    for values in table.as_values():
        sheet.append(values)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for index, name in enumerate(names, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = LIST_WIDTHS.get(name, 12)
        number_format = LIST_FORMATS.get(name)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.print_title_rows = "1:1"
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


# ---------------------------------------------------------------------------------------------
# The evaluation JSON


def _points(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(RATE, rounding=ROUND_HALF_UP))


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(MONEY))


def evaluation_document(project: Project, score) -> dict:
    """One project's self-evaluation in the shape of SPEC section 12 (``score``: its EvaluationScore).

    Beyond section 12, every value a user enters is carried (issue 21): per indicator its description, basis,
    the weight as entered (``weight_set``, null for the default weights), the tier as chosen (``tier_chosen``;
    ``tier`` is the one scored), the evaluator's score inside the tier's band and the evidence files' names;
    the budget's fund sources (万元, to the 元) and its deviation reason; the project's own evidence files."""
    goal = goal_of(project)
    evaluation = evaluation_of(project)
    indicators = list(project.indicators.all())
    evidence: dict = defaultdict(list)
    for file in project.evidence_files.all():
        evidence[file.indicator_id].append(file.original_name)
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
                "breakdown": row.breakdown,  # a 其中 row: shown, not scored (SPEC section 6)
                "description": indicator.description,
                "basis": indicator.basis,
                "weight_set": _points(indicator.weight),
                "tier_chosen": (result.tier if result else "") or None,
                "evaluator_score": _points(result.evaluator_score if result else None),
                "evidence": evidence.get(indicator.pk, []),
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
            "deviation_reason": evaluation.budget_deviation_reason if evaluation else "",
            "sources": {
                source: {stage: _money(getattr(project, f"{stage}_{source}")) for stage in STAGES}
                for source in FUND_SOURCES
            },
        },
        "indicators": rows,
        "total": _points(score.total),
        "grade": score.grade,
        "reported_total": _points(evaluation.reported_total if evaluation else None),
        "findings": list(score.findings),
        "evidence": evidence.get(None, []),
        "rules": {"name": score.rules.name, "version": score.rules.version},  # SPEC section 16
    }


def evaluations_document(projects: QuerySet[Project], *, with_ids: bool = False) -> dict:
    """``{"projects": [...]}`` for the projects, scored in a constant number of queries."""
    scores = score_projects(projects)
    documents = []
    departments: dict[tuple[int, int], dict] = {}
    for project in with_related(projects):
        document = evaluation_document(project, scores[project.pk])
        document["department"] = department_object(project, departments)
        if with_ids:
            document = {"id": project.pk, **document}
        documents.append(document)
    return {"projects": documents}


def department_object(project: Project, known: dict | None = None) -> dict:
    """The ``department`` object (issue 18): the project's department's self-evaluation of the year, computed once
    per department and year in ``known``."""
    from .department.services import department_assessment, department_document

    known = {} if known is None else known
    key = (project.unit.department_id, project.year)
    if key not in known:
        known[key] = department_document(department_assessment(project.unit.department, project.year))
    return known[key]
