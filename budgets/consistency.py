"""Budget consistency checks (勾稽关系, SPEC section 9): totals must equal their parts.

Pure-ish functions over the budgets models: they read attributes of rows already loaded and run
no query of their own (``check_department_year`` is the one entry point that loads rows). Each check
gives a ``Check``: passed or failed, with a sentence naming the figures and the difference, e.g.
``基本支出 636.06 ≠ 人员经费 543.45 + 日常公用经费 92.61 = 636.06，差额 0.00``.

A check whose figures are not given (None) is skipped: a disclosure may leave a figure out, and an
absent figure is not a contradiction.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import FUND_SOURCES, STAGES, AssetLine, Department, DepartmentBudget, ProcurementLine, Project
from .numbers import plain

ZERO = Decimal("0")
CENT = Decimal("0.01")
YUAN = Decimal("0.0001")  # 1 元 in 万元: the precision amounts are stored to


class Severity(models.TextChoices):
    """How serious a finding is; shared by the target review (performance.review)."""

    ERROR = "错误", gettext_lazy("错误")
    WARNING = "警告", gettext_lazy("警告")
    INFO = "提示", gettext_lazy("提示")


class Section(models.TextChoices):
    BUDGET = "budget", gettext_lazy("部门收支")
    CHANGES = "changes", gettext_lazy("比上年增减")
    THREE_PUBLIC = "three_public", gettext_lazy("“三公”经费")
    PROCUREMENT = "procurement", gettext_lazy("政府采购")
    ASSETS = "assets", gettext_lazy("国有资产")
    PROJECTS = "projects", gettext_lazy("项目资金")


@dataclass(frozen=True)
class Check:
    """One consistency check and its outcome."""

    code: str
    section: str
    title: str
    ok: bool
    message: str
    difference: Decimal | None = None
    severity: str = Severity.ERROR
    where: str = ""

    @property
    def section_label(self) -> str:
        return str(Section(self.section).label)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "section": self.section,
            "title": self.title,
            "ok": self.ok,
            "severity": str(self.severity),
            "where": self.where,
            "message": self.message,
            "difference": None if self.difference is None else str(self.difference),
        }


def figure(value: Decimal) -> str:
    """An amount as the disclosure prints it (2 places), with more places only where they matter."""
    shown = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if shown == value:
        return f"{shown:,.2f}"
    text = f"{value.quantize(YUAN, rounding=ROUND_HALF_UP):,f}"
    return text.rstrip("0")


def signed(value: Decimal) -> str:
    return figure(value) if value < 0 else f"+{figure(value)}" if value > 0 else figure(value)


def _sum_check(
    code: str,
    section: str,
    title: str,
    total: tuple[str, Decimal | None],
    parts: list[tuple[str, Decimal | None]],
    *,
    where: str = "",
    severity: str = Severity.ERROR,
) -> Check | None:
    """``total = sum(parts)``; None when the total or every part is not given (parts not given count as 0)."""
    label, value = total
    known = [(name, amount) for name, amount in parts if amount is not None]
    if value is None or not known:
        return None
    parts_sum = sum((amount for _name, amount in known), ZERO)
    difference = value - parts_sum
    ok = difference == 0
    terms = " + ".join(f"{name} {figure(amount)}" for name, amount in known)
    right = terms if len(known) == 1 else f"{terms} = {figure(parts_sum)}"
    if ok:
        message = f"{label} {figure(value)} = {right}"
    else:
        message = _("%(left)s ≠ %(right)s，差额 %(difference)s") % {
            "left": f"{label} {figure(value)}",
            "right": right,
            "difference": signed(difference),
        }
    return Check(code, section, title, ok, message, difference, severity, where)


def _change_check(
    code: str, label: str, this_year: Decimal | None, last_year: Decimal | None, stated: Decimal | None
) -> Check | None:
    """The stated change on last year equals this year minus last year."""
    if this_year is None or last_year is None or stated is None:
        return None
    computed = this_year - last_year
    difference = stated - computed
    ok = difference == 0
    right = f"{label} {figure(this_year)} − 上年 {figure(last_year)} = {signed(computed)}"
    if ok:
        message = f"{label}增减 {signed(stated)} = {right}"
    else:
        message = _("%(label)s增减（公开数） %(stated)s ≠ %(right)s，差额 %(difference)s") % {
            "label": label,
            "stated": signed(stated),
            "right": right,
            "difference": signed(difference),
        }
    return Check(code, Section.CHANGES, _("比上年增减 = 本年 − 上年"), ok, message, difference)


def _kept(checks: Iterable[Check | None]) -> list[Check]:
    return [check for check in checks if check is not None]


# --- the department budget ---------------------------------------------------------------------


def check_totals(budget: DepartmentBudget) -> list[Check]:
    """Income by source, expenditure by kind, income against expenditure, basic spending, project items."""
    b = budget
    items = list(b.project_items.all())
    return _kept(
        [
            _sum_check(
                "income-sources",
                Section.BUDGET,
                _("收入合计 = 各项收入之和"),
                (_("收入合计"), b.income_total),
                [
                    (_("一般公共预算"), b.income_general_budget),
                    (_("基金预算"), b.income_fund_budget),
                    (_("财政专户核拨"), b.income_special_account),
                    (_("其他来源"), b.income_other),
                    (_("上年结转"), b.income_carryover),
                ],
            ),
            _sum_check(
                "expenditure-parts",
                Section.BUDGET,
                _("支出合计 = 基本支出 + 项目支出"),
                (_("支出合计"), b.expenditure_total),
                [(_("基本支出"), b.basic_total), (_("项目支出"), b.project_total)],
            ),
            _sum_check(
                "income-expenditure",
                Section.BUDGET,
                _("收入合计 = 支出合计"),
                (_("收入合计"), b.income_total),
                [(_("支出合计"), b.expenditure_total)],
            ),
            _sum_check(
                "basic-parts",
                Section.BUDGET,
                _("基本支出 = 人员经费 + 日常公用经费"),
                (_("基本支出"), b.basic_total),
                [(_("人员经费"), b.basic_personnel), (_("日常公用经费"), b.basic_public)],
            ),
            _sum_check(
                "project-items",
                Section.BUDGET,
                _("项目支出 = 各项目支出明细之和"),
                (_("项目支出"), b.project_total),
                [(item.name, item.amount) for item in items],
            ),
        ]
    )


def check_changes(budget: DepartmentBudget) -> list[Check]:
    """The stated changes on last year (totals, basic, project) equal this year minus last year."""
    b = budget
    return _kept(
        [
            _change_check("change-total", _("收支合计"), b.expenditure_total, b.last_year_total, b.stated_total_change),
            _change_check("change-basic", _("基本支出"), b.basic_total, b.last_year_basic, b.stated_basic_change),
            _change_check(
                "change-project", _("项目支出"), b.project_total, b.last_year_project, b.stated_project_change
            ),
        ]
    )


def check_three_public(budget: DepartmentBudget) -> list[Check]:
    """三公 total = overseas + vehicles + reception; vehicles = purchase + running; this year and last."""
    checks = []
    for suffix, prefix in (("", ""), ("_last_year", _("上年"))):

        def get(name, suffix=suffix):
            return getattr(budget, f"{name}{suffix}")

        checks += [
            _sum_check(
                f"three-public-parts{suffix.replace('_', '-')}",
                Section.THREE_PUBLIC,
                prefix + _("“三公”经费 = 因公出国（境）费 + 公务用车购置及运维费 + 公务接待费"),
                (prefix + _("“三公”经费合计"), get("three_public_total")),
                [
                    (_("因公出国（境）费"), get("overseas_travel")),
                    (_("公务用车购置及运维费"), get("vehicle_total")),
                    (_("公务接待费"), get("reception")),
                ],
            ),
            _sum_check(
                f"vehicle-parts{suffix.replace('_', '-')}",
                Section.THREE_PUBLIC,
                prefix + _("公务用车购置及运维费 = 购置费 + 运行维护费"),
                (prefix + _("公务用车购置及运维费"), get("vehicle_total")),
                [(_("公务用车购置费"), get("vehicle_purchase")), (_("公务用车运行维护费"), get("vehicle_running"))],
            ),
        ]
    return _kept(checks)


# --- procurement ---------------------------------------------------------------------------------

PROCUREMENT_SOURCES = [
    ("amount_general_budget", gettext_lazy("一般公共预算拨款")),
    ("amount_fund_budget", gettext_lazy("基金预算拨款")),
    ("amount_state_capital", gettext_lazy("国有资本经营预算拨款")),
    ("amount_special_account", gettext_lazy("财政专户核拨")),
    ("amount_unit_funds", gettext_lazy("单位资金")),
]


def _line_where(line: ProcurementLine, number: int) -> str:
    return _("政府采购第%(number)s行 %(item)s") % {"number": number, "item": line.item}


def check_procurement_line(line: ProcurementLine, *, number: int) -> list[Check]:
    """A line's amount = quantity × unit price (to the 元 the amounts are stored to) and = its fund sources."""
    where = _line_where(line, number)
    product = (line.quantity * line.unit_price).quantize(YUAN, rounding=ROUND_HALF_UP)
    difference = line.amount_total - product
    quantity = plain(line.quantity)
    right = f"{_('数量')} {quantity} × {_('单价')} {figure(line.unit_price)} = {figure(product)}"
    if difference == 0:
        message = f"{_('采购金额')} {figure(line.amount_total)} = {right}"
    else:
        message = _("%(left)s ≠ %(right)s，差额 %(difference)s") % {
            "left": f"{_('采购金额')} {figure(line.amount_total)}",
            "right": right,
            "difference": signed(difference),
        }
    checks = [
        Check(
            "procurement-line-amount",
            Section.PROCUREMENT,
            _("采购金额 = 数量 × 单价"),
            difference == 0,
            message,
            difference,
            where=where,
        )
    ]
    checks += _kept(
        [
            _sum_check(
                "procurement-line-sources",
                Section.PROCUREMENT,
                _("采购金额 = 各资金来源之和"),
                (_("采购金额"), line.amount_total),
                [(str(label), getattr(line, name)) for name, label in PROCUREMENT_SOURCES],
                where=where,
            )
        ]
    )
    return checks


