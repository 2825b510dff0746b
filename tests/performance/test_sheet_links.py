"""The standard workbooks one click away (issue 21, item 3): links on the project list, the department page and
the dashboard, only where the download answers with a file; 未填报 instead of 0 / 差 in the sheets; averages over
evaluations with every actual entered, said in words."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist

from budgets.models import Access
from budgets.permissions import year_projects_for, year_scopes_for
from performance.models import ActualResult
from performance.scores.models import ProjectScore
from performance.scores.store import all_entered
from performance.services import score_project
from performance.sheets import evaluation_workbook_bytes, project_sheet_bytes
from tests.factories import (
    make_department,
    make_indicator,
    make_project,
    make_superuser,
    make_unit,
    make_user_with_access,
)
from tests.performance.sheet_helpers import open_workbook

D = Decimal
pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def sheet_hrefs(response) -> list[str]:
    """The workbook links of the page's 标准表格下载 block."""
    html = response.content.decode()
    block = html.split('data-testid="sheet-links"', 1)[1].split("</section>", 1)[0] if "sheet-links" in html else ""
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', block)]


def entered_project(*, unit, name, actuals=("12次",), executed="90", year=2021):
    """Full-year 100; one indicator per actual given ("" leaves it missing)."""
    project = make_project(unit=unit, name=name, year=year, full_year_total=D("100"), executed_total=D(executed))
    for n, actual in enumerate(actuals):
        indicator = make_indicator(project=project, name=f"{name}指标{n}", target="12次")
        if actual:
            ActualResult.objects.create(indicator=indicator, actual=actual, deviation_reason="原因")
    return project


@pytest.fixture
def world():
    department = make_department(code="731", name="科协")
    unit = make_unit(department=department, code="731001", name="科协本级")
    sister = make_unit(department=department, code="731002", name="科技馆")
    other = make_unit(department=make_department(code="801", name="外部门"), code="801001", name="外单位")
    entered_project(unit=unit, name="科普经费")  # 99.00, every actual entered
    entered_project(unit=sister, name="场馆经费", executed="50", actuals=("6次",))  # 50.00
    entered_project(unit=other, name="外部门项目")
    make_unit(department=department, code="731009", name="无项目单位")
    return {
        "department": department,
        "unit": unit,
        "staff": make_user_with_access(unit=unit),
        "reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=department),
        "other_staff": make_user_with_access(unit=other),
    }


# --- the links ---------------------------------------------------------------------------------------


def test_unit_staff_see_their_units_and_departments_workbooks_on_the_project_list_and_nothing_else(client, world):
    client.force_login(world["staff"])
    hrefs = sheet_hrefs(client.get("/projects/"))
    assert hrefs == [
        "/sheets/self-evaluations.xlsx?year=2021&department=731",
        "/sheets/targets.xlsx?year=2021&department=731",
        "/sheets/self-evaluations.xlsx?year=2021&unit=731001",
        "/sheets/targets.xlsx?year=2021&unit=731001",
    ]


def test_a_reviewer_sees_the_department_and_each_unit_with_projects_on_the_dashboard(client, world):
    client.force_login(world["reviewer"])
    response = client.get("/dashboard/", {"year": "2021"})
    hrefs = sheet_hrefs(response)
    assert "/sheets/self-evaluations.xlsx?year=2021&department=731" in hrefs
    assert "/sheets/targets.xlsx?year=2021&unit=731002" in hrefs
    assert not [href for href in hrefs if "731009" in href or "801" in href]  # no projects; not theirs


def test_every_sheet_link_on_the_three_pages_downloads_a_workbook(client, world):
    for user in (world["staff"], world["reviewer"], make_superuser()):
        client.force_login(user)
        pages = [
            client.get("/projects/"),
            client.get("/dashboard/", {"year": "2021", "department": "731"}),
            client.get("/departments/731/2021/"),
        ]
        for page in pages:
            hrefs = sheet_hrefs(page)
            assert hrefs, page.request["PATH_INFO"]
            for href in hrefs:
                response = client.get(href)
                assert response.status_code == 200, href
                assert response["Content-Disposition"].startswith("attachment")


def test_the_department_page_links_the_departments_and_its_units_workbooks_of_its_year(client, world):
    client.force_login(world["reviewer"])
    hrefs = sheet_hrefs(client.get("/departments/731/2021/"))
    assert "/sheets/self-evaluations.xlsx?year=2021&department=731" in hrefs
    assert "/sheets/self-evaluations.xlsx?year=2021&unit=731001" in hrefs
    assert "/sheets/targets.xlsx?year=2021&unit=731002" in hrefs


def test_the_project_list_filtered_to_one_unit_links_only_that_units_workbooks(client, world):
    client.force_login(world["reviewer"])
    unit = world["unit"]
    hrefs = sheet_hrefs(client.get("/projects/", {"year": "2021", "unit": str(unit.pk)}))
    assert hrefs == [
        "/sheets/self-evaluations.xlsx?year=2021&department=731",
        "/sheets/targets.xlsx?year=2021&department=731",
        "/sheets/self-evaluations.xlsx?year=2021&unit=731001",
        "/sheets/targets.xlsx?year=2021&unit=731001",
    ]


def test_a_user_who_sees_no_projects_gets_no_sheet_links(client, world):
    client.force_login(make_user_with_access(unit=make_unit(name="空单位")))
    assert sheet_hrefs(client.get("/projects/")) == []


