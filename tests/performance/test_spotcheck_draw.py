"""The draw at scale reads the signals the quick way (``signals._below_last_year``: filtered in SQL, each distinct
parse decoded once, only the sample explained): it must give what the straightforward computation gives, row by
row and parse by parse, on data that exercises every way a row can match last year's or not."""

import random
from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest

from budgets.models import Project
from performance.models import ActualResult, Evaluation, Indicator
from performance.spotchecks.risk import below_last_actual, draw, risk_of, sample_size
from performance.spotchecks.services import population, sample
from performance.spotchecks.signals import signals_for
from performance.targets import Kind, Target
from tests.factories import make_indicator, make_project, make_unit

pytestmark = pytest.mark.django_db

# (一级, 二级) of a row: the 二级 differs between years now and then, and then the row is another indicator.
LEVELS = [("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "成本指标")]
TARGETS = [
    "≥12次",
    "12次",
    ">10次",
    "≥10次",
    "≥10人",
    "≤81万元",
    "≥95%",
    "2021年12月31日前",
    "效果显著",
    "/",
    "1.8万人",
]
ACTUALS = [
    "15次",
    "15次",
    "10次",
    "12次",
    "",
    " ",
    "/",
    "很多",
    "98%",
    "1.9万人",
    "≥12次",
    "13人",
    "80万元",
    "达成年度指标",
]
NAMES = ["举办活动次数", "培训人数", "验收合格率", "项目总成本", "受益人数"]
# One project a unit, with these rows last year (name, target, actual), in this order: of two rows with the same
# name but for spaces, the later is last year's (the first 举办活动次数 would flag this year's) ...
LAST_YEARS = [
    ("举办活动次数", "≥10次", "15次"),
    ("受益人数", "10次", "12次"),
    ("培训人数", "≥12人", "≥12人"),
    ("举办活动次数 ", "≥10次", "8次"),
]
# ... and these this year: 受益人数 and 培训人数 are below last year's actual, 举办活动次数 is not.
THIS_YEARS = [("举办活动次数", "≥10次"), ("受益人数", ">10次"), ("培训人数 ", "≥10人")]
PROJECTS = ["科普活动", "科技馆运行", "学会服务", "人才培训"]


def straightforward_below_last_year(projects) -> Counter:
    """The rule as first written: every row of both years read with its parse, each compared on its own."""
    heads = {p["pk"]: p for p in projects.values("pk", "unit_id", "year", "code", "name")}
    now = Indicator.objects.filter(project_id__in=heads, target_kind=Kind.QUANTITATIVE).values(
        "project_id", "level1_id", "level2_id", "name", "target", "target_parsed"
    )
    last = {}
    for row in Indicator.objects.filter(
        project__unit_id__in={h["unit_id"] for h in heads.values()},
        project__year__in={h["year"] - 1 for h in heads.values()},
        target_kind=Kind.QUANTITATIVE,
        result__isnull=False,
    ).values(
        "project__unit_id",
        "project__year",
        "project__code",
        "project__name",
        "level1_id",
        "level2_id",
        "name",
        "target",
        "target_parsed",
        "result__actual",
    ):
        key = (row["level1_id"], row["level2_id"], row["name"].strip())
        place = (row["project__unit_id"], row["project__year"])
        last[(*place, "code", row["project__code"], *key)] = row
        last[(*place, "name", row["project__name"], *key)] = row
    found = Counter()
    for row in now:
        head = heads[row["project_id"]]
        by = ("code", head["code"]) if head["code"] else ("name", head["name"])
        before = last.get(
            (head["unit_id"], head["year"] - 1, *by, row["level1_id"], row["level2_id"], row["name"].strip())
        )
        if before is None:
            continue
        target = Target.from_json(row["target_parsed"], text=row["target"])
        last_target = Target.from_json(before["target_parsed"], text=before["target"])
        if below_last_actual(target, last_target, before["result__actual"]):
            found[row["project_id"]] += 1
    return found


def straightforward_sample(*, year, seed, size=None, share=None, scope="approved"):
    """Every project's full risk (score and reasons), then the draw: what ``sample`` gives, computed the long way."""
    projects = population(year=year, scope=scope)
    below = straightforward_below_last_year(projects)
    risks = {pk: risk_of(replace(s, below_last_year=below[pk])) for pk, s in signals_for(projects).items()}
    chosen = draw({pk: r.score for pk, r in risks.items()}, sample_size(len(risks), size=size, share=share), seed)
    return [(rank, pk, risks[pk].score, risks[pk].reasons) for rank, pk in enumerate(chosen, start=1)], len(risks)


def build_two_years(rng: random.Random) -> None:
    """Four units, each with last year's projects and this year's: matched by code, by name where this year's has
    no code, or not at all; rows under the same or another 二级, names with stray spaces, every kind of target and
    of actual (empty, not applicable, unreadable, another unit, the target's own text); and in each unit one project
    with rows sure to be flagged and rows whose last year is the later of two."""
    statuses = [Evaluation.Status.APPROVED, Evaluation.Status.SUBMITTED, Evaluation.Status.DRAFT]
    level_of = {name: rng.choice(LEVELS) for name in NAMES}
    for _u in range(4):
        unit = make_unit()
        last, this = make_project(unit=unit, year=2020, code="A"), make_project(unit=unit, year=2021, code="A")
        for name, target, actual in LAST_YEARS:
            ActualResult.objects.create(indicator=make_indicator(project=last, name=name, target=target), actual=actual)
        for name, target in THIS_YEARS:
            make_indicator(project=this, name=name, target=target)
        Evaluation.objects.create(project=this, status=Evaluation.Status.APPROVED)
        for n, name in enumerate(PROJECTS):
            last = make_project(unit=unit, year=2020, name=name, code=rng.choice([f"P{n}", ""]))
            for row_name in rng.sample(NAMES, 4):
                level1, level2 = level_of[row_name]
                indicator = make_indicator(
                    project=last, level1=level1, level2=level2, name=row_name, target=rng.choice(TARGETS)
                )
                if rng.random() < 0.9:
                    ActualResult.objects.create(indicator=indicator, actual=rng.choice(ACTUALS))
            code = rng.choice([f"P{n}", f"P{n}", "", f"Q{n}"])  # the same code, none (by name) or a new one
            this = make_project(unit=unit, year=2021, name=rng.choice([name, name, f"新项目{n}"]), code=code)
            for row_name in rng.sample(NAMES, 4):
                level1, level2 = level_of[row_name] if rng.random() < 0.8 else rng.choice(LEVELS)
                make_indicator(
                    project=this,
                    level1=level1,
                    level2=level2,
                    name=row_name + rng.choice(["", " "]),
                    target=rng.choice(TARGETS),
                )
            Evaluation.objects.create(
                project=this, status=rng.choice(statuses), reported_total=rng.choice([None, Decimal("95")])
            )


@pytest.mark.parametrize("data_seed", [1, 2, 3])
def test_each_projects_targets_below_last_year_are_counted_as_the_straightforward_reading_counts_them(data_seed):
    build_two_years(random.Random(data_seed))  # noqa: S311 - reproducible test data
    projects = Project.objects.filter(year=2021)
    expected = straightforward_below_last_year(projects)
    assert sum(expected.values()) >= 2 * 4  # the data has flagged rows
    got = {pk: s.below_last_year for pk, s in signals_for(projects).items()}
    assert got == {pk: expected[pk] for pk in got}


@pytest.mark.parametrize("data_seed", [4, 5])
def test_the_sample_is_the_straightforward_samples_projects_risks_and_reasons(data_seed):
    build_two_years(random.Random(data_seed))  # noqa: S311 - reproducible test data
    for scope, size, seed in (("any", 5, 1), ("any", 12, 7), ("approved", 3, 2)):
        drawn, count = sample(year=2021, seed=seed, size=size, scope=scope)
        quick = [(d.rank, d.project.pk, d.risk.score, d.risk.reasons) for d in drawn]
        assert (quick, count) == straightforward_sample(year=2021, seed=seed, size=size, scope=scope)
