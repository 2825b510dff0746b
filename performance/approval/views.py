"""The department-year page (部门提交 → 财政审核) with its buttons, and the review list where reviewers approve or
return submitted self-evaluations in bulk."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.models import Department
from budgets.permissions import PROJECT_ORDER, department_ids_for, projects_for

from ..models import Evaluation
from ..rights import may
from ..workflow.views import transition_response
from .bulk import APPROVE, RETURN, review_in_bulk
from .flows import (
    DEPARTMENT_YEAR,
    approve_department_year,
    reopen_department_year,
    return_department_year,
    submit_department_year,
)
from .models import DepartmentYear
from .services import department_year_of, year_problems


def _ids(values: list[str]) -> set[int]:
    """The row ids posted, as numbers; anything else (or a number no row can have) is left out."""
    return {int(value) for value in values if value.isdigit() and len(value) <= 18}


REVIEW_SHOWN = 200  # the review list shows the first submitted self-evaluations, and how many there are


def _department(request, code: str) -> Department:
    """The department, if the user sees some of it; otherwise a 404, as if it did not exist."""
    department = get_object_or_404(Department, code=code)
    ids = department_ids_for(request.user)
    if ids is not None and department.pk not in ids:
        raise Http404
    return department


def _page(code: str, year: int) -> str:
    return reverse("performance:department-year", kwargs={"code": code, "year": year})


@login_required
def department_year_detail(request, code: str, year: int):
    """A department's year before finance: its state, its history, its projects (those the user sees) and the
    buttons the user may press."""
    department = _department(request, code)
    record = department_year_of(department, year)
    shown = DepartmentYear(department=department, year=year) if record is None else record
    projects = list(
        projects_for(request.user)
        .filter(unit__department=department, year=year)
        .select_related("unit", "evaluation")
        .order_by(*PROJECT_ORDER)
    )
    returned = set(record.returned_projects.values_list("pk", flat=True)) if record is not None else set()
    actions = {t.name for t in DEPARTMENT_YEAR.available(shown, request.user)}
    history = (
        record.history.exclude(history_change_reason=None).select_related("history_user").order_by("-history_date")
        if record is not None
        else []
    )
    approved = sum(1 for p in projects if getattr(p, "evaluation", None) and p.evaluation.status == "approved")
    return render(
        request,
        "performance/department_year.html",
        {
            "department": department,
            "year": year,
            "record": shown,
            "projects": projects,
            "returned": returned,
            "approved": approved,
            "actions": actions,
            "problems": year_problems(shown) if "submit" in actions else [],
            "history": history,
        },
    )


def _record(request, code: str, year: int) -> DepartmentYear:
    department = _department(request, code)
    record = department_year_of(department, year)
    if record is None:
        raise Http404
    return record


@login_required
@require_POST
def department_year_submit(request, code: str, year: int):
    department = _department(request, code)
    return transition_response(
        request,
        lambda by: submit_department_year(department=department, year=year, by=by),
        success=_("已提交财政审核。"),
        to=_page(code, year),
    )


@login_required
@require_POST
def department_year_approve(request, code: str, year: int):
    record = _record(request, code, year)
    return transition_response(
        request,
        lambda by: approve_department_year(department_year=record, by=by),
        success=_("已审核通过，该部门本年度的数据已锁定。"),
        to=_page(code, year),
    )


@login_required
@require_POST
def department_year_return(request, code: str, year: int):
    record = _record(request, code, year)
    named = _ids(request.POST.getlist("projects"))
    projects = list(projects_for(request.user).filter(pk__in=named))
    return transition_response(
        request,
        lambda by, reason: return_department_year(department_year=record, by=by, reason=reason, projects=projects),
        success=_("已退回部门，所选项目的自评已退回填报单位。"),
        to=_page(code, year),
        needs_reason=True,
    )


@login_required
@require_POST
def department_year_reopen(request, code: str, year: int):
    record = _record(request, code, year)
    return transition_response(
        request,
        lambda by, reason: reopen_department_year(department_year=record, by=by, reason=reason),
        success=_("已重新打开，部门可以修改后再次提交。"),
        to=_page(code, year),
        needs_reason=True,
    )


# --- the review list: bulk approve and return -----------------------------------------------------------------


def _reviewable(request):
    """The submitted self-evaluations the user sees, narrowed to a year when one is asked for; those the user may
    review are marked by the page (``may``)."""
    evaluations = (
        Evaluation.objects.filter(project__in=projects_for(request.user), status=Evaluation.Status.SUBMITTED)
        .select_related("project__unit__department", "submitted_by")
        .order_by(*(f"project__{field}" for field in PROJECT_ORDER))
    )
    year = request.GET.get("year", "")
    year = year if year.isdigit() and len(year) <= 4 else ""  # a year, else every year
    if year:
        evaluations = evaluations.filter(project__year=int(year))
    return evaluations, year


@login_required
def review_list(request):
    """Submitted self-evaluations with a checkbox each: approve the chosen ones, or return them with one reason for
    all or one each. Every one goes through the workflow engine; refused ones are named."""
    evaluations, year = _reviewable(request)
    chosen: set[int] = set()
    reasons: dict[int, str] = {}
    common = ""
    if request.method == "POST":
        chosen = _ids(request.POST.getlist("evaluations"))
        common = request.POST.get("reason", "")
        reasons = {pk: request.POST.get(f"reason-{pk}", "") for pk in chosen}
        action = request.POST.get("action")
        picked = list(evaluations.filter(pk__in=chosen))
        if action not in (APPROVE, RETURN):
            messages.error(request, _("请选择审核通过或退回。"))
        elif not picked:
            messages.error(request, _("请至少选择一个项目。"))
        else:
            try:
                result = review_in_bulk(
                    evaluations=picked, action=action, by=request.user, common=common, reasons=reasons
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            except PermissionDenied:
                messages.error(request, _("您无权执行此操作。"))
            else:
                done = _("已审核通过%(n)s个项目。") if action == APPROVE else _("已退回%(n)s个项目。")
                if result.done:
                    messages.success(request, done % {"n": len(result.done)})
                for evaluation, why in result.refused:
                    messages.error(
                        request, _("“%(name)s”未处理：%(why)s") % {"name": evaluation.project.name, "why": why}
                    )
                return redirect(
                    f"{reverse('performance:review-list')}?year={year}" if year else "performance:review-list"
                )
    rows = [
        {"evaluation": e, "may": may(request.user, "review_evaluation", e.project), "reason": reasons.get(e.pk, "")}
        for e in evaluations[:REVIEW_SHOWN]
    ]
    return render(
        request,
        "performance/review_list.html",
        {
            "rows": rows,
            "count": evaluations.count(),
            "shown": REVIEW_SHOWN,
            "year": year,
            "chosen": chosen,
            "common": common,
            "reviewable": any(row["may"] for row in rows),
        },
    )
