"""Demo data: the seed disclosure (张家口市科学技术协会, 2021) and the demo users.

``load_demo`` reads ``fixtures/seed_2021.json`` (the seed's content as structured data, text kept
character for character) and writes it through the models. It is idempotent: every row is found
by its natural key and only saved when a value differs, so running it twice changes nothing.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction

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

from .models import (
    CategoryAlias,
    DepartmentGoal,
    DepartmentSubGoal,
    Evaluation,
    GuaranteeMeasure,
    Indicator,
    IndicatorCategory,
    ProjectGoal,
)

SEED_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "seed_2021.json"
DEMO_PASSWORD = "jixiao-demo"  # noqa: S105 - published demo password (README, make run)

# (username, role, unit code or department code); admin is the superuser.
DEMO_USERS = [
    ("kexie", Access.Role.STAFF, "731001"),
    ("kejiguan", Access.Role.STAFF, "731005"),
    ("shenhe", Access.Role.REVIEWER, "731"),
]

BUDGET_MONEY_FIELDS = [
    "income_total",
    "income_general_budget",
    "income_fund_budget",
    "income_special_account",
    "income_other",
    "income_carryover",
    "expenditure_total",
    "basic_total",
    "basic_personnel",
    "basic_public",
    "project_total",
    "stated_total_change",
    "stated_basic_change",
    "stated_project_change",
    "operating_cost",
    "three_public_total",
    "overseas_travel",
    "vehicle_total",
    "vehicle_purchase",
    "vehicle_running",
    "reception",
    "procurement_total",
    "planned_asset_purchase",
]
BUDGET_TEXT_FIELDS = [
    "title",
    "preamble",
    "overview",
    "basic_change_reason",
    "project_change_reason",
    "operating_cost_uses",
    "three_public_change_reason",
    "planned_asset_purchase_note",
    "other_notes",
]
THREE_PUBLIC_PARTS = [
    "three_public_total",
    "overseas_travel",
    "vehicle_total",
    "vehicle_purchase",
    "vehicle_running",
    "reception",
]


@dataclass
class DemoSummary:
    """How many rows of each kind the demo data holds after loading (and how many were new)."""

    counts: dict[str, int] = field(default_factory=dict)
    created: int = 0
    changed: int = 0

    def add(self, label: str, outcome: str) -> None:
        self.counts[label] = self.counts.get(label, 0) + 1
        if outcome == "created":
            self.created += 1
        elif outcome == "changed":
            self.changed += 1


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _upsert(model: type[models.Model], lookup: dict, values: dict) -> tuple[models.Model, str]:
    """Find a row by its natural key; create it, or save it only where a value differs.

    Saving goes through ``full_clean`` and ``save`` (Indicator.save stores the parsed target).
    Returns the row and "created", "changed" or "same".
    """
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model(**lookup, **values)
        row.full_clean()
        row.save()
        return row, "created"
    differs = [name for name, value in values.items() if getattr(row, name) != value]
    if not differs:
        return row, "same"
    for name in differs:
        setattr(row, name, values[name])
    row.full_clean()
    row.save()
    return row, "changed"


def _categories(level1_written: str, level2_written: str) -> dict:
    """The standard level-1/level-2 categories for names as printed, mapping known variants.

    A variant (e.g. 效果指标 → 效益指标) is recorded in ``level1_as_written`` /
    ``level2_as_written``; those stay empty where the printed name is the standard one.
    """
    level1 = IndicatorCategory.objects.filter(level=1, name=level1_written).first()
    if level1 is None:
        level1 = CategoryAlias.objects.get(name=level1_written, level=1).category
    level2 = IndicatorCategory.objects.filter(level=2, parent=level1, name=level2_written).first()
    if level2 is None:
        alias = CategoryAlias.objects.get(name=level2_written, level=2, parent_name=level1.name).category
        level1, level2 = alias.parent, alias
    return {
        "level1": level1,
        "level2": level2,
        "level1_as_written": "" if level1_written == level1.name else level1_written,
        "level2_as_written": "" if level2_written == level2.name else level2_written,
    }


def _budget_values(data: dict) -> dict:
    values = {name: _dec(data[name]) for name in BUDGET_MONEY_FIELDS}
    values.update({name: data[name] for name in BUDGET_TEXT_FIELDS})
    values["assets_as_of"] = date.fromisoformat(data["assets_as_of"])
    # Last year's figures are not printed: this year minus the stated change.
    values["last_year_total"] = values["expenditure_total"] - values["stated_total_change"]
    values["last_year_basic"] = values["basic_total"] - values["stated_basic_change"]
    values["last_year_project"] = values["project_total"] - values["stated_project_change"]
    for part, change in data["stated_three_public_changes"].items():
        values[f"{part}_last_year"] = values[part] - Decimal(change)
    return values


@transaction.atomic
def load_demo(*, path: Path = SEED_FIXTURE) -> DemoSummary:
    """Load the seed disclosure and the demo users; running it again changes nothing."""
    seed = json.loads(path.read_text(encoding="utf-8"))
    summary = DemoSummary()

    dept = seed["department"]
    department, outcome = _upsert(
        Department,
        {"code": dept["code"]},
        {"name": dept["name"], "short_name": dept["short_name"], "duties_intro": dept["duties_intro"]},
    )
    summary.add("部门", outcome)
    for duty in dept["duties"]:
        summary.add(
            "部门职责", _upsert(Duty, {"department": department, "number": duty["number"]}, {"text": duty["text"]})[1]
        )

    units = {}
    for item in seed["units"]:
        # A unit with a code is found by it; the seed gives two units no code, found by name.
        lookup = {"code": item["code"]} if item["code"] else {"department": department, "name": item["name"]}
        values = {key: item[key] for key in ("code", "name", "short_name", "nature", "rank", "funding_form", "order")}
        values["department"] = department
        for key in lookup:
            values.pop(key)
        unit, outcome = _upsert(Unit, lookup, values)
        summary.add("预算单位", outcome)
        if unit.code:
            units[unit.code] = unit

    budget_data = seed["budget"]
    budget, outcome = _upsert(
        DepartmentBudget, {"department": department, "year": budget_data["year"]}, _budget_values(budget_data)
    )
    summary.add("部门预算", outcome)
    year = budget.year
    for item in budget_data["project_items"]:
        outcome = _upsert(
            ProjectSpendingItem,
            {"budget": budget, "order": item["order"]},
            {"name": item["name"], "amount": Decimal(item["amount"])},
        )[1]
        summary.add("项目支出明细", outcome)
    for line in seed["procurement_lines"]:
        values = {
            "unit": units[line["unit_code"]],
            "source_project": line["source_project"],
            "source_budget": _dec(line["source_budget"]),
            "item": line["item"],
            "catalogue_code": line["catalogue_code"],
            "measure_unit": line["measure_unit"],
            "quantity": Decimal(line["quantity"]),
            "unit_price": Decimal(line["unit_price"]),
            "amount_total": Decimal(line["amount_total"]),
            "amount_general_budget": _dec(line["amount_general_budget"]),
        }
        summary.add("政府采购预算", _upsert(ProcurementLine, {"budget": budget, "order": line["order"]}, values)[1])
    for line in seed["asset_lines"]:
        values = {
            "kind": line["kind"],
            "label": line["label"],
            "quantity": _dec(line["quantity"]),
            "value": _dec(line["value"]),
        }
        summary.add("国有资产", _upsert(AssetLine, {"budget": budget, "order": line["order"]}, values)[1])
    for term in seed["glossary"]:
        outcome = _upsert(
            GlossaryTerm, {"term": term["term"]}, {"definition": term["definition"], "order": term["order"]}
        )[1]
        summary.add("名词解释", outcome)

    scope = {"department": department, "year": year}
    for goal in seed["department_goals"]:
        outcome = _upsert(DepartmentGoal, {**scope, "number": goal["number"]}, {"text": goal["text"]})[1]
        summary.add("部门总体绩效目标", outcome)
    for sub in seed["sub_goals"]:
        values = {"name": sub["name"], "goal": sub["goal"], "indicators": sub["indicators"]}
        summary.add("部门分项绩效目标", _upsert(DepartmentSubGoal, {**scope, "number": sub["number"]}, values)[1])
    for measure in seed["guarantee_measures"]:
        values = {"title": measure["title"], "text": measure["text"]}
        summary.add("工作保障措施", _upsert(GuaranteeMeasure, {**scope, "number": measure["number"]}, values)[1])

    for item in seed["projects"]:
        # The seed gives no project codes and no money: amounts stay empty (None).
        project, outcome = _upsert(
            Project,
            {"unit": units[item["unit_code"]], "year": year, "name": item["name"]},
            {"title_as_published": item["title_as_published"], "order": item["order"]},
        )
        summary.add("预算项目", outcome)
        summary.add("绩效目标", _upsert(ProjectGoal, {"project": project}, {"text": item["goal"]})[1])
        for row in item["indicators"]:
            values = {
                **_categories(row["level1"], row["level2"]),
                "name": row["name"],
                "description": row["description"],
                "target": row["target"],
                "basis": row["basis"],
            }
            summary.add("绩效指标", _upsert(Indicator, {"project": project, "order": row["order"]}, values)[1])
        # A new project starts a draft self-evaluation; an existing one keeps its state.
        created = Evaluation.objects.get_or_create(project=project)[1]
        summary.add("绩效自评", "created" if created else "same")

    _load_users(department=department, units=units, summary=summary)
    return summary


def _load_users(*, department: Department, units: dict[str, Unit], summary: DemoSummary) -> None:
    outcome = _user("admin", superuser=True)[1]
    summary.add("用户", outcome)
    for username, role, scope in DEMO_USERS:
        user, outcome = _user(username)
        summary.add("用户", outcome)
        if role == Access.Role.STAFF:
            access = {"user": user, "role": role, "unit": units[scope], "department": None}
        else:
            access = {"user": user, "role": role, "unit": None, "department": department}
        summary.add("用户权限", _upsert(Access, access, {})[1])


def _user(username: str, *, superuser: bool = False):
    """A demo user with the demo password; an existing user keeps a password that already matches."""
    User = get_user_model()  # noqa: N806 - Django's idiom
    user = User.objects.filter(username=username).first()
    outcome = "same"
    if user is None:
        user = User(username=username)
        outcome = "created"
    wanted = {"is_superuser": superuser, "is_staff": superuser, "is_active": True}
    if any(getattr(user, name) != value for name, value in wanted.items()):
        for name, value in wanted.items():
            setattr(user, name, value)
        outcome = outcome if outcome == "created" else "changed"
    if not user.has_usable_password() or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        outcome = outcome if outcome == "created" else "changed"
    if outcome != "same":
        user.save()
    return user, outcome
