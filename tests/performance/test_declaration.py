"""Targets declared, approved as a baseline and changed only by a recorded adjustment (issue 14)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgets.models import Access
from performance.declaration.flows import (
    approve_adjustment,
    approve_targets,
    refuse_adjustment,
    return_targets,
    submit_targets,
)
from performance.declaration.models import Adjustment, TargetSet
from performance.declaration.services import (
    DeclaredRow,
    baseline_differences,
    request_adjustment,
    save_declaration,
)
from performance.models import ActualResult, Indicator
from performance.services import score_project
from tests.factories import category, make_project, make_superuser, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db


def row(level1, level2, name, target, weight=None, *, indicator=None, description="说明", basis="计划标准"):
    return DeclaredRow(
        level1=category(level1),
        level2=category(level1, level2),
        name=name,
        description=description,
        target=target,
        basis=basis,
        weight=weight,
        indicator_id=indicator.pk if indicator else None,
    )


GOOD_ROWS = [
    ("产出指标", "数量指标", "举办科普讲座", "≥12次"),
    ("产出指标", "质量指标", "讲座合格率", "≥95%"),
    ("效益指标", "社会效益指标", "公众科学素质提升", "效果显著"),
    ("满意度指标", "服务对象满意度指标", "听众满意度", "≥90%"),
]


@pytest.fixture
def people():
    unit = make_unit()
    project = make_project(unit=unit, full_year_total=Decimal("10"), executed_total=Decimal("10"))
    return {
        "project": project,
        "staff": make_user_with_access(role=Access.Role.STAFF, unit=unit),
        "reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=unit.department),
        "finance": make_user_with_access(role=Access.Role.FINANCE),
        "stranger": make_user_with_access(role=Access.Role.REVIEWER),
    }


def declare(people, rows=GOOD_ROWS):
    project = people["project"]
    save_declaration(
        project=project, goal="普及科学知识", rows=[row(*r) for r in rows], by=people["staff"], version=None
    )
    return project


def approved(people):
    project = declare(people)
    submit_targets(project=project, by=people["staff"])
    approve_targets(project=project, by=people["reviewer"])
    project.refresh_from_db()
    return project


def test_staff_declare_goal_and_indicators_in_row_order(people):
    project = declare(people)
    assert project.goal.text == "普及科学知识"
    assert list(project.indicators.values_list("name", "order")) == [
        ("举办科普讲座", 1),
        ("讲座合格率", 2),
        ("公众科学素质提升", 3),
        ("听众满意度", 4),
    ]
    assert project.target_set.status == TargetSet.Status.DRAFT


def test_a_reviewer_may_not_declare_targets(people):
    with pytest.raises(PermissionDenied, match="只有该单位的填报人可以"):
        save_declaration(project=people["project"], goal="", rows=[], by=people["reviewer"], version=None)


def test_submitting_is_refused_while_the_review_finds_an_error(people):
    project = declare(people, [("产出指标", "数量指标", "举办科普讲座", "")])  # an empty target is an 错误
    with pytest.raises(ValidationError) as refused:
        submit_targets(project=project, by=people["staff"])
    assert any("指标值" in message for message in refused.value.messages)
    assert TargetSet.objects.get(project=project).status == TargetSet.Status.DRAFT


def test_submitting_is_refused_while_the_weights_do_not_sum_to_100(people):
    rows = [(*r, Decimal("20")) for r in GOOD_ROWS]  # 80 + 10 for the budget = 90
    project = declare(people, rows)
    with pytest.raises(ValidationError) as refused:
        submit_targets(project=project, by=people["staff"])
    assert "分值合计应为 100：指标分值合计 80.00，加预算执行率 10.00，共 90.00。" in refused.value.messages


def test_declare_submit_return_resubmit_approve_freezes_the_baseline(people):
    project = declare(people)
    submit_targets(project=project, by=people["staff"])
    with pytest.raises(PermissionDenied):
        approve_targets(project=project, by=people["stranger"])
    with pytest.raises(ValidationError, match="退回原因"):
        return_targets(project=project, by=people["reviewer"], reason=" ")
    returned = return_targets(project=project, by=people["reviewer"], reason="满意度目标偏低")
    assert (returned.status, returned.return_reason) == (TargetSet.Status.RETURNED, "满意度目标偏低")
    save_declaration(
        project=project,
        goal="普及科学知识",
        rows=[row(*r) for r in GOOD_ROWS[:3]] + [row("满意度指标", "服务对象满意度指标", "听众满意度", "≥95%")],
        by=people["staff"],
        version=returned.version,
    )
    submit_targets(project=project, by=people["staff"])
    target_set = approve_targets(project=project, by=people["finance"])
    assert target_set.status == TargetSet.Status.APPROVED
    assert target_set.baseline_goal == "普及科学知识"
    assert list(target_set.baseline.values_list("name", "target")) == [
        ("举办科普讲座", "≥12次"),
        ("讲座合格率", "≥95%"),
        ("公众科学素质提升", "效果显著"),
        ("听众满意度", "≥95%"),
    ]
    reasons = list(target_set.history.order_by("history_id").values_list("status", "history_change_reason"))
    assert ("returned", "退回绩效目标：满意度目标偏低") in reasons
    assert reasons[-1] == ("approved", "批复绩效目标")


def test_an_approved_baseline_cannot_be_edited_by_anyone_not_even_a_superuser(people):
    project = approved(people)
    for user in (people["staff"], make_superuser()):
        with pytest.raises(PermissionDenied, match="已批复，不能直接修改；请提出调整申请"):
            save_declaration(project=project, goal="改", rows=[], by=user, version=None)
    assert project.indicators.count() == 4


def test_an_adjustment_changes_the_score_only_once_approved(people):
    project = approved(people)
    lectures = project.indicators.get(name="举办科普讲座")
    for indicator in project.indicators.all():
        ActualResult.objects.create(indicator=indicator, actual="10次" if indicator == lectures else "达成")
    before = score_project(project).total
    rows = []
    for indicator in project.indicators.order_by("order"):
        target = "≥10次" if indicator == lectures else indicator.target
        rows.append(
            DeclaredRow(
                level1=indicator.level1,
                level2=indicator.level2,
                name=indicator.name,
                description=indicator.description,
                target=target,
                basis=indicator.basis,
                weight=indicator.weight,
                indicator_id=indicator.pk,
            )
        )
    with pytest.raises(ValidationError, match="调整理由"):
        request_adjustment(project=project, rows=rows, reason="", by=people["staff"])
    adjustment = request_adjustment(project=project, rows=rows, reason="场馆维修，讲座减少", by=people["staff"])
    changed = [
        (i.action, i.before["target"], i.target) for i in adjustment.items.all() if i.target != i.before["target"]
    ]
    assert changed == [("change", "≥12次", "≥10次")]
    assert score_project(project).total == before  # still scored on the baseline
    with pytest.raises(ValidationError, match="待审批"):
        request_adjustment(project=project, rows=rows, reason="再申请", by=people["staff"])

    approve_adjustment(adjustment=adjustment, by=people["reviewer"])
    lectures.refresh_from_db()
    assert lectures.target == "≥10次"
    assert score_project(project).total > before  # 10次 now meets the adjusted target
    assert [(d.name, d.baseline, d.adjusted) for d in baseline_differences(project)] == [
        ("举办科普讲座", "≥12次", "≥10次")
    ]
    assert Adjustment.objects.get(pk=adjustment.pk).reviewed_by == people["reviewer"]
    assert lectures.history.first().history_change_reason.startswith(f"调整申请第{adjustment.pk}号批准")


def test_a_refused_adjustment_needs_a_reason_and_changes_nothing(people):
    project = approved(people)
    indicator = project.indicators.get(name="讲座合格率")
    rows = [
        DeclaredRow(i.level1, i.level2, i.name, i.description, i.target, i.basis, i.weight, i.pk)
        for i in project.indicators.order_by("order")
        if i != indicator
    ]
    adjustment = request_adjustment(project=project, rows=rows, reason="取消合格率考核", by=people["staff"])
    assert [i.action for i in adjustment.items.all() if i.action == "remove"] == ["remove"]
    with pytest.raises(PermissionDenied):
        refuse_adjustment(adjustment=adjustment, by=people["staff"], reason="自己批")
    with pytest.raises(ValidationError):
        refuse_adjustment(adjustment=adjustment, by=people["reviewer"], reason="")
    refused = refuse_adjustment(adjustment=adjustment, by=people["finance"], reason="合格率必须考核")
    assert (refused.status, refused.return_reason) == (Adjustment.Status.REFUSED, "合格率必须考核")
    assert Indicator.objects.filter(pk=indicator.pk).exists()


def test_an_adjustment_cannot_be_asked_for_targets_not_yet_approved(people):
    project = declare(people)
    with pytest.raises(PermissionDenied, match="尚未批复"):
        request_adjustment(project=project, rows=[], reason="x", by=people["staff"])


def test_the_standard_sheets_show_the_adjusted_target_with_the_approved_one_beside_it(people):
    import io

    import openpyxl

    from performance.sheets.evaluation import project_sheet_bytes
    from performance.sheets.targets import targets_workbook_bytes

    project = approved(people)
    rows = [
        DeclaredRow(
            i.level1,
            i.level2,
            i.name,
            i.description,
            "≥10次" if i.name == "举办科普讲座" else i.target,
            i.basis,
            i.weight,
            i.pk,
        )
        for i in project.indicators.order_by("order")
    ]
    adjustment = request_adjustment(project=project, rows=rows, reason="场馆维修", by=people["staff"])

    def cells(data):
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        return [c for ws in workbook for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]

    assert "≥12次" in cells(project_sheet_bytes(project))  # pending: the sheet shows the targets in force
    approve_adjustment(adjustment=adjustment, by=people["reviewer"])
    assert "≥10次\n（批复值：≥12次）" in cells(project_sheet_bytes(project))
    assert "≥10次\n（批复值：≥12次）" in cells(targets_workbook_bytes([project]))
    assert "讲座合格率" in cells(project_sheet_bytes(project))
    assert "≥95%" in cells(project_sheet_bytes(project))  # unchanged rows keep their plain target


def test_targets_never_declared_cannot_change_under_a_submitted_self_evaluation(people):
    from performance.models import Evaluation

    project = declare(people)
    Evaluation.objects.create(project=project, status=Evaluation.Status.SUBMITTED)
    project.refresh_from_db()
    with pytest.raises(PermissionDenied, match="绩效自评已提交，自评所依据的绩效目标不能修改"):
        save_declaration(project=project, goal="改", rows=[], by=people["staff"], version=None)
