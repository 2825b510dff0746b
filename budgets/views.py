"""Read-only pages: the home page and a department's year as its disclosure shows it."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from .consistency import Section, Severity, check_budget, failures, load_budget
from .models import DepartmentBudget, ProcurementLine, Project, Unit
from .permissions import departments_for, projects_for, units_for, year_scopes_for

PROCUREMENT_SOURCES = (
    "amount_general_budget",
    "amount_fund_budget",
    "amount_state_capital",
    "amount_special_account",
    "amount_unit_funds",
)


@login_required
def home(request):
    """The departments and years the user may open."""
    departments = list(departments_for(request.user).order_by("code"))
    years: dict[int, set[int]] = {department.pk: set() for department in departments}
    spending: dict[tuple[int, int], Decimal | None] = {}
    budgets = DepartmentBudget.objects.filter(department__in=departments).values_list(
        "department_id", "year", "expenditure_total"
    )
    for department_id, year, expenditure_total in budgets:
        years[department_id].add(year)
        spending[department_id, year] = expenditure_total
    project_counts: dict[tuple[int, int], int] = {}
    for department_id, year in projects_for(request.user).values_list("unit__department_id", "year"):
        if department_id in years:
            years[department_id].add(year)
            project_counts[department_id, year] = project_counts.get((department_id, year), 0) + 1
    rows = [
        {
            "department": department,
            "years": [
                {
                    "year": year,
                    "projects": project_counts.get((department.pk, year), 0),
                    "expenditure_total": spending.get((department.pk, year)),
                }
                for year in sorted(years[department.pk], reverse=True)
            ],
        }
        for department in departments
    ]
    return render(request, "budgets/home.html", {"rows": rows})


@login_required
def department_detail(request, code: str, year: int):
    """A department's year: duties, units, budget figures, goals, project goal tables, procurement, assets."""
    department = get_object_or_404(departments_for(request.user), code=code)
    budget = (
        DepartmentBudget.objects.filter(department=department, year=year)
        .prefetch_related("project_items", "asset_lines")
        .first()
    )
    projects = list(
        projects_for(request.user)
        .filter(unit__department=department, year=year)
        .select_related("unit", "goal")
        .prefetch_related("indicators__level1", "indicators__level2")
        .order_by("unit__order", "unit__code", "order", "id")
    )
    goals = list(department.goals.filter(year=year))
    if budget is None and not projects and not goals:
        raise Http404(_("没有该年度的数据。"))
    procurement = _procurement_groups(
        ProcurementLine.objects.filter(budget=budget, unit__in=units_for(request.user))
        .select_related("unit")
        .order_by("unit__order", "unit__code", "order", "id")
        if budget
        else []
    )
    other_years = sorted(
        {*department.budgets.values_list("year", flat=True)}
        | {*projects_for(request.user).filter(unit__department=department).values_list("year", flat=True)},
        reverse=True,
    )
    context = {
        "department": department,
        "year": year,
        "other_years": other_years,
        "budget": budget,
        "duties": list(department.duties.all()),
        "units": list(department.units.all()),
        "changes": _changes(budget) if budget else [],
        "three_public": _three_public(budget) if budget else [],
        "goals": goals,
        "sub_goals": list(department.sub_goals.filter(year=year)),
        "measures": list(department.guarantee_measures.filter(year=year)),
        "main_tasks": list(department.main_tasks.filter(year=year)),
        "department_indicators": list(department.indicators.filter(year=year).select_related("level1", "level2")),
        "project_tables": [_goal_table(project) for project in projects],
        "procurement": procurement,
        "asset_lines": list(budget.asset_lines.all()) if budget else [],
        "sheet_scopes": year_scopes_for(request.user, year, department=department.code),
    }
    return render(request, "budgets/department_detail.html", context)


def _difference(this_year: Decimal | None, last_year: Decimal | None) -> Decimal | None:
    if this_year is None or last_year is None:
        return None
    return this_year - last_year


def _changes(budget: DepartmentBudget) -> list[dict]:
    """This year, last year and the change, as stated (or computed where the disclosure gives no figure)."""
    rows = [
        (_("收支合计"), budget.expenditure_total, budget.last_year_total, budget.stated_total_change, ""),
        (
            _("基本支出"),
            budget.basic_total,
            budget.last_year_basic,
            budget.stated_basic_change,
            budget.basic_change_reason,
        ),
        (
            _("项目支出"),
            budget.project_total,
            budget.last_year_project,
            budget.stated_project_change,
            budget.project_change_reason,
        ),
    ]
    return [
        {
            "label": label,
            "this_year": this_year,
            "last_year": last_year,
            "change": stated if stated is not None else _difference(this_year, last_year),
            "reason": reason,
        }
        for label, this_year, last_year, stated, reason in rows
    ]


