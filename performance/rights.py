"""The one place that decides what a user may change, beside ``budgets.permissions`` that decides
what they may see.

Rights are predicates (django-rules) over a user and a project: who they are to its unit (its staff, its
department's reviewer, the finance bureau, a superuser) and the state of its documents (targets editable,
self-evaluation editable, targets approved). Views, the admin, the workbook import from the web and the
command line, the 自评表 upload and the workflow engine all ask the same predicates, through ``may`` for
a yes or no and ``refusal`` for the sentence a user is told.

Superusers have every role, as before; the state rules bind them too: nobody changes an approved baseline
except through an adjustment, nor the actuals of a submitted or approved self-evaluation.

A department's year submitted to finance, or approved by it (``performance.approval``), is held from everyone but
finance (``year_open``): no actuals, evaluations, targets or adjustments change, by any path, until finance
returns or reopens it.
"""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from budgets.models import Project
from budgets.permissions import can_edit_unit, can_review_department, can_review_unit, is_finance_bureau

from .approval.models import HELD, DepartmentYear
from .declaration.models import TargetSet
from .models import Evaluation, evaluation_of

EDITABLE_EVALUATION = (Evaluation.Status.DRAFT, Evaluation.Status.RETURNED)


def target_set_of(project: Project) -> TargetSet | None:
    """A project's declaration, or None where nothing was declared (its targets are then a draft)."""
    return getattr(project, "target_set", None)  # RelatedObjectDoesNotExist is an AttributeError


def targets_status(project: Project) -> str:
    target_set = target_set_of(project)
    return TargetSet.Status.DRAFT if target_set is None else target_set.status


# --- who they are ---------------------------------------------------------------------------------


@rules.predicate
def is_unit_staff(user, project: Project) -> bool:
    """Staff of the project's unit (填报人); superusers too."""
    return can_edit_unit(user, project.unit)


@rules.predicate
def is_unit_reviewer(user, project: Project) -> bool:
    """A reviewer of the project's department (审核人); superusers too."""
    return can_review_unit(user, project.unit)


@rules.predicate
def is_finance(user) -> bool:
    """The finance bureau (财政) sees everything and approves targets; superusers too."""
    return is_finance_bureau(user)


# --- the state of the project's documents (rules hands a predicate its arguments in order: user first) --


@rules.predicate
def evaluation_editable(_user, project: Project) -> bool:
    evaluation = evaluation_of(project)
    return evaluation is None or evaluation.status in EDITABLE_EVALUATION


@rules.predicate
def targets_editable(_user, project: Project) -> bool:
    return targets_status(project) in (TargetSet.Status.DRAFT, TargetSet.Status.RETURNED)


@rules.predicate
def targets_approved(_user, project: Project) -> bool:
    return targets_status(project) == TargetSet.Status.APPROVED


def department_year_status(project: Project) -> str:
    """The state of the project's department's year before finance; read once for a project instance (a request's:
    the workflow engine re-reads its records, so a transition sees the state as it stands)."""
    status = getattr(project, "_department_year_status", None)
    if status is None:
        status = (
            DepartmentYear.objects.filter(department__units=project.unit_id, year=project.year)
            .values_list("status", flat=True)
            .first()
        ) or DepartmentYear.Status.DRAFT
        project._department_year_status = status
    return status


@rules.predicate
def year_open(user, project: Project) -> bool:
    """The project's department's year is not held before finance (submitted or approved), or the user is finance."""
    return is_finance_bureau(user) or department_year_status(project) not in HELD


def targets_may_change(project: Project) -> bool:
    """Whether anyone may still change the project's targets directly (an import, the disclosure): they are a
    draft or returned, and no self-evaluation was submitted or approved on them."""
    return targets_editable(None, project) and evaluation_editable(None, project)


# --- the rights ---------------------------------------------------------------------------------------