def check_procurement(budget: DepartmentBudget, lines: list[ProcurementLine], *, complete: bool = True) -> list[Check]:
    """Every line; and, when ``lines`` are all the department's lines, the stated total and the planned assets.

    Subtotals per unit are not stored (they are computed from the lines wherever they are shown), so
    the stated department total is the figure checked against the lines.
    """
    checks = []
    for number, line in enumerate(lines, start=1):
        checks += check_procurement_line(line, number=line.order or number)
    by_source = defaultdict(list)
    for line in lines:
        if line.source_budget is not None:
            by_source[line.unit_id, line.source_project, line.source_budget].append(line)
    for (_unit_id, source_project, source_budget), source_lines in by_source.items():
        spent = sum((line.amount_total for line in source_lines), ZERO)
        difference = source_budget - spent
        where = f"{source_lines[0].unit} {source_project}"
        relation = "≥" if difference >= 0 else "<"
        message = _("项目预算资金 %(budget)s %(relation)s 该项目采购金额合计 %(spent)s") % {
            "budget": figure(source_budget),
            "relation": relation,
            "spent": figure(spent),
        }
        if difference < 0:
            message += _("，超出 %(over)s") % {"over": figure(-difference)}
        checks.append(
            Check(
                "procurement-within-source",
                Section.PROCUREMENT,
                _("采购金额不超过其项目预算资金"),
                difference >= 0,
                message,
                None if difference >= 0 else difference,
                where=where,
            )
        )
    if complete and lines:
        subtotals: dict = {}
        for line in lines:
            label = _("%(unit)s小计") % {"unit": line.unit.short_name or line.unit.name}
            subtotals[label] = subtotals.get(label, ZERO) + line.amount_total
        checks += _kept(
            [
                _sum_check(
                    "procurement-total",
                    Section.PROCUREMENT,
                    _("政府采购预算合计 = 各单位小计之和"),
                    (_("政府采购预算合计"), budget.procurement_total),
                    list(subtotals.items()),
                )
            ]
        )
    if complete:
        checks += _kept(
            [
                _sum_check(
                    "planned-assets-procurement",
                    Section.PROCUREMENT,
                    _("拟购置固定资产总额与政府采购预算合计"),
                    (_("拟购置固定资产总额"), budget.planned_asset_purchase),
                    [(_("政府采购预算合计"), budget.procurement_total)],
                    severity=Severity.INFO,
                )
            ]
        )
    return checks


