"""Mid-year monitoring (绩效运行监控, SPEC section 10): the status-light rules and the round's services.

The rules (pure functions over plain values, no ORM):
- budget: rate to date = executed to date / full-year budget, compared with the share of the year
  elapsed at the cut-off (day of the year / days in the year; 7-31 is 212/365 = 58.08%): green while
  the rate is at least the share − ``BUDGET_AMBER_GAP`` (10 points), amber while it is at least the
  share − ``BUDGET_RED_GAP`` (25 points), red below;
- indicator: the forecast for the year is read against the target (``read_actual``) and scored by the
  self-evaluation rules (``performance.scoring``): red when the likelihood is 完全不可能 or the forecast
  scores below ``INDICATOR_RED_RATIO`` (60%) of the weight; amber when it is 有可能 or the forecast scores
  below the full weight (or cannot be compared); green when 确定能 and the forecast meets the target;
- project: the worst of its budget light and its indicator lights (rows not yet filled in count not).

Rounds answer finance's monitoring tasks (``performance.tasks``, 监控任务 第N次): a department has one round per
task, so a year may have several; ``round_of``/``monitoring_of`` find round N, or by default the latest open one.

Services (keyword-only): ``start_monitoring_round``, ``save_monitoring_entry``, and the workflow
``submit_monitoring`` / ``return_monitoring`` / ``approve_monitoring`` / ``reopen_monitoring``, which
follow ``performance.workflow`` (same states, same permissions).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from budgets.models import Department, Project
from budgets.numbers import kept_amount
from budgets.permissions import can_edit_unit, can_review_unit, sees_everything

from .actuals import ActualKind, read_actual
from .models import Indicator, IndicatorMonitoring, MonitoringRound, ProjectMonitoring, Task, target_of
from .scoring import BudgetInput, RowInput, score_evaluation
from .targets import Kind, Target
from .workflow.engine import Flow, record_transition, require_status, run
from .workflow.review_cycle import review_cycle

GREEN, AMBER, RED = "green", "amber", "red"
SEVERITY = {None: 0, GREEN: 1, AMBER: 2, RED: 3}
BUDGET_AMBER_GAP = Decimal("0.10")
BUDGET_RED_GAP = Decimal("0.25")
INDICATOR_RED_RATIO = Decimal("0.6")
RATE_PLACES = Decimal("0.0001")
ONE = Decimal("1")
CUT_OFF_MONTH, CUT_OFF_DAY = 7, 31

Likelihood = IndicatorMonitoring.Likelihood
Status = ProjectMonitoring.Status
EDITABLE = {Status.DRAFT, Status.RETURNED}


def light_label(light: str | None) -> str:
    return {GREEN: _("绿灯·正常"), AMBER: _("黄灯·有风险"), RED: _("红灯·预计完不成")}.get(light, _("未填报"))


def light_rules() -> list[str]:
    """The rules in words, shown on every monitoring page (built from the constants above)."""
    amber = int(BUDGET_AMBER_GAP * 100)
    red = int(BUDGET_RED_GAP * 100)
    share = share_of_year(date(2021, CUT_OFF_MONTH, CUT_OFF_DAY))
    return [
        _(
            "预算执行：执行率 = 截至监控日执行数 ÷ 全年预算数；时间进度 = 截止日期是当年的第几天 ÷ 当年天数"
            "（7月31日为 212/365 = %(share)s）。执行率不低于时间进度减 %(amber)s 个百分点为绿灯，"
            "不低于时间进度减 %(red)s 个百分点为黄灯，更低为红灯。"
        )
        % {"share": percent(share), "amber": amber, "red": red},
        _(
            "绩效指标：全年预计完成情况按自评计分规则与年度指标值比较。完成目标可能性为“完全不可能”，"
            "或预计得分低于分值的 %(red)s%%，为红灯；为“有可能”，或预计得分低于分值（或无法比较），为黄灯；"
            "为“确定能”且预计达到年度指标值，为绿灯。"
        )
        % {"red": int(INDICATOR_RED_RATIO * 100)},
        _("项目：取预算执行和各项指标中最差的一盏灯；尚未填报的不计入。"),
    ]


def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


# --- pure rules ----------------------------------------------------------------------------------


def default_cut_off(year: int) -> date:
    return date(year, CUT_OFF_MONTH, CUT_OFF_DAY)


def share_of_year(cut_off: date) -> Decimal:
    """The share of the year elapsed at the end of the cut-off day, to 4 places (7-31-2021: 0.5808)."""
    days = 366 if calendar.isleap(cut_off.year) else 365
    return (Decimal(cut_off.timetuple().tm_yday) / Decimal(days)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class BudgetLight:
    rate: Decimal | None
    share: Decimal
    light: str | None
    reason: str = ""


def budget_light(*, budget: Decimal | None, executed: Decimal | None, cut_off: date) -> BudgetLight:
    """The budget light: the rate to date against the share of the year elapsed at the cut-off."""
    share = share_of_year(cut_off)
    if budget is None or budget == 0:
        return BudgetLight(None, share, None, _("全年预算数未填写或为 0，无法计算执行率。"))
    if executed is None:
        return BudgetLight(None, share, None, _("截至监控日执行数未填写。"))
    rate = (Decimal(executed) / Decimal(budget)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    if rate >= share - BUDGET_AMBER_GAP:
        return BudgetLight(rate, share, GREEN)
    if rate >= share - BUDGET_RED_GAP:
        reason = _("执行率 %(rate)s 低于时间进度 %(share)s 超过 %(gap)s 个百分点。")
        return BudgetLight(
            rate,
            share,
            AMBER,
            reason % {"rate": percent(rate), "share": percent(share), "gap": int(BUDGET_AMBER_GAP * 100)},
        )
    reason = _("执行率 %(rate)s 低于时间进度 %(share)s 超过 %(gap)s 个百分点。")
    return BudgetLight(
        rate, share, RED, reason % {"rate": percent(rate), "share": percent(share), "gap": int(BUDGET_RED_GAP * 100)}
    )


@dataclass(frozen=True)
class ForecastScore:
    ratio: Decimal | None  # forecast score / weight; None when not given or not comparable
    error: str = ""  # an unreadable forecast (wrong unit, negative, text for a number)


def score_forecast(target: Target, forecast: str) -> ForecastScore:
    """The forecast scored against the target as a self-evaluation row would be, as a share of its weight."""
    actual = read_actual(forecast, target)
    if actual.error:
        return ForecastScore(None, actual.error)
    if actual.kind in (ActualKind.MISSING, ActualKind.NOT_APPLICABLE):
        return ForecastScore(None)
    score = score_evaluation(BudgetInput(None, None), [RowInput(group="output", target=target, actual=forecast)])
    row = score.rows[0]
    if row.errors or not row.weight:
        return ForecastScore(None)
    return ForecastScore(row.score / row.weight)


@dataclass(frozen=True)
class IndicatorLight:
    light: str | None
    ratio: Decimal | None
    reason: str = ""


def indicator_light(*, target: Target, forecast: str, likelihood: str) -> IndicatorLight:
    """An indicator's light from its forecast for the year and the likelihood of meeting its target."""
    if target.kind == Kind.NOT_APPLICABLE:
        return IndicatorLight(None, None, _("不适用"))
    forecast = (forecast or "").strip()
    if not forecast and not likelihood:
        return IndicatorLight(None, None, _("尚未填报"))
    ratio = score_forecast(target, forecast).ratio if forecast else None
    red = []
    if likelihood == Likelihood.IMPOSSIBLE:
        red.append(_("完成目标可能性为“完全不可能”。"))
    if ratio is not None and ratio < INDICATOR_RED_RATIO:
        red.append(_("预计得分为分值的 %(ratio)s，低于 60%%。") % {"ratio": percent(ratio)})
    if red:
        return IndicatorLight(RED, ratio, "".join(red))
    amber = []
    if likelihood == Likelihood.POSSIBLE:
        amber.append(_("完成目标可能性为“有可能”。"))
    elif likelihood != Likelihood.CERTAIN:
        amber.append(_("尚未选择完成目标可能性。"))
    if ratio is None:
        amber.append(_("全年预计完成情况未填写或无法与指标值比较。"))
    elif ratio < ONE:
        amber.append(_("预计得分为分值的 %(ratio)s，未达到指标值。") % {"ratio": percent(ratio)})
    if amber:
        return IndicatorLight(AMBER, ratio, "".join(amber))
    return IndicatorLight(GREEN, ratio)


