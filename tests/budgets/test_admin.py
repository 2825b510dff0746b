"""The admin: in Chinese, amounts with 2 decimals, and every list, inline and choice scoped to the user."""

from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission

from budgets.models import Access, DepartmentBudget, Project
from performance.demo import DEMO_PASSWORD, load_demo
from tests.factories import make_indicator, make_project, make_superuser, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db


def staff_with_model_permissions(user):
    """Give an Access user the admin: is_staff and every permission on the two apps."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["budgets", "performance"]))
    return user


def test_admin_index_is_in_chinese(client):
    client.force_login(make_superuser())
    response = client.get("/admin/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "绩效管理 Jixiao" in page
    assert "预算项目" in page
    assert "指标名称映射" in page


def test_third_party_apps_in_the_admin_are_named_in_chinese(client):
    client.force_login(make_superuser())
    page = client.get("/admin/").content.decode()
    for name in ("登录防护", "登录尝试", "登录日志", "登录失败记录", "任务运行记录", "任务结果"):
        assert name in page
    for english in ("Axes", "Access attempts", "Access logs", "Tasks Database Backend", "Task Results"):
        assert english not in page
    AccessAttempt.objects.create(username="someone", ip_address="10.0.0.1", failures_since_start=1)
    attempts = client.get("/admin/axes/accessattempt/").content.decode()
    assert "尝试时间" in attempts and "IP 地址" in attempts


def test_third_party_apps_in_the_admin_are_named_in_english_when_english_is_chosen(client, settings):
    client.force_login(make_superuser())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/admin/").content.decode()
    for name in ("Login protection", "Access attempts", "Access logs", "Task runs", "Task Results"):
        assert name in page
    assert "登录防护" not in page and "任务运行记录" not in page


def test_department_budget_list_shows_amounts_with_two_decimals(client):
    load_demo()
    client.login(username="admin", password=DEMO_PASSWORD)
    response = client.get("/admin/budgets/departmentbudget/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "1,006.46" in page
    assert "370.40" in page
    assert "5.34" in page


def test_project_change_page_has_goal_and_indicators_inline(client):
    load_demo()
    client.login(username="admin", password=DEMO_PASSWORD)
    project = Project.objects.get(name="科普经费")
    response = client.get(f"/admin/budgets/project/{project.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "用于开展学术及科普活动" in page
    assert 'name="indicators-TOTAL_FORMS" value="6"' in page
    assert "≤81万元" in page
    assert 'value="≤81万元"' not in page  # the demo's targets are approved: shown, not editable (issue 14)


def test_unit_staff_see_only_their_units_projects_in_the_admin(client):
    own = make_project(name="本单位项目")
    other = make_project(unit=make_unit(department=own.unit.department), name="兄弟单位项目")
    user = staff_with_model_permissions(make_user_with_access(role=Access.Role.STAFF, unit=own.unit))
    client.force_login(user)
    response = client.get("/admin/budgets/project/")
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [own]
    # another unit's project cannot be opened by its URL
    response = client.get(f"/admin/budgets/project/{other.pk}/change/")
    assert response.status_code == 302
    assert response.url == "/admin/"


def test_reviewer_sees_the_projects_of_their_department_only(client):
    first = make_project()
    sibling = make_project(unit=make_unit(department=first.unit.department))
    make_project()  # another department
    user = staff_with_model_permissions(
        make_user_with_access(role=Access.Role.REVIEWER, department=first.unit.department)
    )
    client.force_login(user)
    response = client.get("/admin/budgets/project/")
    assert set(response.context["cl"].queryset) == {first, sibling}


def test_superuser_sees_every_project(client):
    projects = {make_project(), make_project()}
    client.force_login(make_superuser())
    response = client.get("/admin/budgets/project/")
    assert set(response.context["cl"].queryset) == projects


def test_unit_choices_on_the_project_form_are_limited_to_the_users_units(client):
    own = make_unit()
    make_unit(department=own.department)
    user = staff_with_model_permissions(make_user_with_access(role=Access.Role.STAFF, unit=own))
    client.force_login(user)
    response = client.get("/admin/budgets/project/add/")
    assert response.status_code == 200
    assert list(response.context["adminform"].form.fields["unit"].queryset) == [own]


def test_indicators_of_other_units_are_hidden_in_the_indicator_admin(client):
    own = make_indicator(name="本单位指标")
    make_indicator(name="其他单位指标")
    user = staff_with_model_permissions(make_user_with_access(role=Access.Role.STAFF, unit=own.project.unit))
    client.force_login(user)
    response = client.get("/admin/performance/indicator/")
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [own]


def test_department_budget_procurement_inline_shows_only_the_users_units(client):
    load_demo()
    budget = DepartmentBudget.objects.get(department__code="731", year=2021)
    kejiguan = staff_with_model_permissions(Access.objects.get(user__username="kejiguan").user)
    client.force_login(kejiguan)
    response = client.get(f"/admin/budgets/departmentbudget/{budget.pk}/change/")
    assert response.status_code == 200
    inline = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "procurement_lines")
    lines = list(inline.formset.queryset)
    assert {line.unit.code for line in lines} == {"731005"}
    assert sum(line.amount_total for line in lines) == Decimal("2.0000")


def test_access_admin_shows_a_reviewer_only_accesses_of_their_department(client):
    load_demo()
    outsider = make_user_with_access(role=Access.Role.STAFF)
    shenhe = staff_with_model_permissions(Access.objects.get(user__username="shenhe").user)
    client.force_login(shenhe)
    response = client.get("/admin/budgets/access/")
    usernames = {access.user.username for access in response.context["cl"].queryset}
    assert usernames == {"kexie", "kejiguan", "shenhe"}
    assert outsider.username not in usernames


def test_indicator_history_is_kept_and_shown(client):
    indicator = make_indicator(target="12次")
    indicator.target = "15次"
    indicator.save()
    client.force_login(make_superuser())
    response = client.get(f"/admin/performance/indicator/{indicator.pk}/history/")
    assert response.status_code == 200
    assert indicator.history.count() == 2
