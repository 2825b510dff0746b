"""The main journey in a real browser: log in, see the home page, open the department page, switch language."""

import importlib

import pytest
from django.apps import apps

from performance.demo import DEMO_PASSWORD, load_demo

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


def test_reviewer_logs_in_and_reads_the_department_page(page, demo_site):
    log_in(page, demo_site, "shenhe")
    page.wait_for_url(f"{demo_site}/")
    assert page.get_by_test_id("current-user").inner_text() == "shenhe"
    page.get_by_role("link", name="查看").click()
    page.wait_for_url(f"{demo_site}/departments/731/2021/")
    assert page.locator("h1").inner_text() == "张家口市科学技术协会"
    assert page.get_by_test_id("project-goal-table").count() == 6
    total = page.get_by_test_id("procurement-total").inner_text()
    assert "7.40" in total
    first_level1 = page.get_by_test_id("project-goal-table").first.locator("td.jx-level1").first
    assert first_level1.get_attribute("rowspan") == "4"
    # the page's own stylesheet and vendored Bootstrap are served (no CDN)
    assert page.evaluate("getComputedStyle(document.querySelector('.jx-navbar')).backgroundColor") == "rgb(29, 53, 87)"


def test_unit_staff_sees_only_their_projects_and_can_log_out(page, demo_site):
    log_in(page, demo_site, "kejiguan")
    page.goto(f"{demo_site}/departments/731/2021/")
    assert page.get_by_test_id("project-goal-table").count() == 2
    page.get_by_test_id("user-menu").click()  # the user's menu holds 退出登录
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(f"{demo_site}/accounts/login/")


def test_language_switch_shows_english_labels(page, demo_site):
    log_in(page, demo_site, "shenhe")
    page.wait_for_url(f"{demo_site}/")
    page.select_option("#jx-language", "en")
    page.wait_for_load_state()
    page.wait_for_selector("text=Departments and years")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_test_id("user-menu").click()
    assert page.get_by_role("button", name="Log out").is_visible()
