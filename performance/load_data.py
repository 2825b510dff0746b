"""A deterministic synthetic department for load tests and benchmarks.

``generate_load_data(units=, projects_per_unit=, indicators_per_project=, seed=, year=, department_code=)``
writes one department with ``units`` units, each with ``projects_per_unit`` projects of
``indicators_per_project`` indicators, their actual results, money by fund source and
self-evaluations in a mix of statuses. The same arguments always give the same data.

The targets follow the seed disclosure's and SPEC section 4's patterns (12次, 2000人, 1.8万人, ≤81万元,
≥95%, 2021年12月31日前, 2021.3.1-2021.12.31, 效果显著, /) under the standard level-1/level-2 categories;
most actuals meet their target, some miss it (with a deviation reason), qualitative rows carry a tier
and an evaluator score inside the tier's band (SPEC section 6).

Everything is written with ``bulk_create`` in a few dozen queries: no ``save()``, no signals and no
django-simple-history rows (generated data has no editing history to show). ``target_kind`` and
``target_parsed`` are filled as ``Indicator.save()`` would, from one ``parse_target`` per distinct text.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from budgets.models import Department, Project, Unit

from .models import ActualResult, Evaluation, Indicator, IndicatorCategory, ProjectGoal
from .planner import analyze
from .scores.models import IndicatorScore, ProjectScore
from .scores.store import rescore
from .scoring import TIER_BANDS, default_weights
from .targets import Kind, is_cost, parse_target

CENT = Decimal("0.01")
BATCH = 2000
Tier = ActualResult.Tier
Status = Evaluation.Status

# (level 1, level 2, 三级指标, target, actual when met, actual when missed); "{y}" is the year.
# A missed actual of None means the row is qualitative: it misses by a lower tier instead.
TEMPLATES = [
    ("产出指标", "数量指标", "举办科普活动次数", "12次", "12次", "10次"),
    ("产出指标", "数量指标", "培训人数", "2000人", "2150人", "1850人"),
    ("产出指标", "数量指标", "受益群众人数", "1.8万人", "1.9万人", "1.6万人"),
    ("产出指标", "数量指标", "发放宣传资料", "≥5000份", "5200份", "4300份"),
    ("产出指标", "质量指标", "验收合格率", "≥95%", "98%", "91%"),
    ("产出指标", "质量指标", "活动覆盖率", "100%", "100%", "92%"),
    ("产出指标", "时效指标", "项目完成时间", "{y}年12月31日前", "{y}年12月20日", None),
    ("产出指标", "时效指标", "项目实施周期", "{y}.3.1-{y}.12.31", "{y}年11月30日", None),
    ("产出指标", "成本指标", "项目总成本", "≤81万元", "78.6万元", "84万元"),
    ("产出指标", "成本指标", "单次活动成本", "≤2万元", "1.8万元", "2.3万元"),
    ("效益指标", "社会效益指标", "公众科学素质提升", "效果显著", "达成年度指标", None),
    ("效益指标", "社会效益指标", "社会影响力", "明显提升", "达成年度指标", None),
    ("效益指标", "经济效益指标", "带动相关产业发展", "/", "/", "/"),
    ("效益指标", "可持续影响指标", "长效机制建设", "持续发挥作用", "达成年度指标", None),
    ("效益指标", "生态效益指标", "节能减排", "/", "/", "/"),
    ("满意度指标", "服务对象满意度指标", "参与群众满意度", "≥90%", "95%", "86%"),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥95%", "97%", "92%"),
]
# Indicators a project always starts with (one per scoring group), then drawn from the rest.
CORE = [0, 4, 6, 8, 10, 15]
PROJECT_NAMES = [
    "科普活动",
    "科技馆运行",
    "学会服务",
    "人才培训",
    "信息化建设",
    "青少年科技教育",
    "基层科普",
    "学术交流",
]
UNIT_KINDS = ["科学技术协会", "科技馆", "科普中心", "学会服务中心", "培训中心"]
STATUS_WEIGHTS = [(Status.DRAFT, 30), (Status.SUBMITTED, 25), (Status.RETURNED, 10), (Status.APPROVED, 35)]
MISSED_SHARE = 0.12  # share of measurable rows that miss their target
REASON = "受客观因素影响，部分活动延期，下一步将加强计划管理，确保按期完成。"
BUDGET_REASON = "部分采购项目延期支付，下一步将加快预算执行进度。"


@dataclass(frozen=True)
class LoadDataSummary:
    department: Department
    units: int
    projects: int
    indicators: int
    results: int
    evaluations: int


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    """An amount in 万元 with 2 places, between ``low`` and ``high`` hundredths."""
    return Decimal(rng.randint(low, high)) * CENT


def _pick_templates(rng: random.Random, count: int) -> list[int]:
    core = CORE[:count]
    rest = [i for i in range(len(TEMPLATES)) if i not in core]
    extra = [rest[rng.randrange(len(rest))] for _i in range(count - len(core))]
    return sorted(core + extra)  # the framework's order: 产出, 效益, 满意度


class _Framework:
    def __init__(self):
        categories = list(IndicatorCategory.objects.select_related("parent"))
        self.level1 = {c.name: c for c in categories if c.level == 1}
        self.level2 = {(c.parent.name, c.name): c for c in categories if c.level == 2}


def generate_load_data(
    *,
    units: int,
    projects_per_unit: int,
    indicators_per_project: int,
    seed: int = 1,
    year: int = 2021,
    department_code: str = "900",
) -> LoadDataSummary:
    """Write the synthetic department (see the module text); refuses a department code already in use."""
    if min(units, projects_per_unit, indicators_per_project) < 1:
        raise ValueError("单位数、每单位项目数和每项目指标数都必须至少为1。")
    if Department.objects.filter(code=department_code).exists():
        raise ValueError(f"部门编码“{department_code}”已存在，请换一个编码（--department）。")
    rng = random.Random(seed)  # noqa: S311 - reproducible fake data, not secrets
    framework = _Framework()
    parsed: dict[tuple[str, bool], object] = {}
    weights_cache: dict[tuple, list[Decimal]] = {}

    with transaction.atomic():
        department = Department.objects.create(
            code=department_code, name=f"压力测试部门{department_code}", short_name=f"测试{department_code}"
        )
        unit_rows = [
            Unit(
                department=department,
                code=f"{department_code}{n:03d}" if units < 1000 else f"{department_code}{n:04d}",
                name=f"第{n}{UNIT_KINDS[n % len(UNIT_KINDS)]}",
                nature=Unit.Nature.INSTITUTION if n % 3 else Unit.Nature.ADMINISTRATIVE,
                funding_form=Unit.FundingForm.FISCAL,
                order=n,
            )
            for n in range(1, units + 1)
        ]
        Unit.objects.bulk_create(unit_rows, batch_size=BATCH)

        projects, plans = [], []
        for unit in unit_rows:
            for n in range(1, projects_per_unit + 1):
                project, plan = _project(rng, unit, n, year)
                projects.append(project)
                plans.append(plan)
        Project.objects.bulk_create(projects, batch_size=BATCH)

        goals, evaluations, indicators, results = [], [], [], []
        for project, plan in zip(projects, plans, strict=True):
            goals.append(ProjectGoal(project=project, text=f"{year}年完成{project.name}各项任务，提升公众科学素质。"))
            status, rate_low = plan
            evaluations.append(
                Evaluation(
                    project=project,
                    status=status,
                    goal_actual=f"{project.name}按计划实施，年度目标基本完成。",
                    budget_deviation_reason=BUDGET_REASON if rate_low else "",
                    version=1,
                )
            )
            chosen = _pick_templates(rng, indicators_per_project)
            rows, seen = [], Counter()
            for order, index in enumerate(chosen, start=1):
                level1, level2, name, target, met, missed = TEMPLATES[index]
                target = target.format(y=year)
                seen[name] += 1
                cost = is_cost(level1, level2)
                key = (target, cost)
                if key not in parsed:
                    parsed[key] = parse_target(target, cost=cost)
                target_parsed = parsed[key]
                indicator = Indicator(
                    project=project,
                    level1=framework.level1[level1],
                    level2=framework.level2[(level1, level2)],
                    name=name if seen[name] == 1 else f"{name}{seen[name]}",
                    description=f"{name}的完成情况",
                    target=target,
                    target_kind=target_parsed.kind,
                    target_parsed=target_parsed.as_json(),
                    basis="计划标准",
                    order=order,
                )
                indicators.append(indicator)
                rows.append((indicator, framework.level1[level1].group, target_parsed, met, missed))
            results.extend(_results(rng, rows, weights_cache, year))
        ProjectGoal.objects.bulk_create(goals, batch_size=BATCH)
        Evaluation.objects.bulk_create(evaluations, batch_size=BATCH)
        Indicator.objects.bulk_create(indicators, batch_size=BATCH)
        ActualResult.objects.bulk_create(results, batch_size=BATCH)
        rescore([project.pk for project in projects])  # bulk_create sends no signal: the scores, stored
    analyze([Unit, Project, ProjectGoal, Evaluation, Indicator, ActualResult, ProjectScore, IndicatorScore])
    return LoadDataSummary(department, len(unit_rows), len(projects), len(indicators), len(results), len(evaluations))


def _project(rng: random.Random, unit: Unit, n: int, year: int) -> tuple[Project, tuple]:
    """A project with its money by fund source (万元, at most 81) and the plan of its evaluation."""
    fiscal = _money(rng, 500, 6000)
    carryover = _money(rng, 0, 1000) if rng.random() < 0.3 else Decimal("0.00")
    other = _money(rng, 0, 1000) if rng.random() < 0.2 else Decimal("0.00")
    full_year = fiscal + carryover + other
    initial_fiscal = fiscal if rng.random() < 0.7 else (fiscal * Decimal("0.9")).quantize(CENT)
    rate = Decimal(rng.choice([100, 100, 100, 99, 98, 96, 95, 93, 91, 88, 80, 72])) / 100
    status = rng.choices([s for s, _w in STATUS_WEIGHTS], weights=[w for _s, w in STATUS_WEIGHTS])[0]
    executed = {
        "fiscal": (fiscal * rate).quantize(CENT, rounding=ROUND_HALF_UP),
        "carryover": (carryover * rate).quantize(CENT, rounding=ROUND_HALF_UP),
        "other": (other * rate).quantize(CENT, rounding=ROUND_HALF_UP),
    }
    executed_total = sum(executed.values(), Decimal("0"))
    project = Project(
        unit=unit,
        year=year,
        code=f"{unit.code}-{year}-{n:03d}",
        name=f"{unit.name}{year}年{PROJECT_NAMES[n % len(PROJECT_NAMES)]}项目{n}",
        order=n,
        initial_total=initial_fiscal + carryover,
        initial_fiscal=initial_fiscal,
        initial_carryover=carryover,
        initial_other=Decimal("0.00"),
        full_year_total=full_year,
        full_year_fiscal=fiscal,
        full_year_carryover=carryover,
        full_year_other=other,
        executed_total=executed_total,
        executed_fiscal=executed["fiscal"],
        executed_carryover=executed["carryover"],
        executed_other=executed["other"],
    )
    rate_low = full_year and executed_total / full_year < Decimal("0.9")
    return project, (status, bool(rate_low))


def _results(rng: random.Random, rows: list[tuple], weights_cache: dict, year: int) -> list[ActualResult]:
    """The actual results of one project's rows: most met, some missed, qualitative rows by tier."""
    applicable = tuple((group, target.kind != Kind.NOT_APPLICABLE) for _indicator, group, target, _met, _missed in rows)
    if applicable not in weights_cache:
        groups = [group for group, used in applicable if used]
        defaults = iter(default_weights(groups))
        weights_cache[applicable] = [next(defaults) if used else Decimal("0") for _group, used in applicable]
    weights = weights_cache[applicable]
    results = []
    for (indicator, _group, target, met, missed), weight in zip(rows, weights, strict=True):
        by_tier = target.kind == Kind.QUALITATIVE
        fails = rng.random() < MISSED_SHARE
        if target.kind == Kind.NOT_APPLICABLE:
            results.append(ActualResult(indicator=indicator, actual="/"))
        elif target.kind == Kind.DATE and not fails:
            results.append(ActualResult(indicator=indicator, actual=met.format(y=year)))
        elif not by_tier and missed is not None:
            results.append(
                ActualResult(
                    indicator=indicator,
                    actual=(missed if fails else met).format(y=year),
                    deviation_reason=REASON if fails else "",
                )
            )
        else:
            tier = rng.choice([Tier.PARTIAL, Tier.MISSED]) if fails else Tier.MET
            low, high, _closed, _default = TIER_BANDS[tier]
            # A score strictly inside the band (a met row may reach the full weight).
            ratio = low + (high - low) * Decimal(rng.randint(5, 95 if tier != Tier.MET else 100)) / 100
            score = (weight * ratio).quantize(CENT, rounding=ROUND_HALF_UP)
            if tier != Tier.MET and score >= (weight * high).quantize(CENT):
                score -= CENT
            actual = met.format(y=year) if tier == Tier.MET else ActualResult.Tier(tier).label
            needs_reason = score < weight
            results.append(
                ActualResult(
                    indicator=indicator,
                    actual=actual,
                    tier=tier,
                    evaluator_score=score,
                    deviation_reason=REASON if needs_reason else "",
                )
            )
    return results
