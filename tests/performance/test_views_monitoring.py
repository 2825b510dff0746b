"""The monitoring pages: scoping, the entry form, the department page, the 绩效运行监控表 downloads."""

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from budgets.models import Access
from performance.models import IndicatorMonitoring, MonitoringRound, ProjectMonitoring, Task
from tests.factories import (
    make_department,
    make_goal,
    make_indicator,
    make_monitoring_task,
    make_project,
    make_unit,
    make_user_with_access,
    start_round,
)

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    department = make_department(code="731", name="甲部门")
    unit = make_unit(department=department, name="甲一单位")
    other_unit = make_unit(department=make_department(name="乙部门"), name="乙单位")
    project = make_project(unit=unit, name="科普经费", full_year_total=D("100"))
    make_goal(project=project, text="开展科普活动")
    count = make_indicator(project=project, name="活动场次", target="12次")
    rate = make_indicator(
        project=project, level1="满意度指标", level2="服务对象满意度指标", name="满意度", target="≥95%"
    )
    other = make_project(unit=other_unit, name="外部门项目", full_year_total=D("10"))
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=department)
    start_round(department=department, year=2021, by=reviewer)
    start_round(department=other_unit.department, year=2021, by=make_user_with_access(role="finance"))
    return {
        "department": department,
        "project": project,
        "count": count,
        "rate": rate,
        "other": other,
        "staff": make_user_with_access(unit=unit),
        "reviewer": reviewer,
        "other_staff": make_user_with_access(unit=other_unit),
    }


def edit_url(project) -> str:
    return reverse("performance:monitoring-edit", args=[project.pk])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def post_data(world, **overrides) -> dict:
    count, rate = world["count"].pk, world["rate"].pk
    data = {
        "version": "0",
        "full_year_budget": "100",
        "executed_to_date": "30",
        "forecast_full_year_execution": "95",
        f"ind-{count}-value_to_date": "4次",
        f"ind-{count}-forecast": "6次",
        f"ind-{count}-likelihood": "possible",
        f"ind-{count}-deviation_cause": "funding",
        f"ind-{count}-note": "经费下达晚",
        f"ind-{rate}-forecast": "96%",
        f"ind-{rate}-likelihood": "certain",
    }
    data.update(overrides)
    return data


def test_url_names_resolve_to_the_agreed_paths():
    assert reverse("performance:monitoring-report") == "/monitoring/"
    assert reverse("performance:monitoring-edit", args=[5]) == "/projects/5/monitoring/"
    assert reverse("performance:monitoring-sheet-project", args=[5]) == "/projects/5/monitoring.xlsx"
    assert reverse("performance:monitoring-sheet-department") == "/monitoring/sheet.xlsx"


@pytest.mark.parametrize(
    "url",
    ["/monitoring/", "/projects/1/monitoring/", "/projects/1/monitoring.xlsx", "/monitoring/sheet.xlsx?year=2021"],
)
def test_anonymous_users_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_another_units_staff_gets_404_for_the_form_the_post_and_the_download(client, world):
    client.force_login(world["other_staff"])
    project = world["project"]
    assert client.get(edit_url(project)).status_code == 404
    assert client.post(edit_url(project), post_data(world)).status_code == 404
    assert client.get(reverse("performance:monitoring-sheet-project", args=[project.pk])).status_code == 404
    assert client.post(reverse("performance:monitoring-submit", args=[project.pk])).status_code == 404
    assert client.get("/monitoring/?department=731&year=2021").status_code == 404
    assert client.get("/monitoring/sheet.xlsx?department=731&year=2021").status_code == 404


def test_staff_save_a_draft_and_see_the_lights_after_saving(client, world):
    client.force_login(world["staff"])
    response = client.post(edit_url(world["project"]), post_data(world))
    assert response.status_code == 302
    monitoring = ProjectMonitoring.objects.get(project=world["project"])
    assert (monitoring.version, monitoring.executed_to_date) == (1, D("30"))
    assert IndicatorMonitoring.objects.get(indicator=world["count"]).forecast == "6次"
    page = client.get(edit_url(world["project"]))
    html = page.content.decode()
    # 30% executed against 58.08% of the year: 28.08 points behind, red; 6 of 12 forecast: red.
    assert re.search(r'data-light="red" data-testid="budget-light"', html)
    assert re.search(r'data-light="red" data-testid="project-light"', html)
    assert "预计得分为分值的 50.00%，低于 60%。" in text_of(page)
    assert "30.00%" in text_of(page) and "58.08%" in text_of(page)
    assert 'name="executed_to_date" value="30.00"' in html