# --- assets --------------------------------------------------------------------------------------


def check_assets(lines: list[AssetLine]) -> list[Check]:
    """资产总额 = the item lines (not the 其中 lines); each 其中 line ≤ the item line above it."""
    ordered = sorted(lines, key=lambda line: (line.order, line.pk or 0))
    total = next((line for line in ordered if line.kind == AssetLine.Kind.TOTAL), None)
    items = [line for line in ordered if line.kind == AssetLine.Kind.ITEM]
    checks = []
    if total is not None:
        checks.append(
            _sum_check(
                "assets-total",
                Section.ASSETS,
                _("资产总额 = 各分项之和（不含“其中”）"),
                (total.label, total.value),
                [(line.label, line.value) for line in items],
            )
        )
    parent = None
    for line in ordered:
        if line.kind == AssetLine.Kind.ITEM:
            parent = line
        elif line.kind == AssetLine.Kind.OF_WHICH and parent is not None:
            for field, label in (("value", _("价值")), ("quantity", _("数量"))):
                part, whole = getattr(line, field), getattr(parent, field)
                if part is None or whole is None:
                    continue
                ok = part <= whole
                shown = figure if field == "value" else plain
                message = f"{line.label} {label} {shown(part)} {'≤' if ok else '>'} {parent.label} {shown(whole)}"
                if not ok:
                    message += _("，超出 %(over)s") % {"over": shown(part - whole)}
                checks.append(
                    Check(
                        f"assets-of-which-{field}",
                        Section.ASSETS,
                        _("“其中”不超过其所属分项"),
                        ok,
                        message,
                        None if ok else whole - part,
                    )
                )
    return _kept(checks)


