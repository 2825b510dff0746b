"""The inbox (待办, issue 16 item 5): what waits for each user, counted in a constant number of queries;
the notifications the workflow writes; the daily digest mail."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import Access
from performance.approval.models import DepartmentYear
from performance.models import ActualResult
from performance.tasks.inbox import InboxCounts, inbox_counts
from performance.tasks.models import Notification, Task
from performance.tasks.notifications import send_digests
from performance.workflow import approve_evaluation, return_evaluation, submit_evaluation
from tests.factories import (
    make_department,
    make_evaluation,
    make_indicator,
    make_project,
    make_unit,
    make_user,
    make_user_with_access,
)

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2022, 4, 30)
BEFORE, AFTER = datetime.date(2022, 4, 1), datetime.date(2022, 5, 1)


def open_task(departments=None):
    task = Task.objects.create(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline=DEADLINE)
    if departments:
        task.all_departments = False
        task.save(update_fields=["all_departments"])
        task.departments.set(departments)
    return task


@pytest.fixture
def office():
    """A department with one unit: its staff, its reviewer, finance; projects in each state of 2021."""
    department = make_department()
    unit = make_unit(department=department)
    make_project(unit=unit, name="未填报")
    make_evaluation(project=make_project(unit=unit, name="草稿"), status="draft")
    make_evaluation(project=make_project(unit=unit, name="退回"), status="returned", return_reason="补充")
    make_evaluation(project=make_project(unit=unit, name="已提交"), status="submitted")
    make_evaluation(project=make_project(unit=unit, name="已审核"), status="approved")
    return {
        "department": department,
        "unit": unit,
        "staff": make_user_with_access(role=Access.Role.STAFF, unit=unit, username="tianbao"),
        "reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=department, username="shenhe1"),
        "finance": make_user_with_access(role=Access.Role.FINANCE),
    }


def test_without_an_open_task_unit_staff_have_nothing_to_fill_but_see_what_was_returned(office):
    assert inbox_counts(office["staff"], today=BEFORE) == InboxCounts(returned=1)


def test_unit_staff_have_their_unsubmitted_projects_of_an_open_task_to_fill(office):
    open_task()
    assert inbox_counts(office["staff"], today=BEFORE) == InboxCounts(to_fill=2, returned=1)


def test_a_reviewer_has_the_submitted_evaluations_of_their_department_to_review(office):
    open_task()
    assert inbox_counts(office["reviewer"], today=BEFORE) == InboxCounts(to_review=1)


def test_after_the_deadline_the_unsubmitted_projects_are_overdue_for_staff_reviewer_and_finance(office):
    open_task()
    overdue = [inbox_counts(office[who], today=AFTER).overdue for who in ("staff", "reviewer", "finance")]
    assert overdue == [3, 3, 3]


def test_a_task_to_another_department_asks_nothing_of_these_units(office):
    open_task(departments=[make_department()])
    assert inbox_counts(office["staff"], today=AFTER) == InboxCounts(returned=1)


def test_a_user_without_access_has_an_empty_inbox(office):
    open_task()
    assert inbox_counts(make_user(), today=AFTER) == InboxCounts()


def counting_queries(user) -> int:
    user.__dict__.pop("_jixiao_accesses", None)
    with CaptureQueriesContext(connection) as queries:
        inbox_counts(user, today=AFTER)
    return len(queries)


@pytest.mark.parametrize("who", ["staff", "reviewer", "finance"])
def test_counting_the_inbox_takes_the_same_queries_however_many_projects_tasks_and_departments(office, who):
    open_task()
    few = counting_queries(office[who])
    for _n in range(4):
        other = make_department()
        open_task(departments=[other, office["department"]])
        for status in ("draft", "returned", "submitted"):
            make_evaluation(project=make_project(unit=office["unit"]), status=status)
            make_evaluation(project=make_project(unit=make_unit(department=other)), status=status)
        DepartmentYear.objects.create(department=other, year=2020 + _n, status=DepartmentYear.Status.SUBMITTED)
        DepartmentYear.objects.create(department=office["department"], year=2010 + _n, status="returned")
    # accesses (with their units), tasks, their departments, versions, counts (on a miss), unread; for finance
    # and reviewers the departments' years too, for finance the spot checks' projects to re-review
    assert counting_queries(office[who]) == few <= 8


def test_the_counts_follow_every_change_though_they_are_cached(office):
    """The navigation's counts are cached: a submitted evaluation, a new task or a passed deadline shows at once."""
    reviewer, staff = office["reviewer"], office["staff"]
    assert inbox_counts(reviewer, today=BEFORE) == InboxCounts(to_review=1)
    make_evaluation(project=make_project(unit=office["unit"]), status="submitted")
    assert inbox_counts(reviewer, today=BEFORE) == InboxCounts(to_review=2)
    assert inbox_counts(staff, today=BEFORE) == InboxCounts(returned=1)
    open_task()
    assert inbox_counts(staff, today=BEFORE) == InboxCounts(to_fill=2, returned=1)
    assert inbox_counts(staff, today=AFTER).overdue == 3


