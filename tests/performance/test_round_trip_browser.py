"""kejiguan's round trip in a real browser (issue 21): the tiers chosen on the entry page survive an export and an
import, the trial import lists the one cell changed before the import is confirmed, and an unedited export
changes nothing."""

import importlib
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps

from budgets.models import Project
from performance.demo import load_demo
from performance.models import ActualResult
from performance.services import score_project
from tests.performance.test_journey_browser import log_in, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

framework = importlib.import_module("performance.migrations.0002_indicator_framework")

ACTUALS = ["1.9万人", "100%", "2021年12月", "18万元", "效果显著", "96%"]
SCREENSHOT = Path("/tmp/shot_trial_changes.png")  # noqa: S108 - looked at by hand (issue 21: must show)


def export_flat_workbook(page, base_url, tmp_path) -> Path:
    page.goto(f"{base_url}/jobs/")
    page.select_option("select[name=year]", "2021")
    page.select_option("select[name=scope]", "u:731005")
    page.click("text=开始导出")
    page.wait_for_selector("[data-testid=job-download]")
    with page.expect_download() as download:
        page.click("[data-testid=job-download]")
    path = tmp_path / "flat.xlsx"
    path.write_bytes(Path(download.value.path()).read_bytes())
    return path


def trial_import(page, base_url, path: Path) -> None:
    page.goto(f"{base_url}/workbook/upload/")
    page.set_input_files("input[type=file]", str(path))
    page.click("text=上传并预览")
    page.wait_for_selector("[data-testid=import-changes]")


def test_kejiguans_tiers_survive_the_round_trip_and_the_trial_lists_the_one_change(page, live_server, tmp_path):
    framework.load(apps, None)
    load_demo()
    base = live_server.url
    project = Project.objects.get(year=2021, name="科普大篷车经费")
    indicators = {i.name: i for i in project.indicators.order_by("order", "id")}

    log_in(page, base, "kejiguan")
    page.goto(f"{base}/projects/{project.pk}/edit/")
    page.fill("#id_full_year_fiscal", "20")
    page.fill("#id_executed_fiscal", "18")
    for indicator, actual in zip(indicators.values(), ACTUALS, strict=True):
        page.fill(f"#id_ind-{indicator.pk}-actual", actual)
    page.select_option(f"#id_ind-{indicators['按期完成率'].pk}-tier", "met")
    page.select_option(f"#id_ind-{indicators['优质服务率'].pk}-tier", "partial")
    page.fill(f"#id_ind-{indicators['优质服务率'].pk}-evaluator_score", "24")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()
    saved = {r.indicator.name: r for r in ActualResult.objects.filter(indicator__project=project)}
    assert (saved["按期完成率"].tier, saved["优质服务率"].tier) == ("met", "partial")
    assert saved["优质服务率"].evaluator_score == Decimal("24")
    total = score_project(project).total

    # An unedited export changes nothing, and says so.
    path = export_flat_workbook(page, base, tmp_path)
    trial_import(page, base, path)
    assert page.inner_text("[data-testid=import-no-changes]") == "文件与系统中的数据一致，没有改动。"

    # One cell changed: the trial lists exactly that cell.
    book = openpyxl.load_workbook(path)
    sheet = book["指标"]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("三级指标")].value == "累计观众人数")
    row[header.index("实际完成值")].value = "1.95万人"
    edited = tmp_path / "edited.xlsx"
    buffer = BytesIO()
    book.save(buffer)
    edited.write_bytes(buffer.getvalue())
    trial_import(page, base, edited)
    changes = page.locator("[data-testid=import-change]")
    assert changes.count() == 1
    assert changes.first.locator("td").all_inner_texts() == [
        "指标",
        str(row[0].row),
        "实际完成值",
        "1.9万人",
        "1.95万人",
    ]
    assert "确认后将改动 1 处" in page.inner_text("[data-testid=import-changes]")
    page.locator("[data-testid=import-report]").screenshot(path=str(SCREENSHOT))

    page.click("[data-testid=import-confirm]")
    wait_for_text(page, "#jx-job-status", "已完成")
    after = {r.indicator.name: r for r in ActualResult.objects.filter(indicator__project=project)}
    assert after["累计观众人数"].actual == "1.95万人"
    assert (after["按期完成率"].tier, after["优质服务率"].tier) == ("met", "partial")
    assert after["优质服务率"].evaluator_score == Decimal("24")
    assert score_project(project).total == total  # 1.95万人 meets ≥1.8万人 as 1.9万人 did
