"""Shared test builders: plain functions with sensible defaults, keyword-only overrides.

Each builder saves and returns one row (plus what it needs): ``make_project()`` alone gives a
project of a fresh unit of a fresh department. Codes are unique per call so builders can be
mixed freely in one test.
"""

from datetime import date
from decimal import Decimal
from itertools import count

from django.contrib.auth import get_user_model

from budgets.models import Access, Department, Project, Unit
from performance.models import ActualResult, Evaluation, Indicator, IndicatorCategory, ProjectGoal, Task
from performance.monitoring import monitoring_tasks, start_monitoring_round

PASSWORD = "test-password-1"

_sequence = count(1)


def _next() -> int:
    return next(_sequence)


def make_department(*, code: str | None = None, name: str | None = None, **fields) -> Department:
    n = _next()
    return Department.objects.create(code=code or f"9{n:02d}", name=name or f"测试部门{n}", **fields)


def make_unit(
    *, department: Department | None = None, code: str | None = "auto", name: str | None = None, **fields
) -> Unit:
    """A unit; ``code=None`` makes one without a code (as the seed has)."""
    department = department or make_department()
    n = _next()
    if code == "auto":
        code = f"{department.code}{n:03d}"
    return Unit.objects.create(department=department, code=code, name=name or f"测试单位{n}", **fields)


def make_project(*, unit: Unit | None = None, year: int = 2021, name: str | None = None, **fields) -> Project:
    """A project; money fields default to None (pass e.g. ``full_year_total=Decimal("81")``)."""
    unit = unit or make_unit()
    return Project.objects.create(unit=unit, year=year, name=name or f"测试项目{_next()}", **fields)


def make_goal(*, project: Project | None = None, text: str = "完成年度工作任务") -> ProjectGoal:
    return ProjectGoal.objects.create(project=project or make_project(), text=text)


def category(level1: str, level2: str | None = None) -> IndicatorCategory:
    """A category of the standard framework seeded by migration 0002 (e.g. ``category("产出指标", "数量指标")``)."""
    first = IndicatorCategory.objects.get(level=1, name=level1)
    if level2 is None:
        return first
    return IndicatorCategory.objects.get(level=2, parent=first, name=level2)


def make_indicator(
    *,
    project: Project | None = None,
    level1: str = "产出指标",
    level2: str = "数量指标",
    name: str | None = None,
    target: str = "12次",
    weight: Decimal | None = None,
    **fields,
) -> Indicator:
    """An indicator under the standard level-1/level-2 names given; saved through Indicator.save()."""
    project = project or make_project()
    if "order" not in fields:
        fields["order"] = project.indicators.count() + 1
    indicator = Indicator(
        project=project,
        level1=category(level1),
        level2=category(level1, level2),
        name=name or f"测试指标{_next()}",
        target=target,
        weight=weight,
        **fields,
    )
    indicator.save()
    return indicator


def make_evaluation(*, project: Project | None = None, **fields) -> Evaluation:
    return Evaluation.objects.create(project=project or make_project(), **fields)


def make_user(*, username: str | None = None, password: str = PASSWORD, **fields):
    User = get_user_model()
    return User.objects.create_user(username=username or f"user{_next()}", password=password, **fields)


def make_superuser(*, username: str | None = None, password: str = PASSWORD):
    User = get_user_model()
    return User.objects.create_superuser(username=username or f"admin{_next()}", password=password)


def make_user_with_access(
    *,
    role: str = Access.Role.STAFF,
    unit: Unit | None = None,
    department: Department | None = None,
    username: str | None = None,
    password: str = PASSWORD,
):
    """A user with one Access: staff of ``unit``, reviewer of ``department``, or finance (no scope).

    Staff without a unit get a fresh unit; a reviewer without a department gets the unit's
    department or a fresh one.
    """
    user = make_user(username=username, password=password)
    if role == Access.Role.STAFF:
        Access.objects.create(user=user, role=role, unit=unit or make_unit())
    elif role == Access.Role.REVIEWER:
        department = department or (unit.department if unit else make_department())
        Access.objects.create(user=user, role=role, department=department)
    else:
        Access.objects.create(user=user, role=role)
    return user


def log_in_as(client, username: str):
    """Log the test client in as an existing user (the demo's kexie, shenhe…); the user."""
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    return user


def make_scored_project(
    unit, *, name=None, actual="12次", reported_total=None, status=Evaluation.Status.APPROVED, year=2021, **fields
):
    """A project of one 数量 row (≥12次 → weight 90) and a budget of 10 of which 9 executed (rate 90%)."""
    project = make_project(
        unit=unit, year=year, name=name, full_year_total=Decimal("10"), executed_total=Decimal("9"), **fields
    )
    indicator = make_indicator(project=project, target="≥12次", name="培训次数")
    ActualResult.objects.create(indicator=indicator, actual=actual, deviation_reason="")
    Evaluation.objects.create(project=project, status=status, reported_total=reported_total)
    return project


def make_monitoring_task(*, year: int = 2021, round_number: int = 1, departments=None, **fields):
    """Finance's open monitoring task (监控任务 第N次) of a year, to every department or to the ones given."""
    fields.setdefault("deadline", date(year, 8, 31))
    task = Task.objects.create(
        kind=Task.Kind.MONITORING,
        year=year,
        round_number=round_number,
        all_departments=departments is None,
        **fields,
    )
    if departments is not None:
        task.departments.set(departments)
    return task


def start_round(*, department: Department, year: int = 2021, by, round_number: int = 1, cut_off=None):
    """The department's monitoring round N of the year, answering the open monitoring task of that round
    (issued to every department first where there is none)."""
    task = monitoring_tasks(department, year).filter(status=Task.Status.OPEN, round_number=round_number).last()
    task = task or make_monitoring_task(year=year, round_number=round_number)
    return start_monitoring_round(department=department, task=task, cut_off=cut_off, by=by)
