"""Scoring projects from the database (performance.services), with figures worked out by hand."""

from decimal import Decimal

import pytest
from django.db.models import Value
from django.db.models.functions import Coalesce

from budgets.models import Project
from performance.actuals import Tier
from performance.load_data import generate_load_data
from performance.models import ActualResult, Evaluation, Indicator
from performance.rules.models import RuleSet
from performance.rules.services import choose_rules
from performance.rules.shipped import ENV_SWITCHES
from performance.services import score_project, score_projects
from performance.targets import Comparator, Kind, Target, parse_target
from tests.factories import make_evaluation, make_indicator, make_project

D = Decimal
pytestmark = pytest.mark.django_db


def result(indicator, actual="", **fields):
    return ActualResult.objects.create(indicator=indicator, actual=actual, **fields)


def build_poverty_project(**money):
    """The sample's 精准扶贫 project: rate 21.3/25, a partial qualitative row scored 20 of 30."""
    project = make_project(full_year_total=D("25"), executed_total=D("21.3"), **money)
    rows = [
        ("产出指标", "数量指标", "培训次数", "5次", "4次", {"deviation_reason": "推迟"}),
        ("产出指标", "质量指标", "活动参加率", "100%", "92%", {"deviation_reason": "外出务工"}),
        ("产出指标", "时效指标", "活动开展时间", "2021年12月31日前完工", "2021-12-28", {}),
        ("成本指标", "经济成本指标", "总成本", "≤27万元", "21.3万元", {}),
        (
            "效益指标",
            "社会效益指标",
            "提高种植技术",
            "被帮扶人员种植技术得到一定程度提高",
            "部分达成年度指标并具有一定效果",
            {"evaluator_score": D("20"), "deviation_reason": "指导不足"},
        ),
        ("满意度指标", "服务对象满意度指标", "被帮扶对象满意度", "≥95%", "90%", {"deviation_reason": "匹配不够"}),
    ]
    for level1, level2, name, target, actual, fields in rows:
        result(
            make_indicator(project=project, level1=level1, level2=level2, name=name, target=target), actual, **fields
        )
    return project


def test_score_project_matches_the_hand_worked_figures():
    project = build_poverty_project()
    make_evaluation(project=project, budget_deviation_reason="一次培训推迟", reported_budget_score=D("9"))
    score = score_project(project)
    # 产出 50 over 4 rows (成本 as a level 1 shares it), 效益 30, 满意度 10.
    assert [r.weight for r in score.rows] == [D("12.50"), D("12.50"), D("12.50"), D("12.50"), D("30"), D("10")]
    # 12.5×4/5; 12.5×92/100; on time; under budget; evaluator's 20 (partial band 18–24); 10×90/95 = 9.4737.
    assert [r.score for r in score.rows] == [D("10.00"), D("11.50"), D("12.50"), D("12.50"), D("20.00"), D("9.47")]
    assert [r.reason_required for r in score.rows] == [True, True, False, False, True, True]
    assert score.rows[4].tier == Tier.PARTIAL
    assert (score.budget.rate, score.budget.score, score.budget.reason_required) == (D("0.8520"), D("8.52"), True)
    assert (score.total, score.grade) == (D("84.49"), "良")
    assert score.problems == []
    assert score.findings == ["复核：预算执行率自评得分 9.00，系统计算 8.52"]


def test_score_project_without_evaluation_needs_the_budget_reason():
    score = score_project(build_poverty_project())
    assert score.total == D("84.49")
    assert score.problems == ["预算执行率低于 90%，请填写执行偏差原因。"]


def test_missing_results_score_zero_and_are_problems():
    project = make_project(full_year_total=D("10"), executed_total=D("10"))
    make_indicator(project=project, name="培训次数", target="12次")
    make_indicator(project=project, level1="满意度指标", level2="服务对象满意度指标", name="满意度", target="≥95%")
    score = score_project(project)
    # No 效益 row: its 30 goes to 产出 and 满意度 in proportion 50:10.
    assert [(r.weight, r.score) for r in score.rows] == [(D("75.00"), D("0.00")), (D("15.00"), D("0.00"))]
    assert score.total == D("10.00")
    assert score.grade == "差"
    assert "“培训次数”缺少实际完成值。" in score.problems
    assert "“满意度”缺少实际完成值。" in score.problems