# --- projects ------------------------------------------------------------------------------------

STAGE_LABELS = {
    "initial": gettext_lazy("年初预算数"),
    "full_year": gettext_lazy("全年预算数"),
    "executed": gettext_lazy("全年执行数"),
}
SOURCE_LABELS = {
    "fiscal": gettext_lazy("财政拨款"),
    "carryover": gettext_lazy("上年结转"),
    "other": gettext_lazy("其他资金"),
}


def check_project(project: Project) -> list[Check]:
    """Each stage's total = its fund sources, where the total and a source are given."""
    checks = []
    for stage in STAGES:
        checks.append(
            _sum_check(
                f"project-sources-{stage.replace('_', '-')}",
                Section.PROJECTS,
                _("项目资金合计 = 各资金来源之和"),
                (str(STAGE_LABELS[stage]), getattr(project, f"{stage}_total")),
                [(str(SOURCE_LABELS[source]), getattr(project, f"{stage}_{source}")) for source in FUND_SOURCES],
                where=project.name,
            )
        )
    return _kept(checks)


# --- a department's year -------------------------------------------------------------------------


def check_budget(
    budget: DepartmentBudget | None,
    *,
    projects: Iterable[Project] = (),
    procurement_lines: list[ProcurementLine] | None = None,
    complete: bool = True,
) -> list[Check]:
    """Every check of a department's year on rows already loaded.

    ``procurement_lines`` defaults to all the budget's lines; ``complete=False`` says they are only
    some of them (a user who sees some units), so the department total is not checked against them.
    """
    checks = []
    if budget is not None:
        lines = list(budget.procurement_lines.all()) if procurement_lines is None else procurement_lines
        checks += check_totals(budget)
        checks += check_changes(budget)
        checks += check_three_public(budget)
        checks += check_procurement(budget, lines, complete=complete)
        checks += check_assets(list(budget.asset_lines.all()))
    for project in projects:
        checks += check_project(project)
    return checks


def failures(checks: Iterable[Check]) -> list[Check]:
    """The checks that failed and count as problems (an unequal 提示 is shown, not counted)."""
    return [check for check in checks if not check.ok and check.severity == Severity.ERROR]


def load_budget(department: Department, year: int) -> DepartmentBudget | None:
    """The department's budget of the year with what the checks read (a constant number of queries)."""
    return (
        DepartmentBudget.objects.filter(department=department, year=year)
        .prefetch_related(
            "project_items",
            "asset_lines",
            models.Prefetch(
                "procurement_lines",
                queryset=ProcurementLine.objects.select_related("unit").order_by("unit__order", "order", "id"),
            ),
        )
        .first()
    )


def check_department_year(department: Department, year: int) -> list[Check]:
    """All checks of a department's year: its budget, procurement, assets and every project."""
    budget = load_budget(department, year)
    projects = Project.objects.filter(unit__department=department, year=year).order_by("unit__order", "order", "id")
    return check_budget(budget, projects=projects)
