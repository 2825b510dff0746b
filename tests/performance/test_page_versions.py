"""Issue 20: the project list and the dashboard cache what they show under the versions of the department-years
shown (``performance.scores.versions``). Whatever a user changes through the app shows at once, to everyone who
sees it; and a cached page never shows one user what only another may see."""

from decimal import Decimal as D

import pytest

from budgets.models import Access
from performance.models import ActualResult, DepartmentYearVersion
from performance.workflow import approve_evaluation, submit_evaluation
from tests.factories import (
    make_department,
    make_evaluation,
    make_indicator,
    make_project,
    make_superuser,
    make_unit,
    make_user_with_access,
)
from tests.performance.list_helpers import listed_rows, names_listed

pytestmark = pytest.mark.django_db

LIST = "/projects/"
DASHBOARD = "/dashboard/"


def scored_project(*, unit, name, actual="12次", year=2021):
    project = make_project(unit=unit, name=name, year=year, full_year_total=D("100"), executed_total=D("90"))
    indicator = make_indicator(project=project, name=f"{name}活动场次", target="12次")
    ActualResult.objects.create(indicator=indicator, actual=actual, deviation_reason="原因")
    return project


@pytest.fixture
def world():
    department = make_department(name="甲部门")
    unit = make_unit(department=department, name="甲单位")
    other = make_unit(department=make_department(name="乙部门"), name="乙单位")
    return {
        "unit": unit,
        "other": other,
        "mine": scored_project(unit=unit, name="科普经费"),
        "theirs": scored_project(unit=other, name="外部门项目"),
        "staff": make_user_with_access(unit=unit),
        "other_staff": make_user_with_access(unit=other),
        "reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=department),
    }


def dashboard_count(client, testid: str) -> str:
    html = client.get(DASHBOARD, {"year": "2021"}).content.decode()
    start = html.index(f'data-testid="{testid}"')
    return html[start:].split('jx-stat-value">', 1)[1].split("<", 1)[0]


def test_a_renamed_project_shows_at_once_on_a_list_already_cached(client, world):
    client.force_login(world["reviewer"])
    assert names_listed(client.get(LIST)) == ["科普经费"]
    world["mine"].name = "科普活动经费"
    world["mine"].save()
    assert names_listed(client.get(LIST)) == ["科普活动经费"]


def test_a_changed_actual_shows_at_once_on_a_list_already_cached(client, world):
    client.force_login(world["reviewer"])
    assert listed_rows(client.get(LIST))[0]["总分"] == "99.00"
    result = world["mine"].indicators.get().result
    result.actual = "6次"
    result.save()
    assert listed_rows(client.get(LIST))[0]["总分"] == "54.00"


def test_submitting_and_approving_show_at_once_on_the_dashboard_and_the_list(client, world):
    client.force_login(world["reviewer"])
    assert dashboard_count(client, "status-approved") == "0"
    assert listed_rows(client.get(LIST))[0]["状态"] == "草稿"
    evaluation = make_evaluation(project=world["mine"])
    submit_evaluation(evaluation=evaluation, by=world["staff"])
    assert dashboard_count(client, "status-submitted") == "1"
    approve_evaluation(evaluation=evaluation, by=world["reviewer"])
    assert dashboard_count(client, "status-approved") == "1"
    assert listed_rows(client.get(LIST))[0]["状态"] == "已审核"


def test_a_renamed_unit_and_department_show_at_once_on_a_list_already_cached(client, world):
    client.force_login(make_superuser())
    assert {row["预算单位"] for row in listed_rows(client.get(LIST))} == {str(world["unit"]), str(world["other"])}
    world["unit"].name = "甲单位（新）"
    world["unit"].save()
    world["other"].department.name = "乙部门（新）"
    world["other"].department.save()
    rows = {row["项目名称"]: row for row in listed_rows(client.get(LIST))}
    assert rows["科普经费"]["预算单位"] == f"{world['unit'].code} 甲单位（新）"
    assert rows["外部门项目"]["部门"] == "乙部门（新）"


def test_a_deleted_project_leaves_a_list_already_cached(client, world):
    client.force_login(world["reviewer"])
    scored_project(unit=world["unit"], name="学会经费")
    assert names_listed(client.get(LIST)) == ["科普经费", "学会经费"]
    world["mine"].delete()
    assert names_listed(client.get(LIST)) == ["学会经费"]


def test_a_unit_moved_to_another_department_leaves_its_old_departments_pages(client, world):
    client.force_login(world["reviewer"])
    assert names_listed(client.get(LIST)) == ["科普经费"]
    world["unit"].department = world["other"].department
    world["unit"].save()
    assert names_listed(client.get(LIST)) == []


def test_a_project_moved_to_another_department_or_year_leaves_its_old_pages(client, world):
    client.force_login(world["reviewer"])
    later = scored_project(unit=world["unit"], name="学会经费")
    assert names_listed(client.get(LIST, {"year": "2021"})) == ["科普经费", "学会经费"]
    later.year = 2022  # as the admin moves it
    later.save()
    assert names_listed(client.get(LIST, {"year": "2021"})) == ["科普经费"]
    assert dashboard_count(client, "status-draft") == "1"
    world["mine"].unit = world["other"]
    world["mine"].save()
    assert names_listed(client.get(LIST)) == ["学会经费"]
    assert dashboard_count(client, "status-draft") == "0"


def test_users_of_different_units_never_share_a_cached_page(client, world):
    client.force_login(world["staff"])
    assert names_listed(client.get(LIST)) == ["科普经费"]
    client.force_login(world["other_staff"])
    assert names_listed(client.get(LIST)) == ["外部门项目"]
    assert "科普经费" not in client.get(DASHBOARD, {"year": "2021"}).content.decode()


def test_a_write_gives_only_its_own_department_year_a_new_version(world):
    before = dict(DepartmentYearVersion.objects.values_list("department_id", "token"))
    scored_project(unit=world["unit"], name="学会经费")
    after = dict(DepartmentYearVersion.objects.values_list("department_id", "token"))
    assert after[world["unit"].department_id] != before[world["unit"].department_id]
    assert after[world["other"].department_id] == before[world["other"].department_id]