def worst(lights) -> str | None:
    """The worst light of several (red > amber > green); None when none is known."""
    return max(lights, key=lambda light: SEVERITY[light], default=None)


# --- reading a project's monitoring --------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorEntry:
    value_to_date: str = ""
    forecast: str = ""
    deviation_cause: str = ""
    note: str = ""
    likelihood: str = ""


@dataclass(frozen=True)
class MonitoringEntry:
    full_year_budget: Decimal | None = None
    executed_to_date: Decimal | None = None
    forecast_full_year_execution: Decimal | None = None
    indicators: dict[int, IndicatorEntry] = field(default_factory=dict)


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    entry: IndicatorEntry
    light: IndicatorLight


@dataclass(frozen=True)
class Assessment:
    budget: BudgetLight
    rows: list[IndicatorRow]
    light: str | None

    @property
    def flagged(self) -> list[IndicatorRow]:
        return [row for row in self.rows if row.light.light in (AMBER, RED)]


def monitoring_indicators(project: Project) -> list[Indicator]:
    return list(Indicator.objects.filter(project=project).in_order())


def entry_from_monitoring(monitoring: ProjectMonitoring, indicators: list[Indicator]) -> MonitoringEntry:
    """The entry as saved (``monitoring.indicators`` may be prefetched)."""
    saved = {row.indicator_id: row for row in monitoring.indicators.all()}
    return MonitoringEntry(
        full_year_budget=monitoring.full_year_budget,
        executed_to_date=monitoring.executed_to_date,
        forecast_full_year_execution=monitoring.forecast_full_year_execution,
        indicators={
            indicator.pk: IndicatorEntry(row.value_to_date, row.forecast, row.deviation_cause, row.note, row.likelihood)
            if (row := saved.get(indicator.pk))
            else IndicatorEntry()
            for indicator in indicators
        },
    )


