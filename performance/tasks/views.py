"""Finance's task pages (issue, list, edit, close) and everyone's inbox."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.permissions import is_finance_bureau, projects_for

from ..monitoring import overdue_monitorings
from .forms import TaskEditForm, TaskForm
from .inbox import inbox_counts, inbox_lists, rechecks_list, years_list
from .models import Notification, Task
from .notifications import mark_read
from .services import close_task, days_left, issue_task, overdue_projects, tasks_for, update_task

NOTIFICATIONS_SHOWN = 50
OVERDUE_SHOWN = 200  # the task list shows the first of the overdue projects, and how many there are


def finance_required(view):
    """Finance bureau staff and superusers only; anyone else is refused (403), the anonymous sent to log in."""

    @login_required
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not is_finance_bureau(request.user):
            raise PermissionDenied(_("只有财政部门可以下达和管理绩效任务。"))
        return view(request, *args, **kwargs)

    return guarded


def _today():
    return timezone.localdate()


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@finance_required
def task_list(request):
    """Every task, open ones first, with the days left, and the projects overdue across all departments."""
    today = _today()
    tasks = list(
        Task.objects.prefetch_related("departments").select_related("issued_by").order_by("status", "deadline", "id")
    )
    rows = [{"task": t, "days_left": days_left(t.deadline, today)} for t in tasks]
    overdue = overdue_projects(request.user, today=today)
    monitorings = overdue_monitorings(projects_for(request.user), today=today)
    return render(
        request,
        "performance/task_list.html",
        {
            "rows": rows,
            "overdue": list(overdue[:OVERDUE_SHOWN]),
            "overdue_count": overdue.count(),
            "overdue_monitorings": list(monitorings[:OVERDUE_SHOWN]),
            "overdue_monitoring_count": monitorings.count(),
            "today": today,
        },
    )


@finance_required
def task_create(request):
    form = TaskForm(request.POST or None, initial={"year": today_year(), "to_all": True, "round_number": 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = issue_task(
                kind=data["kind"],
                year=data["year"],
                round_number=data["round_number"],
                deadline=data["deadline"],
                note=data["note"],
                departments=None if data["to_all"] else data["departments"],
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已下达%(task)s。") % {"task": task})
            return redirect("performance:task-list")
    return render(request, "performance/task_form.html", {"form": form, "task": None})


def today_year() -> int:
    return _today().year - 1  # self-evaluations look back on last year


@finance_required
def task_edit(request, pk: int):
    task = get_object_or_404(Task, pk=pk)
    form = TaskEditForm(request.POST or None, initial={"deadline": task.deadline, "note": task.note})
    if request.method == "POST" and form.is_valid():
        try:
            update_task(
                task=task, deadline=form.cleaned_data["deadline"], note=form.cleaned_data["note"], by=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已修改%(task)s。") % {"task": task})
            return redirect("performance:task-list")
    history = task.history.select_related("history_user").order_by("-history_date", "-history_id")
    return render(request, "performance/task_form.html", {"form": form, "task": task, "history": history})


@finance_required
@require_POST
def task_close(request, pk: int):
    task = get_object_or_404(Task, pk=pk)
    try:
        close_task(task=task, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已关闭%(task)s。") % {"task": task})
    return redirect("performance:task-list")


@login_required
def inbox(request):
    """What waits for the user, the tasks that concern them and their notifications."""
    today = _today()
    tasks = [{"task": t, "days_left": days_left(t.deadline, today)} for t in tasks_for(request.user)]
    notifications = list(
        Notification.objects.filter(user=request.user).select_related("department_year__department")[
            :NOTIFICATIONS_SHOWN
        ]
    )
    return render(
        request,
        "performance/inbox.html",
        {
            "counts": inbox_counts(request.user, today=today),
            "lists": inbox_lists(request.user, today=today),
            "years": years_list(request.user),
            "rechecks": rechecks_list(request.user),
            "tasks": tasks,
            "notifications": notifications,
        },
    )


@login_required
@require_POST
def notifications_read(request):
    mark_read(user=request.user)
    messages.success(request, _("通知已全部标为已读。"))
    return redirect("performance:inbox")
