"""The library's suggestions on the declaration form in a real browser (issue 15): kexie, declaring 科普经费 for
2022, sees last year's target and actual and the peers' spread beside the suggestions, fills a row from one, and
the page's review questions a target set below last year's actual."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from budgets.models import Project
from performance.demo import load_demo
from performance.library.models import LibraryEntry, ProjectCategory
from performance.library.seed import load_seed
from performance.models import ActualResult, Indicator, IndicatorCategory
from tests.performance.test_journey_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

framework = importlib.import_module("performance.migrations.0002_indicator_framework")


@pytest.fixture
def site(live_server):
    """The seed with 2021 actuals for 科普经费 and 全民科学素质; 科普经费 2022 to declare (the library is written
    again after an earlier test's flush)."""
    framework.load(apps, None)
    load_seed(Category=ProjectCategory, Entry=LibraryEntry, Level=IndicatorCategory)
    load_demo()
    for name, actual in [
        ("开展活动场次", "14次"),
        ("活动次数", "21次"),
        ("满意度", "97%"),
        ("服务对象满意度指标", "96%"),
    ]:
        for indicator in Indicator.objects.filter(project__year=2021, project__unit__code="731001", name=name):
            ActualResult.objects.create(indicator=indicator, actual=actual)
    last = Project.objects.get(year=2021, name="科普经费")
    project = Project.objects.create(
        unit=last.unit, year=2022, code=last.code, name="科普经费", full_year_fiscal=Decimal("81")
    )
    return live_server.url, project


def test_the_declaration_form_offers_the_library_with_last_year_and_peers_and_fills_a_row(page, site):
    base, project = site
    log_in(page, base, "kexie")
    page.goto(f"{base}/projects/{project.pk}/targets/")
    suggestions = page.get_by_test_id("library-suggestion")
    suggestions.first.wait_for()
    activities = suggestions.filter(has_text="开展科普活动次数")
    cells = [c.strip() for c in activities.locator("td").all_inner_texts()]
    assert cells[1] == "12次 / 14次"  # this project's 2021 row 开展活动场次 is an alias
    assert cells[2] == "20次 / 20次 / 20次（1个）"  # 全民科学素质's 活动次数, the peer kexie may see
    assert cells[3] == "21次 / 21次 / 21次（1个）"
    satisfaction = [c.strip() for c in suggestions.filter(has_text="服务对象满意度").locator("td").all_inner_texts()]
    assert satisfaction[1] == "≥95% / 97%"

    suggestions.filter(has_text="开展科普活动次数").get_by_role("button").click()
    row = page.get_by_test_id("declaration-row").last
    assert row.locator("[data-field=name]").input_value() == "开展科普活动次数"
    assert row.locator("[data-field=target]").input_value() == "≥12次"
    assert row.locator("[data-field=level2] option:checked").inner_text() == "数量指标"
    assert row.locator("[data-field=basis]").input_value() == "计划标准"

    row.locator("[data-field=target]").fill("≥10次")
    finding = row.get_by_test_id("row-findings")
    finding.filter(has_text="低于上年实际完成值").wait_for()
    assert "目标值“≥10次”低于上年实际完成值“14次”。" in finding.inner_text()
