"""The demo data is the seed disclosure, complete and exact, and loading it twice changes nothing.

Indicator cells are compared with the seed file itself (read here), not with the fixture.
"""

import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Sum

from budgets.models import (
    Access,
    AssetLine,
    Department,
    DepartmentBudget,
    Duty,
    GlossaryTerm,
    ProcurementLine,
    Project,
    ProjectSpendingItem,
    Unit,
)
from budgets.permissions import projects_for
from performance.declaration.models import TargetSet
from performance.demo import DEMO_PASSWORD, load_demo
from performance.models import (
    DepartmentGoal,
    DepartmentSubGoal,
    Evaluation,
    GuaranteeMeasure,
    Indicator,
    ProjectGoal,
)
from performance.targets import parse_target

SEED_NAME = "000_6b771568393e23ae.txt"
SHARED_SEED = Path("/work/shared/seed") / SEED_NAME
# The repository keeps a byte-identical copy so that a fresh clone (CI) has the seed too.
SEED = SHARED_SEED if SHARED_SEED.exists() else Path(__file__).resolve().parents[2] / "fixtures" / "seed" / SEED_NAME

pytestmark = pytest.mark.django_db

EVERY_MODEL = [
    Department,
    Duty,
    Unit,
    DepartmentBudget,
    ProjectSpendingItem,
    ProcurementLine,
    AssetLine,
    GlossaryTerm,
    Project,
    ProjectGoal,
    Indicator,
    Evaluation,
    DepartmentGoal,
    DepartmentSubGoal,
    GuaranteeMeasure,
    Access,
    get_user_model(),
    Indicator.history.model,
    ProjectGoal.history.model,
    Evaluation.history.model,
]


def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


def seed_goal_tables() -> list[dict]:
    """The six project goal tables as printed: title, unit cell, goal and 6×6 cells (tab-indented lines)."""
    lines = seed_lines()
    start = next(i for i, line in enumerate(lines) if "预算项目绩效目标" in line)
    end = next(i for i, line in enumerate(lines) if line.startswith("六、"))
    heads = [i for i in range(start, end) if re.match(r"^(\[bookmark: \w+\])?\d、", lines[i])]
    tables = []
    for head, stop in zip(heads, [*heads[1:], end], strict=True):
        cells = [line[1:] for line in lines[head + 1 : stop] if line.startswith("\t")]
        title = re.sub(r"^(\[bookmark: \w+\])?\d、", "", lines[head])
        assert cells[2] == "绩效目标" and cells[4:10] == [
            "一级指标",
            "二级指标",
            "三级指标",
            "绩效指标描述",
            "指标值",
            "指标值确定依据",
        ]
        rows = [cells[10 + 6 * r : 16 + 6 * r] for r in range(6)]
        assert len(cells) == 46
        tables.append({"title": title, "unit_cell": cells[0], "goal": cells[3], "rows": rows})
    return tables


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 takes most of load_demo's time (four users); the hash function is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo():
    return load_demo()


def test_demo_holds_department_731_with_its_four_units_codes_only_where_the_seed_gives_them(demo):
    department = Department.objects.get(code="731")
    assert (department.code, department.name, department.short_name) == ("731", "张家口市科学技术协会", "张家口市科协")
    units = list(department.units.order_by("order"))
    assert [u.code for u in units] == ["731001", None, None, "731005"]
    assert [(u.name, u.nature, u.rank, u.funding_form) for u in units] == [
        ("张家口市科学技术协会", "行政", "正处级", "财政拨款"),
        ("张家口市科技干部进修学院", "事业", "正科级", "财政性资金基本保证"),
        ("张家口市科技工作者服务中心", "事业", "正科级", "财政性资金基本保证"),
        ("张家口市科技馆", "事业", "正科级", "财政性资金定额或定项补助"),
    ]
    # The project tables print the code with the unit's short name: 731001张家口市科协本级.
    printed = {t["unit_cell"] for t in seed_goal_tables()}
    assert {f"{u.code}{u.short_name}" for u in units if u.code} == printed


