"""Checking the rows read against each other and the database: one name per department and unit code, the
user's units, each project listed once and each indicator row's project found, the weights and tier
scores by the scorer's rules (``performance.scoring``). Problems go on the rows; ``refuse_if`` raises them
all, in the workbook's order."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from budgets.models import Department, Project, Unit
from budgets.permissions import units_for

from ..models import ActualResult
from ..scoring import (
    BUDGET_WEIGHT,
    TIER_BANDS,
    RowInput,
    band_of,
    breakdown_rows,
    in_band,
    row_weights,
    tier_ratio,
    weight_problems,
    weighted,
)
from .columns import PROJECT_SHEET, SHEET_COLUMNS
from .read import IndicatorRow, ProjectRow
from .report import ImportErrors, WorkbookProblem


@dataclass
class Known:
    """The departments, units and projects the file names, as they stand in the database; a project under
    each key a file may give it (year, unit code, "code" or "name", and the code or name)."""

    units: dict[str, Unit]
    departments: dict[str, Department]
    projects: dict[tuple, Project]


def known_of(projects: list[ProjectRow], items: list[IndicatorRow]) -> Known:
    unit_codes = {p.unit_code for p in projects} | {i.unit_code for i in items}
    units = {u.code: u for u in Unit.objects.filter(code__in=unit_codes).select_related("department")}
    departments = {d.code: d for d in Department.objects.filter(code__in={p.department_code for p in projects})}
    years = {p.year for p in projects} | {i.year for i in items}
    existing: dict[tuple, Project] = {}
    for project in Project.objects.filter(year__in=years - {None}, unit__code__in=unit_codes).select_related(
        "unit", "evaluation", "goal", "target_set"
    ):
        existing[(project.year, project.unit.code, "name", project.name)] = project
        if project.code:
            existing[(project.year, project.unit.code, "code", project.code)] = project
    return Known(units, departments, existing)


@dataclass
class Matches:
    """Each project row under its keys, and each indicator row with its project: a row of the 项目 sheet, or
    else a project already in the database (keyed ``("db", pk)``, in ``db_only``)."""

    existing: dict[tuple, Project]
    listed: dict[tuple, ProjectRow] = field(default_factory=dict)
    by_project: dict[tuple, list[IndicatorRow]] = field(default_factory=lambda: defaultdict(list))
    db_only: dict[tuple, Project] = field(default_factory=dict)

    def find(self, key: tuple) -> Project | None:
        """The database's project for a file's key; a code may be new to a project known by name."""
        project = self.existing.get(key)
        if project is None and key[2] == "code" and key in self.listed:
            candidate = self.existing.get((key[0], key[1], "name", self.listed[key].name))
            project = candidate if candidate is not None and not candidate.code else None
        return project


def match_rows(projects: list[ProjectRow], items: list[IndicatorRow], existing: dict[tuple, Project]) -> Matches:
    """Each project once in the file, each indicator row's project found (problems on the rows)."""
    matches = Matches(existing)
    names: dict[tuple, ProjectRow] = {}
    for p in projects:
        if p.key in matches.listed:
            p.row.error("项目编码" if p.code else "项目名称", f"与第{matches.listed[p.key].row.number}行是同一个项目")
        elif (p.year, p.unit_code, p.name) in names:
            p.row.error("项目名称", f"与第{names[(p.year, p.unit_code, p.name)].row.number}行的项目同名")
        matches.listed.setdefault(p.key, p)
        names.setdefault((p.year, p.unit_code, p.name), p)
        if p.code:
            matches.listed.setdefault((p.year, p.unit_code, "name", p.name), p)
    for item in items:
        if item.year is None or not item.unit_code:
            continue
        row = matches.listed.get(item.key)
        if row is not None:
            matches.by_project[row.key].append(item)
            continue
        project = matches.find(item.key)
        if project is None:
            column = "项目编码" if item.project_code else "项目名称"
            label = item.project_code or item.project_name
            item.row.error(column, f"项目“{label}”既不在“项目”表中，也不在系统中")
            continue
        matches.db_only[("db", project.pk)] = project
        matches.by_project[("db", project.pk)].append(item)
    return matches


def check_projects(projects: list[ProjectRow], units: dict, departments: dict) -> None:
    """One name per department and unit code in the file, and units stay in their department."""
    department_names: dict[str, str] = {}
    unit_seen: dict[str, ProjectRow] = {}
    for p in projects:
        if p.department_code and p.department_name:
            first = department_names.setdefault(p.department_code, p.department_name)
            if first != p.department_name:
                p.row.error(
                    "主管部门", f"部门编码{p.department_code}在本表中有两个名称：“{first}”和“{p.department_name}”"
                )
        if not p.unit_code:
            continue
        first_row = unit_seen.setdefault(p.unit_code, p)
        if first_row.unit_name != p.unit_name or first_row.department_code != p.department_code:
            p.row.error("单位名称", f"单位编码{p.unit_code}与第{first_row.row.number}行的单位名称或主管部门不一致")
        unit = units.get(p.unit_code)
        if unit is not None and p.department_code and unit.department.code != p.department_code:
            p.row.error(
                "主管部门编码",
                f"单位{p.unit_code}属于部门{unit.department.code}，不是{p.department_code}",
            )
        if unit is None and p.department_code in departments and p.unit_name:
            clash = Unit.objects.filter(department=departments[p.department_code], name=p.unit_name).first()
            if clash is not None:
                p.row.error("单位名称", f"部门中已有同名单位“{p.unit_name}”（编码{clash.code or '无'}）")


