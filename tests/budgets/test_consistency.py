"""Budget consistency checks (勾稽关系, SPEC section 9): each rule passes and fails, the seed passes."""

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from budgets.consistency import (
    Severity,
    check_assets,
    check_budget,
    check_changes,
    check_department_year,
    check_procurement,
    check_project,
    check_three_public,
    check_totals,
    failures,
)
from budgets.models import AssetLine, DepartmentBudget, ProcurementLine, ProjectSpendingItem
from performance.demo import load_demo
from tests.factories import make_department, make_project, make_unit

pytestmark = pytest.mark.django_db

D = Decimal


def make_budget(**fields) -> DepartmentBudget:
    values = {
        "income_total": D("100"),
        "income_general_budget": D("90"),
        "income_carryover": D("10"),
        "expenditure_total": D("100"),
        "basic_total": D("60"),
        "basic_personnel": D("50"),
        "basic_public": D("10"),
        "project_total": D("40"),
        "last_year_total": D("95"),
        "last_year_basic": D("58"),
        "last_year_project": D("37"),
        "stated_total_change": D("5"),
        "stated_basic_change": D("2"),
        "stated_project_change": D("3"),
        "three_public_total": D("5"),
        "overseas_travel": D("1"),
        "vehicle_total": D("3"),
        "vehicle_purchase": D("1"),
        "vehicle_running": D("2"),
        "reception": D("1"),
        "three_public_total_last_year": D("4"),
        "overseas_travel_last_year": D("0"),
        "vehicle_total_last_year": D("3"),
        "vehicle_purchase_last_year": D("1"),
        "vehicle_running_last_year": D("2"),
        "reception_last_year": D("1"),
    }
    values.update(fields)
    department = values.pop("department", None) or make_department()
    return DepartmentBudget.objects.create(department=department, year=2021, **values)


def failed(checks, code=None):
    return [check for check in checks if not check.ok and (code is None or check.code == code)]


def codes(checks):
    return sorted(check.code for check in failed(checks))


# --- totals ---------------------------------------------------------------------------------------


def test_a_budget_whose_totals_add_up_passes_every_total_check():
    budget = make_budget()
    ProjectSpendingItem.objects.create(budget=budget, name="甲", amount=D("25"), order=1)
    ProjectSpendingItem.objects.create(budget=budget, name="乙", amount=D("15"), order=2)
    checks = check_totals(budget)
    assert sorted(c.code for c in checks) == [
        "basic-parts",
        "expenditure-parts",
        "income-expenditure",
        "income-sources",
        "project-items",
    ]
    assert failed(checks) == []


def test_income_total_not_the_sum_of_its_sources_fails_naming_the_difference():
    checks = check_totals(make_budget(income_general_budget=D("89.5")))
    assert codes(checks) == ["income-sources"]
    (check,) = failed(checks)
    assert check.difference == D("0.5")
    assert check.message == "收入合计 100.00 ≠ 一般公共预算 89.50 + 上年结转 10.00 = 99.50，差额 +0.50"


def test_expenditure_total_not_basic_plus_project_fails():
    checks = check_totals(make_budget(expenditure_total=D("101"), income_total=D("101"), income_general_budget=D("91")))
    assert codes(checks) == ["expenditure-parts"]
    assert failed(checks)[0].difference == D("1")


def test_income_not_equal_to_expenditure_fails():
    checks = check_totals(make_budget(income_total=D("99"), income_general_budget=D("89")))
    assert codes(checks) == ["income-expenditure"]
    assert failed(checks)[0].message == "收入合计 99.00 ≠ 支出合计 100.00，差额 -1.00"


def test_basic_spending_not_personnel_plus_public_fails_with_the_seed_style_message():
    checks = check_totals(make_budget(basic_public=D("10.01")))
    assert codes(checks) == ["basic-parts"]
    assert failed(checks)[0].message == "基本支出 60.00 ≠ 人员经费 50.00 + 日常公用经费 10.01 = 60.01，差额 -0.01"


def test_project_spending_not_the_sum_of_its_items_fails():
    budget = make_budget()
    ProjectSpendingItem.objects.create(budget=budget, name="甲", amount=D("25"), order=1)
    ProjectSpendingItem.objects.create(budget=budget, name="乙", amount=D("14"), order=2)
    checks = check_totals(budget)
    assert codes(checks) == ["project-items"]
    assert failed(checks)[0].difference == D("1")


def test_a_total_whose_parts_are_not_given_is_not_checked():
    budget = make_budget(basic_personnel=None, basic_public=None)
    assert "basic-parts" not in [c.code for c in check_totals(budget)]


# --- changes on last year -----------------------------------------------------------------------


def test_stated_changes_equal_this_year_minus_last_year_pass():
    checks = check_changes(make_budget())
    assert [c.code for c in checks] == ["change-total", "change-basic", "change-project"]
    assert failed(checks) == []


def test_a_stated_change_that_is_not_this_year_minus_last_fails():
    checks = check_changes(make_budget(stated_project_change=D("-3")))
    assert codes(checks) == ["change-project"]
    (check,) = failed(checks)
    assert check.difference == D("-6")
    assert check.message == "项目支出增减（公开数） -3.00 ≠ 项目支出 40.00 − 上年 37.00 = +3.00，差额 -6.00"


