"""The project's history (performance.history): one row per change a user can read, never an empty one."""

import pytest
from simple_history.utils import update_change_reason

from performance.history import project_history
from performance.models import ActualResult, Evaluation
from tests.factories import make_evaluation, make_indicator, make_project

pytestmark = pytest.mark.django_db


def test_a_save_that_changes_nothing_shown_is_not_listed_even_with_a_reason():
    project = make_project()
    evaluation = make_evaluation(project=project)
    evaluation.version += 1  # a hidden field: nothing a reader sees changed
    evaluation.save()
    update_change_reason(evaluation, "填报保存")
    entries = project_history(project)
    assert [(e.subject, e.kind) for e in entries] == [("自评状态与说明", "新建")]
    assert all(entry.changes for entry in entries)


def test_a_deleted_row_lists_what_it_held_struck_through():
    indicator = make_indicator(name="活动场次", target="12次")
    result = ActualResult.objects.create(indicator=indicator, actual="10次", deviation_reason="场地原因")
    result.delete()
    deleted = next(e for e in project_history(indicator.project) if e.deleted)
    assert deleted.subject == "实际完成值“活动场次”"
    assert [(c.field, c.old, c.new) for c in deleted.changes] == [
        ("实际完成值", "10次", ""),
        ("偏差原因分析及改进措施", "场地原因", ""),
    ]


def test_a_created_row_with_nothing_filled_in_is_not_listed():
    indicator = make_indicator(name="活动场次")
    ActualResult.objects.create(indicator=indicator, actual="")
    subjects = [e.subject for e in project_history(indicator.project)]
    assert "实际完成值“活动场次”" not in subjects
    assert "指标“活动场次”" in subjects


def test_a_status_change_is_listed_with_its_reason():
    evaluation = make_evaluation()
    evaluation.status = Evaluation.Status.SUBMITTED
    evaluation.save()
    update_change_reason(evaluation, "提交审核")
    newest = project_history(evaluation.project)[0]
    assert (newest.reason, [(c.old, c.new) for c in newest.changes]) == ("提交审核", [("草稿", "已提交")])
