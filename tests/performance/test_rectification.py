"""Rectification items (整改事项): rights, the flow, the unit's response and files, and the proposals."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from budgets.models import Access
from performance.models import ActualResult, IndicatorMonitoring
from performance.monitoring import monitoring_of
from performance.rectification.models import DismissedProposal, RectificationItem, Source
from performance.rectification.proposals import proposals_for
from performance.rectification.rights import items_for
from performance.rectification.services import (
    accept_item,
    confirm_proposal,
    create_item,
    dismiss_proposal,
    return_item,
    save_response,
    submit_item,
)
from performance.spotchecks.services import draw_sample, record_review
from tests.factories import (
    make_indicator,
    make_project,
    make_scored_project,
    make_unit,
    make_user_with_access,
    start_round,
)

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status
DUE = datetime.date(2022, 6, 30)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world():
    unit = make_unit()
    project = make_project(unit=unit, full_year_total=D("100"), executed_total=D("90"))
    other_unit = make_unit()
    return {
        "unit": unit,
        "project": project,
        "department": unit.department,
        "staff": make_user_with_access(unit=unit),
        "reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=unit.department),
        "finance": make_user_with_access(role=Access.Role.FINANCE),
        "other_staff": make_user_with_access(unit=other_unit),
        "other_reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=other_unit.department),
    }


def new_item(world, *, by=None, **fields) -> RectificationItem:
    values = {
        "unit": world["unit"],
        "project": world["project"],
        "year": 2021,
        "problem": "指标未完成",
        "measures": "加快进度",
        "due_date": DUE,
    }
    values.update(fields)
    return create_item(by=by or world["reviewer"], **values)


def test_a_reviewer_and_finance_create_items_for_the_departments_units(world):
    by_reviewer = new_item(world)
    by_finance = new_item(world, by=world["finance"], project=None)
    assert by_reviewer.status == Status.PENDING
    assert by_reviewer.created_by == world["reviewer"]
    assert by_finance.project is None  # a department-level item
    assert by_reviewer.history.first().history_change_reason == "创建整改事项"


def test_unit_staff_and_another_departments_reviewer_cannot_create_items(world):
    for user in (world["staff"], world["other_reviewer"]):
        with pytest.raises(PermissionDenied):
            new_item(world, by=user)
    assert not RectificationItem.objects.exists()


def test_an_item_refuses_a_project_of_another_unit_and_a_blank_problem(world):
    with pytest.raises(ValidationError, match="不属于单位"):
        new_item(world, project=make_project())
    with pytest.raises(ValidationError) as error:
        new_item(world, problem="  ")
    assert "problem" in error.value.message_dict


def test_the_unit_responds_submits_and_the_reviewer_accepts_as_verifier(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = new_item(world)
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    item = save_response(item=item, response="已完成整改", files=[photo], by=world["staff"])
    assert item.status == Status.IN_PROGRESS
    assert [e.original_name for e in item.evidence_files.all()] == ["现场.png"]
    item = submit_item(item=item, by=world["staff"])
    assert (item.status, item.submitted_by) == (Status.SUBMITTED, world["staff"])
    item = accept_item(item=item, by=world["reviewer"])
    item.refresh_from_db()
    assert (item.status, item.verified_by) == (Status.DONE, world["reviewer"])
    assert item.verified_at is not None
    reasons = [h.history_change_reason for h in item.history.order_by("history_id")]
    assert reasons == ["创建整改事项", "开始整改", "保存整改情况", "提交整改情况，申请验收", "整改验收通过"]


def test_submitting_without_a_response_is_refused_with_a_sentence(world):
    item = new_item(world)
    with pytest.raises(ValidationError, match="请填写整改情况"):
        submit_item(item=item, by=world["staff"])
    item.refresh_from_db()
    assert item.status == Status.PENDING


def test_a_returned_item_needs_a_reason_and_goes_back_to_the_unit(world):
    item = save_response(item=new_item(world), response="已整改", by=world["staff"])
    submit_item(item=item, by=world["staff"])
    with pytest.raises(ValidationError, match="退回原因"):
        return_item(item=item, by=world["finance"], reason=" ")
    item = return_item(item=item, by=world["finance"], reason="佐证不足")
    assert (item.status, item.return_reason) == (Status.RETURNED, "佐证不足")
    item = save_response(item=item, response="已补充佐证", by=world["staff"])
    assert item.status == Status.IN_PROGRESS
    assert submit_item(item=item, by=world["staff"]).status == Status.SUBMITTED


def test_only_the_units_staff_respond_and_only_reviewers_or_finance_accept(world):
    item = new_item(world)
    for user in (world["other_staff"], world["reviewer"]):
        with pytest.raises(PermissionDenied):
            save_response(item=item, response="x", by=user)
    save_response(item=item, response="已整改", by=world["staff"])
    submit_item(item=item, by=world["staff"])
    for user in (world["staff"], world["other_reviewer"]):
        with pytest.raises(PermissionDenied):
            accept_item(item=item, by=user)
    with pytest.raises(PermissionDenied):  # submitted: no longer the unit's to change
        save_response(item=item, response="改", by=world["staff"])


def test_a_refused_file_refuses_the_whole_response(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = new_item(world)
    program = SimpleUploadedFile("说明.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    with pytest.raises(ValidationError, match=r"说明\.pdf"):
        save_response(item=item, response="已整改", files=[program], by=world["staff"])
    item.refresh_from_db()
    assert (item.status, item.response, item.evidence_files.count()) == (Status.PENDING, "", 0)


def test_a_unit_sees_only_its_own_items(world):
    mine = new_item(world)
    other = create_item(
        unit=make_unit(),
        project=None,
        year=2021,
        problem="别的单位",
        measures="x",
        due_date=DUE,
        by=world["finance"],
    )
    assert list(items_for(world["staff"])) == [mine]
    assert other in items_for(world["finance"])
    assert list(items_for(world["reviewer"])) == [mine]


def test_an_item_past_due_is_overdue_until_the_unit_submits_it(world):
    late = new_item(world, due_date=datetime.date(2020, 1, 1))
    new_item(world, due_date=datetime.date(2999, 1, 1))
    assert list(RectificationItem.objects.overdue()) == [late]
    assert late.is_overdue
    assert RectificationItem.objects.open().count() == 2
    late = submit_item(item=save_response(item=late, response="已整改", by=world["staff"]), by=world["staff"])
    assert not late.is_overdue
    assert not RectificationItem.objects.overdue().exists()
    assert RectificationItem.objects.open().count() == 2  # awaiting acceptance is still open


# --- proposals ------------------------------------------------------------------------------------


def test_a_row_scoring_below_its_weight_is_proposed_once_the_evaluation_is_entered(world):
    low = make_indicator(project=world["project"], name="培训次数", target="12次", weight=D("20"))
    full = make_indicator(
        project=world["project"],
        name="满意度",
        level1="满意度指标",
        level2="服务对象满意度指标",
        target="≥90%",
        weight=D("10"),
    )
    ActualResult.objects.create(indicator=full, actual="95%")
    assert not [p for p in proposals_for(world["department"], 2021) if p.source == Source.SCORE]  # not all entered
    ActualResult.objects.create(indicator=low, actual="6次")
    proposals = [p for p in proposals_for(world["department"], 2021) if p.source == Source.SCORE]
    assert [p.key for p in proposals] == [f"score:{low.pk}"]
    assert "培训次数" in proposals[0].problem and "低于分值 20.00" in proposals[0].problem
    assert proposals[0].unit == world["unit"]


def test_a_target_review_error_is_proposed_and_warnings_are_not(world):
    make_indicator(project=world["project"], name="培训次数", target="", weight=D("20"))
    proposals = [p for p in proposals_for(world["department"], 2021) if p.source == Source.REVIEW]
    assert proposals
    assert any("指标值为空" in p.problem for p in proposals)
    assert all(p.key.startswith(f"review:{world['project'].pk}:") for p in proposals)


def test_a_red_light_of_the_monitoring_round_is_proposed(world):
    count = make_indicator(project=world["project"], name="培训次数", target="12次", weight=D("20"))
    start_round(department=world["department"], year=2021, cut_off=datetime.date(2021, 7, 31), by=world["reviewer"])
    monitoring = monitoring_of(world["project"])
    IndicatorMonitoring.objects.create(
        project_monitoring=monitoring, indicator=count, forecast="2次", likelihood="impossible"
    )
    proposals = [p for p in proposals_for(world["department"], 2021) if p.source == Source.MONITORING]
    assert [p.key for p in proposals] == [f"monitoring:{monitoring.round_id}:{world['project'].pk}:{count.pk}"]
    assert "培训次数" in proposals[0].problem and "红灯" in proposals[0].problem


def test_each_monitoring_round_of_the_year_proposes_its_own_red_lights(world):
    count = make_indicator(project=world["project"], name="培训次数", target="12次", weight=D("20"))
    for number, cut_off in ((1, datetime.date(2021, 6, 30)), (2, datetime.date(2021, 9, 30))):
        start_round(
            department=world["department"], year=2021, round_number=number, cut_off=cut_off, by=world["reviewer"]
        )
        IndicatorMonitoring.objects.create(
            project_monitoring=monitoring_of(world["project"], number),
            indicator=count,
            forecast="2次",
            likelihood="impossible",
        )
    proposals = [p for p in proposals_for(world["department"], 2021) if p.source == Source.MONITORING]
    rounds = [monitoring_of(world["project"], n).round_id for n in (1, 2)]
    assert [p.key for p in proposals] == [f"monitoring:{r}:{world['project'].pk}:{count.pk}" for r in rounds]
    assert "截至2021-06-30" in proposals[0].problem and "截至2021-09-30" in proposals[1].problem


def spot_checked(world, *, row_score, budget_score=D("9"), conclusion="inflated"):
    """A scored project of the world's unit (row weight 90 scored 90, budget 9 of 10) re-reviewed by finance."""
    project = make_scored_project(world["unit"], name="科普活动", reported_total=D("99"))
    item = draw_sample(year=2021, size=1, seed=1, by=world["finance"]).items.get(project=project)
    indicator = project.indicators.get()
    record_review(
        item=item,
        scores={indicator.pk: row_score},
        budget_score=budget_score,
        conclusion=conclusion,
        note="佐证材料不足",
        by=world["finance"],
    )
    return item, indicator


