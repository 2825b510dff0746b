"""The department self-evaluation's services: choose a framework for a year, record 基本支出, decide on an item,
save a framework's new version; and ``department_assessment``, everything the page, the workbook and the JSON show."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from budgets.models import Department, DepartmentBudget, Project

from ..actuals import read_actual
from ..scoring import EvaluationScore
from . import figures as f
from .framework import (
    THREE_LEVEL,
    Assessment,
    Decision,
    Figure,
    FrameworkError,
    assess,
    check_decision,
    framework_from_json,
    score_indicators,
    three_level_rules,
)
from .framework import indicator_figures as indicator_parts
from .models import (
    DepartmentEvaluation,
    DepartmentFramework,
    DepartmentFrameworkVersion,
    DepartmentIndicator,
    ItemDecision,
)
from .shipped import THREE_LEVEL_CODE, ship_missing


@dataclass
class DepartmentAssessment:
    department: Department
    year: int
    evaluation: DepartmentEvaluation | None
    version: DepartmentFrameworkVersion
    figures: dict[str, Figure]
    assessment: Assessment
    spending: f.Spending
    indicators: list[DepartmentIndicator]
    indicator_score: EvaluationScore | None
    decisions: dict[str, ItemDecision] = field(default_factory=dict)


def default_version() -> DepartmentFrameworkVersion:
    """The framework a department's year is evaluated under until finance chooses one: the three-level scheme.

    A database without the shipped frameworks (emptied after its migrations wrote them) gets them back here, as
    the migration writes them: the evaluation JSON and the department's page never lack a framework."""
    version = _default_latest()
    if version is None:
        ship_missing()
        version = _default_latest()
    return version


def _default_latest() -> DepartmentFrameworkVersion | None:
    framework = DepartmentFramework.objects.filter(code=THREE_LEVEL_CODE).first() or DepartmentFramework.objects.first()
    return framework.latest() if framework is not None else None


def evaluation_of(department: Department, year: int) -> DepartmentEvaluation | None:
    return (
        DepartmentEvaluation.objects.filter(department=department, year=year)
        .select_related("version__framework")
        .first()
    )


def department_assessment(department: Department, year: int) -> DepartmentAssessment:
    """The year's figures, the framework's items with their suggestions and the reviewer's decisions, the total."""
    evaluation = evaluation_of(department, year)
    version = evaluation.version if evaluation else default_version()
    framework = version.value()
    budget = DepartmentBudget.objects.filter(department=department, year=year).first()
    projects = list(Project.objects.filter(unit__department=department, year=year))
    money = f.spending(projects, budget, evaluation)
    figures = {"execution_rate": f.execution_figure(money)}
    figures |= f.project_figures(department, year, projects)
    figures["three_public"] = f.three_public_figure(budget)
    figures |= f.disclosure_figures(department, year, budget)
    figures["rectification_closed"] = f.rectification_figure(department, year)
    indicators = list(
        DepartmentIndicator.objects.filter(department=department, year=year).select_related("level1", "level2")
    )
    rows = f.indicator_rows(indicators)
    rules = three_level_rules(framework)
    score = score_indicators(rows, f.budget_input(money), rules) if rows else None
    parts = indicator_parts(score, rows, rules) if score else {}
    figures |= f.indicator_figures(parts, score)
    stored = {d.code: d for d in evaluation.decisions.all()} if evaluation else {}
    decisions = {code: Decision(d.action, d.score, d.reason) for code, d in stored.items()}
    return DepartmentAssessment(
        department=department,
        year=year,
        evaluation=evaluation,
        version=version,
        figures=figures,
        assessment=assess(framework, figures, decisions),
        spending=money,
        indicators=indicators,
        indicator_score=score,
        decisions=stored,
    )


def _evaluation(department: Department, year: int) -> DepartmentEvaluation:
    evaluation = evaluation_of(department, year)
    if evaluation is None:
        evaluation = DepartmentEvaluation.objects.create(department=department, year=year, version=default_version())
    return evaluation


@transaction.atomic
def choose_framework(*, department: Department, year: int, version: DepartmentFrameworkVersion) -> DepartmentEvaluation:
    """The framework version a department's year is evaluated under (finance's choice); decisions are kept by code."""
    evaluation = _evaluation(department, year)
    evaluation.version = version
    evaluation.full_clean()
    evaluation.save()
    return evaluation


