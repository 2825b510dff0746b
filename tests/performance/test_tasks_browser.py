"""Tasks and the inbox in a real browser (issue 16): finance issues a self-evaluation task to one department;
its unit's staff see it on their home page with the days left and count it in the navigation."""

import datetime

import pytest
from django.utils import timezone

from budgets.models import Access
from tests.factories import PASSWORD, make_department, make_project, make_unit, make_user_with_access

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, site, username):
    page.goto(f"{site}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/")


def test_finance_issues_a_task_and_the_units_staff_see_it_with_the_days_left(page, live_server):
    site = live_server.url
    department = make_department(name="科学技术协会")
    unit = make_unit(department=department)
    make_project(unit=unit, name="科普经费")
    make_user_with_access(role=Access.Role.FINANCE, username="caizheng")
    make_user_with_access(role=Access.Role.STAFF, unit=unit, username="kexie")
    deadline = timezone.localdate() + datetime.timedelta(days=12)

    log_in(page, site, "caizheng")
    page.get_by_role("button", name="任务与规则").click()  # the navigation's menu
    page.get_by_role("link", name="绩效任务").first.click()
    page.get_by_role("link", name="下达任务").click()
    page.select_option("#id_kind", label="自评任务")
    page.fill("#id_year", "2021")
    page.fill("#id_deadline", deadline.isoformat())
    page.fill("#id_note", "请于截止日期前提交自评")
    page.uncheck("#id_to_all")
    page.get_by_label(f"{department.code} {department.name}").check()
    page.get_by_test_id("task-save").click()
    page.wait_for_selector("text=已下达2021 自评任务。")
    assert "剩余12天" in page.get_by_test_id("task-row").inner_text()

    page.context.clear_cookies()
    log_in(page, site, "kexie")
    home = page.get_by_test_id("home-task").inner_text()
    assert "2021 自评任务" in home and "剩余12天" in home and "请于截止日期前提交自评" in home
    assert page.get_by_test_id("nav-inbox").inner_text().split() == ["待办", "1"]
    page.get_by_test_id("nav-inbox").click()
    assert "科普经费" in page.get_by_test_id("inbox-to-fill").inner_text()
