"""Target review (目标审核, SPEC section 8): each rule flags one case and passes another; the seed's defects."""

import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from budgets.models import Project
from performance.demo import load_demo
from performance.models import Indicator
from performance.review import RULES, RULES_BY_CODE, Severity, enabled_rules, review_projects
from tests.factories import category, make_indicator, make_project

pytestmark = pytest.mark.django_db


def complete_project(**fields) -> Project:
    """A project with one sound indicator in each group: the review finds nothing in it."""
    project = make_project(**fields)
    make_indicator(
        project=project,
        level2="数量指标",
        name="培训次数",
        description="全年培训的次数",
        target="5次",
        basis="计划标准",
    )
    make_indicator(
        project=project,
        level1="效益指标",
        level2="社会效益指标",
        name="培训合格率",
        description="参训人员考核合格的比例",
        target="≥90%",
        basis="历史标准",
    )
    make_indicator(
        project=project,
        level1="满意度指标",
        level2="服务对象满意度指标",
        name="参训人员满意度",
        description="问卷调查满意的比例",
        target="≥95%",
        basis="行业标准",
    )
    return project


def findings(project, code):
    return [f for f in review_projects([Project.objects.get(pk=project.pk)]) if f.code == code]


def test_a_sound_project_has_no_findings():
    project = complete_project()
    assert review_projects(Project.objects.filter(pk=project.pk)) == []


def test_every_rule_is_registered_once_with_a_chinese_title():
    assert len(RULES_BY_CODE) == len(RULES)
    assert all(str(rule.title) and rule.default for rule in RULES)


def test_a_rule_switched_off_in_settings_does_not_run(settings):
    project = complete_project()
    make_indicator(project=project, name="活动次数", description="", target="3次", basis="计划标准")
    assert [f.code for f in review_projects([project])] == ["empty-description"]
    settings.JIXIAO_REVIEW_DISABLED = {"empty-description"}
    assert "empty-description" not in [rule.code for rule in enabled_rules()]
    assert review_projects([Project.objects.get(pk=project.pk)]) == []


def test_an_unknown_rule_code_in_settings_stops_with_a_clear_message(settings):
    settings.JIXIAO_REVIEW_DISABLED = {"empty-descripton"}
    with pytest.raises(ImproperlyConfigured, match="empty-descripton"):
        review_projects([complete_project()])


def test_level2_outside_its_level1_is_an_error():
    project = complete_project()
    wrong = Indicator(
        project=project,
        level1=category("产出指标"),
        level2=category("效益指标", "社会效益指标"),
        name="社会影响",
        description="影响人数",
        target="100人",
        basis="计划标准",
        order=9,
    )
    wrong.save()  # an import may store what the form would refuse
    (finding,) = findings(project, "level2-parent")
    assert finding.severity == Severity.ERROR
    assert finding.row == 4
    assert finding.message == "二级指标“社会效益指标”不属于一级指标“产出指标”（它属于“效益指标”）。"
    assert findings(complete_project(), "level2-parent") == []


def test_a_nonstandard_name_is_reported_with_its_mapping():
    project = complete_project()
    make_indicator(
        project=project,
        level1="效益指标",
        level2="社会效益指标",
        name="种植技术",
        description="掌握新技术的农户比例",
        target="≥60%",
        basis="计划标准",
        level1_as_written="效果指标",
    )
    (finding,) = findings(project, "nonstandard-name")
    assert finding.severity == Severity.INFO
    assert "“效果指标”" in finding.message and "“效益指标”" in finding.message
    assert findings(complete_project(), "nonstandard-name") == []


def test_a_project_without_satisfaction_indicators_is_an_error():
    project = complete_project()
    project.indicators.filter(level1__name="满意度指标").delete()
    (finding,) = findings(project, "missing-group")
    assert finding.indicator is None
    assert finding.message == "项目没有满意度指标。"
    assert findings(complete_project(), "missing-group") == []


def test_a_project_without_indicators_is_an_error():
    (finding,) = findings(make_project(), "missing-group")
    assert finding.message == "项目没有绩效指标。"


