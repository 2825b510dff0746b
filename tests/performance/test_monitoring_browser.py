"""Monitoring in a real browser: a round answering finance's monitoring task is opened, a forecast that misses
turns the light red."""

import importlib

import pytest
from django.apps import apps

from budgets.models import Project
from performance.demo import DEMO_PASSWORD, load_demo
from performance.models import ProjectMonitoring

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

framework = importlib.import_module("performance.migrations.0002_indicator_framework")


@pytest.fixture
def demo_site(live_server):
    """The seed and its users on a live server; the indicator framework is re-created after the flush."""
    framework.load(apps, None)
    load_demo()
    return live_server.url


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def light(page, testid, nth=0) -> str:
    return page.get_by_test_id(testid).nth(nth).get_attribute("data-light")


def test_a_forecast_that_misses_turns_the_seed_projects_light_red(page, demo_site):
    # The round answers the demo's 2021 第1次监控任务, issued by caizheng (load_demo).
    log_in(page, demo_site, "shenhe")
    page.goto(f"{demo_site}/monitoring/?department=731&year=2021")
    page.get_by_test_id("start-round").click()
    page.wait_for_selector("[data-testid=project-lights]")
    assert page.get_by_test_id("cut-off").inner_text() == "2021-07-31"
    assert page.get_by_test_id("project-row").count() == 6
    page.get_by_test_id("user-menu").click()  # the user's menu holds 退出登录
    page.get_by_role("button", name="退出登录").click()

    project = Project.objects.get(year=2021, name="科普经费")
    first = project.indicators.order_by("order", "id").first()  # 开展活动场次: 12次
    log_in(page, demo_site, "kexie")
    page.goto(f"{demo_site}/projects/{project.pk}/monitoring/")
    page.fill("#id_full_year_budget", "81")
    page.fill("#id_executed_to_date", "50")  # 61.73% against 58.08% of the year: green
    page.fill(f"#id_ind-{first.pk}-forecast", "12次")
    page.select_option(f"#id_ind-{first.pk}-likelihood", "certain")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_selector("text=已保存（第 1 版）")
    assert light(page, "budget-light") == "green"
    assert light(page, "indicator-light") == "green"
    assert light(page, "project-light") == "green"

    page.fill(f"#id_ind-{first.pk}-forecast", "5次")
    # the lights follow what is typed before anything is saved (monitoring-form.js)
    page.wait_for_selector(f'tr[data-indicator="{first.pk}"] [data-testid=indicator-light][data-light=red]')
    page.wait_for_selector("[data-testid=project-light][data-light=red]")
    assert "低于 60%" in page.locator(f'[data-reason-for="{first.pk}"]').inner_text()
    page.select_option(f"#id_ind-{first.pk}-likelihood", "possible")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_selector("text=已保存（第 2 版）")
    assert light(page, "indicator-light") == "red"
    assert light(page, "project-light") == "red"
    assert "低于 60%" in page.get_by_test_id("indicator-row").first.inner_text()
    assert ProjectMonitoring.objects.get(project=project).indicators.get(indicator=first).forecast == "5次"

    page.goto(f"{demo_site}/monitoring/?department=731&year=2021")
    assert page.get_by_test_id("count-red").inner_text() == "1"
    assert "开展活动场次" in page.get_by_test_id("flagged-row").first.inner_text()
