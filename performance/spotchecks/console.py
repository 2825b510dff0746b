"""The finance console's figures (财政总览, issue 16 item 4): a year across departments (or a department across its
units), every figure a SQL aggregate of the stored scores grouped by department or unit, so the page costs the
same few queries for two departments and for two hundred.

Per row: coverage (projects; with a self-evaluation started; submitted or approved; approved), the grade
distribution and the average score (projects whose actuals are all entered, as the dashboard counts them), the
average budget execution rate, overdue projects of overdue self-evaluation tasks, spot-check results (drawn,
re-reviewed, found inflated) and open inflation flags: projects with every actual entered whose self-reported
total is above the computed one (虚高) and which no spot check has concluded on yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from budgets.models import Project

from ..models import Evaluation
from ..page_cache import cached, shown_to
from ..tasks.models import Task
from ..tasks.services import NOT_SUBMITTED, covered_by
from .models import SpotCheckItem

GRADES = ("优", "良", "中", "差")
CENT = Decimal("0.01")
Status = Evaluation.Status


@dataclass
class ConsoleRow:
    """One department's (or one unit's) year."""

    key: int
    code: str
    name: str
    projects: int = 0
    started: int = 0
    submitted: int = 0
    approved: int = 0
    grades: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    average: Decimal | None = None
    rate: Decimal | None = None  # percent, 2 places
    overdue: int = 0
    sampled: int = 0
    reviewed: int = 0
    inflated: int = 0
    flags: int = 0
    href: str = ""  # the row's drill-down, where it has one
    evaluation_href: str = ""  # a department row: its department self-evaluation, where the user may see it
    results_href: str = ""  # a department row: its results sheet (结果应用), where the user may see it
    # 部门提交状态 (issue 16 item 2, the department's submission to finance) joins here when it exists.

    @property
    def grade_list(self) -> list[tuple[str, int]]:
        return list(self.grades.items())


def inflation_flagged(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Projects with every actual entered whose self-reported total is above the computed one and on which no spot
    check has concluded."""
    concluded = SpotCheckItem.objects.filter(project=OuterRef("pk")).exclude(conclusion="")
    inflated = Q(stored_score__complete=True, evaluation__reported_total__gt=F("stored_score__total"))
    return projects.filter(inflated).filter(~Exists(concluded))


def _overdue_tasks(year: int, today) -> list[Task]:
    return list(
        Task.objects.filter(
            kind=Task.Kind.SELF_EVALUATION, year=year, status=Task.Status.OPEN, deadline__lt=today
        ).prefetch_related("departments")
    )


@dataclass(frozen=True)
class ConsoleKey:
    """The key of a console's figures (and of its rendered table), with what computing them needs."""

    key: str
    today: object
    overdue: list[Task]


def console_key(user, groups: list[tuple[int, str, str]], *, by: str, year: int) -> ConsoleKey:
    """What the figures are computed from: the versions of the department-years the user sees (scores,
    self-evaluations, names: ``scores.versions``), who sees what, the groups, today (what is overdue), the year's
    overdue tasks and the spot checks' history (its last record: every draw and re-review writes one). Four small
    queries, where computing the figures scans every project of the year."""
    today = timezone.localdate()
    overdue = _overdue_tasks(year, today)
    tasks = [(t.pk, t.deadline, t.all_departments, sorted(d.pk for d in t.departments.all())) for t in overdue]
    spot_checks = SpotCheckItem.history.aggregate(last=Max("history_id"), n=Count("history_id"))
    extra = (by, groups, today, tasks, spot_checks["last"], spot_checks["n"])
    return ConsoleKey(shown_to(user).key(f"console-{by}", year=year, extra=extra), today, overdue)


def cached_console_rows(
    key: ConsoleKey, projects: QuerySet[Project], groups: list[tuple[int, str, str]], *, by: str, year: int
) -> list[ConsoleRow]:
    """``console_rows``, cached under ``key``."""
    return cached(
        key.key, lambda: console_rows(projects, groups, by=by, year=year, today=key.today, overdue=key.overdue)
    )


