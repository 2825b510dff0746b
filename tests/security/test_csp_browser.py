"""The Content Security Policy in a real browser: the main pages run without a single violation."""

import importlib

import pytest
from django.apps import apps

from budgets.models import Project
from performance.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

framework = importlib.import_module("performance.migrations.0002_indicator_framework")


def test_main_pages_raise_no_content_security_policy_violation(page, live_server):
    framework.load(apps, None)
    load_demo()
    project = Project.objects.get(name="科普经费")
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "kexie")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for path in [
        "/",
        "/projects/",
        "/dashboard/?year=2021",
        f"/projects/{project.pk}/",
        f"/projects/{project.pk}/edit/",
    ]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    # the entry page's live preview (a script of this site posting to this site) still works
    page.locator("input[name$='-actual']").first.fill("20次")
    page.wait_for_load_state("networkidle")
    page.select_option("#jx-language", "en")  # the language switch, now a script file instead of onchange=
    page.wait_for_selector("html[lang=en]")
    assert violations == []