# --- 三公 -----------------------------------------------------------------------------------------


def test_three_public_parts_that_add_up_pass_this_year_and_last():
    checks = check_three_public(make_budget())
    assert len(checks) == 4
    assert failed(checks) == []


def test_three_public_total_not_its_parts_fails():
    checks = check_three_public(make_budget(reception=D("1.2")))
    assert codes(checks) == ["three-public-parts"]
    assert failed(checks)[0].difference == D("-0.2")


def test_vehicle_total_not_purchase_plus_running_fails():
    checks = check_three_public(make_budget(vehicle_running_last_year=D("2.5")))
    assert codes(checks) == ["vehicle-parts-last-year"]


# --- procurement ----------------------------------------------------------------------------------


def procurement_line(budget, unit, **fields) -> ProcurementLine:
    values = {
        "source_project": "日常公用经费",
        "source_budget": D("10"),
        "item": "台式计算机",
        "quantity": D("3"),
        "unit_price": D("0.45"),
        "amount_total": D("1.35"),
        "amount_general_budget": D("1.35"),
        "order": ProcurementLine.objects.filter(budget=budget).count() + 1,
    }
    values.update(fields)
    return ProcurementLine.objects.create(budget=budget, unit=unit, **values)


def test_procurement_lines_and_totals_that_add_up_pass():
    unit = make_unit()
    budget = make_budget(department=unit.department, procurement_total=D("1.85"), planned_asset_purchase=D("1.85"))
    procurement_line(budget, unit)
    procurement_line(
        budget,
        unit,
        item="打印机",
        quantity=D("1"),
        unit_price=D("0.5"),
        amount_total=D("0.5"),
        amount_general_budget=D("0.5"),
    )
    checks = check_procurement(budget, list(budget.procurement_lines.all()))
    assert failed(checks) == []
    assert {c.code for c in checks} == {
        "procurement-line-amount",
        "procurement-line-sources",
        "procurement-within-source",
        "procurement-total",
        "planned-assets-procurement",
    }


def test_a_line_amount_that_is_not_quantity_times_price_fails():
    unit = make_unit()
    budget = make_budget(department=unit.department, procurement_total=D("1.40"))
    procurement_line(budget, unit, amount_total=D("1.40"), amount_general_budget=D("1.40"))
    checks = check_procurement(budget, list(budget.procurement_lines.all()))
    assert codes(checks) == ["procurement-line-amount"]
    (check,) = failed(checks)
    assert check.where == "政府采购第1行 台式计算机"
    assert check.message == "采购金额 1.40 ≠ 数量 3 × 单价 0.45 = 1.35，差额 +0.05"


def test_a_line_amount_that_is_not_its_fund_sources_fails():
    unit = make_unit()
    budget = make_budget(department=unit.department, procurement_total=D("1.35"))
    procurement_line(budget, unit, amount_general_budget=D("1"), amount_unit_funds=D("0.3"))
    checks = check_procurement(budget, list(budget.procurement_lines.all()))
    assert codes(checks) == ["procurement-line-sources"]
    assert failed(checks)[0].difference == D("0.05")


def test_procurement_total_not_the_sum_of_the_unit_subtotals_fails():
    unit = make_unit(short_name="本级")
    budget = make_budget(department=unit.department, procurement_total=D("2"))
    procurement_line(budget, unit)
    checks = check_procurement(budget, list(budget.procurement_lines.all()))
    assert codes(checks) == ["procurement-total"]
    assert failed(checks)[0].message == "政府采购预算合计 2.00 ≠ 本级小计 1.35，差额 +0.65"


def test_lines_of_one_source_project_beyond_its_budget_fail():
    unit = make_unit()
    budget = make_budget(department=unit.department, procurement_total=D("1.35"))
    procurement_line(budget, unit, source_budget=D("1"))
    checks = check_procurement(budget, list(budget.procurement_lines.all()))
    assert codes(checks) == ["procurement-within-source"]


def test_planned_asset_purchase_unlike_procurement_is_only_a_note():
    unit = make_unit()
    budget = make_budget(department=unit.department, procurement_total=D("1.35"), planned_asset_purchase=D("2"))
    procurement_line(budget, unit)
    checks = check_procurement(budget, list(budget.procurement_lines.all()))
    assert codes(checks) == ["planned-assets-procurement"]
    assert failed(checks)[0].severity == Severity.INFO
    assert failures(checks) == []


def test_procurement_total_is_not_checked_against_only_some_of_the_lines():
    unit = make_unit()
    budget = make_budget(department=unit.department, procurement_total=D("9"))
    procurement_line(budget, unit)
    checks = check_procurement(budget, list(budget.procurement_lines.all()), complete=False)
    assert failed(checks) == []


# --- assets ---------------------------------------------------------------------------------------


def asset_lines(budget, rows):
    for order, (kind, label, quantity, value) in enumerate(rows, start=1):
        AssetLine.objects.create(budget=budget, kind=kind, label=label, quantity=quantity, value=value, order=order)
    return list(budget.asset_lines.all())


