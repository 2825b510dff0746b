"""Constraints of the budget models and the permission helpers that scope every query."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from budgets.models import Access, AssetLine, DepartmentBudget, ProcurementLine, Project, Unit
from budgets.permissions import (
    can_edit_unit,
    can_review_unit,
    departments_for,
    projects_for,
    sees_everything,
    units_for,
)
from tests.factories import (
    make_department,
    make_project,
    make_superuser,
    make_unit,
    make_user,
    make_user_with_access,
)

pytestmark = pytest.mark.django_db


# --- no negative amounts ---------------------------------------------------------------


@pytest.mark.parametrize("field", ["initial_total", "full_year_fiscal", "executed_carryover", "executed_other"])
def test_project_refuses_a_negative_amount(field):
    project = make_project()
    setattr(project, field, Decimal("-0.01"))
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert field in error.value.message_dict


def test_project_accepts_zero_and_empty_amounts():
    project = make_project(initial_total=Decimal("0"), full_year_total=None)
    project.full_clean()


def test_department_budget_refuses_a_negative_total_but_accepts_a_negative_change():
    budget = DepartmentBudget(department=make_department(), year=2021, stated_total_change=Decimal("-87.91"))
    budget.full_clean()
    budget.income_total = Decimal("-1")
    with pytest.raises(ValidationError) as error:
        budget.full_clean()
    assert list(error.value.message_dict) == ["income_total"]


def test_procurement_line_refuses_negative_quantity_and_price():
    unit = make_unit()
    budget = DepartmentBudget.objects.create(department=unit.department, year=2021)
    line = ProcurementLine(
        budget=budget,
        unit=unit,
        source_project="日常公用经费",
        item="保险柜",
        quantity=Decimal("-1"),
        unit_price=Decimal("-0.05"),
        amount_total=Decimal("0.05"),
    )
    with pytest.raises(ValidationError) as error:
        line.full_clean()
    assert set(error.value.message_dict) == {"quantity", "unit_price"}


def test_asset_line_refuses_a_negative_value_and_allows_none_for_a_dash():
    budget = DepartmentBudget.objects.create(department=make_department(), year=2021)
    AssetLine(budget=budget, label="3、单价在20万元以上设备", quantity=None, value=None).full_clean()
    with pytest.raises(ValidationError):
        AssetLine(budget=budget, label="资产总额", value=Decimal("-954.66")).full_clean()


# --- unit codes ------------------------------------------------------------------------


def test_two_units_may_have_no_code():
    department = make_department()
    make_unit(department=department, code=None, name="张家口市科技干部进修学院")
    make_unit(department=department, code=None, name="张家口市科技工作者服务中心")
    assert Unit.objects.filter(code__isnull=True).count() == 2


def test_a_blank_unit_code_is_stored_as_none():
    unit = make_unit(code="  ")
    unit.refresh_from_db()
    assert unit.code is None


def test_unit_code_is_unique_where_present():
    make_unit(code="731001")
    duplicate = Unit(department=make_department(), code="731001", name="另一个单位")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "__all__" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_unit_name_is_unique_within_its_department():
    unit = make_unit(name="张家口市科技馆")
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(department=unit.department, code=None, name="张家口市科技馆")
    Unit.objects.create(department=make_department(), code=None, name="张家口市科技馆")


# --- projects --------------------------------------------------------------------------


def test_project_name_is_unique_per_unit_and_year():
    project = make_project(name="科普经费", year=2021)
    duplicate = Project(unit=project.unit, year=2021, name="科普经费")
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    make_project(unit=project.unit, year=2022, name="科普经费")
    make_project(unit=make_unit(), year=2021, name="科普经费")
    assert Project.objects.filter(name="科普经费").count() == 3


def test_project_code_is_unique_per_unit_and_year_but_may_be_empty_twice():
    unit = make_unit()
    make_project(unit=unit, name="甲", code="")
    make_project(unit=unit, name="乙", code="")
    make_project(unit=unit, name="丙", code="P001")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_project(unit=unit, name="丁", code="P001")


def test_project_total_falls_back_to_the_sum_of_its_fund_sources():
    project = make_project(full_year_fiscal=Decimal("25"), full_year_other=Decimal("2.5"))
    assert project.total("full_year") == Decimal("27.5")
    assert project.total("executed") is None
    project.full_year_total = Decimal("30")
    assert project.total("full_year") == Decimal("30")


# --- access role and scope -------------------------------------------------------------


@pytest.mark.parametrize(
    "role, with_unit, with_department",
    [
        (Access.Role.STAFF, False, False),
        (Access.Role.STAFF, True, True),
        (Access.Role.STAFF, False, True),
        (Access.Role.REVIEWER, True, False),
        (Access.Role.REVIEWER, False, False),
        (Access.Role.FINANCE, False, True),
        (Access.Role.FINANCE, True, False),
    ],
)
def test_access_refuses_a_scope_that_does_not_match_its_role(role, with_unit, with_department):
    unit = make_unit()
    access = Access(
        user=make_user(),
        role=role,
        unit=unit if with_unit else None,
        department=unit.department if with_department else None,
    )
    with pytest.raises(ValidationError):
        access.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        access.save()


def test_access_accepts_staff_of_a_unit_reviewer_of_a_department_and_finance():
    unit = make_unit()
    user = make_user()
    for access in (
        Access(user=user, role=Access.Role.STAFF, unit=unit),
        Access(user=user, role=Access.Role.REVIEWER, department=unit.department),
        Access(user=user, role=Access.Role.FINANCE),
    ):
        access.full_clean()
        access.save()
    assert user.accesses.count() == 3


# --- permissions -----------------------------------------------------------------------


@pytest.fixture
def two_departments():
    """Department A with units a1, a2 (one project each); department B with unit b1 (one project)."""
    a, b = make_department(), make_department()
    a1, a2, b1 = make_unit(department=a), make_unit(department=a, code=None), make_unit(department=b)
    projects = {unit: make_project(unit=unit) for unit in (a1, a2, b1)}
    return {"a": a, "b": b, "a1": a1, "a2": a2, "b1": b1, "projects": projects}


def _names(queryset):
    return sorted(str(row.pk) for row in queryset)


def test_staff_see_only_their_own_units_projects(two_departments):
    d = two_departments
    user = make_user_with_access(role=Access.Role.STAFF, unit=d["a1"])
    assert list(projects_for(user)) == [d["projects"][d["a1"]]]
    assert list(units_for(user)) == [d["a1"]]
    assert list(departments_for(user)) == [d["a"]]
    assert can_edit_unit(user, d["a1"]) and not can_edit_unit(user, d["a2"])
    assert not can_review_unit(user, d["a1"])
    assert not sees_everything(user)


def test_reviewer_sees_every_unit_of_their_department_only(two_departments):
    d = two_departments
    user = make_user_with_access(role=Access.Role.REVIEWER, department=d["a"])
    assert _names(projects_for(user)) == _names([d["projects"][d["a1"]], d["projects"][d["a2"]]])
    assert _names(units_for(user)) == _names([d["a1"], d["a2"]])
    assert list(departments_for(user)) == [d["a"]]
    assert can_review_unit(user, d["a2"]) and not can_review_unit(user, d["b1"])
    assert not can_edit_unit(user, d["a1"])


def test_finance_and_superuser_see_everything(two_departments):
    d = two_departments
    finance = make_user_with_access(role=Access.Role.FINANCE)
    admin = make_superuser()
    for user in (finance, admin):
        assert projects_for(user).count() == 3
        assert units_for(user).count() == 3
        assert departments_for(user).count() == 2
        assert sees_everything(user)
    assert not can_edit_unit(finance, d["a1"]) and not can_review_unit(finance, d["a1"])
    assert can_edit_unit(admin, d["b1"]) and can_review_unit(admin, d["b1"])


def test_anonymous_inactive_and_unassigned_users_see_nothing(two_departments):
    d = two_departments
    inactive = make_user_with_access(role=Access.Role.STAFF, unit=d["a1"])
    inactive.is_active = False
    inactive.save()
    for user in (AnonymousUser(), inactive, make_user()):
        assert projects_for(user).count() == 0
        assert units_for(user).count() == 0
        assert departments_for(user).count() == 0
        assert not can_edit_unit(user, d["a1"]) and not can_review_unit(user, d["a1"])


def test_staff_of_two_units_in_two_departments_see_both(two_departments):
    d = two_departments
    user = make_user_with_access(role=Access.Role.STAFF, unit=d["a2"])
    Access.objects.create(user=user, role=Access.Role.STAFF, unit=d["b1"])
    assert _names(projects_for(user)) == _names([d["projects"][d["a2"]], d["projects"][d["b1"]]])
    assert departments_for(user).count() == 2