def test_a_cost_target_that_is_not_money_is_an_error():
    project = complete_project()
    make_indicator(
        project=project, level2="成本指标", name="受益人数", description="受益人数", target="4万人", basis="计划标准"
    )
    (finding,) = findings(project, "cost-not-money")
    assert finding.severity == Severity.ERROR
    assert finding.message == "成本指标的指标值“4万人”不是金额（单位应为万元或元）。"
    ok = complete_project()
    make_indicator(
        project=ok, level2="成本指标", name="总成本", description="不超过预算", target="≤81万元", basis="计划标准"
    )
    assert findings(ok, "cost-not-money") == []


@pytest.mark.parametrize("target", ["≤600元/人*月", "≦1.5万元/户"])
def test_a_unit_cost_in_a_compound_unit_is_money(target):
    project = complete_project()
    make_indicator(
        project=project, level2="成本指标", name="补助标准", description="人均补助", target=target, basis="计划标准"
    )
    assert findings(project, "cost-not-money") == []
    assert findings(project, "cost-over-budget") == []


def test_a_cost_target_above_the_projects_budget_is_an_error():
    project = complete_project(full_year_total=Decimal("80"))
    make_indicator(
        project=project, level2="成本指标", name="总成本", description="不超过预算", target="≤81万元", basis="计划标准"
    )
    (finding,) = findings(project, "cost-over-budget")
    assert finding.message == "成本指标“≤81万元”超过项目全年预算数 80.00 万元。"
    within = complete_project(initial_total=Decimal("81"))
    make_indicator(
        project=within, level2="成本指标", name="总成本", description="不超过预算", target="≤810000元", basis="计划标准"
    )
    assert findings(within, "cost-over-budget") == []


def test_a_cost_row_that_is_not_a_cost_is_a_warning():
    project = complete_project()
    make_indicator(
        project=project, level2="成本指标", name="受益人数", description="受益人数", target="4万人", basis="计划标准"
    )
    (finding,) = findings(project, "cost-name")
    assert finding.severity == Severity.WARNING
    ok = complete_project()
    make_indicator(
        project=ok,
        level2="成本指标",
        name="不超过预算控制额",
        description="项目成本不超过预算控制额",
        target="≤9万元",
        basis="计划标准",
    )
    assert findings(ok, "cost-name") == []


def test_a_satisfaction_target_not_in_percent_is_a_warning():
    project = complete_project()
    make_indicator(
        project=project,
        level1="满意度指标",
        level2="服务对象满意度指标",
        name="群众评价",
        description="群众评价的平均分",
        target="≥4.5分",
        basis="历史标准",
    )
    (finding,) = findings(project, "satisfaction-percent")
    assert finding.message == "满意度指标的指标值“≥4.5分”不是百分比。"
    assert findings(complete_project(), "satisfaction-percent") == []


def test_a_quantity_with_a_qualitative_target_is_an_error():
    project = complete_project()
    make_indicator(
        project=project, level2="数量指标", name="宣传活动", description="宣传活动", target="若干次", basis="计划标准"
    )
    (finding,) = findings(project, "quantity-qualitative")
    assert finding.message == "数量指标的指标值“若干次”是定性描述，无法计量。"
    assert findings(complete_project(), "quantity-qualitative") == []


def test_a_greatest_extent_effect_with_a_100_percent_target_is_vague():
    project = complete_project()
    make_indicator(
        project=project,
        level1="效益指标",
        level2="社会效益指标",
        name="提高科普意识",
        description="最大程度提高市民科普意识",
        target="100%",
        basis="计划标准",
    )
    (finding,) = findings(project, "vague-target")
    assert finding.severity == Severity.WARNING
    assert "最大程度提高市民科普意识" in finding.message


def test_a_slogan_target_is_vague():
    project = complete_project()
    make_indicator(
        project=project,
        level1="效益指标",
        level2="社会效益指标",
        name="优质服务率",
        description="大篷车下乡服务质量",
        target="效果显著",
        basis="历史标准",
    )
    (finding,) = findings(project, "vague-target")
    assert finding.message.startswith("指标值“效果显著”是口号式描述")


def test_a_100_percent_effect_that_says_of_what_is_not_vague():
    project = complete_project()
    make_indicator(
        project=project,
        level1="效益指标",
        level2="社会效益指标",
        name="村民参训率",
        description="参加培训的农户占全村农户的比例",
        target="100%",
        basis="计划标准",
    )
    assert findings(project, "vague-target") == []