def test_the_scopes_linked_are_exactly_those_the_download_accepts(world):
    """year_scopes_for lists a unit or department exactly when year_projects_for gives it projects."""
    codes = ["731001", "731002", "731009", "801001"]
    for user in (world["staff"], world["reviewer"], world["other_staff"], make_superuser()):
        scopes = year_scopes_for(user, 2021)
        for code in codes:
            try:
                has = year_projects_for(user, 2021, unit=code)[0].exists()
            except ObjectDoesNotExist:
                has = False
            assert (code in dict(scopes.units)) == has, (user, code)
        for code in ("731", "801"):
            try:
                has = year_projects_for(user, 2021, department=code)[0].exists()
            except ObjectDoesNotExist:
                has = False
            assert (code in dict(scopes.departments)) == has, (user, code)


# --- 未填报 ---------------------------------------------------------------------------------------------


def test_a_project_nobody_has_started_reads_weitianbao_in_its_sheet_and_the_summary_never_zero_or_poor():
    project = make_project(name="未动项目", full_year_total=D("100"))
    make_indicator(project=project, target="12次")
    ws = open_workbook(project_sheet_bytes(project))["未动项目"]
    assert ws["A14"].value == "总分"
    assert ws["H14"].value is None
    assert ws["G15"].value == "未填报"
    summary = open_workbook(evaluation_workbook_bytes([project], title="汇总表"))["汇总"]
    assert summary["I4"].value is None
    assert summary["J4"].value == "未填报"


def test_the_entry_page_of_a_project_nobody_has_started_shows_weitianbao_not_poor(client):
    staff = make_user_with_access()
    project = make_project(unit=staff.accesses.get().unit, name="未动项目")
    make_indicator(project=project, target="12次")
    client.force_login(staff)
    page = text_of(client.get(f"/projects/{project.pk}/edit/"))
    assert "总分（实时计算） — 未填报" in page
    assert "差" not in page.split("总分（实时计算）", 1)[1].split("项目资金", 1)[0]
    preview = client.post(f"/projects/{project.pk}/preview/", {"version": "0"}).json()
    assert (preview["total_shown"], preview["grade_label"]) == ("—", "未填报")


# --- averages over complete evaluations ---------------------------------------------------------------


def test_an_evaluation_with_an_actual_missing_is_not_complete():
    unit = make_unit()
    partial = entered_project(unit=unit, name="一半", actuals=("12次", ""))
    full = entered_project(unit=unit, name="全部", actuals=("12次", "12次"))
    no_money = entered_project(unit=unit, name="无执行数", actuals=("12次",))
    no_money.executed_total = None
    no_money.save()
    assert not all_entered(score_project(partial))
    assert all_entered(score_project(full))
    assert not all_entered(score_project(no_money))  # the amount executed is an actual too
    stored = dict(ProjectScore.objects.values_list("project__name", "complete"))
    assert stored == {"一半": False, "全部": True, "无执行数": False}


def test_dashboard_averages_count_only_complete_evaluations_and_say_how_many(client, world):
    entered_project(unit=world["unit"], name="填了一半", executed="10", actuals=("12次", ""))  # would drag it down
    client.force_login(world["reviewer"])
    response = client.get("/dashboard/", {"year": "2021", "department": "731"})
    figures = response.context["page"].figures  # what the dashboard showed
    assert figures["average"] == D("74.50")  # (99 + 50) / 2, without the half-filled project
    assert figures["average_rate"] == D("70.00")
    grades = {item["grade"]: item["count"] for item in figures["grade_counts"]}
    assert grades == {"优": 1, "良": 0, "中": 0, "差": 1}
    page = text_of(response)
    assert "平均分按已全部填报的2个项目计算" in page
    assert "等级分布按已全部填报的2个项目计算" in page
    assert "另有 1 个项目尚未填完实际完成值" in page
    units = {item["name"]: (item["complete"], item["average"]) for item in figures["units"]}
    assert units["科协本级"] == (1, D("99.00"))
    assert "各单位的平均得分只按已全部填报实际完成值的项目计算" in page


def test_rescore_sets_the_complete_flag_of_scores_stored_before_it_existed():
    """After migration 0008 every stored row reads not complete; ``manage.py rescore`` puts it right."""
    from django.core.management import call_command

    project = entered_project(unit=make_unit(), name="早已填完")
    ProjectScore.objects.filter(project=project).update(complete=False)  # as the migration leaves it
    call_command("rescore")
    assert ProjectScore.objects.get(project=project).complete is True


def test_a_unit_is_named_in_the_sheet_links_as_everywhere_else(client):
    unit = make_unit(name="张家口市科学技术协会", short_name="张家口市科协本级")
    make_project(unit=unit, year=2021, name="科普经费")
    client.force_login(make_user_with_access(unit=unit))
    page = client.get("/projects/").content.decode()
    assert f"{unit.code} 张家口市科协本级：" in page
    assert str(unit) == f"{unit.code} 张家口市科协本级"


def test_a_unit_given_its_first_project_gets_its_links_at_once_on_a_list_already_cached(client):
    department = make_department()
    first = make_unit(department=department)
    make_project(unit=first, year=2021, name="科普经费")
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=department))
    later = make_unit(department=department)
    assert f'sheet-links-unit-{later.code}"' not in client.get("/projects/").content.decode()
    make_project(unit=later, year=2021, name="学会经费")
    assert f'sheet-links-unit-{later.code}"' in client.get("/projects/").content.decode()
