"""A department's year before finance on the one workflow engine (``performance.workflow.engine``).

未提交 draft → 已提交财政 submitted (the department's reviewer, once every project's self-evaluation is
approved) → 财政已审核 approved (finance; the year is locked for everyone else, ``performance.rights``) or
财政已退回 returned (finance, with a reason; the named projects' self-evaluations go back to their units, see
``services.return_department_year``). Finance reopens an approved year with a reason (→ returned).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..rights import may
from ..tasks.notifications import notify_department_year
from ..workflow.engine import Flow, Transition, run
from ..workflow.evaluation import finance_return_evaluation
from .models import DepartmentYear
from .services import year_problems, year_projects

Status = DepartmentYear.Status


def _submitters(user, department_year) -> bool:
    return may(user, "submit_department_year", department_year)


def _finance(user, department_year) -> bool:
    return may(user, "decide_department_year", department_year)


DEPARTMENT_YEAR = Flow(
    model=DepartmentYear,
    related=("department",),
    transitions={
        "submit": Transition(
            "submit",
            gettext_lazy("提交财政"),
            frozenset({Status.DRAFT, Status.RETURNED}),
            Status.SUBMITTED,
            _submitters,
            gettext_lazy("部门提交财政审核"),
            requires=year_problems,
            stamp="submitted",
        ),
        "return": Transition(
            "return",
            gettext_lazy("退回部门"),
            frozenset({Status.SUBMITTED}),
            Status.RETURNED,
            _finance,
            gettext_lazy("财政退回：%(reason)s"),
            reason_missing=gettext_lazy("退回时必须填写退回原因。"),
            stamp="reviewed",
            reason_field="return_reason",
        ),
        "approve": Transition(
            "approve",
            gettext_lazy("审核通过"),
            frozenset({Status.SUBMITTED}),
            Status.APPROVED,
            _finance,
            gettext_lazy("财政审核通过，年度锁定"),
            stamp="reviewed",
        ),
        "reopen": Transition(
            "reopen",
            gettext_lazy("重新打开"),
            frozenset({Status.APPROVED}),
            Status.RETURNED,
            _finance,
            gettext_lazy("财政重新打开：%(reason)s"),
            reason_missing=gettext_lazy("重新打开已审核的年度必须填写原因。"),
            stamp="reviewed",
            reason_field="return_reason",
        ),
    },
    notify=notify_department_year,
)


@transaction.atomic
def submit_department_year(*, department, year: int, by) -> DepartmentYear:
    """The department's reviewer submits its year to finance, once every project's self-evaluation is approved."""
    if not year_projects(department.pk, year).exists():  # refused before a row is written (a year of nothing)
        raise ValidationError(year_problems(DepartmentYear(department=department, year=year)))
    record, _created = DepartmentYear.objects.get_or_create(department=department, year=year)
    return run(DEPARTMENT_YEAR, record, "submit", by=by)


def approve_department_year(*, department_year: DepartmentYear, by) -> DepartmentYear:
    """Finance approves the year: locked for everyone but finance from then on."""
    return run(DEPARTMENT_YEAR, department_year, "approve", by=by)


@transaction.atomic
def return_department_year(*, department_year: DepartmentYear, by, reason: str, projects) -> DepartmentYear:
    """Finance returns the year to the department, naming the projects to fix: each one's self-evaluation goes back
    to its unit through the self-evaluation's flow with the same reason (in its history), all or nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回时必须填写退回原因。")})
    named = list(
        year_projects(department_year.department_id, department_year.year).filter(pk__in=[p.pk for p in projects])
    )
    if not named:
        raise ValidationError({"projects": _("退回时请至少选择一个需要修改的项目。")})
    names = "、".join(p.name for p in named)
    record = run(
        DEPARTMENT_YEAR,
        department_year,
        "return",
        by=by,
        reason=_("%(reason)s（退回项目：%(names)s）") % {"reason": reason, "names": names},
    )
    record.returned_projects.set(named)
    for project in named:
        finance_return_evaluation(evaluation=project.evaluation, by=by, reason=reason)
    return record


def reopen_department_year(*, department_year: DepartmentYear, by, reason: str) -> DepartmentYear:
    """Finance reopens an approved year with a recorded reason: the department may change it and submit again."""
    return run(DEPARTMENT_YEAR, department_year, "reopen", by=by, reason=reason)
