"""Finance's tasks: issuing, editing and closing them, which tasks concern a user, the days left and what is
overdue. Plain functions; the views only call them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.models import Department, Project
from budgets.permissions import department_ids_for, is_finance_bureau, projects_for

from .models import Task

NOT_SUBMITTED = Q(evaluation__isnull=True) | Q(evaluation__status__in=["draft", "returned"])


def days_left(deadline: datetime.date, today: datetime.date) -> int:
    """Days from today to the deadline: 0 on the day itself, negative once it has passed."""
    return (deadline - today).days


def is_overdue(task: Task, today: datetime.date) -> bool:
    return task.status == Task.Status.OPEN and task.deadline < today


def _require_finance(by) -> None:
    if not is_finance_bureau(by):
        raise PermissionDenied(_("只有财政部门可以下达和管理绩效任务。"))


def _overlapping(*, kind: str, year: int, round_number: int, departments: list[Department] | None, exclude=None):
    """Open tasks of the same kind, year and round that already cover one of these departments (None: all)."""
    tasks = Task.objects.filter(kind=kind, year=year, round_number=round_number, status=Task.Status.OPEN)
    if exclude is not None:
        tasks = tasks.exclude(pk=exclude.pk)
    if departments is not None:
        tasks = tasks.filter(Q(all_departments=True) | Q(departments__in=departments)).distinct()
    return tasks


@transaction.atomic
def issue_task(
    *,
    kind: str,
    year: int,
    deadline: datetime.date,
    by,
    departments: Iterable[Department] | None = None,
    note: str = "",
    round_number: int = 1,
) -> Task:
    """Issue a task for a year to every department (``departments`` None) or to the chosen ones."""
    _require_finance(by)
    chosen = None if departments is None else list(departments)
    if chosen is not None and not chosen:
        raise ValidationError({"departments": _("请选择至少一个部门，或选择下达给全部部门。")})
    if kind != Task.Kind.MONITORING:
        round_number = 1
    if _overlapping(kind=kind, year=year, round_number=round_number, departments=chosen).exists():
        raise ValidationError(
            _("%(year)s年已有进行中的同类任务下达给其中的部门；请修改或关闭那个任务，或另选批次。") % {"year": year}
        )
    task = Task(
        kind=kind,
        year=year,
        round_number=round_number,
        deadline=deadline,
        note=note.strip(),
        all_departments=chosen is None,
        issued_by=by,
    )
    task.full_clean()
    task._change_reason = _("下达任务")
    task._history_user = by
    task.save()
    if chosen is not None:
        task.departments.set(chosen)
    return task


def update_task(*, task: Task, deadline: datetime.date, note: str, by) -> Task:
    """Change an open task's deadline and note (recorded in its history)."""
    _require_finance(by)
    if task.status != Task.Status.OPEN:
        raise ValidationError(_("任务已关闭，不能修改。"))
    task.deadline, task.note = deadline, note.strip()
    task.full_clean()
    task._change_reason = _("修改截止日期或说明")
    task._history_user = by
    task.save(update_fields=["deadline", "note"])
    return task


def close_task(*, task: Task, by) -> Task:
    """Close a task: it no longer asks anyone for anything."""
    _require_finance(by)
    if task.status == Task.Status.CLOSED:
        raise ValidationError(_("任务已关闭。"))
    task.status, task.closed_at = Task.Status.CLOSED, timezone.now()
    task._change_reason = _("关闭任务")
    task._history_user = by
    task.save(update_fields=["status", "closed_at"])
    return task


def tasks_for(user, *, status: str | None = Task.Status.OPEN) -> QuerySet[Task]:
    """The tasks that concern the user: those issued to a department whose units they see (finance: all)."""
    tasks = Task.objects.all()
    if status is not None:
        tasks = tasks.filter(status=status)
    department_ids = department_ids_for(user)
    if department_ids is not None:
        if not department_ids:
            return tasks.none()
        tasks = tasks.filter(Q(all_departments=True) | Q(departments__in=department_ids)).distinct()
    return tasks.prefetch_related("departments").order_by("deadline", "id")


def covered_by(tasks: Iterable[Task]) -> Q:
    """Projects a task asks for: of its year, in its departments (every one when issued to all)."""
    condition = Q(pk__isnull=True)  # no project
    for task in tasks:
        if task.all_departments:
            condition |= Q(year=task.year)
        else:
            condition |= Q(year=task.year, unit__department__in=[d.pk for d in task.departments.all()])
    return condition


def overdue_projects(user, *, today: datetime.date) -> QuerySet[Project]:
    """The projects the user sees whose self-evaluation is not submitted though its task's deadline passed:
    finance sees every department's, a reviewer their departments', unit staff their units'."""
    overdue = [t for t in tasks_for(user) if t.kind == Task.Kind.SELF_EVALUATION and t.deadline < today]
    if not overdue:
        return Project.objects.none()
    return (
        projects_for(user)
        .filter(covered_by(overdue))
        .filter(NOT_SUBMITTED)
        .select_related("unit__department", "evaluation")
        .order_by("unit__department__code", "unit__order", "order", "id")
    )
