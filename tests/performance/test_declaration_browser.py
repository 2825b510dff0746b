"""The targets' whole journey in a real browser (issue 14).

kexie starts 科普经费 2022 from last year's targets, removes, adds and moves rows while the page reads each
target, and declares it; shenhe returns it with a reason; kexie fixes and declares again; shenhe approves
(the baseline); kexie enters the actuals, then asks to adjust one target; the score stays on the baseline
until shenhe approves the adjustment, then follows the adjusted target; the history shows each step.
"""

import importlib
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps

from budgets.models import Project
from performance.declaration.models import Adjustment, TargetSet
from performance.demo import load_demo
from performance.services import score_project
from tests.performance.test_journey_browser import log_in, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

framework = importlib.import_module("performance.migrations.0002_indicator_framework")

RETURN_REASON = "满意度目标应不低于上年实际"
ADJUST_REASON = "下半年场馆维修，活动场次减少"


@pytest.fixture
def site(live_server):
    framework.load(apps, None)
    load_demo()
    last = Project.objects.get(year=2021, name="科普经费")
    Project.objects.create(unit=last.unit, year=2022, code=last.code, name="科普经费", full_year_fiscal=Decimal("81"))
    return live_server.url


def shoot(page, name: str) -> None:
    """A screenshot for a person to look at, where JIXIAO_SCREENSHOTS names a folder."""
    folder = os.environ.get("JIXIAO_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def history_reasons(page) -> list[str]:
    return [row.locator("td").nth(4).inner_text().strip() for row in page.get_by_test_id("history-entry").all()]


def test_declare_return_redeclare_approve_enter_adjust_and_the_score_follows(page, site):
    project = Project.objects.get(year=2022, name="科普经费")
    declare_url = f"{site}/projects/{project.pk}/targets/"
    detail_url = f"{site}/projects/{project.pk}/"

    # kexie starts from last year's targets: the rows come with last year's actuals beside them
    log_in(page, site, "kexie")
    page.goto(detail_url)
    assert page.get_by_test_id("targets-status").inner_text() == "编制中"
    page.get_by_test_id("targets-declare").click()
    page.get_by_test_id("source-last-year").click()
    rows = page.get_by_test_id("declaration-row")
    assert rows.count() == 6
    wait_for_text(page, '[data-prefix="rows-0"] [data-reading]', "定量：不少于 12 次")
    # the quality row that counts (20次) draws the review's warning beside it; it is removed
    assert "不反映质量" in rows.nth(1).get_by_test_id("row-findings").inner_text()
    rows.nth(1).get_by_role("button", name="删除").click()
    # the 时效 row gets a date, read as one
    page.fill("#id_rows-2-target", "2022年12月31日前完工")
    wait_for_text(page, '[data-prefix="rows-2"] [data-reading]', "时间：2022-12-31 前")
    # a new row, moved up one place
    page.get_by_test_id("add-row").click()
    page.select_option("#id_rows-6-level1", label="产出指标")
    page.select_option("#id_rows-6-level2", label="数量指标")
    page.fill("#id_rows-6-name", "科普讲座听众")
    page.fill("#id_rows-6-description", "参加科普讲座的听众人次")
    page.fill("#id_rows-6-target", "≥2000人次")
    page.fill("#id_rows-6-basis", "计划标准")
    wait_for_text(page, '[data-prefix="rows-6"] [data-reading]', "定量：不少于 2000 人次")
    page.locator('[data-prefix="rows-6"]').get_by_role("button", name="上移 第6行").click()
    page.get_by_test_id("declaration-submit").click()
    page.wait_for_url(detail_url)
    page.wait_for_selector("text=绩效目标已申报，等待审核。")
    assert page.get_by_test_id("targets-status").inner_text() == "已申报"
    names = list(project.indicators.order_by("order").values_list("name", "target"))
    assert names == [
        ("开展活动场次", "12次"),
        ("完工时间", "2022年12月31日前完工"),
        ("总成本", "≤81万元"),
        ("提高科普意识", "100%"),
        ("科普讲座听众", "≥2000人次"),
        ("满意度", "≥95%"),
    ]

    # shenhe returns the targets with a reason
    log_in(page, site, "shenhe")
    page.goto(detail_url)
    page.get_by_test_id("targets-return").click()
    page.wait_for_selector("#jx-targets-return-form.collapse.show")
    page.fill("#jx-targets-return-reason", RETURN_REASON)
    page.get_by_test_id("targets-return-confirm").click()
    page.wait_for_selector("text=绩效目标已退回填报单位。")
    assert page.get_by_test_id("targets-status").inner_text() == "已退回"

    # kexie sees why, raises the satisfaction target and declares again
    log_in(page, site, "kexie")
    page.goto(detail_url)
    assert RETURN_REASON in page.get_by_test_id("targets-return-reason").inner_text()
    page.goto(declare_url)
    page.fill("#id_rows-5-target", "≥96%")
    page.get_by_test_id("declaration-submit").click()
    page.wait_for_selector("text=绩效目标已申报，等待审核。")

    # shenhe approves: the baseline is frozen
    log_in(page, site, "shenhe")
    page.goto(detail_url)
    page.get_by_test_id("targets-approve").click()
    page.wait_for_selector("text=绩效目标已批复，成为本年度自评和监控的基准。")
    assert page.get_by_test_id("targets-status").inner_text() == "已批复"
    assert TargetSet.objects.get(project=project).baseline.count() == 6

    # kexie enters the actuals: 10 of 12 activities
    log_in(page, site, "kexie")
    page.goto(declare_url)  # approved targets are not edited any more
    page.wait_for_url(detail_url)
    assert "请提出调整申请" in page.locator(".jx-messages").inner_text()
    indicators = list(project.indicators.order_by("order"))
    page.goto(f"{site}/projects/{project.pk}/edit/")
    page.fill("#id_executed_fiscal", "81")
    actuals = ["10次", "2022年12月20日", "78.6万元", "100%", "2100人次", "97%"]
    for indicator, actual in zip(indicators, actuals, strict=True):
        page.fill(f"#id_ind-{indicator.pk}-actual", actual)
    page.fill(f"#id_ind-{indicators[0].pk}-deviation_reason", "场馆维修")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_selector(".jx-messages")
    before = score_project(Project.objects.get(pk=project.pk))
    assert before.rows[0].score < before.rows[0].weight  # 10 of 12

    # kexie asks to adjust 12次 to 10次; until it is approved the score stays on the baseline
    page.goto(detail_url)
    page.get_by_test_id("targets-adjust").click()
    page.fill("#id_rows-0-target", "10次")
    page.fill("#id_reason", ADJUST_REASON)
    page.get_by_test_id("adjustment-submit").click()
    page.wait_for_selector("text=调整申请已提交，批准前仍按批复的目标计分。")
    item = page.get_by_test_id("adjustment-item")
    assert item.count() == 1
    assert item.locator("td").all_inner_texts()[2:5] == ["12次", "12次", "10次"]
    assert score_project(Project.objects.get(pk=project.pk)).total == before.total
    shoot(page, "adjustment-request.png")

    # shenhe approves the adjustment: from now on the score follows the adjusted target
    log_in(page, site, "shenhe")
    page.goto(detail_url)
    page.get_by_test_id("pending-adjustment").click()
    page.get_by_test_id("adjustment-approve").click()
    page.wait_for_selector("text=已批准调整，自评从现在起按调整后的目标计分。")
    assert Adjustment.objects.get(project=project).status == Adjustment.Status.APPROVED
    after = score_project(Project.objects.get(pk=project.pk))
    assert after.rows[0].score == after.rows[0].weight
    assert after.total > before.total
    page.goto(detail_url)
    difference = page.get_by_test_id("baseline-difference").first.locator("td").all_inner_texts()
    assert difference == ["开展活动场次", "指标值", "12次", "10次"]
    assert page.get_by_test_id("indicator-total").inner_text() == f"{after.total:.2f}"
    assert page.get_by_test_id("row-baseline").inner_text() == "批复值 12次"
    shoot(page, "project-baseline.png")

    # the history shows each step, newest first
    reasons = history_reasons(page)
    steps = [
        f"调整申请第{Adjustment.objects.get(project=project).pk}号批准：{ADJUST_REASON}",
        "批准调整",
        f"申请调整：{ADJUST_REASON}",
        "批复绩效目标",
        "申报绩效目标",
        f"退回绩效目标：{RETURN_REASON}",
        "申报绩效目标",
    ]
    found = [reason for reason in reasons if reason in steps]
    assert [step for step in steps if step in found] == steps
    positions = [reasons.index(step) for step in steps[:4]]
    assert positions == sorted(positions)
