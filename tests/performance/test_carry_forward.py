"""Carry forward: a project's goal and indicators copied into next year; last year's actuals shown beside."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from budgets.models import Access, Project
from performance.carry_forward import carried_actuals, carry_forward_project
from performance.models import ActualResult, Indicator
from tests.factories import make_goal, make_indicator, make_project, make_unit, make_user_with_access

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    unit = make_unit()
    project = make_project(unit=unit, year=2021, name="科普经费", code="P01", full_year_total=D("81"))
    make_goal(project=project, text="开展科普活动")
    count = make_indicator(project=project, name="活动场次", target="12次", weight=D("40"), basis="计划标准")
    ActualResult.objects.create(indicator=count, actual="11次")
    make_indicator(project=project, level1="满意度指标", level2="服务对象满意度指标", name="满意度", target="≥95%")
    return {
        "unit": unit,
        "project": project,
        "staff": make_user_with_access(unit=unit),
        "reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=unit.department),
    }


def test_carry_forward_copies_the_project_goal_and_indicators_without_money_or_actuals(world):
    copy = carry_forward_project(project=world["project"], to_year=2022, by=world["staff"])
    assert (copy.unit, copy.year, copy.code, copy.name) == (world["unit"], 2022, "P01", "科普经费")
    assert copy.full_year_total is None
    assert copy.goal.text == "开展科普活动"
    rows = list(
        Indicator.objects.filter(project=copy).order_by("order").values_list("name", "target", "weight", "basis")
    )
    assert rows == [("活动场次", "12次", D("40.00"), "计划标准"), ("满意度", "≥95%", None, "")]
    assert not ActualResult.objects.filter(indicator__project=copy).exists()
    assert Indicator.objects.get(project=copy, name="活动场次").target_kind == "quantitative"
    assert Indicator.objects.get(project=copy, name="活动场次").history.first().history_user == world["staff"]


def test_carry_forward_refuses_an_existing_project_a_past_year_and_other_users(world):
    carry_forward_project(project=world["project"], to_year=2022, by=world["staff"])
    with pytest.raises(ValidationError, match="不能重复结转"):
        carry_forward_project(project=world["project"], to_year=2022, by=world["staff"])
    with pytest.raises(ValidationError, match="以后的年度"):
        carry_forward_project(project=world["project"], to_year=2021, by=world["staff"])
    with pytest.raises(PermissionDenied):
        carry_forward_project(project=world["project"], to_year=2023, by=world["reviewer"])
    assert Project.objects.filter(name="科普经费").count() == 2


def test_last_years_actual_is_matched_by_level1_level2_and_name(world):
    copy = carry_forward_project(project=world["project"], to_year=2022, by=world["staff"])
    make_indicator(project=copy, name="新增指标", target="3次")
    renamed = Indicator.objects.get(project=copy, name="满意度")
    renamed.level2 = Indicator.objects.get(project=copy, name="活动场次").level2  # different level 2: no match
    renamed.level1 = renamed.level2.parent
    renamed.save()
    previous, carried = carried_actuals(copy)
    assert previous == world["project"]
    assert [(row.indicator.name, row.indicator.target, row.last_target, row.last_actual) for row in carried] == [
        ("活动场次", "12次", "12次", "11次")
    ]


def test_a_project_without_last_year_has_nothing_carried(world):
    assert carried_actuals(world["project"]) == (None, [])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_project_page_carries_forward_and_shows_last_years_actual(client, world):
    client.force_login(world["staff"])
    page = client.get(reverse("performance:project-detail", args=[world["project"].pk]))
    assert "结转到 2022 年" in text_of(page)
    response = client.post(reverse("performance:project-carry-forward", args=[world["project"].pk]))
    copy = Project.objects.get(year=2022, name="科普经费")
    assert response.url == reverse("performance:project-detail", args=[copy.pk])
    page = client.get(response.url)
    text = text_of(page)
    assert "2021年实际完成值" in text
    assert "活动场次 12次 12次 11次" in text
    page = client.get(reverse("performance:project-detail", args=[world["project"].pk]))
    assert "结转到 2022 年" not in text_of(page)


def test_the_reviewer_sees_no_carry_forward_button_and_cannot_post(client, world):
    client.force_login(world["reviewer"])
    page = client.get(reverse("performance:project-detail", args=[world["project"].pk]))
    assert "结转到" not in text_of(page)
    client.post(reverse("performance:project-carry-forward", args=[world["project"].pk]))
    assert not Project.objects.filter(year=2022).exists()


def test_another_units_staff_gets_404_when_carrying_forward(client, world):
    client.force_login(make_user_with_access())
    response = client.post(reverse("performance:project-carry-forward", args=[world["project"].pk]))
    assert response.status_code == 404


def test_last_years_actual_is_found_for_a_name_written_with_other_spacing_or_width():
    last = make_project(year=2021, name="科普经费", code="K1")
    ActualResult.objects.create(
        indicator=make_indicator(project=last, name="开展活动 场次", target="12次"), actual="14次"
    )
    project = make_project(unit=last.unit, year=2022, name="科普经费", code="K1")
    make_indicator(project=project, name="开展活动场次", target="15次")
    _previous, carried = carried_actuals(project)
    assert [(c.last_target, c.last_actual) for c in carried] == [("12次", "14次")]
