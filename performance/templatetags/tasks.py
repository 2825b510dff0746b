"""The inbox's count in the navigation, the tasks on the home page, and the days left of a task."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from budgets.permissions import is_finance_bureau, reviewed_department_ids

from ..tasks.inbox import InboxCounts, inbox_counts
from ..tasks.services import days_left, tasks_for

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_for(context) -> InboxCounts:
    """The request user's inbox counts, counted once per request (a constant number of queries)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return InboxCounts()
    counts = getattr(request, "_jixiao_inbox", None)
    if counts is None:
        counts = request._jixiao_inbox = inbox_counts(request.user, today=timezone.localdate())
    return counts


@register.filter
def manages_tasks(user) -> bool:
    """Whether the user issues tasks (finance, superusers): the navigation shows them the task list."""
    return is_finance_bureau(user)


@register.filter
def sees_console(user) -> bool:
    """Whether the navigation shows the finance console: finance (every department), reviewers (their own)."""
    return is_finance_bureau(user) or bool(reviewed_department_ids(user))


@register.filter
def manages_library(user) -> bool:
    """Whether the user keeps the indicator library (reviewers, finance): the navigation shows them its page."""
    from ..library.rights import may_manage_library

    return may_manage_library(user)


@register.filter
def days_left_badge(days: int) -> str:
    """The days left to a deadline as a badge whose words say it (not only its colour)."""
    if days < 0:
        return format_html('<span class="badge text-bg-danger">{}</span>', _("已逾期%(n)s天") % {"n": -days})
    if days == 0:
        return format_html('<span class="badge text-bg-warning">{}</span>', _("今天截止"))
    return format_html('<span class="badge text-bg-light border">{}</span>', _("剩余%(n)s天") % {"n": days})


@register.inclusion_tag("performance/_home_tasks.html", takes_context=True)
def home_tasks(context):
    """The open tasks that concern the user, with the days left, and their inbox counts."""
    request = context["request"]
    today = timezone.localdate()
    rows = [{"task": t, "days_left": days_left(t.deadline, today)} for t in tasks_for(request.user)]
    return {"rows": rows, "counts": inbox_for(context), "request": request}
