"""The round trip as a property (issue 21): whatever the entry page (and the admin's reported scores) saves,
export → import → export gives the same cells, and the import reports nothing changed."""

from dataclasses import replace
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgets.models import Project
from performance.entry_services import ResultEntry, entry_from_project, save_evaluation_entry
from performance.interchange.export import write_flat_workbook
from performance.interchange.importer import import_workbook
from performance.models import ActualResult, Evaluation, Indicator
from performance.scores.keep import kept_scores
from tests.factories import make_indicator, make_project, make_user_with_access
from tests.performance.test_exports import cells_of

pytestmark = pytest.mark.django_db

ROWS = [  # (level1, level2, target, actuals a unit may type)
    ("产出指标", "数量指标", "≥12次", ["", "12次", "9次", "15", "/"]),
    ("产出指标", "时效指标", "2021年12月", ["", "2021年11月", "2022年3月", "按时完成"]),
    ("效益指标", "社会效益指标", "效果显著", ["", "效果显著", "达成", "部分达成", "一般"]),
    ("满意度指标", "服务对象满意度指标", "≥95%", ["", "96%", "90%"]),
]
TIERS = st.sampled_from(["", *ActualResult.Tier.values])
SCORES = st.one_of(st.none(), st.decimals(min_value=0, max_value=30, places=2))
# As the form's fields give them: trimmed (Django's CharField strips), lines kept.
TEXTS = st.sampled_from(["", "经费下达较晚", "部分活动推迟\n已调整计划", "=1+1", "“引号”与 <b>标记</b>"])
MONEY = st.one_of(st.none(), st.decimals(min_value=0, max_value=100000, places=4))


@st.composite
def entries(draw):
    results = [
        ResultEntry(
            actual=draw(st.sampled_from(actuals)),
            tier=draw(TIERS),
            evaluator_score=draw(SCORES),
            deviation_reason=draw(TEXTS),
        )
        for _l1, _l2, _target, actuals in ROWS
    ]
    money = {name: draw(MONEY) for name in ("full_year_fiscal", "executed_fiscal", "initial_other")}
    # Totals left empty: each is the sum of its sources. (A total typed against its sources is saved by the entry
    # page but refused by the import, SPEC section 11: left to the entry form's work.)
    money |= {f"{stage}_total": None for stage in ("initial", "full_year", "executed")}
    reported = [draw(SCORES) for _row in ROWS]
    budget = st.one_of(st.none(), st.decimals(min_value=0, max_value=10, places=2))  # the budget row's 10 points
    return results, money, draw(TEXTS), reported, draw(budget), draw(SCORES)


@pytest.fixture
def project(db):
    project = make_project(code="P-1")
    for level1, level2, target, _actuals in ROWS:
        make_indicator(project=project, level1=level1, level2=level2, target=target)
    return project


@pytest.fixture
def clerk(project):
    return make_user_with_access(unit=project.unit)


def flat(project: Project) -> BytesIO:
    buffer = BytesIO()
    write_flat_workbook(Project.objects.filter(pk=project.pk), buffer)
    buffer.seek(0)
    return buffer


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edit=entries())
def test_whatever_the_entry_page_saves_comes_back_unchanged(project, clerk, edit):
    results, money, reason, reported, budget_reported, total_reported = edit
    project = Project.objects.get(pk=project.pk)
    indicators = list(Indicator.objects.filter(project=project).in_order())
    entry = entry_from_project(project=project, indicators=indicators)
    entry = replace(
        entry,
        results={i.pk: typed for i, typed in zip(indicators, results, strict=True)},
        money={**entry.money, **money},
        budget_deviation_reason=reason,
    )
    evaluation, _created = Evaluation.objects.get_or_create(project=project)
    try:
        save_evaluation_entry(project=project, data=entry, by=clerk, version=evaluation.version)
    except ValidationError:
        return  # an unreadable actual (a tier chosen for a number …): the page refuses it, nothing is saved
    with kept_scores():  # the admin's fields: the unit's own scores (复核)
        for indicator, score in zip(indicators, reported, strict=True):
            ActualResult.objects.update_or_create(indicator=indicator, defaults={"reported_score": score})
        Evaluation.objects.filter(project=project).update(
            reported_budget_score=budget_reported, reported_total=total_reported
        )

    first = flat(project)
    report = import_workbook(file=first, user=clerk)
    second = flat(project)

    assert report.changes == []
    assert cells_of(second) == cells_of(first)
