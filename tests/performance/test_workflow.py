from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgets.models import Access
from performance.models import ActualResult, Evaluation
from performance.workflow import approve_evaluation, reopen_evaluation, return_evaluation, submit_evaluation
from tests.factories import make_evaluation, make_indicator, make_project, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def complete():
    """A project whose self-evaluation is complete: every target met, budget fully spent."""
    unit = make_unit()
    project = make_project(unit=unit, full_year_total=Decimal("10"), executed_total=Decimal("10"))
    for level1, level2, target, actual in [
        ("产出指标", "数量指标", "12次", "12次"),
        ("效益指标", "社会效益指标", "效果显著", "达成年度指标"),
        ("满意度指标", "服务对象满意度指标", "≥95%", "96%"),
    ]:
        indicator = make_indicator(project=project, level1=level1, level2=level2, target=target)
        ActualResult.objects.create(indicator=indicator, actual=actual)
    evaluation = make_evaluation(project=project)
    staff = make_user_with_access(role=Access.Role.STAFF, unit=unit)
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=unit.department)
    return evaluation, staff, reviewer


def test_staff_submits_a_complete_evaluation(complete):
    evaluation, staff, _ = complete
    submit_evaluation(evaluation=evaluation, by=staff)
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SUBMITTED
    assert evaluation.submitted_by == staff
    assert evaluation.history.first().history_user == staff


def test_submit_refuses_a_missing_actual(complete):
    evaluation, staff, _ = complete
    ActualResult.objects.filter(indicator__project=evaluation.project).first().delete()
    with pytest.raises(ValidationError):
        submit_evaluation(evaluation=evaluation, by=staff)
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.DRAFT


@pytest.mark.stale_scores
def test_submit_refuses_a_missing_deviation_reason(complete):
    evaluation, staff, _ = complete
    ActualResult.objects.filter(indicator__target="12次").update(actual="10次")
    with pytest.raises(ValidationError):
        submit_evaluation(evaluation=evaluation, by=staff)
    ActualResult.objects.filter(indicator__target="12次").update(deviation_reason="两次活动取消")
    submit_evaluation(evaluation=evaluation, by=staff)
    assert Evaluation.objects.get(pk=evaluation.pk).status == Evaluation.Status.SUBMITTED


def test_staff_of_another_unit_cannot_submit(complete):
    evaluation, _, _ = complete
    stranger = make_user_with_access(role=Access.Role.STAFF)
    with pytest.raises(PermissionDenied):
        submit_evaluation(evaluation=evaluation, by=stranger)


def test_reviewer_returns_with_a_reason_and_staff_resubmits(complete):
    evaluation, staff, reviewer = complete
    submit_evaluation(evaluation=evaluation, by=staff)
    with pytest.raises(ValidationError):
        return_evaluation(evaluation=evaluation, by=reviewer, reason="  ")
    return_evaluation(evaluation=evaluation, by=reviewer, reason="请补充佐证材料")
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.RETURNED
    assert evaluation.return_reason == "请补充佐证材料"
    submit_evaluation(evaluation=evaluation, by=staff)
    assert Evaluation.objects.get(pk=evaluation.pk).status == Evaluation.Status.SUBMITTED


def test_staff_cannot_approve_their_own_evaluation(complete):
    evaluation, staff, _ = complete
    submit_evaluation(evaluation=evaluation, by=staff)
    with pytest.raises(PermissionDenied):
        approve_evaluation(evaluation=evaluation, by=staff)


def test_reviewer_of_another_department_cannot_approve(complete):
    evaluation, staff, _ = complete
    submit_evaluation(evaluation=evaluation, by=staff)
    outsider = make_user_with_access(role=Access.Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        approve_evaluation(evaluation=evaluation, by=outsider)


def test_approve_only_from_submitted(complete):
    evaluation, _, reviewer = complete
    with pytest.raises(ValidationError):
        approve_evaluation(evaluation=evaluation, by=reviewer)


def test_reopening_an_approved_evaluation_needs_a_reason(complete):
    evaluation, staff, reviewer = complete
    submit_evaluation(evaluation=evaluation, by=staff)
    approve_evaluation(evaluation=evaluation, by=reviewer)
    assert Evaluation.objects.get(pk=evaluation.pk).is_locked
    with pytest.raises(ValidationError):
        reopen_evaluation(evaluation=evaluation, by=reviewer, reason="")
    with pytest.raises(PermissionDenied):
        reopen_evaluation(evaluation=evaluation, by=staff, reason="想改")
    reopen_evaluation(evaluation=evaluation, by=reviewer, reason="财政局要求更正执行数")
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.RETURNED
    reasons = [h.history_change_reason for h in evaluation.history.all()]
    assert "重新打开：财政局要求更正执行数" in reasons
