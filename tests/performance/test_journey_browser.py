"""The whole self-evaluation journey in a real browser on the seed (issue 4).

kexie fills 科普经费 with one target missed, is stopped for the missing deviation reason, adds it and
submits; shenhe returns it with a reason; kexie sees the reason, fixes and resubmits; shenhe approves;
the entry page is then locked and the project page's history lists every step.
"""

import importlib

import pytest
from django.apps import apps

from budgets.models import Project
from performance.demo import DEMO_PASSWORD, load_demo
from performance.models import ActualResult, Evaluation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

framework = importlib.import_module("performance.migrations.0002_indicator_framework")

RETURN_REASON = "请补充第二项活动未完成的佐证"


@pytest.fixture
def demo_site(live_server):
    """The seed and its users on a live server; the indicator framework is re-created after the flush."""
    framework.load(apps, None)
    load_demo()
    return live_server.url


def log_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def wait_for_text(page, selector, text):
    """Wait until the first element matching ``selector`` shows ``text`` (arrow function: the CSP forbids eval)."""
    page.wait_for_function(
        "([selector, text]) => { const el = document.querySelector(selector);"
        " return el !== null && el.textContent.trim() === text; }",
        arg=[selector, text],
    )


def test_kexie_submits_shenhe_returns_kexie_resubmits_shenhe_approves(page, demo_site):
    project = Project.objects.get(year=2021, name="科普经费")
    indicators = list(project.indicators.order_by("order", "id"))
    assert [i.target for i in indicators] == ["12次", "20次", "按时完工", "≤81万元", "100%", "≥95%"]
    missed = indicators[1]
    edit_url = f"{demo_site}/projects/{project.pk}/edit/"
    detail_url = f"{demo_site}/projects/{project.pk}/"

    # kexie fills the actuals; the score follows what is typed
    log_in(page, demo_site, "kexie")
    page.goto(edit_url)
    page.fill("#id_full_year_fiscal", "81")
    page.fill("#id_executed_fiscal", "78.6")
    for indicator, actual in zip(indicators, ["12次", "18次", "按时完工", "78.6万元", "100%", "96%"], strict=True):
        page.fill(f"#id_ind-{indicator.pk}-actual", actual)
    page.select_option(f"#id_ind-{indicators[2].pk}-tier", "met")
    wait_for_text(page, "[data-total]", "98.45")
    assert page.locator(f'[data-row-score="{missed.pk}"]').inner_text() == "11.25"
    scores = [page.locator(f'[data-row-score="{i.pk}"]').inner_text() for i in indicators]
    assert scores == ["12.50", "11.25", "12.50", "12.50", "30.00", "10.00"]
    assert page.locator("[data-budget-score]").inner_text() == "9.70"
    assert page.locator("[data-budget-rate]").inner_text() == "97.04%"
    assert page.locator("[data-grade]").first.inner_text() == "优"
    problem = "“开展活动次数”得分低于分值，请填写偏差原因分析及改进措施。"
    beside = f"提交前需处理：{problem}"  # a note: it only blocks submitting
    assert page.locator(f'[data-messages-for="ind-{missed.pk}-deviation_reason"]').inner_text() == beside
    assert not ActualResult.objects.filter(indicator__project=project).exists()  # the figures are a live preview

    # submitting without the deviation reason is refused, the problem shown
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url(edit_url)
    page.wait_for_selector(".jx-messages .alert-danger")
    refusal = page.locator(".jx-messages .alert-danger").inner_text()
    assert refusal == f"已保存草稿，但不能提交审核（1 个问题，见各栏旁的提示）：{problem}"
    assert page.locator(f'[data-messages-for="ind-{missed.pk}-deviation_reason"]').inner_text() == beside
    assert Evaluation.objects.get(project=project).status == Evaluation.Status.DRAFT
    assert page.locator("[data-total]").first.inner_text() == "98.45"

    # the reason added, the submission goes through
    page.fill(f"#id_ind-{missed.pk}-deviation_reason", "下半年两次活动因场地原因取消，明年提前预订场地")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url(detail_url)
    page.wait_for_selector("text=已提交审核。")
    assert page.get_by_test_id("status").inner_text() == "已提交"
    assert page.get_by_test_id("indicator-total").inner_text() == "98.45"

    # shenhe returns it with a reason
    log_in(page, demo_site, "shenhe")
    page.goto(detail_url)
    page.get_by_test_id("action-return").click()
    page.wait_for_selector("#jx-return-form.collapse.show")  # unfolded to its end: the button is not clipped
    page.fill("#jx-return-reason", RETURN_REASON)
    page.get_by_role("button", name="确认退回").click()
    page.wait_for_selector("text=已退回填报单位。")
    assert page.get_by_test_id("status").inner_text() == "已退回"

    # kexie sees the reason, fixes and resubmits
    log_in(page, demo_site, "kexie")
    page.goto(detail_url)
    assert RETURN_REASON in page.get_by_test_id("return-reason").inner_text()
    page.get_by_test_id("action-edit").click()
    page.wait_for_url(edit_url)
    assert RETURN_REASON in page.get_by_test_id("return-reason").inner_text()
    page.fill(f"#id_ind-{missed.pk}-deviation_reason", "下半年两次活动因场地原因取消（见佐证），明年提前预订场地")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url(detail_url)
    page.wait_for_selector("text=已提交审核。")
    assert page.get_by_test_id("status").inner_text() == "已提交"

    # shenhe approves
    log_in(page, demo_site, "shenhe")
    page.goto(detail_url)
    page.get_by_test_id("action-approve").click()
    page.wait_for_selector("text=已审核通过，数据已锁定。")
    assert page.get_by_test_id("status").inner_text() == "已审核"

    # the entry page is now read-only
    log_in(page, demo_site, "kexie")
    page.goto(edit_url)
    page.wait_for_url(detail_url)
    assert "自评已审核，数据已锁定" in page.locator(".jx-messages").inner_text()
    assert page.get_by_test_id("action-edit").count() == 0
    assert page.get_by_test_id("indicator-total").inner_text() == "98.45"

    # the history lists each step of the workflow, newest first: who, the status change, the reason
    steps = []
    for row in page.get_by_test_id("history-entry").all():
        cells = row.locator("td").all_inner_texts()
        if cells[2].startswith("自评状态与说明") and "状态：" in cells[3]:
            status = next(line for line in cells[3].splitlines() if line.startswith("状态："))
            steps.append((cells[1], status, cells[4].strip()))
    assert steps == [
        ("shenhe", "状态：已提交 → 已审核", "审核通过"),
        ("kexie", "状态：已退回 → 已提交", "提交审核"),
        ("shenhe", "状态：已提交 → 已退回", f"退回：{RETURN_REASON}"),
        ("kexie", "状态：草稿 → 已提交", "提交审核"),
        ("系统", "状态：草稿", ""),  # the seed's draft evaluation
    ]
