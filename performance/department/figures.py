"""The figures a department's self-evaluation is prefilled from, each with where it comes from (SPEC section 15).

Read from the data the app holds, in a constant number of queries: the department's budget disclosure, its
projects (money, declared targets, monitoring, self-evaluations, stored scores), its rectification items and its
own indicators. A figure the data cannot give has no ratio and says what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q
from django.utils.translation import gettext as _

from budgets.models import Department, DepartmentBudget, Project
from budgets.templatetags.money import format_money

from ..declaration.models import TargetSet
from ..models import DepartmentGoal, Evaluation, IndicatorCategory, ProjectMonitoring
from ..rectification.models import RectificationItem
from ..scores.models import ProjectScore
from ..scoring import BudgetInput, EvaluationScore, RowInput
from .framework import GROUPS, Figure, ratio
from .models import DepartmentEvaluation, DepartmentIndicator

ZERO = Decimal("0")
GRADES = ("优", "良", "中", "差")


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{(value * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


@dataclass(frozen=True)
class Spending:
    """The department's budget and execution: 基本支出 (its budget disclosed, its execution entered on the
    evaluation) and 项目支出 (its projects' full-year budgets and execution; the disclosed 项目支出 where the
    projects carry no amounts). None where the data does not give the figure."""

    basic_full_year: Decimal | None
    basic_executed: Decimal | None
    project_full_year: Decimal | None
    project_executed: Decimal | None
    projects: int
    project_budget_disclosed: bool = False  # project_full_year is the disclosure's 项目支出, not the projects' sum

    @property
    def full_year(self) -> Decimal | None:
        return _sum(self.basic_full_year, self.project_full_year)

    @property
    def executed(self) -> Decimal | None:
        return _sum(self.basic_executed, self.project_executed)


def _sum(*parts: Decimal | None) -> Decimal | None:
    return None if any(part is None for part in parts) else sum(parts, ZERO)


def _all_known(values: list[Decimal | None]) -> Decimal | None:
    return sum(values, ZERO) if values and all(value is not None for value in values) else None


def spending(
    projects: list[Project], budget: DepartmentBudget | None, evaluation: DepartmentEvaluation | None
) -> Spending:
    basic_full_year = evaluation.basic_full_year if evaluation else None
    if basic_full_year is None and budget is not None:
        basic_full_year = budget.basic_total
    project_full_year = _all_known([p.total("full_year") or p.total("initial") for p in projects])
    disclosed = project_full_year is None and budget is not None and budget.project_total is not None
    return Spending(
        basic_full_year=basic_full_year,
        basic_executed=evaluation.basic_executed if evaluation else None,
        project_full_year=budget.project_total if disclosed else project_full_year,
        project_executed=_all_known([p.total("executed") for p in projects]),
        projects=len(projects),
        project_budget_disclosed=disclosed,
    )


def _amount(value: Decimal | None) -> str:
    return format_money(value, _("未填写"))


def execution_figure(money: Spending) -> Figure:
    rate = None
    if money.full_year is not None and money.executed is not None:
        rate = ratio(money.executed, money.full_year)
    shown = _("%(executed)s / %(budget)s 万元（%(rate)s）；基本支出 %(be)s / %(bb)s，项目支出 %(pe)s / %(pb)s") % {
        "executed": _amount(money.executed),
        "budget": _amount(money.full_year),
        "rate": percent(rate),
        "be": _amount(money.basic_executed),
        "bb": _amount(money.basic_full_year),
        "pe": _amount(money.project_executed),
        "pb": _amount(money.project_full_year),
    }
    source = _(
        "项目支出：本年度 %(n)s 个项目的全年预算数与全年执行数之和；"
        "基本支出：部门自评填写（全年预算数缺省取预算公开的基本支出）。"
    ) % {"n": money.projects}
    if money.project_budget_disclosed:
        source += _("项目没有填写预算数，项目支出预算取预算公开数。")
    missing = []
    if money.basic_full_year is None:
        missing.append(_("基本支出的全年预算数未知。"))
    if money.basic_executed is None:
        missing.append(_("基本支出的全年执行数未填写（预算公开只有预算数）。"))
    if money.project_full_year is None:
        missing.append(_("项目支出的全年预算数未知。"))
    if money.project_executed is None:
        missing.append(_("有项目未填写全年执行数。"))
    if not missing and rate is None:
        missing.append(_("全年预算数为 0，无法计算执行率。"))
    if missing:
        missing.append(_("部门预算执行率暂不能计算。"))
    return Figure("execution_rate", _("部门预算执行率"), shown, rate, source, "".join(missing))


def _share(key: str, label: str, count: int, total: int, source: str) -> Figure:
    share = ratio(count, total)
    shown = _("%(count)s / %(total)s 个项目（%(share)s）") % {"count": count, "total": total, "share": percent(share)}
    missing = "" if total else _("本年度没有项目。")
    return Figure(key, label, shown, share, source, missing)


def project_figures(department: Department, year: int, projects: list[Project]) -> dict[str, Figure]:
    ids = [p.pk for p in projects]
    total = len(ids)
    approved_targets = TargetSet.objects.filter(project_id__in=ids, status=TargetSet.Status.APPROVED).count()
    monitored = (
        ProjectMonitoring.objects.filter(
            project_id__in=ids,
            round__year=year,
            status__in=(ProjectMonitoring.Status.SUBMITTED, ProjectMonitoring.Status.APPROVED),
        )
        .values("project_id")
        .distinct()
        .count()
    )
    evaluations = Evaluation.objects.filter(project_id__in=ids).aggregate(
        evaluated=Count("pk", filter=Q(status__in=(Evaluation.Status.SUBMITTED, Evaluation.Status.APPROVED))),
        approved=Count("pk", filter=Q(status=Evaluation.Status.APPROVED)),
    )
    return {
        "targets_approved": _share(
            "targets_approved",
            _("绩效目标已审核的项目"),
            approved_targets,
            total,
            _("项目绩效目标申报（状态：已审核）"),
        ),
        "monitored": _share(
            "monitored", _("已开展运行监控的项目"), monitored, total, _("本年度绩效运行监控（状态：已提交或已审核）")
        ),
        "self_evaluated": _share(
            "self_evaluated",
            _("已完成自评的项目"),
            evaluations["evaluated"],
            total,
            _("项目绩效自评（状态：已提交或已审核）"),
        ),
        "evaluations_approved": _share(
            "evaluations_approved",
            _("自评已审核的项目"),
            evaluations["approved"],
            total,
            _("项目绩效自评（状态：已审核）"),
        ),
        "grades": grades_figure(ids),
    }


def grades_figure(ids: list[int]) -> Figure:
    scores = ProjectScore.objects.filter(project_id__in=ids, complete=True)
    counts = dict(scores.values_list("grade").annotate(n=Count("pk")).values_list("grade", "n"))
    average = scores.aggregate(average=Avg("total"))["average"]
    source = _("项目自评的计分结果（只计全部填报完成的项目）")
    distribution = "，".join(f"{grade} {counts.get(grade, 0)}" for grade in GRADES)
    if average is None:
        return Figure(
            "grades", _("项目自评等级分布与平均分"), distribution, None, source, _("还没有全部填报完成的项目自评。")
        )
    average = Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    shown = _("%(distribution)s；平均 %(average)s 分") % {"distribution": distribution, "average": average}
    return Figure("grades", _("项目自评等级分布与平均分"), shown, ratio(average, 100), source)


def three_public_figure(budget: DepartmentBudget | None) -> Figure:
    """三公 this year against last year; a year that did not grow scores 1, one that grew last/this."""
    source = _("部门预算公开：财政拨款“三公”经费本年与上年预算数")
    label = _("“三公”经费与上年比较")
    if budget is None or budget.three_public_total is None or budget.three_public_total_last_year is None:
        return Figure("three_public", label, "—", None, source, _("部门预算公开中没有本年或上年的“三公”经费数。"))
    this, last = budget.three_public_total, budget.three_public_total_last_year
    change = this - last
    shown = _("本年 %(this)s，上年 %(last)s，增减 %(change)s 万元") % {
        "this": format_money(this),
        "last": format_money(last),
        "change": format_money(change),
    }
    share = Decimal("1") if this <= last else ratio(last, this)
    return Figure("three_public", label, shown, share, source)


def disclosure_figures(department: Department, year: int, budget: DepartmentBudget | None) -> dict[str, Figure]:
    goals = DepartmentGoal.objects.filter(department=department, year=year).count()
    budget_shown = _("已公开") if budget is not None else _("未见公开记录")
    performance_shown = (
        _("已公开部门整体绩效目标 %(n)s 条") % {"n": goals} if goals else _("未见公开的部门整体绩效目标")
    )
    return {
        "budget_disclosed": Figure(
            "budget_disclosed",
            _("部门预算公开"),
            budget_shown,
            Decimal(budget is not None),
            _("导入的部门预算信息公开文本（%(year)s 年）") % {"year": year},
        ),
        "performance_disclosed": Figure(
            "performance_disclosed",
            _("绩效信息公开"),
            performance_shown,
            Decimal(goals > 0),
            _("部门预算信息公开文本第一部分“部门整体绩效目标”"),
        ),
    }


def rectification_figure(department: Department, year: int) -> Figure:
    items = RectificationItem.objects.filter(unit__department=department, year=year).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(status=RectificationItem.Status.DONE))
    )
    source = _("整改事项（状态：已完成）")
    if not items["total"]:
        return Figure(
            "rectification_closed", _("整改事项完成"), _("没有整改事项"), None, source, _("本年度没有整改事项。")
        )
    share = ratio(items["done"], items["total"])
    shown = _("%(done)s / %(total)s 项已完成（%(share)s）") % {**items, "share": percent(share)}
    return Figure("rectification_closed", _("整改事项完成"), shown, share, source)


def indicator_rows(indicators: list[DepartmentIndicator]) -> list[RowInput]:
    groups = {c.pk: c.group for c in IndicatorCategory.objects.filter(level=1)}
    return [
        RowInput(
            group=groups.get(i.level1_id, ""),
            target=i.parsed_target,
            actual=i.actual,
            deviation_reason=i.deviation_reason,
            name=i.name,
        )
        for i in indicators
    ]


def indicator_figures(parts: dict[str, tuple[Decimal, Decimal]], score: EvaluationScore | None) -> dict[str, Figure]:
    names = {
        "output": _("产出指标"),
        "effect": _("效益指标"),
        "satisfaction": _("满意度指标"),
        "indicators": _("部门整体绩效指标"),
    }
    figures = {}
    for key in (*GROUPS, "indicators"):
        earned, available = parts.get(key, (ZERO, ZERO))
        share = ratio(earned, available)
        shown = _("得分 %(earned)s / %(available)s") % {"earned": earned, "available": available}
        missing = "" if share is not None else _("没有可计分的部门整体绩效指标（请先录入指标及实际完成值）。")
        figures[key] = Figure(key, names[key], shown, share, _("部门整体绩效指标，按规格说明第 6 节计分"), missing)
    return figures


def budget_input(money: Spending) -> BudgetInput:
    return BudgetInput(full_year=money.full_year, executed=money.executed)