def test_a_basis_outside_the_vocabulary_is_flagged_by_how_far_it_is():
    project = complete_project()
    for basis in ("工作计划", "参观人数", ""):
        make_indicator(project=project, name=f"活动{basis or '空'}", description="活动次数", target="3次", basis=basis)
    found = {f.indicator.basis: f for f in findings(project, "basis")}
    assert found["工作计划"].severity == Severity.INFO
    assert "“计划标准”" in found["工作计划"].message
    assert found["参观人数"].severity == Severity.WARNING
    assert found[""].severity == Severity.WARNING
    assert found[""].message == "指标值确定依据为空。"
    assert findings(complete_project(), "basis") == []


def test_duplicate_indicators_by_name_or_by_description_and_target_are_flagged():
    project = complete_project()
    make_indicator(project=project, name="培训次数", description="另一种培训", target="6次", basis="计划标准")
    make_indicator(project=project, name="培训场次", description="全年培训的次数", target="5次", basis="计划标准")
    found = findings(project, "duplicate")
    assert [(f.row, f.message) for f in found] == [
        (4, "与第1行重复（同名或描述和指标值相同）。"),
        (5, "与第1行重复（同名或描述和指标值相同）。"),
    ]
    assert findings(complete_project(), "duplicate") == []


def test_an_empty_description_is_a_warning():
    project = complete_project()
    make_indicator(project=project, name="活动次数", description="  ", target="3次", basis="计划标准")
    (finding,) = findings(project, "empty-description")
    assert (finding.severity, finding.row, finding.indicator.name) == (Severity.WARNING, 4, "活动次数")
    assert findings(complete_project(), "empty-description") == []


def test_a_description_that_only_repeats_the_name_is_a_note():
    project = complete_project()
    make_indicator(project=project, name="参观人数", description="参观人数", target="4万人", basis="计划标准")
    (finding,) = findings(project, "description-repeats-name")
    assert finding.severity == Severity.INFO
    assert findings(complete_project(), "description-repeats-name") == []


def test_an_empty_target_is_an_error():
    project = complete_project()
    make_indicator(project=project, name="活动次数", description="活动次数说明", target="", basis="计划标准")
    (finding,) = findings(project, "empty-target")
    assert finding.severity == Severity.ERROR
    assert findings(complete_project(), "empty-target") == []


def test_a_date_target_outside_the_projects_year_is_an_error():
    project = complete_project(year=2021)
    make_indicator(
        project=project,
        level2="时效指标",
        name="完成时间",
        description="项目完成",
        target="2022年6月底前",
        basis="计划标准",
    )
    (finding,) = findings(project, "date-outside-year")
    assert finding.message == "时间目标“2022年6月底前”不在项目年度2021年内。"
    inside = complete_project(year=2021)
    make_indicator(
        project=inside,
        level2="时效指标",
        name="活动开展时间",
        description="全年",
        target="2021.3.1-2021.12.31",
        basis="计划标准",
    )
    assert findings(inside, "date-outside-year") == []


def test_a_timeliness_target_without_a_date_is_a_warning():
    project = complete_project()
    make_indicator(
        project=project,
        level2="时效指标",
        name="完工时间",
        description="完工的时间",
        target="按时完工",
        basis="计划标准",
    )
    (finding,) = findings(project, "timeliness-qualitative")
    assert finding.message == "时效指标“按时完工”没有时间，无法判断是否按时。"
    ok = complete_project()
    make_indicator(
        project=ok,
        level2="时效指标",
        name="完工时间",
        description="完工的时间",
        target="2021年12月31日前完工",
        basis="计划标准",
    )
    assert findings(ok, "timeliness-qualitative") == []


def test_a_quality_indicator_that_is_a_count_is_a_warning():
    project = complete_project()
    make_indicator(
        project=project, level2="质量指标", name="参与人次", description="参与的人次", target="2000人", basis="计划标准"
    )
    (finding,) = findings(project, "quality-count")
    assert finding.severity == Severity.WARNING
    ok = complete_project()
    make_indicator(
        project=ok, level2="质量指标", name="验收合格率", description="验收合格的比例", target="100%", basis="计划标准"
    )
    assert findings(ok, "quality-count") == []


