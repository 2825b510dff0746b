"""Finance's task pages, the inbox page, the home page's tasks and the navigation's count."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from budgets.models import Access
from performance.tasks.models import Notification, Task
from tests.factories import make_department, make_evaluation, make_project, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    department = make_department(name="科协")
    unit = make_unit(department=department)
    return {
        "department": department,
        "unit": unit,
        "finance": make_user_with_access(role=Access.Role.FINANCE),
        "staff": make_user_with_access(role=Access.Role.STAFF, unit=unit),
        "reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=department),
    }


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_finance_issues_a_task_to_chosen_departments_from_the_form(client, people):
    client.force_login(people["finance"])
    response = client.post(
        reverse("performance:task-create"),
        {
            "kind": "self_evaluation",
            "year": "2021",
            "round_number": "1",
            "deadline": in_days(10).isoformat(),
            "note": "请按时提交",
            "departments": [people["department"].pk],
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.all_departments, list(task.departments.all()), task.note) == (
        False,
        [people["department"]],
        "请按时提交",
    )


def test_issuing_with_no_department_chosen_says_so_and_keeps_the_input(client, people):
    client.force_login(people["finance"])
    response = client.post(
        reverse("performance:task-create"),
        {"kind": "monitoring", "year": "2022", "round_number": "2", "deadline": "2022-07-31", "note": "第二次"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "请选择至少一个部门，或选择下达给全部部门。" in text and "第二次" in text
    assert not Task.objects.exists()


def test_a_malformed_deadline_is_refused_with_a_sentence_not_an_error(client, people):
    client.force_login(people["finance"])
    response = client.post(
        reverse("performance:task-create"),
        {"kind": "self_evaluation", "year": "2021", "deadline": "明天", "to_all": "on"},
    )
    assert response.status_code == 200 and not Task.objects.exists()


def test_finance_edits_the_deadline_and_closes_the_task(client, people):
    task = Task.objects.create(kind="self_evaluation", year=2021, deadline=in_days(3))
    client.force_login(people["finance"])
    client.post(reverse("performance:task-edit", args=[task.pk]), {"deadline": in_days(9).isoformat(), "note": "延期"})
    task.refresh_from_db()
    assert (task.deadline, task.note) == (in_days(9), "延期")
    assert "修改截止日期或说明" in client.get(reverse("performance:task-edit", args=[task.pk])).content.decode()
    client.post(reverse("performance:task-close", args=[task.pk]))
    assert Task.objects.get().status == "closed"


def test_the_task_list_shows_the_days_left_and_the_overdue_projects(client, people):
    Task.objects.create(kind="self_evaluation", year=2021, deadline=in_days(-2))
    make_project(unit=people["unit"], name="迟交项目")
    client.force_login(people["finance"])
    text = client.get(reverse("performance:task-list")).content.decode()
    assert "已逾期2天" in text and "迟交项目" in text and "逾期未提交的项目（1）" in text


@pytest.mark.parametrize("who", ["staff", "reviewer"])
def test_units_and_reviewers_cannot_open_the_task_pages(client, people, who):
    task = Task.objects.create(kind="self_evaluation", year=2021, deadline=in_days(3))
    client.force_login(people[who])
    for url in (reverse("performance:task-list"), reverse("performance:task-create")):
        assert client.get(url).status_code == 403
    assert client.post(reverse("performance:task-close", args=[task.pk])).status_code == 403
    assert Task.objects.get().status == "open"


def test_the_home_page_shows_unit_staff_their_task_with_the_days_left(client, people):
    Task.objects.create(kind="self_evaluation", year=2021, deadline=in_days(5), note="按时提交自评")
    client.force_login(people["staff"])
    text = client.get(reverse("budgets:home")).content.decode()
    assert "自评任务" in text and "剩余5天" in text and "按时提交自评" in text


def test_the_navigation_counts_what_waits_and_the_inbox_lists_it(client, people):
    Task.objects.create(kind="self_evaluation", year=2021, deadline=in_days(5))
    make_project(unit=people["unit"], name="待填项目")
    make_evaluation(project=make_project(unit=people["unit"], name="退回项目"), status="returned")
    client.force_login(people["staff"])
    response = client.get(reverse("performance:inbox"))
    counts = response.context["counts"]
    assert (counts.to_fill, counts.returned, counts.waiting) == (1, 1, 2)
    text = response.content.decode()
    assert "待填项目" in text and "退回项目" in text
    nav = client.get(reverse("performance:project-list")).content.decode()
    assert 'data-testid="nav-inbox"' in nav and '<span class="badge rounded-pill text-bg-light">2</span>' in nav


def test_marking_notifications_read_clears_the_unread_count(client, people):
    project = make_project(unit=people["unit"])
    Notification.objects.create(user=people["staff"], kind="approved", project=project, text="已审核通过")
    client.force_login(people["staff"])
    client.post(reverse("performance:notifications-read"))
    assert client.get(reverse("performance:inbox")).context["counts"].unread == 0


def test_a_monitoring_task_on_the_home_page_and_in_the_inbox_leads_to_the_monitoring_page(client, people):
    Task.objects.create(kind="monitoring", year=2021, round_number=2, deadline=in_days(5))
    client.force_login(people["reviewer"])
    link = f'<a href="{reverse("performance:monitoring-report")}?year=2021">2021 第2次监控任务</a>'
    assert link in client.get(reverse("budgets:home")).content.decode()
    assert link in client.get(reverse("performance:inbox")).content.decode()
    page = client.get(f"{reverse('performance:monitoring-report')}?year=2021")
    assert [task.round_number for task in page.context["startable"]] == [2]
