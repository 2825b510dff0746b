"""Mid-year monitoring (SPEC section 10): the light rules at their edges, and the round's services."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from budgets.models import Access
from performance.models import IndicatorMonitoring, MonitoringRound, ProjectMonitoring, Task
from performance.monitoring import (
    AMBER,
    GREEN,
    RED,
    IndicatorEntry,
    MonitoringEntry,
    approve_monitoring,
    assess,
    budget_light,
    indicator_light,
    light_rules,
    monitoring_field_problems,
    monitoring_indicators,
    monitoring_of,
    monitoring_task,
    reopen_monitoring,
    return_monitoring,
    save_monitoring_entry,
    share_of_year,
    start_monitoring_round,
    submit_monitoring,
    worst,
)
from performance.targets import parse_target
from tests.factories import (
    make_indicator,
    make_monitoring_task,
    make_project,
    make_unit,
    make_user_with_access,
    start_round,
)

D = Decimal
JULY_31 = date(2021, 7, 31)  # day 212 of 365: 0.5808


# --- budget light --------------------------------------------------------------------------------


def test_the_share_of_the_year_is_the_day_of_the_year_over_its_days():
    assert share_of_year(JULY_31) == D("0.5808")
    assert share_of_year(date(2020, 7, 31)) == D("0.5820")  # 213 of 366
    assert share_of_year(date(2021, 12, 31)) == D("1.0000")


@pytest.mark.parametrize(
    ("executed", "light"),
    [
        ("58.08", GREEN),  # on time
        ("48.08", GREEN),  # exactly 10 points behind
        ("48.07", AMBER),  # just over 10 points behind
        ("33.08", AMBER),  # exactly 25 points behind
        ("33.07", RED),  # just over 25 points behind
        ("0", RED),
        ("120", GREEN),
    ],
)
def test_the_budget_light_compares_the_rate_with_the_share_of_the_year(executed, light):
    result = budget_light(budget=D("100"), executed=D(executed), cut_off=JULY_31)
    assert result.light == light
    assert result.rate == D(executed) / 100
    assert result.share == D("0.5808")


@pytest.mark.parametrize(("budget", "executed"), [(None, D("1")), (D("0"), D("1")), (D("10"), None)])
def test_the_budget_light_is_unknown_without_a_budget_or_an_executed_amount(budget, executed):
    result = budget_light(budget=budget, executed=executed, cut_off=JULY_31)
    assert result.light is None
    assert result.rate is None
    assert result.reason


# --- indicator light -----------------------------------------------------------------------------

TWELVE = parse_target("12次")


@pytest.mark.parametrize(
    ("forecast", "likelihood", "light"),
    [
        ("12次", "certain", GREEN),
        ("15次", "certain", GREEN),  # overshooting meets the target
        ("12次", "possible", AMBER),  # meets on paper, but only possibly
        ("12次", "impossible", RED),  # the likelihood wins
        ("11次", "certain", AMBER),  # below the full weight
        ("7.2次", "certain", AMBER),  # exactly 60% of the weight
        ("7.1次", "certain", RED),  # just below 60%
        ("6次", "possible", RED),
        ("12次", "", AMBER),  # meets, but no likelihood chosen
        ("", "certain", AMBER),  # nothing to compare
        ("5万元", "certain", AMBER),  # wrong unit: not comparable (the form refuses it on save)
    ],
)
def test_the_indicator_light_reads_the_forecast_against_the_target(forecast, likelihood, light):
    assert indicator_light(target=TWELVE, forecast=forecast, likelihood=likelihood).light == light


def test_an_indicator_with_nothing_filled_in_has_no_light():
    assert indicator_light(target=TWELVE, forecast="", likelihood="").light is None


def test_a_not_applicable_indicator_has_no_light():
    assert indicator_light(target=parse_target("/"), forecast="", likelihood="certain").light is None


def test_an_at_most_cost_target_turns_amber_when_the_forecast_overspends():
    cost = parse_target("≤81万元", cost=True)
    assert indicator_light(target=cost, forecast="80万元", likelihood="certain").light == GREEN
    result = indicator_light(target=cost, forecast="90万元", likelihood="certain")
    assert (result.light, result.ratio) == (AMBER, D("0.9"))


def test_a_qualitative_forecast_is_read_as_a_tier():
    target = parse_target("按时完工")
    assert indicator_light(target=target, forecast="按时完成", likelihood="certain").light == GREEN
    assert indicator_light(target=target, forecast="部分完成", likelihood="certain").light == AMBER
    assert indicator_light(target=target, forecast="未完成", likelihood="possible").light == RED


def test_the_project_light_is_the_worst_known_light():
    assert worst([GREEN, None, AMBER]) == AMBER
    assert worst([GREEN, RED, AMBER]) == RED
    assert worst([None, GREEN]) == GREEN
    assert worst([None, None]) is None
    assert worst([]) is None


def test_the_rules_in_words_state_the_thresholds():
    text = " ".join(light_rules())
    assert "58.08%" in text
    assert "减 10 个百分点为绿灯" in text
    assert "减 25 个百分点为黄灯" in text
    assert "60%" in text


# --- services ------------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    unit = make_unit()
    project = make_project(unit=unit, full_year_total=D("100"))
    count = make_indicator(project=project, name="活动场次", target="12次")
    rate = make_indicator(
        project=project, level1="满意度指标", level2="服务对象满意度指标", name="满意度", target="≥95%"
    )
    return {
        "unit": unit,
        "project": project,
        "count": count,
        "rate": rate,
        "staff": make_user_with_access(unit=unit),
        "reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=unit.department),
        "other_staff": make_user_with_access(),
    }


def open_round(world, **kwargs) -> ProjectMonitoring:
    start_round(department=world["unit"].department, year=2021, by=world["reviewer"], **kwargs)
    return monitoring_of(world["project"])


def complete_entry(world, *, count_forecast="12次") -> MonitoringEntry:
    return MonitoringEntry(
        full_year_budget=D("100"),
        executed_to_date=D("60"),
        forecast_full_year_execution=D("100"),
        indicators={
            world["count"].pk: IndicatorEntry("7次", count_forecast, "funding", "经费下达晚", "possible"),
            world["rate"].pk: IndicatorEntry("", "96%", "", "", "certain"),
        },
    )


def test_a_reviewer_opens_a_round_with_the_default_cut_off_and_one_entry_per_project(world):
    other_year = make_project(unit=world["unit"], year=2022)
    monitoring_round = start_round(department=world["unit"].department, year=2021, by=world["reviewer"])
    assert monitoring_round.cut_off == date(2021, 7, 31)
    assert monitoring_round.status == MonitoringRound.Status.OPEN
    entries = list(ProjectMonitoring.objects.filter(round=monitoring_round))
    assert [entry.project for entry in entries] == [world["project"]]
    assert entries[0].full_year_budget == D("100")
    assert not ProjectMonitoring.objects.filter(project=other_year).exists()


def test_a_round_cannot_be_opened_twice_nor_by_unit_staff_nor_outside_its_year(world):
    department = world["unit"].department
    with pytest.raises(PermissionDenied):
        start_round(department=department, year=2021, by=world["staff"])
    with pytest.raises(ValidationError, match="不在 2021 年内"):
        start_round(department=department, year=2021, cut_off=date(2022, 6, 30), by=world["reviewer"])
    start_round(department=department, year=2021, cut_off=date(2021, 6, 30), by=world["reviewer"])
    with pytest.raises(ValidationError, match="不能重复发起"):
        start_round(department=department, year=2021, by=world["reviewer"])
    assert MonitoringRound.objects.get().cut_off == date(2021, 6, 30)


def test_saving_a_draft_keeps_partial_data_and_counts_the_version(world):
    monitoring = open_round(world)
    partial = MonitoringEntry(
        full_year_budget=D("100"),
        executed_to_date=D("20.5"),
        indicators={world["count"].pk: IndicatorEntry(forecast="6次")},
    )
    saved = save_monitoring_entry(monitoring=monitoring, data=partial, by=world["staff"], version=0)
    assert saved.version == 1
    assert saved.executed_to_date == D("20.5")
    assert saved.forecast_full_year_execution is None
    row = IndicatorMonitoring.objects.get()
    assert (row.indicator, row.forecast, row.likelihood) == (world["count"], "6次", "")
    assert saved.history.first().history_user == world["staff"]


def test_saving_refuses_unreadable_values_beside_their_fields_and_writes_nothing(world):
    monitoring = open_round(world)
    entry = MonitoringEntry(
        executed_to_date=D("10"),
        indicators={
            world["count"].pk: IndicatorEntry(value_to_date="-3次", forecast="5万元"),
        },
    )
    with pytest.raises(ValidationError) as error:
        save_monitoring_entry(monitoring=monitoring, data=entry, by=world["staff"], version=0)
    prefix = f"ind-{world['count'].pk}"
    assert "不能为负数" in error.value.message_dict[f"{prefix}-value_to_date"][0]
    assert "单位" in error.value.message_dict[f"{prefix}-forecast"][0]
    monitoring.refresh_from_db()
    assert (monitoring.version, monitoring.executed_to_date) == (0, None)
    assert not IndicatorMonitoring.objects.exists()


def test_saving_refuses_a_stale_version_and_other_units_staff(world):
    monitoring = open_round(world)
    save_monitoring_entry(monitoring=monitoring, data=complete_entry(world), by=world["staff"], version=0)
    with pytest.raises(ValidationError, match="第 1 版"):
        save_monitoring_entry(monitoring=monitoring, data=complete_entry(world), by=world["staff"], version=0)
    with pytest.raises(PermissionDenied):
        save_monitoring_entry(monitoring=monitoring, data=complete_entry(world), by=world["other_staff"], version=1)


def test_submit_refuses_missing_forecasts_and_causes(world):
    monitoring = open_round(world)
    entry = MonitoringEntry(
        full_year_budget=D("100"),
        executed_to_date=D("60"),
        indicators={world["count"].pk: IndicatorEntry(forecast="6次", likelihood="possible")},
    )
    save_monitoring_entry(monitoring=monitoring, data=entry, by=world["staff"], version=0)
    with pytest.raises(ValidationError) as error:
        submit_monitoring(monitoring=monitoring, by=world["staff"])
    assert error.value.messages == [
        "请填写全年预计执行数。",
        "“活动场次”有偏差风险，请选择偏差原因并填写原因说明。",
        "“满意度”缺少全年预计完成情况。",
        "“满意度”未选择完成目标可能性。",
    ]
    monitoring.refresh_from_db()
    assert monitoring.status == ProjectMonitoring.Status.DRAFT


def test_each_problem_that_blocks_submitting_names_the_field_it_is_about(world):
    monitoring = open_round(world)
    count, rate = world["count"].pk, world["rate"].pk
    entry = MonitoringEntry(
        full_year_budget=D("100"),
        executed_to_date=D("60"),
        indicators={count: IndicatorEntry(forecast="6次", likelihood="possible", deviation_cause="funding")},
    )
    indicators = monitoring_indicators(world["project"])
    assessment = assess(cut_off=monitoring.round.cut_off, indicators=indicators, entry=entry)
    assert monitoring_field_problems(assessment, entry) == {
        "forecast_full_year_execution": ["请填写全年预计执行数。"],
        f"ind-{count}-note": ["“活动场次”有偏差风险，请选择偏差原因并填写原因说明。"],
        f"ind-{rate}-forecast": ["“满意度”缺少全年预计完成情况。"],
        f"ind-{rate}-likelihood": ["“满意度”未选择完成目标可能性。"],
    }


def test_the_workflow_submits_returns_approves_and_reopens_like_the_self_evaluation(world):
    monitoring = open_round(world)
    save_monitoring_entry(monitoring=monitoring, data=complete_entry(world), by=world["staff"], version=0)
    with pytest.raises(PermissionDenied):
        submit_monitoring(monitoring=monitoring, by=world["reviewer"])
    submit_monitoring(monitoring=monitoring, by=world["staff"])
    with pytest.raises(ValidationError, match="不能修改"):
        save_monitoring_entry(monitoring=monitoring, data=complete_entry(world), by=world["staff"], version=2)
    with pytest.raises(PermissionDenied):
        approve_monitoring(monitoring=monitoring, by=world["staff"])
    with pytest.raises(ValidationError, match="退回原因"):
        return_monitoring(monitoring=monitoring, by=world["reviewer"], reason=" ")
    returned = return_monitoring(monitoring=monitoring, by=world["reviewer"], reason="请补充说明")
    assert (returned.status, returned.return_reason) == ("returned", "请补充说明")
    submit_monitoring(monitoring=monitoring, by=world["staff"])
    approved = approve_monitoring(monitoring=monitoring, by=world["reviewer"])
    assert approved.status == ProjectMonitoring.Status.APPROVED
    assert approved.reviewed_by == world["reviewer"]
    reopened = reopen_monitoring(monitoring=monitoring, by=world["reviewer"], reason="数据有误")
    assert reopened.status == ProjectMonitoring.Status.RETURNED
    assert reopened.version == 6
    assert [h.status for h in monitoring.history.order_by("history_date")][-5:] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
        "returned",
    ]


def test_a_closed_round_refuses_changes(world):
    monitoring = open_round(world)
    MonitoringRound.objects.update(status=MonitoringRound.Status.CLOSED)
    with pytest.raises(ValidationError, match="已关闭"):
        save_monitoring_entry(monitoring=monitoring, data=complete_entry(world), by=world["staff"], version=0)


def test_a_project_added_after_the_round_opened_gets_its_entry(world):
    open_round(world)
    late = make_project(unit=world["unit"], full_year_total=D("8"))
    monitoring = monitoring_of(late)
    assert monitoring.full_year_budget == D("8")
    assert monitoring_of(make_project(year=2021)) is None  # another department: no round


def test_the_start_monitoring_command_answers_a_task_round_and_refuses_twice(world):
    out = StringIO()
    code, reviewer = world["unit"].department.code, world["reviewer"].username
    with pytest.raises(CommandError, match=r"尚未向.*下达 2021 年第1次监控任务"):
        call_command("start_monitoring", "--department", code, "--year", "2021", "--user", reviewer)
    make_monitoring_task(year=2021, round_number=1)
    make_monitoring_task(year=2021, round_number=2)
    make_monitoring_task(year=2022, round_number=1)
    call_command(
        "start_monitoring", "--department", code, "--year", "2021", "--cut-off", "2021-06-30", "--user", reviewer,
        stdout=out,
    )  # fmt: skip
    assert "第1次监控任务的运行监控，截止2021-06-30，1个项目" in out.getvalue()
    assert MonitoringRound.objects.get().cut_off == date(2021, 6, 30)
    with pytest.raises(CommandError, match="不能重复发起"):
        call_command("start_monitoring", "--department", code, "--year", "2021", "--user", reviewer)
    call_command("start_monitoring", "--department", code, "--year", "2021", "--round", "2", "--user", reviewer)
    assert sorted(MonitoringRound.objects.values_list("task__round_number", "cut_off")) == [
        (1, date(2021, 6, 30)),
        (2, date(2021, 7, 31)),
    ]
    with pytest.raises(CommandError, match="不能发起"):
        call_command("start_monitoring", "--department", code, "--year", "2022", "--user", world["staff"].username)


# --- several rounds a year, each answering a monitoring task -----------------------------------------


def test_a_year_has_one_round_per_monitoring_task_each_with_its_own_entries(world):
    department = world["unit"].department
    first = start_round(department=department, cut_off=date(2021, 6, 30), by=world["reviewer"])
    second = start_round(department=department, round_number=2, cut_off=date(2021, 9, 30), by=world["reviewer"])
    assert (first.round_number, second.round_number) == (1, 2)
    assert first.task != second.task and first.task.kind == second.task.kind == "monitoring"
    one, two = monitoring_of(world["project"], 1), monitoring_of(world["project"], 2)
    assert (one.round, two.round) == (first, second) and one != two
    save_monitoring_entry(monitoring=one, data=complete_entry(world), by=world["staff"], version=0)
    two.refresh_from_db()
    assert two.executed_to_date is None and two.version == 0  # round 2 is untouched by round 1's entry


def test_without_a_round_number_the_latest_open_round_is_the_projects_monitoring(world):
    department = world["unit"].department
    first = start_round(department=department, by=world["reviewer"])
    assert monitoring_of(world["project"]).round == first
    second = start_round(department=department, round_number=2, by=world["reviewer"])
    assert monitoring_of(world["project"]).round == second
    MonitoringRound.objects.filter(pk=second.pk).update(status=MonitoringRound.Status.CLOSED)
    assert monitoring_of(world["project"]).round == first  # the latest open one
    MonitoringRound.objects.filter(pk=first.pk).update(status=MonitoringRound.Status.CLOSED)
    assert monitoring_of(world["project"]).round == second  # none open: the latest
    assert monitoring_of(world["project"], 3) is None


def test_a_round_answers_only_an_open_monitoring_task_issued_to_its_department(world):
    department = world["unit"].department
    elsewhere = make_monitoring_task(departments=[make_unit().department])
    with pytest.raises(ValidationError, match="没有下达给"):
        start_monitoring_round(department=department, task=elsewhere, by=world["reviewer"])
    closed = make_monitoring_task(round_number=2, departments=[department], status=Task.Status.CLOSED)
    with pytest.raises(ValidationError, match="进行中的监控任务"):
        start_monitoring_round(department=department, task=closed, by=world["reviewer"])
    evaluation_task = Task.objects.create(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline=date(2022, 4, 30))
    with pytest.raises(ValidationError, match="进行中的监控任务"):
        start_monitoring_round(department=department, task=evaluation_task, by=world["reviewer"])
    with pytest.raises(ValidationError, match="第2次监控任务"):
        monitoring_task(department, 2021, 2)
    assert not MonitoringRound.objects.exists()


def test_an_amount_shown_with_2_places_and_sent_back_unchanged_keeps_its_4_stored_places(world):
    monitoring = open_round(world)
    ProjectMonitoring.objects.filter(pk=monitoring.pk).update(executed_to_date=D("20.4567"))
    monitoring.refresh_from_db()
    shown = MonitoringEntry(full_year_budget=D("100"), executed_to_date=D("20.46"))  # as the form shows it
    saved = save_monitoring_entry(monitoring=monitoring, data=shown, by=world["staff"], version=0)
    assert saved.executed_to_date == D("20.4567")
    changed = MonitoringEntry(full_year_budget=D("100"), executed_to_date=D("20.47"))
    saved = save_monitoring_entry(monitoring=saved, data=changed, by=world["staff"], version=1)
    assert saved.executed_to_date == D("20.47")


def test_a_round_of_another_year_than_its_task_is_refused(world):
    task = make_monitoring_task(year=2022)
    monitoring_round = MonitoringRound(
        department=world["unit"].department, task=task, year=2021, cut_off=date(2021, 7, 31)
    )
    with pytest.raises(ValidationError, match="不一致"):
        monitoring_round.full_clean()
