"""What waits for a user (待办): projects to fill, returned, to review, overdue, and unread notifications.

Counted in a constant number of queries whatever the number of projects, tasks or departments (the
navigation shows the counts on every page): the user's accesses, the open tasks with their departments,
one aggregate over the projects, one count of notifications, and for finance and reviewers one count of the
departments' years (``performance.approval``): submitted ones for finance to approve, returned ones for the
department's reviewers. The lists of the inbox page use the same conditions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from budgets.models import Project
from budgets.permissions import department_ids_for, is_finance_bureau, projects_for, scope_of

from ..approval.models import DepartmentYear
from ..page_cache import cached
from ..scores.versions import Shown
from ..spotchecks.models import SpotCheckItem
from .models import Notification, Task
from .services import NOT_SUBMITTED, covered_by, tasks_for

PROJECT_ORDER = ("unit__department__code", "unit__order", "order", "id")


@dataclass(frozen=True)
class InboxCounts:
    to_fill: int = 0
    returned: int = 0
    to_review: int = 0
    overdue: int = 0
    unread: int = 0
    to_approve: int = 0  # departments' years submitted to finance (finance's)
    years_returned: int = 0  # departments' years finance returned (their reviewers')
    to_recheck: int = 0  # sampled projects of spot checks without finance's conclusion yet (finance's: 待复核)

    @property
    def waiting(self) -> int:
        """What the navigation counts: items that wait for this user to act (overdue ones are among them)."""
        return self.to_fill + self.returned + self.to_review + self.to_approve + self.years_returned + self.to_recheck


@dataclass(frozen=True)
class Conditions:
    """The inbox's conditions on projects for one user, read once."""

    to_fill: Q
    returned: Q
    to_review: Q
    overdue: Q
    scope: Q | None  # the projects the conditions pick from; None: every project (finance)


NOTHING = Q(pk__isnull=True)  # matches no project (an empty IN would make the aggregate raise)


def conditions_for(user, *, today: datetime.date) -> Conditions:
    scope = scope_of(user)
    tasks = [t for t in tasks_for(user) if t.kind == Task.Kind.SELF_EVALUATION]
    open_tasks = covered_by(tasks)
    overdue_tasks = covered_by([t for t in tasks if t.deadline < today])
    if scope[0] == "nothing":
        return Conditions(NOTHING, NOTHING, NOTHING, NOTHING, NOTHING)
    if scope[0] == "everything":  # finance: what is overdue anywhere
        return Conditions(NOTHING, NOTHING, NOTHING, overdue_tasks & NOT_SUBMITTED, None)
    _kind, staff_units, reviewer_departments = scope
    own = Q(unit__in=staff_units) if staff_units else NOTHING
    reviewed = Q(unit__department__in=reviewer_departments) if reviewer_departments else NOTHING
    return Conditions(
        to_fill=own & open_tasks & (Q(evaluation__isnull=True) | Q(evaluation__status="draft")),
        returned=own & Q(evaluation__status="returned"),
        to_review=reviewed & Q(evaluation__status="submitted"),
        overdue=(own | reviewed) & overdue_tasks & NOT_SUBMITTED,
        scope=own | reviewed,
    )


def inbox_counts(user, *, today: datetime.date) -> InboxCounts:
    """How many items of each kind wait for the user.

    The counts of projects are cached under the versions of the department-years the user sees (a saved
    self-evaluation or project renews them) and under the conditions themselves, which hold the user's units
    and departments and the open tasks with their years, departments and whether their deadline has passed:
    a new or closed task, a passed deadline or a changed access is a new key. Every page shows the count, and
    counting scans every project the user sees (29 ms at 50,000 projects)."""
    if not user.is_authenticated:
        return InboxCounts()
    c = conditions_for(user, today=today)
    key = Shown(department_ids_for(user), parts="inbox").key(
        "inbox", extra=tuple(repr(q) for q in (c.to_fill, c.returned, c.to_review, c.overdue, c.scope))
    )
    counted = dict(cached(key, lambda: _count_projects(c)))
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    years = years_waiting(user)  # departments' years: few rows, counted on every view
    if years is not None:
        counted.update(
            years.aggregate(
                to_approve=Count("pk", filter=Q(status=DepartmentYear.Status.SUBMITTED)),
                years_returned=Count("pk", filter=Q(status=DepartmentYear.Status.RETURNED)),
            )
        )
    if is_finance_bureau(user):  # finance re-reviews the samples it drew
        counted["to_recheck"] = rechecks_waiting().count()
    return InboxCounts(unread=unread, **counted)


def rechecks_waiting() -> QuerySet[SpotCheckItem]:
    """The sampled projects whose re-review (复核) finance has not concluded yet."""
    return SpotCheckItem.objects.filter(conclusion=SpotCheckItem.Conclusion.PENDING)


def rechecks_list(user, limit: int = 100) -> list[SpotCheckItem]:
    if not is_finance_bureau(user):
        return []
    items = rechecks_waiting().select_related("project__unit", "spot_check").order_by("spot_check_id", "rank")
    return list(items[:limit])


def _count_projects(c: Conditions) -> dict[str, int]:
    projects = Project.objects.all() if c.scope is None else Project.objects.filter(c.scope)
    return projects.aggregate(
        to_fill=Count("pk", filter=c.to_fill),
        returned=Count("pk", filter=c.returned),
        to_review=Count("pk", filter=c.to_review),
        overdue=Count("pk", filter=c.overdue),
    )


def years_waiting(user) -> QuerySet[DepartmentYear] | None:
    """The departments' years that wait for the user: submitted ones for finance, returned ones for the reviewers of
    their departments; None where none can (no query then)."""
    scope = scope_of(user)
    if scope[0] == "everything":
        years = DepartmentYear.objects.filter(status=DepartmentYear.Status.SUBMITTED)
        if user.is_superuser:  # every role: also the returned years
            years = DepartmentYear.objects.filter(
                status__in=[DepartmentYear.Status.SUBMITTED, DepartmentYear.Status.RETURNED]
            )
        return years
    if scope[0] == "units" and scope[2]:
        return DepartmentYear.objects.filter(department__in=scope[2], status=DepartmentYear.Status.RETURNED)
    return None


def years_list(user) -> list[DepartmentYear]:
    years = years_waiting(user)
    return [] if years is None else list(years.select_related("department").order_by("-year", "department__code")[:100])


def inbox_lists(user, *, today: datetime.date, limit: int = 100) -> dict[str, list[Project]]:
    """The projects of each kind (the first ``limit``), for the inbox page."""
    c = conditions_for(user, today=today)
    visible = projects_for(user).select_related("unit__department", "evaluation").order_by(*PROJECT_ORDER)
    return {
        name: list(_pick(visible, condition)[:limit])
        for name, condition in (
            ("to_fill", c.to_fill),
            ("returned", c.returned),
            ("to_review", c.to_review),
            ("overdue", c.overdue),
        )
    }


def _pick(projects: QuerySet[Project], condition: Q) -> QuerySet[Project]:
    return projects.filter(condition)