def check_scope(user, projects: list[ProjectRow], items: list[IndicatorRow], units: dict) -> None:
    if user is None:
        return
    allowed = set(units_for(user).values_list("code", flat=True))
    for entry in [*projects, *items]:
        code = entry.unit_code
        if not code or code in allowed:
            continue
        if code in units:
            entry.row.error("单位编码", f"您无权导入单位{code}的数据")
        elif not user.is_superuser:
            entry.row.error("单位编码", f"单位{code}不存在，只有系统管理员可以新建单位")


def check_weights(project_label: str, items: list[IndicatorRow], notes: list[str] | None = None) -> None:
    """The scorer's checks (``performance.scoring``), named by sheet, row and column: custom weights sum to
    100 with the budget's 10, and an evaluator's score lies in its tier's band.

    Rows without a 分值 under weights that already sum to 100 are breakdown rows (``其中：…``, SPEC section 6):
    imported and shown, not scored; ``notes`` (the import report's) says which rows were read so."""
    if any(item.level1 is None for item in items):
        return
    rows = [
        RowInput(group=item.level1.group, target=item.target_parsed, actual=item.actual, weight=item.weight)
        for item in items
    ]
    if weight_problems(rows):
        _name_weight_problems(project_label, items, rows)
        return
    applicable = [item.counts for item in items]
    weights, _problems = row_weights(rows, applicable)
    breakdown = breakdown_rows(rows, applicable)
    for item, weight, detail in zip(items, weights, breakdown, strict=True):
        if detail:
            continue
        if item.evaluator_score is not None:
            _check_band(item, weight)
    plain_qizhong = [
        item.row.number
        for item, detail in zip(items, breakdown, strict=True)
        if not detail and item.counts and item.name.lstrip().startswith("其中")
    ]
    if plain_qizhong and notes is not None and all(item.weight is None for item in items):
        notes.append(
            f"项目“{project_label}”{items[0].row.sheet}表第{'、'.join(map(str, plain_qizhong))}行以“其中”开头，"
            "但项目未填分值：按默认权重作为普通指标计分"
        )
    if any(breakdown) and notes is not None:
        numbers = "、".join(str(item.row.number) for item, detail in zip(items, breakdown, strict=True) if detail)
        sheet = items[0].row.sheet
        notes.append(
            f"项目“{project_label}”{sheet}表第{numbers}行未填分值，其余指标分值合计已为100分："
            "按分解行（其中）导入，保留并显示，不计分"
        )
        scored = [
            item.row.number for item, detail in zip(items, breakdown, strict=True) if detail and item.score is not None
        ]
        if scored:
            notes.append(
                f"项目“{project_label}”{sheet}表第{'、'.join(map(str, scored))}行为分解行，所填得分仅作记录，不计入总分"
            )


def _name_weight_problems(project_label: str, items: list[IndicatorRow], rows: list[RowInput]) -> None:
    """Where the file's weights break the scorer's rule: the rows without one, or the sum on the first row."""
    missing = [item for item, row in zip(items, rows, strict=True) if weighted(row) and item.weight is None]
    for item in missing:
        item.row.error("分值", f"项目“{project_label}”的其他指标填了分值，此行也须填写")
    total = sum(
        (item.weight or Decimal("0") for item, row in zip(items, rows, strict=True) if weighted(row)), Decimal("0")
    )
    if total + BUDGET_WEIGHT == Decimal("100"):
        return
    items[0].row.error(
        "分值",
        f"项目“{project_label}”的指标分值合计{total:.2f}，加预算执行率{BUDGET_WEIGHT:.0f}分"
        f"共{total + BUDGET_WEIGHT:.2f}分，应为100分",
    )


def _check_band(item: IndicatorRow, weight: Decimal) -> None:
    """An evaluator's score within the row's weight and its tier's band; without a tier (in an older file), the
    band's tier. A score outside is noted on the row (``band_problem``) and refused where the file changes the
    score or the tier (``write``): one already saved as a draft, which the entry page keeps and flags, comes back
    as it was."""
    score = item.evaluator_score
    if score > weight:
        item.band_problem = f"得分{score:.2f}超过分值{weight:.2f}"
        return
    ratio = tier_ratio(score, weight)
    if not item.tier and not item.tier_given:
        item.tier = band_of(ratio)
    elif item.tier and not in_band(item.tier, ratio):
        low, high, high_included, _default = TIER_BANDS[item.tier]
        item.band_problem = (
            f"得分{score:.2f}不在“{ActualResult.Tier(item.tier).label}”的分数区间"
            f"[{weight * low:.2f}, {weight * high:.2f}{']' if high_included else ')'}内"
        )


def refuse_if(problems: list[WorkbookProblem]) -> None:
    """Refuse the file with every problem found, in the workbook's order."""
    if problems:
        problems.sort(key=position)
        raise ImportErrors(problems)


def position(problem: WorkbookProblem) -> tuple:
    """Sheet, row, then column order, so the list reads like the workbook."""
    columns = SHEET_COLUMNS.get(problem.sheet, [])
    column = columns.index(problem.column) if problem.column in columns else -1
    return (problem.sheet != PROJECT_SHEET, problem.row or 0, column)
