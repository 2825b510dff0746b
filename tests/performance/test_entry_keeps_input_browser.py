"""Issue 21 in a real browser: the standard workbooks' links on the project list and the dashboard, and an entry
page whose failed save keeps what was typed (values, the chosen evidence file), with errors and notes apart and
a live character count. With JIXIAO_SHOT_DIR set, each test leaves its screenshot there."""

import base64
import importlib
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps

from budgets.models import Project
from performance.demo import DEMO_PASSWORD, load_demo
from performance.models import Evidence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

framework = importlib.import_module("performance.migrations.0002_indicator_framework")
PDF_BYTES = b"%PDF-1.7\n" + b"0" * 40


@pytest.fixture
def demo_site(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    framework.load(apps, None)
    load_demo()
    return live_server.url


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def shot(page, name: str) -> None:
    folder = os.environ.get("JIXIAO_SHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_the_project_list_and_dashboard_link_the_units_workbooks_and_they_download(page, demo_site):
    log_in(page, demo_site, "kexie")
    page.goto(f"{demo_site}/projects/")
    links = page.locator('[data-testid="sheet-links"]')
    assert "731001 " in links.inner_text()
    with page.expect_download() as download:
        links.get_by_role("link", name="自评表").last.click()
    assert download.value.suggested_filename.endswith("项目支出绩效自评汇总表.xlsx")
    listing = page.screenshot(clip={"x": 0, "y": 0, "width": 1280, "height": 520})

    page.goto(f"{demo_site}/dashboard/")
    assert page.locator('[data-testid="sheet-links"]').is_visible()
    assert "平均分按已全部填报的" in page.locator('[data-testid="average-basis"]').inner_text()
    dashboard = page.screenshot(clip={"x": 0, "y": 0, "width": 1280, "height": 620})
    if os.environ.get("JIXIAO_SHOT_DIR"):
        style = "display:block;border:1px solid #999;margin:4px"
        images = "".join(
            f'<img style="{style}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
            for png in (listing, dashboard)
        )
        page.set_content(f"<body style='margin:0'>{images}</body>")
        shot(page, "shot_sheet_links.png")


def test_a_failed_save_keeps_the_typed_values_and_the_chosen_file_and_marks_only_the_bad_field(page, demo_site):
    project = Project.objects.get(name="科普经费")
    project.full_year_fiscal = project.full_year_total = Decimal("81")
    project.save()
    first = project.indicators.order_by("order").first()
    log_in(page, demo_site, "kexie")
    page.goto(f"{demo_site}/projects/{project.pk}/edit/")
    page.fill("#id_executed_fiscal", "七十万")  # not a number
    page.fill(f"#id_ind-{first.pk}-actual", "10次")  # valid
    reason = page.locator(f"#id_ind-{first.pk}-deviation_reason")
    reason.fill("场地维修，两次活动顺延到次年")
    counter = page.locator(f"#id_ind-{first.pk}-deviation_reason-counter")
    assert counter.inner_text() == "已输入 14 / 500 字"
    page.set_input_files(
        f"#id_ind-{first.pk}-evidence",
        files=[{"name": "活动签到表.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()

    assert page.locator("#id_executed_fiscal").input_value() == "七十万"
    assert page.locator(f"#id_ind-{first.pk}-actual").input_value() == "10次"
    assert "已保存草稿" in page.locator(".alert-warning").first.inner_text()
    error = page.locator('[data-messages-for="executed_fiscal"] .jx-msg-error')
    assert error.inner_text().startswith("未保存：")
    assert page.locator("#id_executed_fiscal").evaluate("e => e.classList.contains('is-invalid')")
    assert page.locator(f'tr[data-row="{first.pk}"] .jx-evidence-list').inner_text().startswith("活动签到表.pdf")
    assert Evidence.objects.get().original_name == "活动签到表.pdf"
    assert page.locator("#id_full_year_total").input_value() == "81.00"  # money with 2 places
    page.locator('[data-messages-for="executed_fiscal"]').scroll_into_view_if_needed()
    shot(page, "shot_entry_kept.png")