def _three_public(budget: DepartmentBudget) -> list[dict]:
    """The 三公 table; ``of_which`` marks the indented parts of 公务用车 ("first" carries the 其中：)."""
    rows = [
        (_("“三公”经费合计"), "three_public_total", ""),
        (_("因公出国（境）费"), "overseas_travel", ""),
        (_("公务用车购置及运维费"), "vehicle_total", ""),
        (_("公务用车购置费"), "vehicle_purchase", "first"),
        (_("公务用车运行维护费"), "vehicle_running", "next"),
        (_("公务接待费"), "reception", ""),
    ]
    result = []
    for label, field_name, of_which in rows:
        this_year = getattr(budget, field_name)
        last_year = getattr(budget, f"{field_name}_last_year")
        result.append(
            {
                "label": label,
                "of_which": of_which,
                "this_year": this_year,
                "last_year": last_year,
                "change": _difference(this_year, last_year),
            }
        )
    return result


def _goal_table(project: Project) -> dict:
    """A project's goal table in the seed's layout, 一级 cells merged down their consecutive rows."""
    indicators = list(project.indicators.all())
    labels = [indicator.level1_as_written or indicator.level1.name for indicator in indicators]
    rows = []
    for index, indicator in enumerate(indicators):
        span = 0
        if index == 0 or labels[index - 1] != labels[index]:
            span = 1
            while index + span < len(indicators) and labels[index + span] == labels[index]:
                span += 1
        rows.append({"indicator": indicator, "level1_rowspan": span})
    # A missing goal raises RelatedObjectDoesNotExist, an AttributeError: getattr's default covers it.
    return {"project": project, "goal": getattr(project, "goal", None), "rows": rows}


@dataclass
class ProcurementGroup:
    unit: Unit
    lines: list = field(default_factory=list)
    total: Decimal = Decimal("0")
    sources: dict = field(default_factory=dict)


def _sum_sources(lines) -> dict[str, Decimal | None]:
    sums = {}
    for name in PROCUREMENT_SOURCES:
        known = [getattr(line, name) for line in lines if getattr(line, name) is not None]
        sums[name] = sum(known, Decimal("0")) if known else None
    return sums


def _procurement_groups(lines) -> dict:
    """Lines grouped by unit, each group with its subtotal, and the total of all visible lines."""
    groups: list[ProcurementGroup] = []
    for line in lines:
        if not groups or groups[-1].unit.pk != line.unit_id:
            groups.append(ProcurementGroup(unit=line.unit))
        groups[-1].lines.append(line)
    all_lines = []
    for group in groups:
        group.total = sum((line.amount_total for line in group.lines), Decimal("0"))
        group.sources = _sum_sources(group.lines)
        all_lines.extend(group.lines)
    return {
        "groups": groups,
        "total": sum((line.amount_total for line in all_lines), Decimal("0")),
        "sources": _sum_sources(all_lines),
    }


FOLD_CHECKS = 8  # a section with more checks shows its failures and folds the passed ones


@login_required
def consistency(request, code: str, year: int):
    """A department's year checked for consistency (勾稽关系, SPEC section 9): every check, failures first."""
    department = get_object_or_404(departments_for(request.user), code=code)
    budget = load_budget(department, year)
    projects = list(
        projects_for(request.user)
        .filter(unit__department=department, year=year)
        .select_related("unit")
        .order_by("unit__order", "unit__code", "order", "id")
    )
    if budget is None and not projects:
        raise Http404(_("没有该年度的数据。"))
    visible_units = set(units_for(request.user).filter(department=department).values_list("pk", flat=True))
    complete = visible_units == set(department.units.values_list("pk", flat=True))
    lines = [line for line in budget.procurement_lines.all() if line.unit_id in visible_units] if budget else []
    checks = check_budget(budget, projects=projects, procurement_lines=lines, complete=complete)
    sections = []
    for value, label in Section.choices:
        rows = [check for check in checks if check.section == value]
        if rows:
            rows.sort(key=lambda check: check.ok)
            failed = [check for check in rows if not check.ok]
            sections.append(
                {
                    "label": label,
                    "checks": rows,
                    "failed": len(failed),
                    "failed_checks": failed,
                    "passed_checks": [check for check in rows if check.ok],
                    "folded": len(rows) > FOLD_CHECKS,
                }
            )
    context = {
        "department": department,
        "year": year,
        "budget": budget,
        "sections": sections,
        "checked": len(checks),
        "failures": failures(checks),
        "notes": [check for check in checks if not check.ok and check.severity != Severity.ERROR],
        "complete": complete,
    }
    return render(request, "budgets/consistency.html", context)
