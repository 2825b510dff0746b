"""The project page's history in a real browser: every column wide enough to read, no empty rows (issue 21)."""

import importlib
import os

import pytest
from django.apps import apps

from budgets.models import Project
from performance.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

framework = importlib.import_module("performance.migrations.0002_indicator_framework")

SHOT = os.environ.get("JIXIAO_HISTORY_SHOT", "")  # a path: the history table's screenshot is saved there


@pytest.fixture
def demo_site(live_server):
    framework.load(apps, None)
    load_demo()
    return live_server.url


def test_the_history_table_reads_in_columns_wider_than_a_character_without_empty_rows(page, demo_site):
    project = Project.objects.get(year=2021, name="科普经费")
    indicators = list(project.indicators.order_by("order", "id"))
    page.goto(f"{demo_site}/accounts/login/")
    page.fill("input[name=username]", "kexie")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{demo_site}/")
    edit_url = f"{demo_site}/projects/{project.pk}/edit/"
    for actuals, reason in [
        (["12次", "18次"], ""),
        (["12次", "19次"], "下半年两次活动因场地原因取消，明年提前预订场地，并在年初制定备用场地方案"),
    ]:
        page.goto(edit_url)
        page.fill("#id_full_year_fiscal", "81")
        page.fill("#id_executed_fiscal", "78.6")
        for indicator, actual in zip(indicators, actuals, strict=False):
            page.fill(f"#id_ind-{indicator.pk}-actual", actual)
        page.fill(f"#id_ind-{indicators[1].pk}-deviation_reason", reason)
        page.get_by_role("button", name="保存草稿").click()
        page.wait_for_selector(".jx-messages .alert")
    page.goto(f"{demo_site}/projects/{project.pk}/")
    history = page.get_by_test_id("history")
    history.scroll_into_view_if_needed()
    if SHOT:
        history.screenshot(path=SHOT)

    page.set_viewport_size({"width": 760, "height": 900})  # a narrow window: the table scrolls, never squeezes
    rows = page.get_by_test_id("history-entry").all()
    assert len(rows) >= 5
    for row in rows:
        cells = row.locator("td").all_inner_texts()
        assert cells[2].strip() and cells[3].strip(), cells  # what it is about and what changed: no empty row
    narrowest = page.evaluate(
        "() => Math.min(...[...document.querySelectorAll('[data-testid=history] thead th')]"
        ".map(th => th.getBoundingClientRect().width))"
    )
    assert narrowest >= 64  # four characters at least: no column squeezed to one character a line
    # the time and the user's name each on one line: the lines their text takes in every row
    lines = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=history-entry]')].map(row =>
            [0, 1].map(i => {
                const range = document.createRange();
                range.selectNodeContents(row.cells[i]);
                return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
            }))"""
    )
    assert all(count == 1 for row in lines for count in row), lines