def test_a_second_look_at_the_counts_reads_no_project(office):
    open_task()
    staff = office["staff"]
    first = counting_queries(staff)
    again = counting_queries(staff)
    assert again == first - 1  # the aggregate over the projects is not run again


def test_finance_counts_the_submitted_department_years_and_the_reviewer_the_returned_ones(office):
    DepartmentYear.objects.create(department=office["department"], year=2021, status=DepartmentYear.Status.SUBMITTED)
    DepartmentYear.objects.create(department=office["department"], year=2020, status=DepartmentYear.Status.RETURNED)
    DepartmentYear.objects.create(department=make_department(), year=2020, status=DepartmentYear.Status.RETURNED)

    finance = inbox_counts(office["finance"], today=AFTER)
    reviewer = inbox_counts(office["reviewer"], today=AFTER)
    staff = inbox_counts(office["staff"], today=AFTER)

    assert (finance.to_approve, finance.years_returned) == (1, 0)
    assert (reviewer.to_approve, reviewer.years_returned) == (0, 1)  # their department's only
    assert (staff.to_approve, staff.years_returned) == (0, 0)
    assert reviewer.waiting == reviewer.to_review + 1


def test_finance_has_the_sampled_projects_it_has_not_re_reviewed_yet(office, client):
    from performance.spotchecks.services import draw_sample

    check = draw_sample(year=2021, size=1, seed=1, by=office["finance"])  # the approved project
    assert inbox_counts(office["finance"], today=AFTER).to_recheck == 1
    assert inbox_counts(office["reviewer"], today=AFTER).to_recheck == 0
    client.force_login(office["finance"])
    page = client.get("/inbox/").content.decode()
    assert 'data-testid="inbox-rechecks"' in page and f"/spot-checks/items/{check.items.get().pk}/" in page
    check.items.update(conclusion="confirmed")
    assert inbox_counts(office["finance"], today=AFTER).to_recheck == 0


def complete_evaluation(unit):
    project = make_project(unit=unit, name="完整项目", full_year_total=Decimal("10"), executed_total=Decimal("10"))
    indicator = make_indicator(project=project, level1="产出指标", level2="数量指标", target="12次")
    ActualResult.objects.create(indicator=indicator, actual="12次")
    return make_evaluation(project=project)


def test_submitting_notifies_the_reviewers_and_returning_notifies_the_unit_staff(office):
    evaluation = complete_evaluation(office["unit"])
    submit_evaluation(evaluation=evaluation, by=office["staff"])
    told = Notification.objects.get()
    assert (told.user, told.kind, told.text) == (
        office["reviewer"],
        "submitted",
        "项目“完整项目”的绩效自评已提交，等待您审核。",
    )
    return_evaluation(evaluation=evaluation, by=office["reviewer"], reason="请补充佐证材料")
    told = Notification.objects.get(user=office["staff"])
    assert (told.kind, told.text) == ("returned", "项目“完整项目”的绩效自评被退回：请补充佐证材料")


def test_approving_notifies_the_unit_staff_and_not_the_reviewer_who_approved(office):
    evaluation = complete_evaluation(office["unit"])
    submit_evaluation(evaluation=evaluation, by=office["staff"])
    approve_evaluation(evaluation=evaluation, by=office["reviewer"])
    assert list(Notification.objects.filter(kind="approved").values_list("user__username", flat=True)) == ["tianbao"]
    assert inbox_counts(office["staff"], today=BEFORE).unread == 1


def test_a_refused_transition_notifies_nobody(office):
    evaluation = make_evaluation(project=make_project(unit=office["unit"]))  # no indicators: incomplete
    with pytest.raises(ValidationError):
        submit_evaluation(evaluation=evaluation, by=office["staff"])
    assert not Notification.objects.exists()


def test_the_digest_mails_each_user_with_something_waiting_once_for_each_notification(office, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for who in ("staff", "reviewer"):
        office[who].email = f"{office[who].username}@example.cn"
        office[who].save(update_fields=["email"])
    open_task()
    evaluation = complete_evaluation(office["unit"])
    submit_evaluation(evaluation=evaluation, by=office["staff"])
    assert send_digests(today=BEFORE) == 2
    to_reviewer = next(m for m in mail.outbox if m.to == ["shenhe1@example.cn"])
    assert "待审核：2" in to_reviewer.body and "项目“完整项目”的绩效自评已提交" in to_reviewer.body
    mail.outbox.clear()
    send_digests(today=BEFORE)
    assert "新通知" not in next(m for m in mail.outbox if m.to == ["shenhe1@example.cn"]).body


def test_send_digest_prints_how_many_mails_it_sent(office, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office["staff"].email = "tianbao@example.cn"
    office["staff"].save(update_fields=["email"])
    call_command("send_digest")
    assert "已发送待办摘要邮件：1" in capsys.readouterr().out
    assert mail.outbox[0].subject.startswith("绩效管理待办")
