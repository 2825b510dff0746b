"""Save a disclosure (the dict shape of fixtures/seed_2021.json) through the models, idempotently.

Every row is found by its natural key and only saved when a value differs, so writing the same
disclosure twice changes nothing. Shared by ``performance.demo.load_demo`` and ``import_disclosure``.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from budgets.models import (
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

from ..models import (
    CategoryAlias,
    DepartmentGoal,
    DepartmentIndicator,
    DepartmentSubGoal,
    DepartmentTask,
    Evaluation,
    GuaranteeMeasure,
    Indicator,
    IndicatorCategory,
    ProjectGoal,
    category_names,
)
from ..rights import targets_may_change
from ..scores.keep import kept_scores
from .model import UnreadableDisclosure

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
PROCUREMENT_AMOUNTS = [
    "amount_general_budget",
    "amount_fund_budget",
    "amount_state_capital",
    "amount_special_account",
    "amount_unit_funds",
]


@dataclass
class WriteSummary:
    """How many rows of each kind the disclosure holds after writing (and how many were new or changed; a row
    kept as it was, "kept", is counted but not written)."""

    counts: dict[str, int] = field(default_factory=dict)
    created: int = 0
    changed: int = 0

    def add(self, label: str, outcome: str) -> None:
        self.counts[label] = self.counts.get(label, 0) + 1
        if outcome == "created":
            self.created += 1
        elif outcome == "changed":
            self.changed += 1


@dataclass
class Written:
    department: Department
    budget: DepartmentBudget
    units: dict[str, Unit]
    projects: list[Project]
    summary: WriteSummary


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


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
    level1 = level2 = None
    for name in category_names(level1_written):
        level1 = IndicatorCategory.objects.filter(level=1, name=name).first()
        if level1 is None:
            alias = CategoryAlias.objects.filter(name=name, level=1).first()
            level1 = alias.category if alias is not None else None
        if level1 is not None:
            break
    if level1 is None:
        raise UnreadableDisclosure(f"一级指标“{level1_written}”不是标准名称，也没有对应的名称映射。")
    for name in category_names(level2_written):
        level2 = IndicatorCategory.objects.filter(level=2, parent=level1, name=name).first()
        if level2 is None:
            alias = CategoryAlias.objects.filter(name=name, level=2, parent_name=level1.name).first()
            if alias is not None:
                level1, level2 = alias.category.parent, alias.category
        if level2 is not None:
            break
    if level2 is None:
        raise UnreadableDisclosure(f"二级指标“{level2_written}”不在一级指标“{level1.name}”之下，也没有对应的名称映射。")
    return {
        "level1": level1,
        "level2": level2,
        "level1_as_written": "" if level1_written == level1.name else level1_written,
        "level2_as_written": "" if level2_written == level2.name else level2_written,
    }


def _minus(a: Decimal | None, b) -> Decimal | None:
    return None if a is None or b is None else a - Decimal(str(b))


def _budget_values(data: dict) -> dict:
    values = {name: _dec(data.get(name)) for name in BUDGET_MONEY_FIELDS}
    values.update({name: data.get(name) or "" for name in BUDGET_TEXT_FIELDS})
    values["assets_as_of"] = date.fromisoformat(data["assets_as_of"]) if data.get("assets_as_of") else None
    # Last year's figures are not printed: this year minus the stated change.
    values["last_year_total"] = _minus(values["expenditure_total"], values["stated_total_change"])
    values["last_year_basic"] = _minus(values["basic_total"], values["stated_basic_change"])
    values["last_year_project"] = _minus(values["project_total"], values["stated_project_change"])
    changes = data.get("stated_three_public_changes") or {}
    for part in THREE_PUBLIC_PARTS:
        values[f"{part}_last_year"] = _minus(values[part], changes.get(part))
    return values


def _drop_surplus(queryset, kept: int, summary: WriteSummary, label: str) -> None:
    """Rows a re-imported document no longer has (ordered past its last line) are removed."""
    deleted = queryset.filter(order__gt=kept).delete()[0]
    if deleted:
        summary.counts[f"{label}（删除）"] = deleted


def _write_department_tables(seed: dict, scope: dict, summary: WriteSummary) -> None:
    """The main tasks and the department's own indicators where the document has them. Rows the document lacks
    are kept: the seed's layout has no such tables, and its import must not remove what was entered in the app."""
    for task in seed.get("department_tasks", []):
        values = {
            "name": task["name"],
            "content": task["content"],
            **{key: _dec(task[key]) for key in ("amount_total", "amount_fiscal", "amount_other")},
        }
        summary.add("部门年度主要任务", _upsert(DepartmentTask, {**scope, "number": task["number"]}, values)[1])
    for order, row in enumerate(seed.get("department_indicators", []), start=1):
        categories = _categories(row["level1"], row["level2"])
        values = {
            "level1": categories["level1"],
            "level2": categories["level2"],
            **{key: row[key] for key in ("name", "description", "target", "basis")},
        }
        summary.add("部门整体绩效指标", _upsert(DepartmentIndicator, {**scope, "order": order}, values)[1])