def assess(*, cut_off: date, indicators: list[Indicator], entry: MonitoringEntry) -> Assessment:
    """The budget, indicator and project lights of an entry (saved or typed)."""
    budget = budget_light(budget=entry.full_year_budget, executed=entry.executed_to_date, cut_off=cut_off)
    rows = []
    for indicator in indicators:
        typed = entry.indicators.get(indicator.pk, IndicatorEntry())
        light = indicator_light(target=target_of(indicator), forecast=typed.forecast, likelihood=typed.likelihood)
        rows.append(IndicatorRow(indicator, typed, light))
    return Assessment(budget, rows, worst([budget.light, *(row.light.light for row in rows)]))


def unreadable_entry_errors(*, indicators: list[Indicator], entry: MonitoringEntry) -> dict[str, list[str]]:
    """Values to date and forecasts that cannot be read against their target (a draft refuses them)."""
    errors = {}
    for indicator in indicators:
        typed = entry.indicators.get(indicator.pk, IndicatorEntry())
        target = target_of(indicator)
        for name in ("value_to_date", "forecast"):
            actual = read_actual(getattr(typed, name), target)
            if actual.error:
                errors[f"ind-{indicator.pk}-{name}"] = [actual.error]
    return errors


def monitoring_field_problems(assessment: Assessment, entry: MonitoringEntry) -> dict[str, list[str]]:
    """What blocks submission, by the field it is about (the form's field names: ``executed_to_date``,
    ``ind-<pk>-forecast``): missing figures, forecasts, likelihoods, and causes of amber/red rows."""
    problems: dict[str, list[str]] = {}
    if entry.full_year_budget is None:
        problems["full_year_budget"] = [_("请填写全年预算数。")]
    if entry.executed_to_date is None:
        problems["executed_to_date"] = [_("请填写截至监控日执行数。")]
    if entry.forecast_full_year_execution is None:
        problems["forecast_full_year_execution"] = [_("请填写全年预计执行数。")]
    for row in assessment.rows:
        if target_of(row.indicator).kind == Kind.NOT_APPLICABLE:
            continue
        name, prefix = row.indicator.name, f"ind-{row.indicator.pk}"
        if not row.entry.forecast.strip():
            problems[f"{prefix}-forecast"] = [_("“%(row)s”缺少全年预计完成情况。") % {"row": name}]
        if not row.entry.likelihood:
            problems[f"{prefix}-likelihood"] = [_("“%(row)s”未选择完成目标可能性。") % {"row": name}]
        if row.light.light in (AMBER, RED) and not (row.entry.deviation_cause and row.entry.note.strip()):
            field = "deviation_cause" if not row.entry.deviation_cause else "note"
            problems[f"{prefix}-{field}"] = [_("“%(row)s”有偏差风险，请选择偏差原因并填写原因说明。") % {"row": name}]
    return problems