def console_rows(
    projects: QuerySet[Project],
    groups: list[tuple[int, str, str]],
    *,
    by: str,
    year: int,
    today=None,
    overdue: list[Task] | None = None,
):
    """A row per group (id, code, name) of ``projects`` (already narrowed to the year and what the user sees),
    grouped ``by`` "unit__department_id" or "unit_id"; a constant number of queries. ``overdue``: the year's overdue
    tasks, where the caller has read them."""
    rows = {key: ConsoleRow(key, code, name) for key, code, name in groups}
    complete = Q(stored_score__complete=True)
    figures = (
        projects.order_by()
        .values(group=F(by))
        .annotate(
            n=Count("pk"),
            started=Count("pk", filter=Q(stored_score__started=True)),
            submitted=Count("pk", filter=Q(evaluation__status__in=[Status.SUBMITTED, Status.APPROVED])),
            approved=Count("pk", filter=Q(evaluation__status=Status.APPROVED)),
            average=Avg("stored_score__total", filter=complete),
            rate=Avg("stored_score__rate", filter=complete),
            **{f"g{i}": Count("pk", filter=complete & Q(stored_score__grade=g)) for i, g in enumerate(GRADES)},
        )
    )
    for f in figures:
        row = rows.get(f["group"])
        if row is None:
            continue
        row.projects, row.started, row.submitted, row.approved = f["n"], f["started"], f["submitted"], f["approved"]
        row.grades = {g: f[f"g{i}"] for i, g in enumerate(GRADES)}
        if f["average"] is not None:
            row.average = Decimal(str(f["average"])).quantize(CENT, ROUND_HALF_UP)
        if f["rate"] is not None:
            row.rate = (Decimal(str(f["rate"])) * 100).quantize(CENT, ROUND_HALF_UP)
    if overdue is None:
        overdue = _overdue_tasks(year, today or timezone.localdate())
    if overdue:
        late = projects.filter(covered_by(overdue)).filter(NOT_SUBMITTED).order_by().values(group=F(by))
        for f in late.annotate(n=Count("pk")):
            if f["group"] in rows:
                rows[f["group"]].overdue = f["n"]
    checks = (
        SpotCheckItem.objects.filter(project__in=projects.values("pk"))
        .order_by()
        .values(group=F(f"project__{by}"))
        .annotate(
            n=Count("project", distinct=True),
            reviewed=Count("project", filter=~Q(conclusion=""), distinct=True),
            inflated=Count("project", filter=Q(conclusion=SpotCheckItem.Conclusion.INFLATED), distinct=True),
        )
    )
    for f in checks:
        if f["group"] in rows:
            rows[f["group"]].sampled, rows[f["group"]].reviewed, rows[f["group"]].inflated = (
                f["n"],
                f["reviewed"],
                f["inflated"],
            )
    for f in inflation_flagged(projects).order_by().values(group=F(by)).annotate(n=Count("pk")):
        if f["group"] in rows:
            rows[f["group"]].flags = f["n"]
    return list(rows.values())


COUNTS = ("projects", "started", "submitted", "approved", "overdue", "sampled", "reviewed", "inflated", "flags")


def totals(rows: list[ConsoleRow]) -> ConsoleRow:
    """The sum of the rows' counts (averages are left out: they are not sums)."""
    total = ConsoleRow(0, "", "")
    for row in rows:
        for name in COUNTS:
            setattr(total, name, getattr(total, name) + getattr(row, name))
        for grade in GRADES:
            total.grades[grade] += row.grades[grade]
    return total


def chart_data(rows: list[ConsoleRow]) -> dict:
    """The grade distribution per row as Chart.js stacked bars read it."""
    return {
        "labels": [row.name for row in rows],
        "datasets": [{"label": g, "data": [row.grades[g] for row in rows]} for g in GRADES],
    }