@transaction.atomic
def record_basic_spending(
    *, department: Department, year: int, full_year: Decimal | None, executed: Decimal | None
) -> DepartmentEvaluation:
    """基本支出's full-year budget and execution, which the disclosure does not hold."""
    evaluation = _evaluation(department, year)
    evaluation.basic_full_year, evaluation.basic_executed = full_year, executed
    evaluation.full_clean()
    evaluation.save()
    return evaluation


@transaction.atomic
def decide_item(*, department: Department, year: int, code: str, decision: Decision, by) -> ItemDecision:
    """Confirm an item's prefilled score or override it with a score and a reason; refused with a sentence."""
    current = department_assessment(department, year)
    row = next((r for r in current.assessment.rows if r.item.code == code and r.leaf), None)
    if row is None:
        raise ValidationError(_("评价框架中没有这个评价项目。"))
    problems = check_decision(row.item, row.suggested, decision)
    if problems:
        raise ValidationError(problems)
    evaluation = current.evaluation or _evaluation(department, year)
    stored, _created = ItemDecision.objects.update_or_create(
        evaluation=evaluation,
        code=code,
        defaults={
            "action": decision.action,
            "score": row.suggested if decision.action == "confirm" else decision.score,
            "suggested": row.suggested,
            "figure": (row.figure.shown if row.figure else "")[:300],
            "reason": decision.reason.strip(),
            "decided_by": by,
        },
    )
    return stored


@transaction.atomic
def save_framework_version(
    *, framework: DepartmentFramework, content: dict, note: str, by
) -> DepartmentFrameworkVersion:
    """A new version of a framework (versions are never changed); refused when the items do not add up."""
    try:
        framework_from_json(content)
    except FrameworkError as error:
        raise ValidationError(error.problems) from error
    latest = framework.latest()
    if latest is not None and latest.content == content:
        raise ValidationError(_("评价项目没有变化，无需保存新版本。"))
    version = DepartmentFrameworkVersion(
        framework=framework, number=(latest.number + 1) if latest else 1, content=content, note=note, created_by=by
    )
    version.save()
    return version


def is_three_level(assessment: DepartmentAssessment) -> bool:
    return assessment.version.value().kind == THREE_LEVEL


def department_document(assessment: DepartmentAssessment) -> dict:
    """The ``department`` object of the evaluation JSON (SPEC section 12, added by issue 18)."""
    result = assessment.assessment
    return {
        "code": assessment.department.code,
        "name": assessment.department.name,
        "year": assessment.year,
        "framework": {"name": assessment.version.framework.name, "version": assessment.version.number},
        "items": [
            {
                "code": row.item.code,
                "name": row.item.name,
                "parent": row.item.parent,
                "weight": f"{row.weight:.2f}",
                "figure": row.figure.shown if row.figure else None,
                "source": row.figure.source if row.figure else None,
                "suggested": None if row.suggested is None else f"{row.suggested:.2f}",
                "score": None if row.score is None else f"{row.score:.2f}",
                "status": row.status,
                "reason": row.reason,
            }
            for row in result.rows
        ],
        "total": f"{result.total:.2f}",
        "grade": result.grade,
        "pending": len(result.pending),
    }


@transaction.atomic
def record_indicator_actuals(*, department: Department, year: int, entries: dict[int, tuple[str, str]]) -> int:
    """The department's indicators' actual values and deviation reasons, all or nothing: an actual that cannot be
    read against its target (a negative number, an unknown tier) is refused with the indicator named. How many
    indicators changed."""
    indicators = DepartmentIndicator.objects.filter(department=department, year=year, pk__in=list(entries))
    problems, changed = [], []
    for indicator in indicators.select_related("level1", "level2"):
        actual, reason = (value.strip() for value in entries[indicator.pk])
        read = read_actual(actual, indicator.parsed_target)
        if read.error:
            problems.append(_("“%(name)s”：%(error)s") % {"name": indicator.name, "error": read.error})
            continue
        if (indicator.actual, indicator.deviation_reason) != (actual, reason):
            indicator.actual, indicator.deviation_reason = actual, reason
            changed.append(indicator)
    if problems:
        raise ValidationError(problems)
    for indicator in changed:
        indicator.full_clean()
        indicator.save()
    return len(changed)
