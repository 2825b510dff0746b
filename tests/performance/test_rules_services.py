"""Choosing a department's rules of a year, recording them on each stored score, versions, JSON (issue 19)."""

import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from budgets.models import Access
from performance.models import ActualResult, Evaluation, ProjectScore
from performance.rules.models import RuleChoice, RuleSet, RuleVersion
from performance.rules.services import (
    choose_rules,
    export_version,
    fallback_version,
    import_version,
    preview_choice,
    save_version,
    versions_for,
)
from performance.rules.shipped import ENV_SWITCHES, MANUAL, MOF
from performance.rules.value import Rules, rules_to_json
from performance.services import score_project
from performance.workflow import approve_evaluation, reopen_evaluation, submit_evaluation
from tests.factories import make_indicator, make_project, make_unit, make_user_with_access

D = Decimal
pytestmark = pytest.mark.django_db


def shipped(code: str) -> RuleVersion:
    return RuleSet.objects.get(code=code).latest()


def capped_project(unit=None, **fields):
    """Executed 75% with every indicator met: 97.50 by 10号, capped at 89.00 by the manual."""
    project = make_project(unit=unit, full_year_total=D("100"), executed_total=D("75"), **fields)
    Evaluation.objects.create(project=project, budget_deviation_reason="进度滞后")
    indicator = make_indicator(project=project, target="≥10次", weight=D("90"), name="培训次数")
    ActualResult.objects.create(indicator=indicator, actual="10次")
    return project


def stored(project) -> ProjectScore:
    return ProjectScore.objects.select_related("rule_version__rule_set").get(project=project)


def test_the_migration_ships_three_rule_sets_with_10号_as_the_default():
    assert set(RuleSet.objects.values_list("code", flat=True)) >= {MOF, MANUAL, ENV_SWITCHES}
    assert fallback_version().rule_set.code == MOF
    assert fallback_version().rules() == Rules()
    for rule_set in RuleSet.objects.all():
        assert rule_set.description and rule_set.source