def test_each_control_of_an_indicator_row_is_named_for_its_indicator(client, world):
    client.force_login(world["staff"])
    html = client.get(edit_url(world["project"])).content.decode()
    prefix = f"ind-{world['count'].pk}"
    for name, label in [
        ("value_to_date", "截至监控日完成情况"),
        ("forecast", "全年预计完成情况"),
        ("likelihood", "完成目标可能性"),
        ("deviation_cause", "偏差原因"),
        ("note", "原因说明"),
    ]:
        control = re.search(rf'<(?:input|select|textarea)[^>]*name="{prefix}-{name}"[^>]*>', html).group()
        assert f'aria-label="活动场次 {label}"' in control, control


def test_unreadable_values_are_refused_beside_their_fields(client, world):
    client.force_login(world["staff"])
    count = world["count"].pk
    response = client.post(
        edit_url(world["project"]),
        post_data(world, executed_to_date="-1", **{f"ind-{count}-forecast": "5万元"}),
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "金额不能为负数。" in text
    assert "未保存" in text
    assert response.context["rows"][0][0].errors["forecast"] == ["实际完成值“5万元”的单位与指标值“12次”的单位不一致"]
    response = client.post(edit_url(world["project"]), post_data(world, **{f"ind-{count}-forecast": "5万元"}))
    assert response.status_code == 200
    assert response.context["rows"][0][0].errors["forecast"] == ["实际完成值“5万元”的单位与指标值“12次”的单位不一致"]
    assert ProjectMonitoring.objects.get(project=world["project"]).version == 0


def test_save_and_submit_then_the_reviewer_returns_and_approves(client, world):
    client.force_login(world["staff"])
    response = client.post(edit_url(world["project"]), post_data(world, action="submit"))
    assert response.status_code == 302
    assert ProjectMonitoring.objects.get(project=world["project"]).status == "submitted"
    assert client.post(edit_url(world["project"]), post_data(world, version="2")).status_code == 403
    client.force_login(world["reviewer"])
    page = client.get(edit_url(world["project"]))
    assert "审核通过" in text_of(page)
    client.post(reverse("performance:monitoring-return", args=[world["project"].pk]), {"reason": "请核实"})
    monitoring = ProjectMonitoring.objects.get(project=world["project"])
    assert (monitoring.status, monitoring.return_reason) == ("returned", "请核实")
    client.force_login(world["staff"])
    client.post(reverse("performance:monitoring-submit", args=[world["project"].pk]))
    client.force_login(world["reviewer"])
    client.post(reverse("performance:monitoring-approve", args=[world["project"].pk]))
    assert ProjectMonitoring.objects.get(project=world["project"]).status == "approved"


def test_the_reviewer_sees_the_form_read_only_and_cannot_post_it(client, world):
    client.force_login(world["reviewer"])
    page = client.get(edit_url(world["project"]))
    assert page.status_code == 200
    assert 'name="executed_to_date"' not in page.content.decode()
    assert client.post(edit_url(world["project"]), post_data(world)).status_code == 403


def test_a_project_without_a_round_is_not_found(client, world):
    project = make_project(unit=world["project"].unit, year=2022, name="明年项目")
    client.force_login(world["staff"])
    assert client.get(edit_url(project)).status_code == 404


def test_the_department_page_lists_lights_and_flagged_indicators_in_scope(client, world):
    client.force_login(world["staff"])
    client.post(edit_url(world["project"]), post_data(world))
    client.force_login(world["reviewer"])
    page = client.get("/monitoring/?department=731&year=2021")
    assert page.status_code == 200
    reports = page.context["reports"]
    assert [report.monitoring.project.name for report in reports] == ["科普经费"]
    assert page.context["counts"] == {"green": 0, "amber": 0, "red": 1}
    flagged = [
        (report.monitoring.project.name, row.indicator.name, row.light.light) for report, row in page.context["flagged"]
    ]
    assert flagged == [("科普经费", "活动场次", "red")]
    text = text_of(page)
    assert "外部门项目" not in text
    assert "减 10 个百分点为绿灯" in text


def test_the_department_page_offers_to_open_a_round_to_reviewers_only(client, world):
    make_project(unit=world["project"].unit, year=2022, name="明年项目")
    make_monitoring_task(year=2022, round_number=1)
    client.force_login(world["staff"])
    page = client.get("/monitoring/?department=731&year=2022")
    assert page.context["round"] is None and not page.context["can_open"] and not page.context["startable"]
    client.force_login(world["reviewer"])
    page = client.get("/monitoring/?department=731&year=2022")
    assert page.context["can_open"] and [t.round_number for t in page.context["startable"]] == [1]
    response = client.post(
        reverse("performance:monitoring-round-start"),
        {"department": "731", "year": "2022", "round": "1", "cut_off": "2022-06-30"},
    )
    assert response.status_code == 302 and response.url.endswith("round=1")
    assert MonitoringRound.objects.get(department=world["department"], year=2022).cut_off == date(2022, 6, 30)


def test_without_a_monitoring_task_the_page_says_finance_has_not_issued_one(client, world):
    make_project(unit=world["project"].unit, year=2022, name="明年项目")
    client.force_login(world["reviewer"])
    page = client.get("/monitoring/?department=731&year=2022")
    assert page.context["startable"] == [] and "财政尚未向本部门下达本年度的监控任务" in text_of(page)
    response = client.post(
        reverse("performance:monitoring-round-start"), {"department": "731", "year": "2022", "cut_off": "2022-06-30"}
    )
    assert response.status_code == 302
    assert not MonitoringRound.objects.filter(year=2022).exists()
    assert "尚未向甲部门下达 2022 年第1次监控任务" in text_of(client.get(response.url))


def test_a_second_round_is_opened_from_the_page_and_each_round_has_its_page_and_workbook(client, world):
    make_monitoring_task(year=2021, round_number=2, deadline=date(2021, 10, 31))
    client.force_login(world["staff"])
    client.post(edit_url(world["project"]), post_data(world))  # round 1's entry
    client.force_login(world["reviewer"])
    page = client.get("/monitoring/?department=731&year=2021")
    assert [t.round_number for t in page.context["startable"]] == [2]
    client.post(
        reverse("performance:monitoring-round-start"),
        {"department": "731", "year": "2021", "round": "2", "cut_off": "2021-09-30"},
    )
    page = client.get("/monitoring/?department=731&year=2021")
    assert page.context["round"].round_number == 2 and page.context["startable"] == []
    assert [r.round_number for r in page.context["rounds"]] == [1, 2]
    assert page.context["reports"][0].monitoring.executed_to_date is None  # round 2: nothing entered yet
    assert "?department=731&amp;year=2021&amp;round=1" in page.content.decode()
    first = client.get("/monitoring/?department=731&year=2021&round=1")
    assert first.context["round"].round_number == 1 and first.context["counts"]["red"] == 1
    assert client.get("/monitoring/?department=731&year=2021&round=3").status_code == 404
    assert client.get("/monitoring/?department=731&year=2021&round=x").status_code == 404
    summary = workbook_of(client.get("/monitoring/sheet.xlsx?department=731&year=2021&round=1"))["汇总"]
    assert summary["A1"].value == "甲部门 2021年度项目支出绩效运行监控汇总表（第1次）"
    assert summary["D4"].value == 100 and summary["E4"].value == 30
    summary = workbook_of(client.get("/monitoring/sheet.xlsx?department=731&year=2021&round=2"))["汇总"]
    assert summary["A1"].value.endswith("（第2次）") and summary["E4"].value is None


def test_the_entry_page_works_in_the_round_asked_for_and_defaults_to_the_latest_open(client, world):
    start_round(department=world["department"], round_number=2, cut_off=date(2021, 9, 30), by=world["reviewer"])
    client.force_login(world["staff"])
    url = edit_url(world["project"])
    page = client.get(url)
    assert page.context["round"].round_number == 2 and "第2次监控任务" in text_of(page)
    response = client.post(f"{url}?round=1", post_data(world))
    assert response.status_code == 302 and response.url.endswith("?round=1")
    one, two = ProjectMonitoring.objects.filter(project=world["project"]).order_by("round__task__round_number")
    assert (one.executed_to_date, two.executed_to_date) == (D("30"), None)
    page = client.get(f"{url}?round=1")
    assert page.context["round"].round_number == 1
    assert page.context["preview_url"].endswith("?round=1") and page.context["sheet_url"].endswith("?round=1")
    assert client.get(f"{url}?round=9").status_code == 404


def workbook_of(response):
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def test_the_project_sheet_is_the_monitoring_layout_with_numbers_as_numbers(client, world):
    client.force_login(world["staff"])
    client.post(edit_url(world["project"]), post_data(world))
    response = client.get(reverse("performance:monitoring-sheet-project", args=[world["project"].pk]))
    assert response.status_code == 200
    workbook = workbook_of(response)
    assert len(workbook.sheetnames) == 1
    sheet = workbook.active
    assert sheet["A1"].value == "2021年度项目支出绩效运行监控表"
    assert sheet["C3"].value == "科普经费"
    assert sheet["F5"].value == "1-7月执行数"
    assert (sheet["D6"].value, sheet["F6"].value) == (100, 30)
    assert sheet["D6"].number_format == "#,##0.00"
    assert sheet["H6"].value == pytest.approx(0.3) and sheet["H6"].number_format == "0.00%"
    assert sheet["K6"].value == pytest.approx(0.5808)
    assert sheet["M6"].value == 95
    assert [sheet.cell(9, c).value for c in range(7, 12)] == [
        "经费保障",
        "制度保障",
        "人员保障",
        "硬件条件保障",
        "其他",
    ]
    assert [sheet.cell(9, c).value for c in range(13, 16)] == ["确定能", "有可能", "完全不可能"]
    row = [sheet.cell(10, c).value for c in range(1, 17)]
    assert row == [
        "产出指标", "数量指标", "活动场次", "12次", "4次", "6次",
        "√", None, None, None, None, "经费下达晚", None, "√", None, "红灯·预计完不成",
    ]  # fmt: skip
    assert sheet.cell(11, 3).value == "满意度" and sheet.cell(11, 13).value == "√"
    assert sheet["A10"].border.left.style == "thin"
    assert "A8:A9" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.column_dimensions["L"].width == 20
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9


def test_the_department_workbook_has_a_summary_and_only_visible_projects(client, world):
    client.force_login(world["staff"])
    client.post(edit_url(world["project"]), post_data(world))
    client.force_login(world["reviewer"])
    response = client.get("/monitoring/sheet.xlsx?department=731&year=2021")
    workbook = workbook_of(response)
    assert workbook.sheetnames == ["汇总", "科普经费"]
    summary = workbook["汇总"]
    assert summary["A1"].value == "甲部门 2021年度项目支出绩效运行监控汇总表（第1次）"
    assert [summary.cell(4, c).value for c in (3, 4, 5, 9, 10, 11)] == ["科普经费", 100, 30, 0, 1, "红灯·预计完不成"]
    assert summary["F4"].number_format == "0.00%"


def report_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/monitoring/?department=731&year=2021").status_code == 200
    return len(queries)


def test_the_department_page_query_count_does_not_grow_with_projects(client, world):
    client.force_login(world["reviewer"])
    report_queries(client)
    with_one = report_queries(client)
    for n in range(5):
        project = make_project(unit=world["project"].unit, name=f"新项目{n}", full_year_total=D("10"))
        make_indicator(project=project, target="5次")
        ProjectMonitoring.objects.create(
            round=MonitoringRound.objects.get(year=2021, department=world["department"]),
            project=project,
            executed_to_date=D("5"),
        )
    report_queries(client)  # the navigation's cached inbox counts again, as before ``with_one``
    assert report_queries(client) == with_one


def test_the_department_download_without_a_round_goes_back_to_the_page(client, world):
    make_project(unit=world["project"].unit, year=2022, name="明年项目")
    client.force_login(world["reviewer"])
    response = client.get("/monitoring/sheet.xlsx?department=731&year=2022")
    assert response.status_code == 302
    assert response.url == "/monitoring/?department=731&year=2022"


def test_the_preview_returns_the_lights_of_what_is_typed_without_saving(client, world):
    client.force_login(world["staff"])
    url = reverse("performance:monitoring-preview", args=[world["project"].pk])
    response = client.post(url, post_data(world, executed_to_date="40"))
    data = response.json()
    assert data["budget"] == {
        "light": "amber",
        "label": "黄灯",
        "reason": data["budget"]["reason"],
        "rate": "40.00%",
        "share": "58.08%",
    }
    assert data["rows"][str(world["count"].pk)]["light"] == "red"
    assert data["rows"][str(world["rate"].pk)] == {"light": "green", "label": "绿灯", "reason": ""}
    assert data["project"]["light"] == "red"
    assert ProjectMonitoring.objects.get(project=world["project"]).version == 0
    client.force_login(world["reviewer"])
    assert client.post(url, post_data(world)).status_code == 403
    client.force_login(world["other_staff"])
    assert client.post(url, post_data(world)).status_code == 404


def cell_of(html: str, name: str) -> str:
    """The table cell (or the budget block's column) holding the control ``name``."""
    control = html.index(f'name="{name}"')
    start = max(html.rfind("<td", 0, control), html.rfind('<div class="col-sm-6', 0, control))
    end = min(i for i in (html.find("</td>", control), html.find('<div class="col-sm-6', control)) if i > 0)
    return html[start:end]


def test_what_blocks_submitting_is_shown_beside_its_field_and_apart_from_errors(client, world):
    client.force_login(world["staff"])
    count, rate = world["count"].pk, world["rate"].pk
    data = post_data(world, forecast_full_year_execution="", **{f"ind-{count}-note": "", f"ind-{rate}-forecast": ""})
    assert client.post(edit_url(world["project"]), data).status_code == 302  # a draft saves what is missing
    html = client.get(edit_url(world["project"])).content.decode()
    beside = {
        "forecast_full_year_execution": "请填写全年预计执行数。",
        f"ind-{count}-note": "“活动场次”有偏差风险，请选择偏差原因并填写原因说明。",
        f"ind-{rate}-forecast": "“满意度”缺少全年预计完成情况。",
    }
    for name, note in beside.items():
        cell = cell_of(html, name)
        assert 'data-testid="field-note"' in cell and note in cell, name
        assert 'data-testid="field-error"' not in cell  # a note, not an error: the draft was saved
    assert "提交前还需解决 4 个问题，见各栏旁的提示" in text_of(
        client.get(edit_url(world["project"]))
    )  # 满意度 amber too
    assert "请填写全年预计执行数。" not in cell_of(html, "executed_to_date")


def test_an_error_is_beside_its_field_and_marked_apart_from_the_notes(client, world):
    client.force_login(world["staff"])
    count = world["count"].pk
    response = client.post(edit_url(world["project"]), post_data(world, **{f"ind-{count}-forecast": "5万元"}))
    cell = cell_of(response.content.decode(), f"ind-{count}-forecast")
    assert 'data-testid="field-error"' in cell and "单位不一致" in cell


def test_the_preview_names_each_field_that_blocks_submitting(client, world):
    client.force_login(world["staff"])
    url = reverse("performance:monitoring-preview", args=[world["project"].pk])
    rate = world["rate"].pk
    notes = client.post(url, post_data(world, **{f"ind-{rate}-likelihood": ""})).json()["notes"]
    assert notes == {
        f"ind-{rate}-likelihood": ["“满意度”未选择完成目标可能性。"],
        f"ind-{rate}-deviation_cause": ["“满意度”有偏差风险，请选择偏差原因并填写原因说明。"],  # no likelihood: amber
    }


def test_the_project_page_links_to_the_latest_open_round(client, world):
    client.force_login(world["staff"])
    detail = reverse("performance:project-detail", args=[world["project"].pk])
    assert client.get(detail).context["monitoring_url"] == f"{edit_url(world['project'])}?round=1"
    second = start_round(department=world["department"], round_number=2, by=world["reviewer"])
    assert client.get(detail).context["monitoring_url"] == f"{edit_url(world['project'])}?round=2"
    MonitoringRound.objects.filter(pk=second.pk).update(status=MonitoringRound.Status.CLOSED)
    page = client.get(detail)
    assert page.context["monitoring_url"] == f"{edit_url(world['project'])}?round=1"
    assert f'href="{edit_url(world["project"])}?round=1"' in page.content.decode()


def test_entries_unsubmitted_past_their_tasks_deadline_are_listed_for_the_department_and_finance(client, world):
    late = make_project(unit=world["project"].unit, name="迟交项目", full_year_total=D("10"))
    monitoring_round = MonitoringRound.objects.get(department=world["department"])
    ProjectMonitoring.objects.create(round=monitoring_round, project=late)  # its entry in the round, a draft
    task = monitoring_round.task
    Task.objects.filter(pk=task.pk).update(deadline=date(2021, 8, 31))  # long past
    client.force_login(world["staff"])
    client.post(edit_url(world["project"]), {**post_data(world), "action": "submit"})  # 科普经费 is submitted
    assert ProjectMonitoring.objects.get(project=world["project"]).status == "submitted"
    client.force_login(world["reviewer"])
    page = client.get("/monitoring/?department=731&year=2021")
    assert [m.project for m in page.context["overdue"]] == [late]  # the new project's entry, still a draft
    assert "监控任务截止日期 2021-08-31 已过，1 个项目未提交" in text_of(page)
    client.force_login(make_user_with_access(role="finance"))
    listed = client.get(reverse("performance:task-list"))
    names = [m.project.name for m in listed.context["overdue_monitorings"]]
    assert names == ["迟交项目", "外部门项目"]  # finance sees every department's (乙 answers the same task)
    assert f'href="{edit_url(late)}?round=1"' in listed.content.decode()
    Task.objects.filter(pk=task.pk).update(status=Task.Status.CLOSED)
    assert client.get(reverse("performance:task-list")).context["overdue_monitoring_count"] == 0