def monitoring_problems(assessment: Assessment, entry: MonitoringEntry) -> list[str]:
    """What blocks submission, as one list (``monitoring_field_problems`` in field order)."""
    return [problem for field in monitoring_field_problems(assessment, entry).values() for problem in field]


# --- services ------------------------------------------------------------------------------------


def can_open_round(user, department: Department) -> bool:
    """Reviewers of the department, the finance bureau and superusers open monitoring rounds."""
    if sees_everything(user):
        return True
    return any(can_review_unit(user, unit) for unit in department.units.all())


def initial_budget(project: Project) -> Decimal | None:
    """The full-year budget a round starts from: the project's 全年预算数, else its 年初预算数."""
    full_year = project.total("full_year")
    return full_year if full_year is not None else project.total("initial")


def monitoring_tasks(department: Department, year: int):
    """Finance's monitoring tasks of a year that concern the department (issued to all or to it), by round."""
    return (
        Task.objects.filter(kind=Task.Kind.MONITORING, year=year)
        .filter(Q(all_departments=True) | Q(departments=department))
        .distinct()
        .order_by("round_number", "id")
    )


def startable_tasks(department: Department, year: int) -> list[Task]:
    """The open monitoring tasks of the year the department has not started a round of yet."""
    started = MonitoringRound.objects.filter(department=department, year=year).values("task_id")
    return list(monitoring_tasks(department, year).filter(status=Task.Status.OPEN).exclude(pk__in=started))


def monitoring_task(department: Department, year: int, round_number: int) -> Task:
    """The open monitoring task of the year's round N concerning the department, or a sentence saying there is none."""
    task = monitoring_tasks(department, year).filter(status=Task.Status.OPEN, round_number=round_number).last()
    if task is None:
        raise ValidationError(
            _("财政尚未向%(department)s下达 %(year)s 年第%(n)s次监控任务（或任务已关闭），不能发起运行监控。")
            % {"department": department.name, "year": year, "n": round_number}
        )
    return task


@transaction.atomic
def start_monitoring_round(*, department: Department, task: Task, cut_off: date | None = None, by) -> MonitoringRound:
    """Open a department's round answering finance's monitoring task (of its year, 第N次), with one entry per
    project of that year."""
    if not can_open_round(by, department):
        raise PermissionDenied
    year = task.year
    if task.kind != Task.Kind.MONITORING or task.status != Task.Status.OPEN:
        raise ValidationError(_("只能响应进行中的监控任务。"))
    if not monitoring_tasks(department, year).filter(pk=task.pk).exists():
        raise ValidationError(_("该监控任务没有下达给%(department)s。") % {"department": department.name})
    cut_off = cut_off or default_cut_off(year)
    if cut_off.year != year:
        raise ValidationError(
            {"cut_off": _("截止日期 %(date)s 不在 %(year)s 年内。") % {"date": cut_off, "year": year}}
        )
    if MonitoringRound.objects.filter(department=department, task=task).exists():
        raise ValidationError(
            _("%(year)s 年%(task)s的运行监控已经发起，不能重复发起。") % {"year": year, "task": task.title}
        )
    monitoring_round = MonitoringRound(department=department, task=task, year=year, cut_off=cut_off, opened_by=by)
    monitoring_round._history_user = by
    monitoring_round.full_clean()
    monitoring_round.save()
    projects = Project.objects.filter(unit__department=department, year=year)
    ProjectMonitoring.objects.bulk_create(
        ProjectMonitoring(round=monitoring_round, project=project, full_year_budget=initial_budget(project))
        for project in projects
    )
    return monitoring_round


