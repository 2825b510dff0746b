"""Finance's tasks (issue 16, item 1): issuing, editing, closing, who sees them, days left, overdue."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgets.models import Access
from performance.tasks.models import Task
from performance.tasks.services import close_task, days_left, issue_task, overdue_projects, tasks_for, update_task
from tests.factories import make_department, make_evaluation, make_project, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2022, 4, 30)


@pytest.fixture
def finance():
    return make_user_with_access(role=Access.Role.FINANCE)


def test_days_left_counts_to_the_deadline_and_goes_negative_after_it():
    assert days_left(DEADLINE, datetime.date(2022, 4, 20)) == 10
    assert days_left(DEADLINE, DEADLINE) == 0
    assert days_left(DEADLINE, datetime.date(2022, 5, 3)) == -3


def test_finance_issues_a_self_evaluation_task_to_every_department(finance):
    task = issue_task(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline=DEADLINE, note=" 按时提交 ", by=finance)
    task.refresh_from_db()
    assert (task.status, task.all_departments, task.note, task.issued_by) == ("open", True, "按时提交", finance)
    assert task.history.get().history_change_reason == "下达任务"


def test_a_reviewer_cannot_issue_a_task():
    reviewer = make_user_with_access(role=Access.Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        issue_task(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline=DEADLINE, by=reviewer)
    assert not Task.objects.exists()


def test_a_task_to_chosen_departments_is_seen_only_by_their_people(finance):
    chosen, other = make_department(), make_department()
    issue_task(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline=DEADLINE, departments=[chosen], by=finance)
    staff = make_user_with_access(role=Access.Role.STAFF, unit=make_unit(department=chosen))
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=chosen)
    outsider = make_user_with_access(role=Access.Role.REVIEWER, department=other)
    assert [len(tasks_for(user)) for user in (staff, reviewer, outsider, finance)] == [1, 1, 0, 1]


def test_issuing_to_no_department_is_refused(finance):
    with pytest.raises(ValidationError, match="至少一个部门"):
        issue_task(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline=DEADLINE, departments=[], by=finance)


def test_a_second_open_self_evaluation_task_for_the_same_department_and_year_is_refused(finance):
    department = make_department()
    issue_task(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline=DEADLINE, departments=[department], by=finance)
    with pytest.raises(ValidationError, match="同类任务"):
        issue_task(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline=DEADLINE, by=finance)
    assert Task.objects.count() == 1


def test_a_year_may_have_several_monitoring_rounds(finance):
    for n in (1, 2):
        issue_task(kind=Task.Kind.MONITORING, year=2022, round_number=n, deadline=DEADLINE, by=finance)
    assert [t.title for t in Task.objects.order_by("round_number")] == ["第1次监控任务", "第2次监控任务"]


def test_finance_moves_the_deadline_and_the_change_is_in_the_history(finance):
    task = issue_task(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline=DEADLINE, by=finance)
    update_task(task=task, deadline=datetime.date(2022, 5, 15), note="延期", by=finance)
    assert Task.objects.get().deadline == datetime.date(2022, 5, 15)
    assert [h.deadline for h in task.history.order_by("history_id")] == [DEADLINE, datetime.date(2022, 5, 15)]


def test_a_closed_task_asks_nobody_and_cannot_be_edited(finance):
    task = issue_task(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline=DEADLINE, by=finance)
    close_task(task=task, by=finance)
    assert not tasks_for(finance).exists()
    with pytest.raises(ValidationError, match="已关闭"):
        update_task(task=task, deadline=DEADLINE, note="", by=finance)


def test_overdue_lists_unsubmitted_projects_after_the_deadline_for_finance_and_the_department(finance):
    department = make_department()
    unit = make_unit(department=department)
    late = make_project(unit=unit, name="未提交项目")
    make_evaluation(project=make_project(unit=unit, name="已提交项目"), status="submitted")
    make_project(unit=unit, name="往年项目", year=2020)
    make_project(unit=make_unit(), name="别的部门项目")
    issue_task(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline=DEADLINE, departments=[department], by=finance)
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=department)
    after = DEADLINE + datetime.timedelta(days=1)
    assert list(overdue_projects(finance, today=after)) == [late]
    assert list(overdue_projects(reviewer, today=after)) == [late]
    assert not overdue_projects(finance, today=DEADLINE).exists()