def spotcheck_proposals(world):
    return [p for p in proposals_for(world["department"], 2021) if p.source == Source.SPOTCHECK]


def test_a_spot_check_concluding_inflated_proposes_each_row_finance_scored_otherwise(world):
    item, indicator = spot_checked(world, row_score=D("80"))
    proposals = spotcheck_proposals(world)
    assert [p.key for p in proposals] == [f"spotcheck:{item.pk}:{indicator.pk}"]  # the budget row agrees (9 = 9)
    assert proposals[0].project == item.project and proposals[0].unit == world["unit"]
    assert "自评虚高" in proposals[0].problem
    assert "“培训次数”自评得分 90.00，复核得分 80.00，相差 -10.00" in proposals[0].problem


def test_a_spot_check_adjusting_the_score_without_a_differing_row_is_proposed_as_a_whole(world):
    item, _indicator = spot_checked(world, row_score=D("90"), conclusion="adjusted")
    proposals = spotcheck_proposals(world)
    assert [p.key for p in proposals] == [f"spotcheck:{item.pk}"]
    assert "复核调整得分" in proposals[0].problem and "复核总分 99.00" in proposals[0].problem


def test_a_spot_check_confirming_the_self_evaluation_proposes_nothing_even_with_a_differing_row(world):
    spot_checked(world, row_score=D("89"), conclusion="confirmed")
    assert spotcheck_proposals(world) == []