def _write_targets(project: Project, item: dict, summary: WriteSummary) -> bool:
    """Write a project's goal and indicators as published; whether anything changed."""
    outcomes = [_upsert(ProjectGoal, {"project": project}, {"text": item["goal"]})[1]]
    summary.add("绩效目标", outcomes[0])
    for row in item["indicators"]:
        values = {
            **_categories(row["level1"], row["level2"]),
            "name": row["name"],
            "description": row["description"],
            "target": row["target"],
            "basis": row["basis"],
        }
        outcomes.append(_upsert(Indicator, {"project": project, "order": row["order"]}, values)[1])
        summary.add("绩效指标", outcomes[-1])
    return any(outcome != "same" for outcome in outcomes)


def _write_project(item: dict, unit: Unit, year: int, summary: WriteSummary, keep_fixed_targets: bool):
    """One published project with its goal and indicators; the sentence refusing it where it changes targets
    that may no longer change (declared, approved or evaluated), else None."""
    # The disclosure gives no project codes and no money: amounts stay as they are (empty when new).
    project, outcome = _upsert(
        Project,
        {"unit": unit, "year": year, "name": item["name"]},
        {"title_as_published": item["title_as_published"], "order": item["order"]},
    )
    summary.add("预算项目", outcome)
    refusal = None
    fixed = outcome != "created" and not targets_may_change(project)
    # The demo's reload leaves declared, approved or adjusted targets alone (counted, not written); an import
    # refuses to change them.
    if fixed and keep_fixed_targets:
        summary.add("绩效目标", "kept")
        for _row in item["indicators"]:
            summary.add("绩效指标", "kept")
    elif _write_targets(project, item, summary) and fixed:
        refusal = _(
            "项目“%(name)s”的绩效目标已申报、批复或已用于自评，公开文本改动了它，不能导入；如需修改请提出调整申请"
        ) % {"name": project.name}
    # A new project starts a draft self-evaluation; an existing one keeps its state.
    created = Evaluation.objects.get_or_create(project=project)[1]
    summary.add("绩效自评", "created" if created else "same")
    return project, refusal


@transaction.atomic
@kept_scores()
def write_disclosure(seed: dict, *, keep_fixed_targets: bool = False) -> Written:
    """Save a disclosure's department, units, budget, goals, projects and tables; see the module doc."""
    summary = WriteSummary()
    dept = seed["department"]
    if not dept.get("code"):
        raise UnreadableDisclosure("部门编码未读出，无法保存（请指定部门编码）。")
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

    def unit_of(code: str) -> Unit:
        if code not in units:
            found = Unit.objects.filter(code=code, department=department).first()
            if found is None:
                raise UnreadableDisclosure(f"单位编码{code}不在本部门的单位中。")
            units[code] = found
        return units[code]

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
            {"name": item["name"], "amount": Decimal(str(item["amount"]))},
        )[1]
        summary.add("项目支出明细", outcome)
    _drop_surplus(budget.project_items, len(budget_data["project_items"]), summary, "项目支出明细")
    for line in seed["procurement_lines"]:
        values = {
            "unit": unit_of(line["unit_code"]),
            "source_project": line["source_project"],
            "source_budget": _dec(line["source_budget"]),
            "item": line["item"],
            "catalogue_code": line["catalogue_code"],
            "measure_unit": line["measure_unit"],
            "quantity": Decimal(str(line["quantity"])),
            "unit_price": Decimal(str(line["unit_price"])),
            "amount_total": Decimal(str(line["amount_total"])),
            **{name: _dec(line.get(name)) for name in PROCUREMENT_AMOUNTS},
        }
        summary.add("政府采购预算", _upsert(ProcurementLine, {"budget": budget, "order": line["order"]}, values)[1])
    _drop_surplus(budget.procurement_lines, len(seed["procurement_lines"]), summary, "政府采购预算")
    for line in seed["asset_lines"]:
        values = {
            "kind": line["kind"],
            "label": line["label"],
            "quantity": _dec(line["quantity"]),
            "value": _dec(line["value"]),
        }
        summary.add("国有资产", _upsert(AssetLine, {"budget": budget, "order": line["order"]}, values)[1])
    _drop_surplus(budget.asset_lines, len(seed["asset_lines"]), summary, "国有资产")
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
    _write_department_tables(seed, scope, summary)

    projects, refused = [], []
    for item in seed["projects"]:
        project, refusal = _write_project(item, unit_of(item["unit_code"]), year, summary, keep_fixed_targets)
        projects.append(project)
        refused += [refusal] if refusal else []
    if refused:  # raised inside the caller's transaction: nothing of the file is kept
        raise ValidationError(refused)
    return Written(department=department, budget=budget, units=units, projects=projects, summary=summary)