def test_custom_weights_from_the_form_are_used_and_checked():
    project = make_project(full_year_total=D("9"), executed_total=D("8.95"))
    result(
        make_indicator(project=project, name="专家入库", target="30位", weight=D("60")), "28位", deviation_reason="健康"
    )
    effect = make_indicator(project=project, level1="效益指标", level2="社会效益指标", target="15篇", weight=D("30"))
    result(effect, "15篇")
    score = score_project(project)
    assert [(r.weight, r.score) for r in score.rows] == [(D("60.00"), D("56.00")), (D("30.00"), D("30.00"))]
    assert score.total == D("95.94")  # 56 + 30 + 10×8.95/9 (9.944)
    effect.weight = D("20")
    effect.save()
    assert score_project(project).problems == ["分值合计应为 100：指标分值合计 80.00，加预算执行率 10.00，共 90.00。"]


def test_budget_from_fund_sources_when_the_total_is_empty():
    project = make_project(full_year_fiscal=D("20"), full_year_other=D("5"), executed_fiscal=D("21.3"))
    assert score_project(project).budget.rate == D("0.8520")


def test_score_projects_uses_a_constant_number_of_queries(django_assert_num_queries):
    for _ in range(3):
        make_evaluation(project=build_poverty_project(), budget_deviation_reason="x")
    build_poverty_project()
    # the projects, their rules (the departments' choices, the default version), their indicators
    with django_assert_num_queries(4):
        scores = score_projects(Project.objects.all())
    assert len(scores) == 4
    assert {score.total for score in scores.values()} == {D("84.49")}


def use_rules(department, year, code):
    """Score the department's projects of the year by the latest version of the shipped rule set ``code``."""
    choose_rules(department=department, year=year, version=RuleSet.objects.get(code=code).latest(), by=None)


def test_score_project_applies_its_departments_rules_of_the_year():
    project = make_project(full_year_total=D("100"), executed_total=D("50"))
    make_evaluation(project=project, budget_deviation_reason="x")
    result(make_indicator(project=project, target="10次", weight=D("90")), "13次")
    assert score_project(project).total == D("95.00")
    use_rules(project.unit.department, project.year, ENV_SWITCHES)
    capped = score_project(project)
    assert capped.rows[0].score == D("72.00")
    assert capped.total == D("60.00")


def test_indicator_save_stores_the_parsed_target():
    cost = make_indicator(level1="产出指标", level2="成本指标", target="81万元")
    assert cost.target_kind == Kind.QUANTITATIVE
    assert cost.target_parsed["comparator"] == Comparator.AT_MOST
    assert Target.from_json(cost.target_parsed, text=cost.target) == parse_target("81万元", cost=True)
    period = make_indicator(level2="时效指标", target="2021.3.1-2021.12.31")
    assert (period.target_kind, period.target_parsed["start"], period.target_parsed["end"]) == (
        Kind.DATE,
        "2021-03-01",
        "2021-12-31",
    )


def test_score_projects_accepts_a_queryset_that_already_prefetches_indicators():
    project = build_poverty_project()
    scores = score_projects(Project.objects.prefetch_related("indicators__result"))
    assert scores[project.pk].total == D("84.49")


def test_score_projects_accepts_a_list(django_assert_num_queries):
    projects = [build_poverty_project(), build_poverty_project()]
    # the evaluations, the indicators, and the rules: the projects' heads, choices, default version
    with django_assert_num_queries(5):
        scores = score_projects(projects)
    assert [scores[project.pk].total for project in projects] == [D("84.49"), D("84.49")]


