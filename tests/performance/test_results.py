"""Results application (结果应用): the versioned rule, the drafted suggestion of a department's year, finance's opinion,
the sheet's workbook and the opinion shown on next year's project."""

import io
import re
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import Access, Project
from performance.carry_forward import carry_forward_project
from performance.models import ActualResult
from performance.results.arithmetic import CUT, DEFAULT_RULES, GradeRule
from performance.results.models import ResultOpinion, ResultRuleVersion
from performance.results.services import record_opinion, save_rule_version, suggestion_rows, version_for
from tests.factories import make_goal, make_indicator, make_project, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db


def graded_project(unit, name, actual):
    """A project of 100 (90 spent: 9 points) whose only indicator (12次, all 90 points) is met by ``actual``."""
    project = make_project(unit=unit, name=name, full_year_total=D("100"), executed_total=D("90"))
    make_goal(project=project)
    ActualResult.objects.create(indicator=make_indicator(project=project, name=f"{name}指标"), actual=actual)
    return project


@pytest.fixture
def world():
    unit = make_unit()
    neighbour = make_unit(department=unit.department)
    projects = {
        "优": graded_project(unit, "优项目", "12次"),  # 90 + 9 = 99
        "良": graded_project(unit, "良项目", "10次"),  # 75 + 9 = 84
        "中": graded_project(unit, "中项目", "8次"),  # 60 + 9 = 69
        "差": graded_project(neighbour, "差项目", "5次"),  # 37.5 + 9 = 46.5
    }
    return {
        "unit": unit,
        "department": unit.department,
        "projects": projects,
        "staff": make_user_with_access(unit=unit),
        "finance": make_user_with_access(role=Access.Role.FINANCE),
        "reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=unit.department),
    }


def sheet_url(world):
    return reverse("performance:results-sheet", args=[world["department"].code, 2021])


def test_the_suggestion_applies_each_grades_rule_to_the_full_year_budget(world):
    rows = {row.project.name: row for row in suggestion_rows(Project.objects.filter(year=2021), version_for(2021))}
    assert {name: (row.grade, row.suggested) for name, row in rows.items()} == {
        "优项目": ("优", D("100.0000")),
        "良项目": ("良", D("100.0000")),
        "中项目": ("中", D("90.0000")),
        "差项目": ("差", D("70.0000")),
    }
    assert rows["中项目"].total == D("69.00") and rows["中项目"].executed == D("90")
    assert rows["中项目"].rule_text == "压减10%"


def test_a_project_not_evaluated_gets_no_suggestion(world):
    make_project(unit=world["unit"], name="未填报项目", full_year_total=D("50"))
    row = next(r for r in suggestion_rows(Project.objects.filter(name="未填报项目"), version_for(2021)))
    assert (row.grade, row.suggested, row.rule_text) == ("", None, "未评价，不适用")


def test_reading_a_years_rule_stores_nothing_until_finance_uses_it(world):
    assert version_for(2021).pk is None and not ResultRuleVersion.objects.exists()
    assert version_for(2021, store=True).number == 1
    assert version_for(2021).pk == ResultRuleVersion.objects.get().pk


def test_finance_saves_a_new_rule_version_and_the_old_one_stays_as_it_was(world):
    first = version_for(2021, store=True)
    rules = dict(DEFAULT_RULES, 中=GradeRule(CUT, D("20")))
    second = save_rule_version(year=2021, rules=rules, note="压减加大", by=world["finance"])
    assert (first.number, second.number) == (1, 2)
    assert version_for(2021) == second
    first.refresh_from_db()
    assert first.rules()["中"].percent == D("10")
    first.content = second.content
    with pytest.raises(ValidationError):
        first.save()
    with pytest.raises(ValidationError):  # nothing changed: no new version
        save_rule_version(year=2021, rules=rules, note="", by=world["finance"])


def test_only_finance_changes_the_rule_or_records_opinions(world):
    with pytest.raises(PermissionDenied):
        save_rule_version(year=2021, rules=DEFAULT_RULES, note="", by=world["reviewer"])
    with pytest.raises(PermissionDenied):
        record_opinion(project=world["projects"]["中"], opinion="同意", decided=None, by=world["staff"])


def test_an_opinion_keeps_the_rule_version_and_suggestion_it_was_drafted_by(world):
    project = world["projects"]["中"]
    opinion = record_opinion(project=project, opinion="压减10%安排", decided=D("90"), by=world["finance"])
    assert (opinion.grade, opinion.suggested, opinion.rule_version.number, opinion.rule) == (
        "中",
        D("90"),
        1,
        "压减10%",
    )
    save_rule_version(year=2021, rules=dict(DEFAULT_RULES, 中=GradeRule(CUT, D("20"))), note="", by=world["finance"])
    opinion.refresh_from_db()
    assert (opinion.suggested, opinion.rule_version.number) == (D("90"), 1)
    again = record_opinion(project=project, opinion="按新规则压减", decided=None, by=world["finance"])
    assert (again.pk, again.suggested, again.rule_version.number) == (opinion.pk, D("80.0000"), 2)
    assert again.history.count() == 2


def test_finance_records_an_opinion_on_the_sheet_and_sees_every_project(client, world):
    client.force_login(world["finance"])
    page = client.get(sheet_url(world)).content.decode()
    assert all(name in page for name in ("优项目", "良项目", "中项目", "差项目"))
    project = world["projects"]["差"]
    response = client.post(
        reverse("performance:results-opinion", args=[project.pk]),
        {f"p{project.pk}-opinion": "取消该项目", f"p{project.pk}-decided": "0"},
    )
    assert response.status_code == 302
    assert ResultOpinion.objects.get(project=project).decided == D("0")