def test_a_spot_check_of_another_department_is_not_proposed_to_this_one(world):
    spot_checked(world, row_score=D("80"))
    other = make_unit()
    assert [p for p in proposals_for(other.department, 2021) if p.source == Source.SPOTCHECK] == []


def test_a_confirmed_spot_check_difference_becomes_an_item_of_the_projects_unit(world):
    item, _indicator = spot_checked(world, row_score=D("80"), budget_score=D("8"))
    first, second = spotcheck_proposals(world)
    assert first.key == f"spotcheck:{item.pk}:budget"
    confirmed = confirm_proposal(
        department=world["department"], year=2021, key=second.key, measures="", due_date=DUE, by=world["finance"]
    )
    assert (confirmed.unit, confirmed.project, confirmed.source, confirmed.source_key, confirmed.status) == (
        world["unit"],
        item.project,
        Source.SPOTCHECK,
        second.key,
        Status.PENDING,
    )
    assert confirmed.problem == second.problem and "按复核得分更正自评结果" in confirmed.measures
    assert [p.key for p in spotcheck_proposals(world)] == [first.key]


def test_a_dismissed_spot_check_difference_is_not_proposed_again(world):
    spot_checked(world, row_score=D("80"))
    (proposal,) = spotcheck_proposals(world)
    dismiss_proposal(
        department=world["department"], year=2021, key=proposal.key, reason="单位已提供补充佐证", by=world["finance"]
    )
    assert spotcheck_proposals(world) == []
    assert DismissedProposal.objects.get().source == Source.SPOTCHECK