def test_demo_duties_are_the_ten_numbered_items_verbatim(demo):
    lines = seed_lines()
    department = Department.objects.get(code="731")
    assert department.duties_intro in lines
    numerals = "一二三四五六七八九十"
    printed = [f"（{numerals[d.number - 1]}）{d.text}" for d in Duty.objects.filter(department=department)]
    assert len(printed) == 10
    assert all(line in lines for line in printed)


def test_demo_budget_figures_are_the_seeds(demo):
    budget = DepartmentBudget.objects.get(department__code="731", year=2021)
    assert budget.title == "2021年部门预算信息公开情况说明"
    assert (budget.income_total, budget.income_general_budget) == (Decimal("1006.46"), Decimal("1006.46"))
    assert [budget.income_fund_budget, budget.income_special_account, budget.income_other, budget.income_carryover] == [
        Decimal("0")
    ] * 4
    assert budget.expenditure_total == Decimal("1006.46")
    assert (budget.basic_total, budget.basic_personnel, budget.basic_public) == (
        Decimal("636.06"),
        Decimal("543.45"),
        Decimal("92.61"),
    )
    assert budget.project_total == Decimal("370.4")
    assert budget.basic_total + budget.project_total == budget.expenditure_total
    items = [(i.name, i.amount) for i in budget.project_items.all()]
    assert items == [
        ("老科协", Decimal("9")),
        ("科普活动", Decimal("147.9")),
        ("科技馆站", Decimal("103.5")),
        ("其他科普", Decimal("110")),
    ]
    assert sum(amount for _, amount in items) == budget.project_total


def test_demo_change_on_last_year_keeps_the_stated_changes_and_derives_last_years_figures(demo):
    budget = DepartmentBudget.objects.get(year=2021)
    assert (budget.stated_total_change, budget.stated_basic_change, budget.stated_project_change) == (
        Decimal("-87.91"),
        Decimal("1.19"),
        Decimal("-89.1"),
    )
    assert (budget.last_year_total, budget.last_year_basic, budget.last_year_project) == (
        Decimal("1094.37"),
        Decimal("634.87"),
        Decimal("459.5"),
    )
    assert budget.basic_change_reason == "主要是人员增加，相应增加人员经费和日常公用经费"
    assert budget.project_change_reason == "主要是科技馆项目经费减少"


def test_demo_operating_cost_and_three_public_costs(demo):
    budget = DepartmentBudget.objects.get(year=2021)
    assert budget.operating_cost == Decimal("92.61")
    assert budget.operating_cost_uses.startswith("主要用于保证机关正常运转的办公及印刷费")
    parts = (budget.overseas_travel, budget.vehicle_total, budget.reception)
    assert budget.three_public_total == Decimal("5.34") == sum(parts)
    assert parts == (Decimal("0"), Decimal("4.72"), Decimal("0.62"))
    assert (budget.vehicle_purchase, budget.vehicle_running) == (Decimal("0"), Decimal("4.72"))
    last_year = (
        budget.three_public_total_last_year,
        budget.overseas_travel_last_year,
        budget.vehicle_total_last_year,
        budget.vehicle_purchase_last_year,
        budget.vehicle_running_last_year,
        budget.reception_last_year,
    )
    assert last_year == (Decimal("5.19"), Decimal("0"), Decimal("4.72"), Decimal("0"), Decimal("4.72"), Decimal("0.47"))
    assert "主要是由于单位业务量的增加" in budget.three_public_change_reason


def test_demo_procurement_has_twelve_lines_totalling_7_40(demo):
    budget = DepartmentBudget.objects.get(year=2021)
    lines = list(budget.procurement_lines.select_related("unit"))
    assert len(lines) == 12
    assert budget.procurement_total == Decimal("7.40")
    assert sum(line.amount_total for line in lines) == Decimal("7.40")
    by_unit = dict(
        ProcurementLine.objects.values_list("unit__code").annotate(total=Sum("amount_total")).order_by("unit__code")
    )
    assert by_unit == {"731001": Decimal("5.40"), "731005": Decimal("2.00")}
    assert all(line.quantity * line.unit_price == line.amount_total == line.amount_general_budget for line in lines)
    laptop = lines[4]
    assert (laptop.source_project, laptop.source_budget, laptop.item, laptop.catalogue_code) == (
        "日常公用经费",
        Decimal("73.98"),
        "便携式计算机",
        "A02010105",
    )
    assert (laptop.measure_unit, laptop.quantity, laptop.unit_price) == ("台", Decimal("3"), Decimal("0.45"))
    assert {line.source_budget for line in lines if line.unit.code == "731005"} == {Decimal("13.50")}


