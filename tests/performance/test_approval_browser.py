"""The finance tier's journey in a real browser (issue 16): finance issues a task → the unit fills → the reviewer
approves (on the review list, in bulk) → the department submits its year → finance returns one project → it is
fixed → the department resubmits → finance approves → the year is locked: the unit can no longer edit."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from budgets.models import Access
from performance.approval.models import DepartmentYear
from performance.models import Evaluation
from tests.factories import (
    PASSWORD,
    make_department,
    make_evaluation,
    make_goal,
    make_indicator,
    make_project,
    make_unit,
    make_user_with_access,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

framework = importlib.import_module("performance.migrations.0002_indicator_framework")


def log_in(page, site, username):
    page.context.clear_cookies()
    page.goto(f"{site}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/")


def test_finance_returns_a_project_of_the_year_then_approves_and_the_year_is_locked(page, live_server):
    framework.load(apps, None)  # the flush of a transactional test removes the migration's data
    site = live_server.url
    department = make_department(code="731", name="科学技术协会")
    unit = make_unit(department=department, code="731001", name="科协本级")
    project = make_project(unit=unit, name="科普经费", full_year_fiscal=Decimal("81"), full_year_total=Decimal("81"))
    make_goal(project=project, text="开展科普活动")
    indicator = make_indicator(project=project, name="开展活动场次", target="12次")
    done = make_project(unit=unit, name="学会活动经费")
    make_evaluation(project=done, status=Evaluation.Status.APPROVED)  # the year's other project, approved already
    make_user_with_access(role=Access.Role.FINANCE, username="caizheng")
    make_user_with_access(role=Access.Role.STAFF, unit=unit, username="kexie")
    make_user_with_access(role=Access.Role.REVIEWER, department=department, username="shenhe")
    year_page = f"{site}/department-years/731/2021/"
    detail = f"{site}/projects/{project.pk}/"
    edit = f"{site}/projects/{project.pk}/edit/"

    # finance issues the 2021 self-evaluation task
    log_in(page, site, "caizheng")
    page.goto(f"{site}/tasks/new/")
    page.select_option("#id_kind", label="自评任务")
    page.fill("#id_year", "2021")
    page.fill("#id_deadline", (timezone.localdate() + datetime.timedelta(days=20)).isoformat())
    page.get_by_test_id("task-save").click()
    page.wait_for_selector("text=已下达2021 自评任务。")

    # the unit fills 科普经费 and submits it
    log_in(page, site, "kexie")
    page.goto(edit)
    page.fill("#id_executed_fiscal", "70")
    page.fill("#id_budget_deviation_reason", "部分活动延至下年")
    page.fill(f"#id_ind-{indicator.pk}-actual", "12次")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url(detail)
    page.wait_for_selector("text=已提交审核。")

    # the reviewer approves it on the review list (ticked, approved in bulk)
    log_in(page, site, "shenhe")
    page.goto(f"{site}/inbox/")
    page.get_by_test_id("inbox-review-list").click()
    page.get_by_label("选择“科普经费”").check()
    page.get_by_test_id("review-approve").click()
    page.wait_for_selector("text=已审核通过1个项目。")

    # the department submits its year, from the project page's link
    page.goto(detail)
    page.get_by_test_id("department-year-link").click()
    page.wait_for_url(year_page)
    page.get_by_test_id("department-year-submit").click()
    page.wait_for_selector("text=已提交财政审核。")
    assert page.get_by_test_id("department-year-status").inner_text() == "已提交财政"

    # finance sees it in the inbox and returns 科普经费 with a reason
    log_in(page, site, "caizheng")
    page.goto(f"{site}/inbox/")
    assert page.get_by_test_id("count-years").inner_text() == "1"
    page.get_by_test_id("inbox-years").get_by_role("link").click()
    page.wait_for_url(year_page)
    page.get_by_label("退回项目“科普经费”").check()
    page.fill("#jx-year-return-reason", "执行率偏低，请说明原因")
    page.get_by_test_id("department-year-return").click()
    page.wait_for_selector("text=已退回部门，所选项目的自评已退回填报单位。")
    assert page.get_by_test_id("department-year-status").inner_text() == "财政已退回"

    # the unit sees finance's reason, fixes and resubmits; the reviewer approves again and resubmits the year
    log_in(page, site, "kexie")
    page.goto(detail)
    assert "执行率偏低，请说明原因" in page.get_by_test_id("return-reason").inner_text()
    page.get_by_test_id("action-edit").click()
    page.wait_for_url(edit)
    page.fill("#id_executed_fiscal", "80")
    page.fill("#id_executed_total", "80")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_selector("text=已提交审核。")
    log_in(page, site, "shenhe")
    page.goto(detail)
    page.get_by_test_id("action-approve").click()
    page.wait_for_selector("text=已审核通过，数据已锁定。")
    page.goto(year_page)
    assert "执行率偏低，请说明原因（退回项目：科普经费）" in page.get_by_test_id("department-year-reason").inner_text()
    page.get_by_test_id("department-year-submit").click()
    page.wait_for_selector("text=已提交财政审核。")

    # finance approves: the year is locked
    log_in(page, site, "caizheng")
    page.goto(year_page)
    page.get_by_test_id("department-year-approve").click()
    page.wait_for_selector("text=已审核通过，该部门本年度的数据已锁定。")
    assert page.get_by_test_id("department-year-status").inner_text() == "财政已审核"
    reasons = page.get_by_test_id("department-year-history-entry").all_inner_texts()
    assert [r.split("\t")[-1].strip() for r in reasons] == [
        "财政审核通过，年度锁定",
        "部门提交财政审核",
        "财政退回：执行率偏低，请说明原因（退回项目：科普经费）",
        "部门提交财政审核",
    ]

    # the unit can no longer edit, nor ask to adjust; the reviewer can no longer reopen
    log_in(page, site, "kexie")
    page.goto(detail)
    assert page.get_by_test_id("action-edit").count() == 0
    assert page.get_by_test_id("department-year-link").inner_text() == "部门年度：财政已审核"
    page.goto(f"{site}/projects/{project.pk}/adjustments/new/")
    page.wait_for_url(detail)
    assert "已经财政审核通过并锁定" in page.locator(".jx-messages").inner_text()
    log_in(page, site, "shenhe")
    page.goto(detail)
    assert page.get_by_test_id("action-reopen").count() == 0
    assert DepartmentYear.objects.get().status == DepartmentYear.Status.APPROVED
    history = list(Evaluation.objects.get(project=project).history.order_by("history_date"))
    assert "财政退回：执行率偏低，请说明原因" in [h.history_change_reason for h in history]