def test_a_confirmed_proposal_becomes_an_item_and_is_not_proposed_again(world):
    make_indicator(project=world["project"], name="培训次数", target="", weight=D("20"))
    proposal = proposals_for(world["department"], 2021)[0]
    item = confirm_proposal(
        department=world["department"], year=2021, key=proposal.key, measures="", due_date=DUE, by=world["reviewer"]
    )
    assert (item.unit, item.project, item.source, item.status) == (
        world["unit"],
        world["project"],
        Source.REVIEW,
        Status.PENDING,
    )
    assert item.measures == proposal.measures
    assert proposal.key not in [p.key for p in proposals_for(world["department"], 2021)]
    with pytest.raises(ValidationError, match="已被确认"):
        confirm_proposal(
            department=world["department"], year=2021, key=proposal.key, measures="", due_date=DUE, by=world["finance"]
        )


def test_a_dismissed_proposal_needs_a_reason_and_is_not_proposed_again(world):
    make_indicator(project=world["project"], name="培训次数", target="", weight=D("20"))
    proposal = proposals_for(world["department"], 2021)[0]
    with pytest.raises(ValidationError, match="必须填写理由"):
        dismiss_proposal(department=world["department"], year=2021, key=proposal.key, reason="", by=world["finance"])
    dismiss_proposal(
        department=world["department"], year=2021, key=proposal.key, reason="已在调整中修正", by=world["finance"]
    )
    assert DismissedProposal.objects.get().reason == "已在调整中修正"
    assert proposal.key not in [p.key for p in proposals_for(world["department"], 2021)]


def test_unit_staff_cannot_confirm_or_dismiss_proposals(world):
    make_indicator(project=world["project"], name="培训次数", target="", weight=D("20"))
    proposal = proposals_for(world["department"], 2021)[0]
    with pytest.raises(PermissionDenied):
        confirm_proposal(
            department=world["department"], year=2021, key=proposal.key, measures="", due_date=DUE, by=world["staff"]
        )
    with pytest.raises(PermissionDenied):
        dismiss_proposal(
            department=world["department"], year=2021, key=proposal.key, reason="x", by=world["other_reviewer"]
        )