def test_demo_assets_total_954_66_equals_its_parts(demo):
    budget = DepartmentBudget.objects.get(year=2021)
    assert budget.assets_as_of.isoformat() == "2020-12-31"
    assert budget.planned_asset_purchase == Decimal("7.40")
    assert budget.planned_asset_purchase_note.startswith("主要为计算机、办公家具、打印一体机等")
    rows = [(a.kind, a.label, a.quantity, a.value) for a in budget.asset_lines.all()]
    assert rows == [
        ("total", "资产总额", None, Decimal("954.66")),
        ("item", "1、房屋（平方米）", Decimal("3792"), Decimal("300.02")),
        ("of_which", "其中：办公用房（平方米）", Decimal("382.6"), Decimal("27.16")),
        ("item", "2、车辆（台、辆）", Decimal("4"), Decimal("82.25")),
        ("item", "3、单价在20万元以上设备", None, None),
        ("item", "4、其他固定资产", None, Decimal("572.39")),
    ]
    assert sum(value for kind, _, _, value in rows if kind == "item" and value is not None) == Decimal("954.66")


def test_demo_six_projects_with_the_seeds_titles_units_goals_and_no_money(demo):
    tables = seed_goal_tables()
    projects = list(
        Project.objects.filter(year=2021, unit__department__code="731").select_related("unit", "goal").order_by("order")
    )
    assert len(projects) == 6
    assert [p.title_as_published for p in projects] == [t["title"] for t in tables]
    assert "常设科普展览经费绩效目标吧" in [p.title_as_published for p in projects]
    assert [f"{p.unit.code}{p.unit.short_name}" for p in projects] == [t["unit_cell"] for t in tables]
    assert [p.goal.text for p in projects] == [t["goal"] for t in tables]
    assert [p.name for p in projects][:2] == ["科普经费", "全民科学素质行动计划专项经费"]
    assert all(p.total(stage) is None for p in projects for stage in ("initial", "full_year", "executed"))
    assert [p.evaluation.status for p in projects] == [Evaluation.Status.DRAFT] * 6


def test_demo_36_indicators_equal_the_seeds_cells_character_for_character(demo):
    tables = seed_goal_tables()
    projects = Project.objects.filter(year=2021, unit__department__code="731").order_by("order")
    stored = [
        [
            [i.level1_as_written or i.level1.name, i.level2.name, i.name, i.description, i.target, i.basis]
            for i in project.indicators.select_related("level1", "level2").order_by("order")
        ]
        for project in projects
    ]
    printed = []
    for table in tables:
        level1 = None
        rows = []
        for row in table["rows"]:
            level1 = row[0] or level1  # the seed leaves a merged 一级 cell empty below its first row
            rows.append([level1, *row[1:]])
        printed.append(rows)
    assert sum(len(rows) for rows in stored) == 36
    assert stored == printed
    targets = [row[4] for rows in stored for row in rows]
    assert {"≤9万元 ", "≥95% ", "≥95 %"} <= set(targets)
    assert " 2021年项目全部完工" in [row[3] for rows in stored for row in rows]


def test_demo_maps_the_variant_level1_and_records_it(demo):
    variant = Indicator.objects.get(level1_as_written="效果指标")
    assert (variant.level1.name, variant.level2.name, variant.name) == ("效益指标", "社会效益指标", "提高种植技术")
    assert Indicator.objects.exclude(level1_as_written="").count() == 1
    for indicator in Indicator.objects.select_related("level1", "level2"):
        indicator.full_clean()  # every level 2 belongs to its level 1