def test_a_quantity_indicator_in_percent_is_a_note():
    project = complete_project()
    make_indicator(
        project=project,
        level2="数量指标",
        name="督导县区",
        description="督导的县区比例",
        target="100%",
        basis="计划标准",
    )
    (finding,) = findings(project, "quantity-percent")
    assert finding.severity == Severity.INFO
    assert findings(complete_project(), "quantity-percent") == []


def test_review_projects_runs_a_constant_number_of_queries():
    for _ in range(2):
        complete_project(year=2030)
    with CaptureQueriesContext(connection) as two:
        review_projects(Project.objects.filter(year=2030))
    for _ in range(3):
        complete_project(year=2030)
    with CaptureQueriesContext(connection) as five:
        found = review_projects(Project.objects.filter(year=2030))
    assert found == []
    # the projects and their indicators, then the library's context: its entries, last year's projects, the
    # peer factors, the units' departments, the peers' figures and the projects' own rows
    assert len(five) == len(two) == 8


# --- the seed -----------------------------------------------------------------------------------


@pytest.fixture
def seed(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo()


def seed_findings():
    return review_projects(Project.objects.filter(year=2021).order_by("unit__order", "order"))


def test_the_seed_defects_are_found(seed):
    found = {(f.project.name, f.row, f.code) for f in seed_findings()}
    assert {
        ("常设科普展览经费", 4, "cost-not-money"),  # 受益人数 4万人 under 成本指标
        ("常设科普展览经费", 4, "cost-name"),
        ("科普经费", 3, "timeliness-qualitative"),  # 按时完工
        ("科普经费", 5, "vague-target"),  # 100% for 最大程度提高市民科普意识
        ("科普大篷车经费", 5, "vague-target"),  # 效果显著
        ("开展科技工作者助力精准扶贫经费", 5, "nonstandard-name"),  # 效果指标
        ("开展科技工作者助力精准扶贫经费", 5, "vague-target"),  # 得到一定程度提高
        ("科普经费", 5, "basis"),  # empty
        ("常设科普展览经费", 1, "basis"),  # 参观人数 is not a basis
        ("科普经费", 2, "quality-count"),  # 20次 as a quality indicator
    } <= found
    assert not any(f.severity == Severity.ERROR and f.code != "cost-not-money" for f in seed_findings())
    assert not any("%%" in f.message + f.suggestion for f in seed_findings())


def test_review_targets_command_prints_json_findings_for_a_unit(seed, capsys):
    call_command("review_targets", "--year", "2021", "--unit", "731005", "--format", "json")
    rows = json.loads(capsys.readouterr().out)
    assert {row["project"] for row in rows} == {"常设科普展览经费", "科普大篷车经费"}
    cost = next(row for row in rows if row["code"] == "cost-not-money")
    assert cost == {
        "code": "cost-not-money",
        "title": "成本指标不是金额",
        "severity": "错误",
        "project_id": cost["project_id"],
        "project": "常设科普展览经费",
        "unit": "731005 张家口市科技馆",
        "year": 2021,
        "row": 4,
        "indicator": "受益人数",
        "target": "4万人",
        "message": "成本指标的指标值“4万人”不是金额（单位应为万元或元）。",
        "suggestion": "成本指标写成本控制额，如“≤81万元”；人数、次数等放到数量指标。",
    }


def test_review_targets_command_prints_text_grouped_by_project(seed, capsys):
    call_command("review_targets", "--year", "2021", "--unit", "731005")
    out = capsys.readouterr().out
    finding = out.index("[错误] 成本指标不是金额 · 第4行 受益人数")
    assert out.index("常设科普展览经费") < finding < out.index("科普大篷车经费")
    count = len([f for f in seed_findings() if f.project.unit.code == "731005"])
    assert out.strip().splitlines()[-1].startswith(f"共{count}条（")
    assert "错误1" in out.strip().splitlines()[-1]


def test_every_review_rule_is_named_in_words_in_chinese_and_in_english():
    for rule in RULES:
        assert re.search(r"[\u4e00-\u9fff]", str(rule.title)), rule.code
        with translation.override("en"):
            english = str(rule.title)
        assert re.fullmatch(r"[A-Z][A-Za-z0-9 ,/'()-]+", english), (rule.code, english)


def test_review_targets_command_says_so_when_nothing_is_found(capsys):
    complete_project(year=2031)
    call_command("review_targets", "--year", "2031")
    assert capsys.readouterr().out.strip() == "未发现问题"