def amount_shown(page: str, project) -> str:
    return re.search(rf'name="p{project.pk}-decided"[^>]*value="([^"]*)"', page).group(1)


def test_the_amount_field_shows_money_with_two_places_and_keeps_finer_yuan(client, world):
    client.force_login(world["finance"])
    good, fair = world["projects"]["良"], world["projects"]["中"]
    page = client.get(sheet_url(world)).content.decode()
    assert amount_shown(page, good) == "100.00"  # kept: 100 of 100, not 100.0000
    assert amount_shown(page, fair) == "90.00"  # cut by 10%
    client.post(
        reverse("performance:results-opinion", args=[fair.pk]),
        {f"p{fair.pk}-opinion": "压减", f"p{fair.pk}-decided": "90.0045"},
    )
    page = client.get(sheet_url(world)).content.decode()
    assert amount_shown(page, fair) == "90.0045"  # to the 元, as stored


def test_a_bad_amount_is_shown_on_the_sheet_and_nothing_is_recorded(client, world):
    client.force_login(world["finance"])
    project = world["projects"]["差"]
    response = client.post(
        reverse("performance:results-opinion", args=[project.pk]),
        {f"p{project.pk}-opinion": "取消", f"p{project.pk}-decided": "-5"},
    )
    assert response.status_code == 200
    assert "取消" in response.content.decode() and not ResultOpinion.objects.exists()


def test_unit_staff_see_only_their_units_rows_and_cannot_record_opinions(client, world):
    client.force_login(world["staff"])
    page = client.get(sheet_url(world)).content.decode()
    assert "中项目" in page and "差项目" not in page
    project = world["projects"]["中"]
    response = client.post(reverse("performance:results-opinion", args=[project.pk]), {f"p{project.pk}-opinion": "x"})
    assert response.status_code == 403
    response = client.post(reverse("performance:results-home") + "?year=2021", {"note": "x"})
    assert response.status_code == 403


def test_finance_changes_the_rule_on_the_page(client, world):
    client.force_login(world["finance"])
    data = {"note": "中等级压减20%"}
    for n, grade in enumerate(("优", "良", "中", "差")):
        rule = DEFAULT_RULES[grade]
        data[f"action_{n}"], data[f"percent_{n}"] = rule.action, str(rule.percent)
    data["percent_2"] = "20"
    response = client.post(reverse("performance:results-home") + "?year=2021", data)
    assert response.status_code == 302
    assert ResultRuleVersion.objects.filter(year=2021).count() == 2
    data["action_2"], data["percent_2"] = "cut", "0"
    page = client.post(reverse("performance:results-home") + "?year=2021", data).content.decode()
    assert "选择压减时须填写压减比例" in page and ResultRuleVersion.objects.filter(year=2021).count() == 2


def test_the_sheet_exports_as_a_workbook_with_numbers_formats_and_the_rule_version(client, world):
    record_opinion(project=world["projects"]["中"], opinion="压减10%", decided=D("90"), by=world["finance"])
    client.force_login(world["finance"])
    response = client.get(reverse("performance:results-export", args=[world["department"].code, 2021]))
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert ws["A1"].value == "2021年度绩效评价结果应用表"
    assert [c.value for c in ws[3]][:5] == ["序号", "单位名称", "项目名称", "总分", "等级"]
    rows = {ws.cell(row, 3).value: row for row in range(4, 8)}
    middle = rows["中项目"]
    assert ws.cell(middle, 5).value == "中"
    assert ws.cell(middle, 4).value == 69 and ws.cell(middle, 4).number_format == "0.00"
    assert ws.cell(middle, 6).value == 100 and ws.cell(middle, 6).number_format == "#,##0.00"
    assert ws.cell(middle, 8).value == pytest.approx(0.9) and ws.cell(middle, 8).number_format == "0.00%"
    assert ws.cell(middle, 9).value == "压减10%"
    assert (ws.cell(middle, 10).value, ws.cell(middle, 11).value, ws.cell(middle, 12).value) == (90, 90, "压减10%")
    assert ws.cell(8, 1).value == "合计"
    assert ws.cell(8, 10).value == 360  # 100 + 100 + 90 + 70
    assert "第1版" in ws.cell(9, 1).value
    assert ws.page_setup.orientation == "landscape" and "A3:A3" not in ws.merged_cells


def test_next_years_project_carried_forward_shows_the_opinion(client, world):
    project = world["projects"]["中"]
    record_opinion(project=project, opinion="下年压减10%", decided=D("90"), by=world["finance"])
    next_year = carry_forward_project(project=project, to_year=2022, by=world["staff"])
    client.force_login(world["staff"])
    for url in (
        reverse("performance:project-detail", args=[next_year.pk]),
        reverse("performance:declaration-edit", args=[next_year.pk]),
    ):
        page = client.get(url).content.decode()
        assert "2021年度绩效评价结果应用意见" in page and "下年压减10%" in page, url
    assert "下年压减10%" not in client.get(reverse("performance:project-detail", args=[project.pk])).content.decode()


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_sheet_and_the_department_report_take_as_many_queries_for_four_projects_as_for_eight(client, world):
    client.force_login(world["finance"])
    urls = [sheet_url(world), reverse("performance:report-year", args=[world["department"].code, 2021])]
    for n, project in enumerate(world["projects"].values()):
        record_opinion(project=project, opinion=f"意见{n}", decided=None, by=world["finance"])
    before = [queries_for(client, url) for url in urls]
    for grade, actual in (("优", "12次"), ("良", "10次"), ("中", "8次"), ("差", "5次")):
        project = graded_project(world["unit"], f"又一{grade}项目", actual)
        record_opinion(project=project, opinion="又一意见", decided=None, by=world["finance"])
    assert [queries_for(client, url) for url in urls] == before