def test_demo_indicators_store_the_parsed_target(demo):
    for indicator in Indicator.objects.select_related("level1", "level2"):
        cost = "成本" in indicator.level1.name or "成本" in indicator.level2.name
        parsed = parse_target(indicator.target, cost=cost)
        assert (indicator.target_kind, indicator.target_parsed) == (parsed.kind, parsed.as_json())


def test_demo_department_goals_sub_goals_measures_and_glossary(demo):
    lines = seed_lines()
    goals = list(DepartmentGoal.objects.filter(year=2021))
    assert len(goals) == 5
    assert "".join(f"{g.number}、{g.text}" for g in goals) in lines
    sub_goals = list(DepartmentSubGoal.objects.filter(year=2021))
    assert [(s.number, s.name) for s in sub_goals] == [(1, "部门管理"), (2, "部门决策")]
    assert all(f"绩效目标：{s.goal}" in lines and f"绩效指标：{s.indicators}" in lines for s in sub_goals)
    numerals = "一二三四五六"
    measures = list(GuaranteeMeasure.objects.filter(year=2021))
    assert [m.title for m in measures][:1] == ["加强制度建设"]
    assert [f"（{numerals[m.number - 1]}）{m.title}。{m.text}" in lines for m in measures] == [True] * 6
    terms = list(GlossaryTerm.objects.all())
    assert len(terms) == 10
    assert all(f"{t.order}、{t.term}：{t.definition}" in lines for t in terms)
    budget = DepartmentBudget.objects.get(year=2021)
    closing = lines[next(i for i, line in enumerate(lines) if line.startswith("九、")) + 1]
    assert budget.other_notes and closing.endswith(budget.other_notes)


def test_repository_copy_of_the_seed_is_byte_identical():
    copy = Path(__file__).resolve().parents[2] / "fixtures" / "seed" / SEED_NAME
    assert copy.read_bytes() == SEED.read_bytes()


def test_demo_users_log_in_and_see_their_units(demo, client):
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    for username in ("admin", "kexie", "kejiguan", "shenhe", "caizheng"):
        assert client.login(username=username, password=DEMO_PASSWORD), username
    accesses = sorted(
        (a.user.username, a.role, a.unit.code if a.unit else None, a.department.code if a.department else None)
        for a in Access.objects.select_related("user", "unit", "department")
    )
    assert accesses == [
        ("caizheng", "finance", None, None),
        ("kejiguan", "staff", "731005", None),
        ("kexie", "staff", "731001", None),
        ("shenhe", "reviewer", None, "731"),
        ("shenhe2", "reviewer", None, "732"),
    ]
    seen = {
        name: sorted({p.unit.code for p in projects_for(User.objects.get(username=name)).select_related("unit")})
        for name in ("kejiguan", "kexie", "shenhe", "admin")
    }
    assert seen == {
        "kejiguan": ["731005"],
        "kexie": ["731001"],
        "shenhe": ["731001", "731005"],
        "admin": ["731001", "731005", "732001", "732002"],
    }


def test_load_demo_twice_changes_nothing(demo):
    before = {model.__name__: model.objects.count() for model in EVERY_MODEL}
    again = load_demo()
    after = {model.__name__: model.objects.count() for model in EVERY_MODEL}
    assert after == before
    assert (again.created, again.changed) == (0, 0)
    assert again.counts == demo.counts
    assert before["Indicator"] == 36 + 13 and before["Unit"] == 4 + 2  # the seed's and the second department's


def test_load_demo_loads_every_seed_projects_targets_as_approved_with_their_baseline(demo):
    target_sets = TargetSet.objects.select_related("project")
    assert target_sets.count() == Project.objects.count() == 6 + 3  # the seed's and the second department's
    for target_set in target_sets:
        assert target_set.status == TargetSet.Status.APPROVED, target_set.project.name
        baseline = list(target_set.baseline.values_list("indicator_id", "target"))
        assert baseline == list(target_set.project.indicators.order_by("order", "id").values_list("pk", "target"))
        assert target_set.baseline_goal == target_set.project.goal.text
    history = TargetSet.history.count()

    load_demo()

    assert TargetSet.history.count() == history  # approved once
    assert set(TargetSet.objects.values_list("status", flat=True)) == {TargetSet.Status.APPROVED}