# The migration records the stored scores as made by the default it picks: on a deployment they were (the
# switches were on); here the project was scored by 10号 before the switches were "turned on".
@pytest.mark.stale_scores
@pytest.mark.parametrize(
    ("environment", "expected"),
    [({}, MOF), ({"JIXIAO_OVERSHOOT_PENALTY": "1", "JIXIAO_EXECUTION_RATE_CAPS": "on"}, ENV_SWITCHES)],
)
def test_the_migration_maps_a_deployment_that_had_the_switches_on_to_the_matching_rule_set(
    monkeypatch, environment, expected
):
    from importlib import import_module

    migration = import_module("performance.migrations.0011_rule_sets")
    for name in ("JIXIAO_OVERSHOOT_PENALTY", "JIXIAO_EXECUTION_RATE_CAPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    project = capped_project()
    ProjectScore.objects.update(rule_version=None)
    RuleVersion.objects.all().delete()
    RuleSet.objects.all().delete()
    migration.ship_rule_sets(apps, None)
    assert fallback_version().rule_set.code == expected
    assert stored(project).rule_version == fallback_version()


def test_the_migration_gives_a_deployment_with_one_switch_on_a_rule_set_of_its_own(monkeypatch):
    from importlib import import_module

    migration = import_module("performance.migrations.0011_rule_sets")
    monkeypatch.delenv("JIXIAO_OVERSHOOT_PENALTY", raising=False)
    monkeypatch.setenv("JIXIAO_EXECUTION_RATE_CAPS", "true")
    RuleVersion.objects.all().delete()
    RuleSet.objects.all().delete()
    migration.ship_rule_sets(apps, None)
    rules = fallback_version().rules()
    assert rules.overshoot == "off"
    assert [cap.cap for cap in rules.rate_caps] == [D("60"), D("80"), D("90")]


def test_two_departments_on_different_rules_score_the_same_project_differently():
    default_unit, manual_unit = make_unit(), make_unit()
    on_default, on_manual = capped_project(default_unit), capped_project(manual_unit)
    choose_rules(department=manual_unit.department, year=2021, version=shipped(MANUAL), by=None)
    assert (stored(on_default).total, stored(on_default).grade) == (D("97.50"), "优")
    assert (stored(on_manual).total, stored(on_manual).grade) == (D("89.00"), "良")
    assert stored(on_default).rule_version.rule_set.code == MOF
    assert stored(on_manual).rule_version.rule_set.code == MANUAL
    assert score_project(on_manual).adjustments == [
        "预算执行率 75% 在 70% 至 80%（不含）之间，总分按“预算管理一体化操作手册（第1版）”的执行率封顶规则"
        "由 97.50 封顶为 89.00。"
    ]


def test_a_choice_is_for_one_year_only():
    unit = make_unit()
    this_year, next_year = capped_project(unit), capped_project(unit, year=2022)
    choose_rules(department=unit.department, year=2021, version=shipped(MANUAL), by=None)
    assert stored(this_year).total == D("89.00")
    assert stored(next_year).total == D("97.50")


def test_the_preview_names_each_project_that_changes_old_to_new_and_writes_nothing():
    unit = make_unit()
    capped, low = capped_project(unit), make_project(unit=unit, full_year_total=D("10"), executed_total=D("10"))
    changes = preview_choice(department=unit.department, year=2021, version=shipped(MANUAL))
    by_project = {change.project.pk: change for change in changes}
    assert (by_project[capped.pk].old_total, by_project[capped.pk].new_total) == (D("97.50"), D("89.00"))
    assert (by_project[capped.pk].old_grade, by_project[capped.pk].new_grade) == ("优", "良")
    assert by_project[capped.pk].difference == D("-8.50")
    assert by_project[capped.pk].changes is True
    assert by_project[low.pk].changes is False
    assert stored(capped).total == D("97.50")
    assert not RuleChoice.objects.exists()


def test_an_approved_evaluation_keeps_the_score_it_was_approved_with_until_it_is_reopened():
    unit = make_unit()
    project = capped_project(unit)
    staff = make_user_with_access(role=Access.Role.STAFF, unit=unit)
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=unit.department)
    submit_evaluation(evaluation=project.evaluation, by=staff)
    approve_evaluation(evaluation=Evaluation.objects.get(project=project), by=reviewer)

    changes = preview_choice(department=unit.department, year=2021, version=shipped(MANUAL))
    assert [(c.kept, c.changes) for c in changes] == [(True, False)]
    choose_rules(department=unit.department, year=2021, version=shipped(MANUAL), by=None)
    assert (stored(project).total, stored(project).rule_version.rule_set.code) == (D("97.50"), MOF)
    assert score_project(project).total == D("97.50")

    reopen_evaluation(evaluation=Evaluation.objects.get(project=project), by=reviewer, reason="按新规则重评")
    assert (stored(project).total, stored(project).rule_version.rule_set.code) == (D("89.00"), MANUAL)


def test_choosing_the_rules_already_in_use_is_refused():
    unit = make_unit()
    choose_rules(department=unit.department, year=2021, version=shipped(MANUAL), by=None)
    with pytest.raises(ValidationError, match="已按此版本计分"):
        choose_rules(department=unit.department, year=2021, version=shipped(MANUAL), by=None)


def test_changing_a_years_rules_keeps_its_history():
    unit = make_unit()
    finance = make_user_with_access(role=Access.Role.FINANCE)
    choose_rules(department=unit.department, year=2021, version=shipped(MANUAL), by=finance, reason="省里要求")
    choose_rules(department=unit.department, year=2021, version=shipped(ENV_SWITCHES), by=finance)
    records = RuleChoice.history.filter(department=unit.department).order_by("history_date", "history_id")
    assert [r.version.rule_set.code for r in records] == [MANUAL, ENV_SWITCHES]
    assert records[0].reason == "省里要求" and records[0].chosen_by == finance


