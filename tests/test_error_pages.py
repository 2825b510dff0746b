"""Error pages in the app's look and language: 404 and 403 inside the site's frame, 500 on its own."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from budgets.models import Access
from tests.factories import make_project, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db


def test_a_page_that_does_not_exist_says_so_in_chinese_inside_the_site(client):
    client.force_login(make_user_with_access(role=Access.Role.STAFF))
    response = client.get("/projects/999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "返回首页" in page and "项目列表" in page  # the site's menu around it


def test_a_refusal_shows_the_reason_the_rights_give(client):
    unit = make_unit(code="731001")
    project = make_project(unit=unit)
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=unit.department))
    response = client.get(reverse("performance:declaration-edit", args=[project.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权操作" in page
    assert "您无权修改单位731001的绩效目标（只有该单位的填报人可以）" in page


def test_the_server_error_page_renders_without_a_request():
    page = render_to_string("500.html")
    assert "系统出错" in page and "已保存的数据不受影响" in page


def test_error_pages_follow_english(client, settings):
    client.force_login(make_user_with_access(role=Access.Role.STAFF))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/projects/999999/").content.decode()
    assert "页面不存在" not in page and "Page not found" in page


def test_logging_out_says_so(client):
    client.force_login(make_user_with_access(role=Access.Role.STAFF))
    response = client.post(reverse("logout"), follow=True)
    assert "您已退出登录。" in response.content.decode()