def rounds_of(department_id: int, year: int):
    """A department's rounds of a year, by round number (then as opened)."""
    return (
        MonitoringRound.objects.filter(department_id=department_id, year=year)
        .select_related("task", "department")
        .order_by("task__round_number", "id")
    )


def round_of(department_id: int, year: int, round_number: int | None = None) -> MonitoringRound | None:
    """The department's round N of the year; without N, the latest open round, else the latest round."""
    rounds = list(rounds_of(department_id, year))
    if round_number is not None:
        return next((r for r in reversed(rounds) if r.round_number == round_number), None)
    open_rounds = [r for r in rounds if r.status == MonitoringRound.Status.OPEN]
    return (open_rounds or rounds or [None])[-1]


def monitoring_of(project: Project, round_number: int | None = None) -> ProjectMonitoring | None:
    """The project's entry in its department's round N of its year (without N: the latest open round, else the
    latest), created when the round predates the project."""
    monitoring_round = round_of(project.unit.department_id, project.year, round_number)
    if monitoring_round is None:
        return None
    monitoring, _created = ProjectMonitoring.objects.select_related("round__task").get_or_create(
        round=monitoring_round, project=project, defaults={"full_year_budget": initial_budget(project)}
    )
    return monitoring


def overdue_monitorings(projects, *, today: date):
    """The entries of these projects still to submit (草稿, 已退回) in an open round whose open monitoring task's
    deadline has passed: what the department and finance see as overdue (逾期)."""
    return (
        ProjectMonitoring.objects.filter(
            project__in=projects,
            status__in=EDITABLE,
            round__status=MonitoringRound.Status.OPEN,
            round__task__status=Task.Status.OPEN,
            round__task__deadline__lt=today,
        )
        .select_related("project__unit__department", "round__task")
        .order_by("round__task__deadline", "project__unit__department__code", "project__unit__order", "project_id")
    )


def _lock(monitoring: ProjectMonitoring) -> ProjectMonitoring:
    return ProjectMonitoring.objects.select_for_update().select_related("project__unit", "round").get(pk=monitoring.pk)


def _require_open(monitoring: ProjectMonitoring) -> None:
    if monitoring.round.status != MonitoringRound.Status.OPEN:
        raise ValidationError(_("本轮运行监控已关闭。"))


def _require(monitoring: ProjectMonitoring, allowed: set[str], action: str) -> None:
    require_status(monitoring, allowed, action)
    _require_open(monitoring)


def _monitoring_problems(monitoring: ProjectMonitoring) -> list[str]:
    indicators = monitoring_indicators(monitoring.project)
    entry = entry_from_monitoring(monitoring, indicators)
    return monitoring_problems(assess(cut_off=monitoring.round.cut_off, indicators=indicators, entry=entry), entry)


# The monitoring entry's flow: the self-evaluation's review cycle, only while its round is open.
MONITORING = Flow(
    model=ProjectMonitoring,
    related=("project__unit", "round"),
    guard=_require_open,
    transitions=review_cycle(
        submit=lambda user, monitoring: can_edit_unit(user, monitoring.project.unit),
        review=lambda user, monitoring: can_review_unit(user, monitoring.project.unit),
        requires=_monitoring_problems,
        reopen_missing=_("重新打开已审核的监控必须填写原因。"),
    ),
)


