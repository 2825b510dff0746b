"""Constraints of the performance models: the framework tree, indicators, results, evaluations."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from performance.models import (
    ActualResult,
    CategoryAlias,
    DepartmentGoal,
    Evaluation,
    Indicator,
    IndicatorCategory,
)
from performance.targets import parse_target
from tests.factories import category, make_department, make_evaluation, make_indicator, make_project

pytestmark = pytest.mark.django_db


# --- the framework (migration 0002) ----------------------------------------------------


def test_framework_holds_the_standard_tree_and_the_2021_cost_scheme():
    tree = {
        level1.name: [child.name for child in level1.children.order_by("order")]
        for level1 in IndicatorCategory.objects.filter(level=1)
    }
    assert tree == {
        "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
        "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
        "满意度指标": ["服务对象满意度指标"],
        "成本指标": ["经济成本指标", "社会成本指标", "生态环境成本指标"],
    }
    assert category("成本指标").group == category("产出指标").group == IndicatorCategory.Group.OUTPUT


def test_framework_maps_the_known_variants():
    mapped = {(a.name, a.parent_name): str(a.category) for a in CategoryAlias.objects.select_related("category")}
    assert mapped[("效果指标", "")] == "效益指标"
    assert mapped[("环境效益指标", "效益指标")] == "效益指标 / 生态效益指标"
    assert mapped[("社会公众或服务对象满意度指标", "效益指标")] == "满意度指标 / 服务对象满意度指标"
    assert mapped[("经济成本指标", "产出指标")] == "产出指标 / 成本指标"


def test_a_level2_category_needs_a_parent_and_a_level1_must_not_have_one():
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorCategory.objects.create(name="无上级二级指标", level=2, parent=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorCategory.objects.create(name="有上级一级指标", level=1, parent=category("产出指标"))


def test_level1_names_are_unique():
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorCategory.objects.create(name="产出指标", level=1)


# --- indicators ------------------------------------------------------------------------


def test_indicator_refuses_a_level2_that_does_not_belong_to_its_level1():
    indicator = Indicator(
        project=make_project(),
        level1=category("产出指标"),
        level2=category("效益指标", "社会效益指标"),
        name="提高科普意识",
        target="100%",
    )
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert error.value.message_dict["level2"] == ["二级指标“社会效益指标”不属于一级指标“产出指标”。"]


def test_indicator_accepts_a_level2_under_its_level1_in_either_cost_scheme():
    project = make_project()
    make_indicator(project=project, level1="产出指标", level2="成本指标", target="≤81万元").full_clean()
    make_indicator(project=project, level1="成本指标", level2="经济成本指标", target="≤9万元").full_clean()


def test_indicator_refuses_a_level1_category_as_its_level2():
    indicator = Indicator(
        project=make_project(), level1=category("产出指标"), level2=category("产出指标"), name="x", target="1"
    )
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "level2" in error.value.message_dict


def test_indicator_save_stores_the_parsed_target_and_keeps_the_text_exactly():
    indicator = make_indicator(level1="产出指标", level2="成本指标", target="≤9万元 ")
    indicator.refresh_from_db()
    expected = parse_target("≤9万元 ", cost=True)
    assert indicator.target == "≤9万元 "
    assert (indicator.target_kind, indicator.target_parsed) == (expected.kind, expected.as_json())


def test_indicator_save_reparses_a_changed_target():
    indicator = make_indicator(target="按时完工")
    indicator.target = "≥95%"
    indicator.save()
    indicator.refresh_from_db()
    assert indicator.target_parsed == parse_target("≥95%").as_json()


@pytest.mark.parametrize("weight", [Decimal("-1"), Decimal("100.01")])
def test_indicator_weight_must_lie_between_0_and_100(weight):
    indicator = make_indicator()
    indicator.weight = weight
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "weight" in error.value.message_dict


def test_a_target_change_is_in_the_history():
    indicator = make_indicator(target="20次")
    indicator.target = "18次"
    indicator.save()
    assert [h.target for h in indicator.history.order_by("history_date")] == ["20次", "18次"]


# --- actual results and evaluations ----------------------------------------------------


@pytest.mark.parametrize("field", ["evaluator_score", "reported_score"])
def test_actual_result_scores_must_not_be_negative(field):
    result = ActualResult(indicator=make_indicator(), actual="12次", **{field: Decimal("-0.01")})
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert field in error.value.message_dict


def test_one_actual_result_per_indicator():
    indicator = make_indicator()
    ActualResult.objects.create(indicator=indicator, actual="12次")
    with pytest.raises(IntegrityError), transaction.atomic():
        ActualResult.objects.create(indicator=indicator, actual="13次")


def test_evaluation_starts_as_draft_and_is_locked_only_when_approved():
    evaluation = make_evaluation()
    assert evaluation.status == Evaluation.Status.DRAFT and not evaluation.is_locked
    for status in (Evaluation.Status.SUBMITTED, Evaluation.Status.RETURNED):
        evaluation.status = status
        assert not evaluation.is_locked
    evaluation.status = Evaluation.Status.APPROVED
    assert evaluation.is_locked


def test_one_evaluation_per_project():
    project = make_project()
    make_evaluation(project=project)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_evaluation(project=project)


def test_evaluation_reported_total_must_lie_between_0_and_100():
    evaluation = make_evaluation()
    evaluation.reported_total = Decimal("100.5")
    with pytest.raises(ValidationError) as error:
        evaluation.full_clean()
    assert "reported_total" in error.value.message_dict


# --- department goals --------------------------------------------------------------------


def test_department_goal_numbers_are_unique_per_department_and_year():
    department = make_department()
    DepartmentGoal.objects.create(department=department, year=2021, number=1, text="扎实推进全民科学素质行动计划")
    DepartmentGoal.objects.create(department=department, year=2022, number=1, text="另一年")
    with pytest.raises(IntegrityError), transaction.atomic():
        DepartmentGoal.objects.create(department=department, year=2021, number=1, text="重复")