def test_a_new_version_leaves_the_versions_before_it_and_their_scores_alone():
    unit = make_unit()
    project = capped_project(unit)
    manual = shipped(MANUAL)
    choose_rules(department=unit.department, year=2021, version=manual, by=None)
    content = rules_to_json(manual.rules()) | {"rate_caps": [{"low": "0.7", "high": "0.8", "cap": "85"}]}
    second = save_version(content=content, by=None, rule_set=manual.rule_set, note="封顶改为 85")
    assert second.number == 2 and RuleVersion.objects.get(pk=manual.pk).content == manual.content
    assert stored(project).total == D("89.00")
    assert versions_for(type(project).objects.filter(pk=project.pk))[project.pk] == manual


def test_a_saved_version_cannot_be_changed():
    version = shipped(MANUAL)
    version.content = rules_to_json(Rules())
    with pytest.raises(ValidationError, match="不能修改"):
        version.save()


def test_a_bad_rule_set_is_refused_with_every_problem_named_and_nothing_saved():
    content = rules_to_json(Rules()) | {
        "output_weight": "55",
        "rate_caps": [{"low": None, "high": "0.6", "cap": "60"}, {"low": "0.5", "high": "0.8", "cap": "80"}],
    }
    count = RuleVersion.objects.count()
    with pytest.raises(ValidationError) as refused:
        save_version(content=content, by=None, name="")
    assert refused.value.messages == [
        "分值合计应为 100：预算执行率 10 + 产出 55 + 效益 30 + 满意度 10 = 105。",
        "执行率封顶区间重叠：— 至 60% 与 50% 至 80%。",
        "请填写评分规则的名称。",
    ]
    assert RuleVersion.objects.count() == count


def test_a_rule_set_exported_and_imported_elsewhere_is_the_same_rules():
    manual = shipped(MANUAL)
    exported = json.dumps(export_version(manual), ensure_ascii=False).encode()
    RuleSet.objects.filter(pk=manual.rule_set_id).update(name="旧名")  # elsewhere: no set of that name
    imported = import_version(data=exported, by=None)
    assert imported.rule_set.name == "预算管理一体化操作手册" and imported.number == 1
    assert imported.rules() == manual.rules()
    again = import_version(data=exported, by=None)
    assert (again.rule_set, again.number) == (imported.rule_set, 2)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "文件不是有效的 JSON"),
        (b"\xff\xfe", "文件不是有效的 JSON"),
        (json.dumps({"format": "jixiao-rules", "name": "长" * 101, "rules": {}}).encode(), "名称不能超过 100 个字"),
        (b'{"format": "jixiao-rules", "name": "\u7532", "rules": []}', "评分规则应为 JSON 对象。"),
        (b'{"name": "x"}', "文件不是本系统导出的评分规则"),
        ('{"format": "jixiao-rules", "name": "甲", "rules": {"grades": "优"}}'.encode(), "“grades”应为对象列表。"),
    ],
)
def test_a_file_that_is_not_a_good_rule_set_is_refused_whole(data, message):
    count = RuleSet.objects.count()
    with pytest.raises(ValidationError) as refused:
        import_version(data=data, by=None)
    assert any(message in text for text in refused.value.messages)
    assert RuleSet.objects.count() == count


def test_targets_whose_weights_depart_from_the_split_are_refused_where_the_departments_rules_say_so():
    from performance.declaration.services import declaration_problems

    unit = make_unit()
    project = make_project(unit=unit)
    make_indicator(project=project, level1="产出指标", target="≥10次", weight=D("60"))
    make_indicator(project=project, level1="效益指标", level2="社会效益指标", target="≥90%", weight=D("20"))
    make_indicator(project=project, level1="满意度指标", level2="服务对象满意度指标", target="≥90%", weight=D("10"))
    assert not [p for p in declaration_problems(project) if "一级指标分值" in p]
    strict = save_version(content=rules_to_json(Rules(weight_split="refused")), by=None, name="严格分配", source="测试")
    choose_rules(department=unit.department, year=2021, version=strict, by=None)
    assert "一级指标分值与评分规则的分配不一致：产出 60.00（规则为 50.00）、效益 20.00（规则为 30.00）。" in (
        declaration_problems(project)
    )
