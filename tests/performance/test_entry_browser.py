"""The entry page in a real browser: scores and messages recompute as the user types (evaluation-form.js)."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from budgets.models import Access
from performance.models import ActualResult
from tests.factories import PASSWORD, make_indicator, make_project, make_unit, make_user_with_access

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

framework = importlib.import_module("performance.migrations.0002_indicator_framework")


@pytest.fixture
def entry_page(live_server, page):
    framework.load(apps, None)  # the flush of a transactional test removes the migration's data
    unit = make_unit()
    project = make_project(unit=unit, full_year_total=Decimal("10"), full_year_fiscal=Decimal("10"))
    quantity = make_indicator(project=project, name="举办科普活动", target="12次")
    make_indicator(project=project, level1="效益指标", level2="社会效益指标", name="社会效益", target="效果显著")
    make_indicator(project=project, level1="满意度指标", level2="服务对象满意度指标", name="满意度", target="≥95%")
    staff = make_user_with_access(role=Access.Role.STAFF, unit=unit, username="tianbao")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", staff.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/projects/{project.pk}/edit/")
    return page, project, quantity


def test_scores_and_messages_follow_what_is_typed(entry_page):
    page, _project, quantity = entry_page
    prefix = f"ind-{quantity.pk}"
    page.fill("#id_executed_fiscal", "10")
    rows = page.locator("tr[data-row] select")
    rows.first.select_option("met")
    page.fill("tr[data-row]:nth-child(3) input[type=text]", "96%")
    page.fill(f"#id_{prefix}-actual", "6次")
    score = page.locator(f'[data-row-score="{quantity.pk}"]')
    page.wait_for_function(
        f"() => document.querySelector('[data-row-score=\"{quantity.pk}\"]').textContent.trim() === '25.00'"
    )
    assert score.inner_text() == "25.00"
    assert page.locator("[data-total]").first.inner_text() == "75.00"
    reason = page.locator(f'[data-messages-for="{prefix}-deviation_reason"]')
    # a note: it only blocks submitting, and says so
    assert reason.inner_text() == "提交前需处理：“举办科普活动”得分低于分值，请填写偏差原因分析及改进措施。"

    page.fill(f"#id_{prefix}-deviation_reason", "下半年活动取消")
    page.wait_for_function(
        f"() => document.querySelector('[data-messages-for=\"{prefix}-deviation_reason\"]').textContent === ''"
    )

    page.fill(f"#id_{prefix}-actual", "12万元")
    actual = page.locator(f'[data-messages-for="{prefix}-actual"]')
    page.wait_for_function(
        f"() => document.querySelector('[data-messages-for=\"{prefix}-actual\"]').textContent !== ''"
    )
    # an error: a save would keep the saved value, and says so
    assert actual.inner_text() == "未保存：实际完成值“12万元”的单位与指标值“12次”的单位不一致"
    assert score.inner_text() == "0.00"
    assert not ActualResult.objects.exists()  # the preview saves nothing
