"""Reading a department's year before finance: its record, its projects, and what stops it being submitted.
The transitions are in ``flows`` (on the workflow engine)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from budgets.models import Department, Project
from budgets.permissions import PROJECT_ORDER

from ..models import Evaluation
from .models import DepartmentYear

NAMED = 20  # a refusal names the first projects that are not approved, then says how many more


def department_year_of(department: Department, year: int) -> DepartmentYear | None:
    """The department's year as it stands before finance; None where nobody has acted on it yet (未提交)."""
    return DepartmentYear.objects.filter(department=department, year=year).first()


def year_projects(department_id: int, year: int) -> QuerySet[Project]:
    """Every project of the department's year, in the order of the lists, with its unit and self-evaluation."""
    return (
        Project.objects.filter(unit__department_id=department_id, year=year)
        .select_related("unit", "evaluation")
        .order_by(*PROJECT_ORDER)
    )


def evaluation_status_label(project: Project) -> str:
    evaluation = getattr(project, "evaluation", None)
    return evaluation.get_status_display() if evaluation is not None else str(_("未填报"))


def year_problems(department_year: DepartmentYear) -> list[str]:
    """Why the department's year cannot be submitted: each project whose self-evaluation is not approved, named."""
    projects = list(year_projects(department_year.department_id, department_year.year))
    if not projects:
        return [_("%(year)s年度没有%(department)s的项目，无需提交。") % _words(department_year)]
    missing = [
        p
        for p in projects
        if getattr(p, "evaluation", None) is None or p.evaluation.status != Evaluation.Status.APPROVED
    ]
    if not missing:
        return []
    problems = [
        _("以下项目的绩效自评尚未审核通过，不能提交财政（共%(n)s个）：") % {"n": len(missing)},
        *(
            _("%(unit)s “%(name)s”：%(status)s")
            % {"unit": p.unit, "name": p.name, "status": evaluation_status_label(p)}
            for p in missing[:NAMED]
        ),
    ]
    if len(missing) > NAMED:
        problems.append(_("……另有%(n)s个项目。") % {"n": len(missing) - NAMED})
    return problems


def _words(department_year: DepartmentYear) -> dict:
    return {"year": department_year.year, "department": department_year.department.name}
