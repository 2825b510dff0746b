"""The admin index in a real browser: every app, third-party ones included, named in Chinese (issue 21)."""

import os

import pytest

from tests.factories import PASSWORD, make_superuser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT = os.environ.get("JIXIAO_ADMIN_SHOT", "")  # a path: the admin index's screenshot is saved there


def test_the_admin_index_names_every_app_in_chinese(page, live_server):
    admin = make_superuser()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("input[name=username]", admin.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    if SHOT:
        page.screenshot(path=SHOT, full_page=True)
    captions = page.locator("#content-main caption").all_inner_texts()
    assert {"登录防护", "任务运行记录", "认证和授权"} <= set(captions), captions
    text = page.locator("#content-main").inner_text()
    for english in ("Axes", "Access attempts", "Task Results", "Tasks Database Backend"):
        assert english not in text