SEED_ASSETS = [
    ("total", "资产总额", None, D("954.66")),
    ("item", "1、房屋（平方米）", D("3792"), D("300.02")),
    ("of_which", "其中：办公用房（平方米）", D("382.6"), D("27.16")),
    ("item", "2、车辆（台、辆）", D("4"), D("82.25")),
    ("item", "3、单价在20万元以上设备", None, None),
    ("item", "4、其他固定资产", None, D("572.39")),
]


def test_assets_total_equal_to_its_items_without_the_of_which_line_passes():
    checks = check_assets(asset_lines(make_budget(), SEED_ASSETS))
    assert [c.code for c in checks] == ["assets-total", "assets-of-which-value", "assets-of-which-quantity"]
    assert failed(checks) == []


def test_assets_total_unlike_its_items_fails():
    rows = [*SEED_ASSETS]
    rows[0] = ("total", "资产总额", None, D("981.82"))  # 954.66 + 27.16: the 其中 line counted twice
    checks = check_assets(asset_lines(make_budget(), rows))
    assert codes(checks) == ["assets-total"]
    assert failed(checks)[0].difference == D("27.16")


def test_an_of_which_line_larger_than_its_parent_fails():
    rows = [*SEED_ASSETS]
    rows[2] = ("of_which", "其中：办公用房（平方米）", D("3800"), D("27.16"))
    checks = check_assets(asset_lines(make_budget(), rows))
    assert codes(checks) == ["assets-of-which-quantity"]


# --- projects -------------------------------------------------------------------------------------


def test_a_project_whose_fund_sources_add_up_passes():
    project = make_project(
        full_year_total=D("81"),
        full_year_fiscal=D("80"),
        full_year_other=D("1"),
        executed_total=D("70"),
        executed_fiscal=D("70"),
    )
    checks = check_project(project)
    assert [c.code for c in checks] == ["project-sources-full-year", "project-sources-executed"]
    assert failed(checks) == []


def test_a_project_whose_fund_sources_do_not_add_up_fails_naming_the_project():
    project = make_project(name="科普经费", initial_total=D("81"), initial_fiscal=D("71"), initial_carryover=D("9"))
    checks = check_project(project)
    assert codes(checks) == ["project-sources-initial"]
    (check,) = failed(checks)
    assert check.where == "科普经费"
    assert check.message == "年初预算数 81.00 ≠ 财政拨款 71.00 + 上年结转 9.00 = 80.00，差额 +1.00"


# --- the seed and the command ---------------------------------------------------------------------


@pytest.fixture
def seed(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo()
    return DepartmentBudget.objects.get(department__code="731", year=2021)


def test_the_seed_passes_every_check(seed):
    checks = check_department_year(seed.department, 2021)
    assert len(checks) >= 40
    assert failed(checks) == []


def test_changing_personnel_in_the_seed_gives_exactly_the_basic_spending_finding(seed):
    # 人员经费 feeds only 基本支出 = 人员经费 + 日常公用经费 (no other total is made of it).
    seed.basic_personnel = D("543.46")
    seed.save()
    found = failed(check_department_year(seed.department, 2021))
    assert [c.code for c in found] == ["basic-parts"]
    assert found[0].message == "基本支出 636.06 ≠ 人员经费 543.46 + 日常公用经费 92.61 = 636.07，差额 -0.01"


def test_changing_one_procurement_amount_in_the_seed_gives_the_findings_it_feeds(seed):
    # A line's amount feeds its own quantity × price and fund-source checks and the department total.
    line = seed.procurement_lines.get(order=5)
    line.amount_total = D("1.45")
    line.save()
    found = failed(check_department_year(seed.department, 2021))
    assert sorted(c.code for c in found) == ["procurement-line-amount", "procurement-line-sources", "procurement-total"]


def test_check_budget_command_prints_no_problem_and_exits_0_on_the_seed(seed, capsys):
    call_command("check_budget", "--year", "2021")
    assert capsys.readouterr().out.strip() == "未发现问题"


def test_check_budget_command_lists_failures_as_json_and_exits_1(seed, capsys):
    seed.reception = D("0.72")
    seed.save()
    with pytest.raises(CommandError) as error:
        call_command("check_budget", "--year", "2021", "--department", "731", "--format", "json")
    assert error.value.returncode == 1
    rows = json.loads(capsys.readouterr().out)
    assert [row["code"] for row in rows] == ["three-public-parts"]
    assert rows[0]["difference"] == "-0.1000"
    assert rows[0]["department"] == "731"


def test_check_budget_command_refuses_an_unknown_department(seed):
    with pytest.raises(CommandError, match="没有编码为999的部门"):
        call_command("check_budget", "--year", "2021", "--department", "999")


def test_check_budget_on_rows_without_a_budget_checks_the_projects_only():
    project = make_project(full_year_total=D("10"), full_year_fiscal=D("9"))
    checks = check_budget(None, projects=[project])
    assert codes(checks) == ["project-sources-full-year"]