def test_load_demo_restores_an_edited_seed_value(demo):
    duty = Duty.objects.order_by("number").first()
    published = duty.text
    Duty.objects.filter(pk=duty.pk).update(text="改过的职责")
    again = load_demo()
    assert again.changed == 1
    assert Duty.objects.get(pk=duty.pk).text == published


def test_load_demo_leaves_approved_targets_as_they_stand(demo):
    """An approved baseline, and the targets an approved adjustment changed, are not the reload's to undo."""
    Indicator.objects.filter(target="≥95 %").update(target="≥96%")  # as an approved adjustment would leave it
    again = load_demo()
    assert again.changed == 0
    assert Indicator.objects.filter(target="≥96%").count() == 1
    assert again.counts["绩效指标"] == 36  # still counted: the disclosure holds them


def test_load_demo_command_prints_what_it_loaded():
    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "绩效指标: 36" in text
    assert "预算项目: 6" in text
    assert "政府采购预算: 12" in text
    assert "预算单位: 4" in text
    assert not Department.objects.filter(code="732").exists()  # the seed alone, as the contract check counts it
    assert "shenhe2" not in text


def test_load_demo_command_adds_the_second_department_when_asked():
    out = StringIO()
    call_command("load_demo", "--second-department", stdout=out)
    text = out.getvalue()
    assert "演示部门732：预算项目: 3" in text and "shenhe2" in text
    assert Project.objects.filter(unit__department__code="732").count() == 3
    assert Project.objects.filter(unit__department__code="731").count() == 6


def test_demo_has_finance_user_caizheng_with_an_open_2021_self_evaluation_and_monitoring_task(demo):
    from performance.demo import DEMO_MONITORING_DEADLINE, DEMO_TASK_DEADLINE
    from performance.tasks.models import Task
    from performance.tasks.services import tasks_for

    task = Task.objects.get(kind="self_evaluation")
    assert (task.kind, task.year, task.status, task.deadline) == ("self_evaluation", 2021, "open", DEMO_TASK_DEADLINE)
    assert task.all_departments and task.issued_by.username == "caizheng"
    monitoring = Task.objects.get(kind="monitoring")
    assert (monitoring.year, monitoring.round_number, monitoring.deadline) == (2021, 1, DEMO_MONITORING_DEADLINE)
    kexie = get_user_model().objects.get(username="kexie")
    assert sorted(t.pk for t in tasks_for(kexie)) == sorted([task.pk, monitoring.pk])
    load_demo()
    assert Task.objects.count() == 2  # running it again changes nothing


def test_demo_has_a_second_department_with_its_own_units_projects_and_reviewer(demo, client):
    """Finance's pages across departments have more than one row; the second reviewer sees only their own."""
    second = Department.objects.get(code="732")
    assert [u.code for u in second.units.order_by("order")] == ["732001", "732002"]
    projects = Project.objects.filter(unit__department=second, year=2021).order_by("unit__code", "order")
    assert [(p.name, p.full_year_total, p.executed_total) for p in projects] == [
        ("政务信息化运维经费", Decimal("120.0000"), Decimal("108.5000")),
        ("业务培训经费", Decimal("40.0000"), Decimal("31.2000")),
        ("便民服务热线经费", Decimal("60.0000"), Decimal("58.8000")),
    ]
    assert all(p.evaluation.status == Evaluation.Status.DRAFT for p in projects)
    assert all(p.target_set.status == TargetSet.Status.APPROVED for p in projects)
    User = get_user_model()
    assert client.login(username="shenhe2", password=DEMO_PASSWORD)
    assert {p.unit.department.code for p in projects_for(User.objects.get(username="shenhe2"))} == {"732"}
    assert {p.unit.department.code for p in projects_for(User.objects.get(username="shenhe"))} == {"731"}
