"""Scoring rules in a real browser (issue 19): finance previews a department's change of rules, confirms it,
and the project page says which rule capped the total."""

import importlib

import pytest
from django.apps import apps

from budgets.models import Access
from performance.models import ProjectScore
from performance.rules.models import RuleSet, RuleVersion
from performance.rules.shipped import MANUAL
from tests.factories import PASSWORD, make_unit, make_user_with_access
from tests.performance.test_rules_services import capped_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

framework = importlib.import_module("performance.migrations.0002_indicator_framework")
rule_sets = importlib.import_module("performance.migrations.0011_rule_sets")


@pytest.fixture
def site(live_server):
    """The indicator framework and the shipped rule sets, written again after an earlier test's flush."""
    framework.load(apps, None)
    if not RuleSet.objects.filter(code=MANUAL).exists():
        ProjectScore.objects.update(rule_version=None)
        RuleVersion.objects.all().delete()
        RuleSet.objects.all().delete()
        rule_sets.ship_rule_sets(apps, None)
    return live_server.url


def test_finance_previews_and_confirms_a_change_and_the_project_page_names_the_cap(page, site):
    unit = make_unit(name="演示单位")
    project = capped_project(unit)
    make_user_with_access(role=Access.Role.FINANCE, username="caizheng")
    page.goto(f"{site}/accounts/login/")
    page.fill("input[name=username]", "caizheng")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/")

    page.get_by_role("button", name="任务与规则").click()  # the navigation's menu
    page.get_by_role("link", name="评分规则").first.click()
    page.get_by_role("link", name=f"变更{unit.department.name}的评分规则").click()
    page.select_option("#id_version", label="预算管理一体化操作手册 v1")
    page.get_by_test_id("rule-preview").click()
    row = page.get_by_test_id("preview-row")
    assert row.count() == 1
    assert row.inner_text().split("\t")[2:7] == ["97.50", "优", "89.00", "良", "-8.50"]
    assert ProjectScore.objects.get(project=project).total == 97.50

    page.get_by_test_id("rule-confirm").click()
    page.wait_for_selector("text=1 个项目的得分已重算")
    assert ProjectScore.objects.get(project=project).total == 89.00
    assert "预算管理一体化操作手册（第1版）" in page.get_by_test_id("rule-history").inner_text()

    page.goto(f"{site}/projects/{project.pk}/")
    assert page.get_by_test_id("project-total").inner_text().split()[1:3] == ["89.00", "良"]
    assert "总分按“预算管理一体化操作手册（第1版）”的执行率封顶规则由 97.50 封顶为 89.00" in (
        page.get_by_test_id("rule-adjustments").inner_text()
    )