RIGHTS = rules.RuleSet()
RIGHTS.add_rule("enter_actuals", is_unit_staff & evaluation_editable & year_open)
RIGHTS.add_rule("submit_evaluation", is_unit_staff & year_open)
RIGHTS.add_rule("review_evaluation", is_unit_reviewer & year_open)
RIGHTS.add_rule("declare_targets", is_unit_staff & targets_editable & evaluation_editable & year_open)
RIGHTS.add_rule("submit_targets", is_unit_staff & year_open)
RIGHTS.add_rule("approve_targets", (is_unit_reviewer | is_finance) & year_open)
RIGHTS.add_rule("request_adjustment", is_unit_staff & targets_approved & year_open)
RIGHTS.add_rule("decide_adjustment", (is_unit_reviewer | is_finance) & year_open)
# Finance returning a project of a department's year (the year's return reopens its self-evaluation).
RIGHTS.add_rule("finance_return_evaluation", is_finance)
HELD_BY_THE_YEAR = frozenset(name for name in RIGHTS if name != "finance_return_evaluation")


# --- a department's year before finance (the record is a ``DepartmentYear``) ----------------------------------


@rules.predicate
def is_department_reviewer(user, department_year: DepartmentYear) -> bool:
    return can_review_department(user, department_year.department_id)


@rules.predicate
def is_finance_of(user, _department_year: DepartmentYear) -> bool:
    return is_finance_bureau(user)


RIGHTS.add_rule("submit_department_year", is_department_reviewer)
RIGHTS.add_rule("decide_department_year", is_finance_of)


def may(user, action: str, project: Project) -> bool:
    """May ``user`` do ``action`` (a name in RIGHTS) on ``project`` as it stands?"""
    return RIGHTS.test_rule(action, user, project)


def refusal(user, action: str, project: Project) -> str | None:
    """Why ``user`` may not do ``action`` on ``project``, in a sentence; None when they may."""
    if may(user, action, project):
        return None
    name = project.name
    if action in HELD_BY_THE_YEAR and not year_open(user, project):
        words = {"name": name, "year": project.year}
        if department_year_status(project) == DepartmentYear.Status.APPROVED:
            return (
                _("项目“%(name)s”所在部门的%(year)s年度自评已经财政审核通过并锁定，不能修改；如需修改请由财政重新打开")
                % words
            )
        return _("项目“%(name)s”所在部门的%(year)s年度自评已提交财政审核，不能修改；如需修改请等待财政退回") % words
    if action == "enter_actuals":
        if not is_unit_staff(user, project):
            return _("您无权修改单位%(unit)s的数据（只有该单位的填报人可以）") % {"unit": project.unit.code}
        return _("项目“%(name)s”的绩效自评%(status)s，不能修改实际完成值；如需修改请先由审核人退回或重新打开") % {
            "name": name,
            "status": evaluation_of(project).get_status_display(),
        }
    if action == "declare_targets":
        if not is_unit_staff(user, project):
            return _("您无权修改单位%(unit)s的绩效目标（只有该单位的填报人可以）") % {"unit": project.unit.code}
        if targets_approved(user, project):
            return _("项目“%(name)s”的绩效目标已批复，不能直接修改；请提出调整申请") % {"name": name}
        if not targets_editable(user, project):
            return _("项目“%(name)s”的绩效目标已申报，正在审核，不能修改") % {"name": name}
        return _("项目“%(name)s”的绩效自评%(status)s，自评所依据的绩效目标不能修改") % {
            "name": name,
            "status": evaluation_of(project).get_status_display(),
        }
    if action == "request_adjustment" and is_unit_staff(user, project):
        return _("项目“%(name)s”的绩效目标尚未批复，可直接修改，无需调整") % {"name": name}
    return _("您无权对项目“%(name)s”进行此操作") % {"name": name}


def require(user, action: str, project: Project) -> None:
    """Raise PermissionDenied (with the sentence) unless ``user`` may do ``action`` on ``project``."""
    reason = refusal(user, action, project)
    if reason is not None:
        raise PermissionDenied(reason)