# --- the fast path (issue 8): a queryset is scored from plain rows --------------------------------


def vary_generated_department(code: str) -> None:
    """Make a generated department cover the cases the generator leaves out, a few projects each."""
    projects = list(Project.objects.filter(unit__department__code=code).order_by("pk"))
    Project.objects.filter(pk__in=[p.pk for p in projects[0:3]]).update(full_year_total=None, executed_total=None)
    Project.objects.filter(pk=projects[3].pk).update(
        full_year_total=None, full_year_fiscal=None, full_year_carryover=None, full_year_other=None
    )
    Project.objects.filter(pk=projects[4].pk).update(executed_total=D("0"))
    Evaluation.objects.filter(project__in=projects[5:7]).delete()
    Evaluation.objects.filter(project=projects[7]).update(
        reported_budget_score=D("9.5"), reported_total=D("88"), budget_deviation_reason=""
    )
    ActualResult.objects.filter(indicator__project__in=projects[8:10], indicator__order__in=[2, 5]).delete()
    ActualResult.objects.filter(indicator__project=projects[10]).update(reported_score=D("7"))
    ActualResult.objects.filter(indicator__project=projects[11], tier="met").update(
        tier="", evaluator_score=D("4"), deviation_reason=""
    )
    Indicator.objects.filter(project=projects[12]).update(weight=D("7.5"))  # 12 × 7.5 = 90
    Indicator.objects.filter(project=projects[13], order=1).update(weight=D("20"))  # only one row weighted
    Indicator.objects.filter(project=projects[14], order__in=[1, 2]).update(target="≤5万元")  # stale stored parse
    Indicator.objects.filter(project=projects[15]).delete()


@pytest.mark.stale_scores
def test_scores_from_rows_equal_score_project_on_a_varied_generated_department():
    generate_load_data(units=4, projects_per_unit=5, indicators_per_project=12, seed=5, department_code="861")
    vary_generated_department("861")
    projects = Project.objects.filter(unit__department__code="861")

    department = projects.first().unit.department
    for code in (None, ENV_SWITCHES):
        if code:
            use_rules(department, projects.first().year, code)
        one_by_one = {project.pk: score_project(project) for project in Project.objects.all()}
        from_rows = score_projects(projects)
        assert from_rows == one_by_one
        assert score_projects(list(projects)) == one_by_one
    assert len({score.total for score in one_by_one.values()}) > 10
    assert {score.grade for score in one_by_one.values()} >= {"优", "良", "中"}
    assert any(score.problems for score in one_by_one.values())
    assert any(score.findings for score in one_by_one.values())


def test_score_projects_queries_do_not_grow_with_the_projects(django_assert_num_queries):
    generate_load_data(units=2, projects_per_unit=3, indicators_per_project=6, department_code="871")
    generate_load_data(units=6, projects_per_unit=3, indicators_per_project=6, department_code="872")
    for code, count in (("871", 6), ("872", 18)):
        with django_assert_num_queries(4):
            scores = score_projects(Project.objects.filter(unit__department__code=code))
        assert len(scores) == count


def test_score_projects_takes_the_querysets_the_pages_build():
    generate_load_data(units=2, projects_per_unit=4, indicators_per_project=6, department_code="881")
    expected = {project.pk: score_project(project) for project in Project.objects.all()}
    listed = (
        Project.objects.select_related("unit__department", "evaluation")
        .prefetch_related("indicators__result")
        .annotate(status_code=Coalesce("evaluation__status", Value(Evaluation.Status.DRAFT)))
        .order_by("-year", "unit__order", "order", "id")
    )
    assert score_projects(listed) == expected
    assert list(score_projects(listed)) == [project.pk for project in listed]  # in the queryset's order
    assert score_projects(listed.filter(indicators__name__contains="满意度").distinct()) == expected
    page = score_projects(listed[2:5])
    assert page == {pk: expected[pk] for pk in [p.pk for p in listed[2:5]]}
    assert score_projects(Project.objects.none()) == {}