@transaction.atomic
def save_monitoring_entry(
    *, monitoring: ProjectMonitoring, data: MonitoringEntry, by, version: int
) -> ProjectMonitoring:
    """Save the entry as a draft (partial data allowed); refuse a stale version or unreadable values."""
    monitoring = _lock(monitoring)
    if not can_edit_unit(by, monitoring.project.unit):
        raise PermissionDenied
    _require(monitoring, EDITABLE, _("修改"))
    if monitoring.version != version:
        raise ValidationError(
            _("保存失败：您打开此页后，别人已保存了第 %(theirs)s 版（您打开的是第 %(yours)s 版），您的修改未保存。")
            % {"theirs": monitoring.version, "yours": version}
        )
    indicators = monitoring_indicators(monitoring.project)
    errors = unreadable_entry_errors(indicators=indicators, entry=data)
    if errors:
        raise ValidationError(errors)
    reason = _("运行监控填报保存")
    saved = {row.indicator_id: row for row in IndicatorMonitoring.objects.filter(project_monitoring=monitoring)}
    for indicator in indicators:
        typed = data.indicators.get(indicator.pk, IndicatorEntry())
        values = {
            "value_to_date": typed.value_to_date.strip(),
            "forecast": typed.forecast.strip(),
            "deviation_cause": typed.deviation_cause,
            "note": typed.note.strip(),
            "likelihood": typed.likelihood,
        }
        row = saved.get(indicator.pk)
        if row is None:
            if not any(values.values()):
                continue
            row = IndicatorMonitoring(project_monitoring=monitoring, indicator=indicator)
        elif all(getattr(row, name) == value for name, value in values.items()):
            continue
        for name, value in values.items():
            setattr(row, name, value)
        row._history_user = by
        row._change_reason = reason
        row.full_clean()
        row.save()
    # The form shows money with 2 places: an amount sent back as shown keeps its stored 4 places.
    monitoring.full_year_budget = kept_amount(data.full_year_budget, monitoring.full_year_budget)
    monitoring.executed_to_date = kept_amount(data.executed_to_date, monitoring.executed_to_date)
    monitoring.forecast_full_year_execution = kept_amount(
        data.forecast_full_year_execution, monitoring.forecast_full_year_execution
    )
    monitoring.full_clean()
    return record_transition(
        monitoring,
        by=by,
        reason=reason,
        full_year_budget=monitoring.full_year_budget,
        executed_to_date=monitoring.executed_to_date,
        forecast_full_year_execution=monitoring.forecast_full_year_execution,
    )


def submit_monitoring(*, monitoring: ProjectMonitoring, by) -> ProjectMonitoring:
    """Submit a project's monitoring for review, refusing one that is incomplete."""
    return run(MONITORING, monitoring, "submit", by=by)


def return_monitoring(*, monitoring: ProjectMonitoring, by, reason: str) -> ProjectMonitoring:
    """Send a submitted monitoring back to its unit, with the reviewer's reason."""
    return run(MONITORING, monitoring, "return", by=by, reason=reason)


def approve_monitoring(*, monitoring: ProjectMonitoring, by) -> ProjectMonitoring:
    """Approve a submitted monitoring; it is locked from then on."""
    return run(MONITORING, monitoring, "approve", by=by)


def reopen_monitoring(*, monitoring: ProjectMonitoring, by, reason: str) -> ProjectMonitoring:
    """Reopen an approved monitoring for editing: a reviewer only, with a recorded reason."""
    return run(MONITORING, monitoring, "reopen", by=by, reason=reason)


# --- the department page -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectReport:
    monitoring: ProjectMonitoring
    assessment: Assessment


def department_report(*, monitoring_round: MonitoringRound, projects) -> list[ProjectReport]:
    """Each visible project's lights in a round, in a constant number of queries."""
    monitorings = list(
        ProjectMonitoring.objects.filter(round=monitoring_round, project__in=projects)
        .select_related("project__unit", "round__task")
        .prefetch_related("indicators")
        .order_by("project__unit__order", "project__order", "project__id")
    )
    indicators_by_project: dict[int, list[Indicator]] = {}
    for indicator in (
        Indicator.objects.filter(project__in=[m.project_id for m in monitorings])
        .select_related("level1", "level2")
        .order_by("order", "id")
    ):
        indicators_by_project.setdefault(indicator.project_id, []).append(indicator)
    reports = []
    for monitoring in monitorings:
        indicators = indicators_by_project.get(monitoring.project_id, [])
        entry = entry_from_monitoring(monitoring, indicators)
        reports.append(
            ProjectReport(monitoring, assess(cut_off=monitoring_round.cut_off, indicators=indicators, entry=entry))
        )
    return reports
