"""The dashboard: counts by status, average score, grades, who is behind; scoped; constant queries."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import Access
from performance.models import ActualResult
from tests.factories import (
    make_department,
    make_evaluation,
    make_indicator,
    make_project,
    make_superuser,
    make_unit,
    make_user,
    make_user_with_access,
)

D = Decimal
pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"


def scored_project(*, unit, name, executed="90", actual="12次", status=None, year=2021):
    """Full-year 100, one output indicator (all 90 points): total = executed/10 + 90 × actual/12."""
    project = make_project(unit=unit, name=name, year=year, full_year_total=D("100"), executed_total=D(executed))
    indicator = make_indicator(project=project, name=f"{name}活动", target="12次")
    ActualResult.objects.create(indicator=indicator, actual=actual, deviation_reason="原因")
    if status:
        make_evaluation(project=project, status=status)
    return project


@pytest.fixture
def world():
    department = make_department(code="731", name="科协")
    unit = make_unit(department=department, code="731001", name="科协本级")
    other = make_unit(department=make_department(name="外部门"), name="外单位")
    scored_project(unit=unit, name="科普经费", executed="90")  # 99.00 优, draft (no evaluation row)
    scored_project(unit=unit, name="学会经费", executed="50", actual="6次", status="submitted")  # 50.00 差
    scored_project(unit=unit, name="扶贫经费", executed="80", actual="10次", status="approved")  # 83.00 良
    scored_project(unit=unit, name="旧年项目", year=2020)  # another year
    scored_project(unit=other, name="外部门项目", executed="10", actual="1次")  # 8.50 差, not theirs
    return {
        "staff": make_user_with_access(unit=unit),
        "reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=department),
        "finance": make_user_with_access(role=Access.Role.FINANCE),
        "superuser": make_superuser(),
        "other_staff": make_user_with_access(unit=other),
    }


def names(response) -> list[str]:
    return sorted(project.name for project in response.context["projects"])


def seen(response) -> dict:
    """What the dashboard showed: its figures, year and filter (built while its cached content was rendered)."""
    page = response.context["page"]
    return {**page.figures, "year": page.year, "filter": page.filter}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("staff", ["学会经费", "扶贫经费", "科普经费"]),
        ("reviewer", ["学会经费", "扶贫经费", "科普经费"]),
        ("finance", ["外部门项目", "学会经费", "扶贫经费", "科普经费"]),
        ("superuser", ["外部门项目", "学会经费", "扶贫经费", "科普经费"]),
        ("other_staff", ["外部门项目"]),
    ],
)
def test_the_dashboard_counts_only_what_the_user_may_see_of_the_latest_year(client, world, role, expected):
    client.force_login(world[role])
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert seen(response)["year"] == 2021
    assert names(response) == expected
    if role == "other_staff":
        assert "科普经费" not in response.content.decode()


def test_the_dashboard_shows_status_counts_average_and_grades(client, world):
    client.force_login(world["reviewer"])
    response = client.get(DASHBOARD, {"year": "2021", "department": "731"})
    counts = {item["code"]: item["count"] for item in seen(response)["status_counts"]}
    assert counts == {"draft": 1, "submitted": 1, "returned": 0, "approved": 1}
    assert seen(response)["average"] == D("77.33")  # (99 + 50 + 83) / 3
    assert seen(response)["average_rate"] == D("73.33")  # (90 + 50 + 80) / 3
    grades = {item["grade"]: item["count"] for item in seen(response)["grade_counts"]}
    assert grades == {"优": 1, "良": 1, "中": 0, "差": 1}
    assert [p.name for p in seen(response)["lowest_total"]] == ["学会经费", "扶贫经费", "科普经费"]
    assert [p.name for p in seen(response)["lowest_rate"]] == ["学会经费", "扶贫经费", "科普经费"]
    units = {item["name"]: (item["count"], item["approved"], item["average"]) for item in seen(response)["units"]}
    assert units == {"科协本级": (3, 1, D("77.33"))}
    text = text_of(response)
    assert "平均得分 77.33" in text
    assert "学会经费 731001 科协本级 已提交 50.00% 50.00 差" in text  # the unit as everywhere: code, space, name


def test_the_chart_data_is_embedded_and_the_chart_library_is_vendored(client, world):
    client.force_login(world["reviewer"])
    html = client.get(DASHBOARD).content.decode()
    data = json.loads(
        re.search(r'<script id="jx-dashboard-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert data["grades"] == {"labels": ["优", "良", "中", "差"], "counts": [1, 1, 0, 1]}
    assert data["statuses"]["counts"] == [1, 1, 0, 1]
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert "cdn" not in html.lower()
    assert (Path(settings.BASE_DIR) / "static/vendor/chartjs/chart.umd.min.js").stat().st_size > 100_000


def test_the_dashboard_opens_another_year_and_filters_by_department(client, world):
    client.force_login(world["finance"])
    assert names(client.get(DASHBOARD, {"year": "2020"})) == ["旧年项目"]
    assert names(client.get(DASHBOARD, {"department": "731"})) == ["学会经费", "扶贫经费", "科普经费"]


def test_a_staff_member_cannot_open_another_department_on_the_dashboard(client, world):
    client.force_login(world["staff"])
    response = client.get(DASHBOARD, {"year": "2021", "department": "999"})
    assert seen(response)["filter"].form.errors["department"]
    assert "外部门项目" not in names(response)


def test_a_user_without_access_sees_an_empty_dashboard(client, world):
    client.force_login(make_user())
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["projects"] == []
    assert seen(response)["average"] is None


def dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD, {"year": "2021"}).status_code == 200
    return len(queries)


def test_the_dashboard_query_count_does_not_grow_with_projects(client):
    department = make_department()
    units = [make_unit(department=department) for _ in range(3)]
    for n in range(5):
        scored_project(unit=units[n % 3], name=f"项目{n}")
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=department))
    client.get(DASHBOARD)  # the session's first page
    cache.clear()  # what the first page cached
    computed_5 = dashboard_queries(client)
    cached_5 = dashboard_queries(client)  # nothing changed: the figures come from the cache
    for n in range(5, 50):
        scored_project(unit=units[n % 3], name=f"项目{n}", status="approved" if n % 2 else None)
    assert dashboard_queries(client) == computed_5  # the data changed: computed again, in as many queries
    assert dashboard_queries(client) == cached_5 < computed_5


def test_a_project_nobody_has_started_is_not_graded_or_averaged(client, world):
    unit = world["staff"].accesses.get().unit
    untouched = make_project(unit=unit, name="未动项目")
    make_indicator(project=untouched, name="未动指标", target="12次")
    client.force_login(world["reviewer"])
    response = client.get(DASHBOARD, {"year": "2021", "department": "731"})
    assert seen(response)["not_started"] == 1
    assert seen(response)["average"] == D("77.33")  # still (99 + 50 + 83) / 3
    grades = {item["grade"]: item["count"] for item in seen(response)["grade_counts"]}
    assert grades == {"优": 1, "良": 1, "中": 0, "差": 1}
    assert "未动项目" not in [p.name for p in seen(response)["lowest_total"]]
    assert "另有 1 个项目未填报" in text_of(response)
    other_unit = make_project(unit=make_unit(department=unit.department, name="新单位"), name="新单位项目")
    make_indicator(project=other_unit, target="12次")
    units = {item["name"]: item["average"] for item in seen(client.get(DASHBOARD, {"year": "2021"}))["units"]}
    assert units["新单位"] is None
    assert "None" not in text_of(client.get(DASHBOARD, {"year": "2021"}))

    listing = client.get("/projects/", {"year": "2021"})
    row = text_of(listing).split("未动项目", 1)[1]
    assert row.strip().startswith("编制中 草稿 未填报 — —")  # targets, status, grade, rate, total
