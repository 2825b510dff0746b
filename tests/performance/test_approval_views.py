"""The department-year page with its buttons, and the review list's bulk approve and return (issue 16 items 2, 6)."""

import pytest
from django.urls import reverse

from budgets.models import Access
from performance.approval.bulk import APPROVE, RETURN, review_in_bulk
from performance.approval.models import DepartmentYear
from performance.models import Evaluation
from performance.tasks.models import Notification
from tests.factories import make_department, make_evaluation, make_project, make_unit, make_user_with_access
from tests.performance.test_approval import year  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def page(code="801", year_=2021):
    return reverse("performance:department-year", kwargs={"code": code, "year": year_})


def action(name, code="801"):
    return reverse(f"performance:department-year-{name}", kwargs={"code": code, "year": 2021})


def test_the_reviewer_sees_the_submit_button_and_submits_from_the_page(client, year):  # noqa: F811
    client.force_login(year["reviewer"])
    html = client.get(page()).content.decode()
    assert 'data-testid="department-year-submit"' in html and "信息化经费" in html
    assert 'data-testid="department-year-approve"' not in html

    response = client.post(action("submit"), follow=True)

    assert "已提交财政审核。" in response.content.decode()
    assert DepartmentYear.objects.get().status == DepartmentYear.Status.SUBMITTED


def test_finance_returns_from_the_page_with_the_ticked_projects(client, year):  # noqa: F811
    client.force_login(year["reviewer"])
    client.post(action("submit"))
    client.force_login(year["finance"])
    html = client.get(page()).content.decode()
    assert 'data-testid="department-year-approve"' in html and 'data-testid="department-year-return"' in html

    response = client.post(action("return"), {"reason": "请补充佐证", "projects": [year["first"].pk]}, follow=True)

    assert "已退回部门" in response.content.decode()
    assert Evaluation.objects.get(project=year["first"]).status == Evaluation.Status.RETURNED
    assert "请补充佐证（退回项目：信息化经费）" in client.get(page()).content.decode()


def test_a_return_without_a_ticked_project_says_so_and_changes_nothing(client, year):  # noqa: F811
    client.force_login(year["reviewer"])
    client.post(action("submit"))
    client.force_login(year["finance"])

    response = client.post(action("return"), {"reason": "请补充"}, follow=True)

    assert "退回时请至少选择一个需要修改的项目。" in response.content.decode()
    assert DepartmentYear.objects.get().status == DepartmentYear.Status.SUBMITTED


def test_another_departments_reviewer_gets_a_404_for_the_page_and_every_button(client, year):  # noqa: F811
    client.force_login(year["reviewer"])
    client.post(action("submit"))
    client.force_login(year["other_reviewer"])
    assert client.get(page()).status_code == 404
    for name in ("submit", "approve", "return", "reopen"):
        assert client.post(action(name), {"reason": "x", "projects": [year["first"].pk]}).status_code == 404
    assert DepartmentYear.objects.get().status == DepartmentYear.Status.SUBMITTED


def test_the_project_page_links_to_its_department_year_and_a_locked_year_shows_no_reopen(client, year):  # noqa: F811
    DepartmentYear.objects.create(department=year["department"], year=2021, status=DepartmentYear.Status.APPROVED)
    client.force_login(year["reviewer"])

    html = client.get(reverse("performance:project-detail", args=[year["first"].pk])).content.decode()

    assert f'href="{page()}"' in html and "部门年度：财政已审核" in html
    assert 'data-testid="action-reopen"' not in html


# --- the review list ---------------------------------------------------------------------------------------------


@pytest.fixture
def queue():
    department = make_department(code="811", name="丙局")
    unit = make_unit(department=department)
    evaluations = [
        make_evaluation(project=make_project(unit=unit, name=name), status=Evaluation.Status.SUBMITTED)
        for name in ("一号项目", "二号项目", "三号项目")
    ]
    return {
        "evaluations": evaluations,
        "reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=department),
        "staff": make_user_with_access(role=Access.Role.STAFF, unit=unit),
        "stranger": make_user_with_access(role=Access.Role.REVIEWER, department=make_department()),
    }


def statuses():
    return dict(Evaluation.objects.values_list("project__name", "status"))


def test_bulk_approve_approves_each_and_names_the_one_already_moved(queue):
    first, second, third = queue["evaluations"]
    Evaluation.objects.filter(pk=second.pk).update(status=Evaluation.Status.APPROVED)  # another reviewer was quicker

    result = review_in_bulk(evaluations=[first, second, third], action=APPROVE, by=queue["reviewer"])

    assert [e.pk for e in result.done] == [first.pk, third.pk]
    assert [(e.pk, why) for e, why in result.refused] == [(second.pk, "当前状态为“已审核”，不能审核通过。")]
    assert set(statuses().values()) == {Evaluation.Status.APPROVED}
    assert Notification.objects.filter(user=queue["staff"], kind="approved").count() == 2


def test_bulk_return_records_each_ones_own_reason_else_the_one_for_all(queue):
    first, second, third = queue["evaluations"]

    review_in_bulk(
        evaluations=[first, second, third],
        action=RETURN,
        by=queue["reviewer"],
        common="材料不全",
        reasons={second.pk: "目标值有误"},
    )

    reasons = dict(Evaluation.objects.values_list("project__name", "return_reason"))
    assert reasons == {"一号项目": "材料不全", "二号项目": "目标值有误", "三号项目": "材料不全"}
    history = Evaluation.objects.get(pk=second.pk).history.latest()
    assert history.history_change_reason == "退回：目标值有误"


def test_a_bulk_return_without_a_reason_for_some_changes_nothing_and_names_them(client, queue):
    first, second, _third = queue["evaluations"]
    client.force_login(queue["reviewer"])

    response = client.post(
        reverse("performance:review-list"),
        {"evaluations": [first.pk, second.pk], "action": "return", f"reason-{first.pk}": "缺佐证"},
        follow=True,
    )

    assert "退回时必须填写退回原因（可填写统一原因，或逐项填写）：二号项目" in response.content.decode()
    assert set(statuses().values()) == {Evaluation.Status.SUBMITTED}
    assert "缺佐证" in response.content.decode()  # what was typed is kept


def test_the_review_list_approves_the_ticked_rows_from_the_web(client, queue):
    first, second, _third = queue["evaluations"]
    client.force_login(queue["reviewer"])
    assert client.get(reverse("performance:review-list")).content.decode().count('data-testid="review-row"') == 3

    response = client.post(
        reverse("performance:review-list"), {"evaluations": [first.pk, second.pk], "action": "approve"}, follow=True
    )

    assert "已审核通过2个项目。" in response.content.decode()
    assert statuses() == {"一号项目": "approved", "二号项目": "approved", "三号项目": "submitted"}


def test_the_review_list_of_another_department_shows_and_changes_nothing(client, queue):
    first = queue["evaluations"][0]
    client.force_login(queue["stranger"])

    html = client.get(reverse("performance:review-list")).content.decode()
    client.post(reverse("performance:review-list"), {"evaluations": [first.pk], "action": "approve"})

    assert "一号项目" not in html
    assert set(statuses().values()) == {Evaluation.Status.SUBMITTED}


def test_unit_staff_see_their_submitted_projects_without_a_box_to_tick(client, queue):
    client.force_login(queue["staff"])
    html = client.get(reverse("performance:review-list")).content.decode()
    assert "一号项目" in html and 'name="evaluations"' not in html and "无权审核" in html


def test_in_a_locked_year_the_units_request_for_an_adjustment_is_refused_with_the_sentence(client, year):  # noqa: F811
    DepartmentYear.objects.create(department=year["department"], year=2021, status=DepartmentYear.Status.APPROVED)
    client.force_login(year["staff"])

    response = client.get(reverse("performance:adjustment-create", args=[year["first"].pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("performance:project-detail", args=[year["first"].pk])
    assert (
        "所在部门的2021年度自评已经财政审核通过并锁定，不能修改；如需修改请由财政重新打开" in response.content.decode()
    )
    assert 'data-testid="action-edit"' not in response.content.decode()


def test_the_dashboard_links_each_department_year_the_user_sees(client, year):  # noqa: F811
    client.force_login(year["reviewer"])
    html = client.get(reverse("performance:dashboard") + "?year=2021").content.decode()
    assert f'href="{page()}"' in html
    assert 'href="/department-years/802/2021/"' not in html  # not theirs


def test_a_year_out_of_any_range_is_refused_with_a_sentence_not_an_error(client, year):  # noqa: F811
    client.force_login(year["reviewer"])
    url = reverse("performance:department-year-submit", kwargs={"code": "801", "year": 99999999999})

    response = client.post(url, follow=True)

    assert response.status_code == 200 and "没有甲局的项目，无需提交" in response.content.decode()
    assert client.get(page(year_=99999999999)).status_code == 200


def test_the_review_list_takes_nonsense_ids_and_years_without_an_error(client, queue):
    client.force_login(queue["reviewer"])
    huge = "9" * 30

    assert client.get(reverse("performance:review-list") + f"?year={huge}").status_code == 200
    response = client.post(reverse("performance:review-list"), {"evaluations": [huge, "x"], "action": "approve"})

    assert response.status_code == 200 and "请至少选择一个项目。" in response.content.decode()
    assert set(statuses().values()) == {Evaluation.Status.SUBMITTED}


def test_the_department_year_page_takes_a_year_of_thirty_digits_without_an_error(client, year):  # noqa: F811
    client.force_login(year["reviewer"])
    huge = int("9" * 30)
    assert client.get(page(year_=huge)).status_code == 200
    assert client.post(action_for_year("submit", huge), follow=True).status_code == 200
    assert not DepartmentYear.objects.exists()


def action_for_year(name, year_):
    return reverse(f"performance:department-year-{name}", kwargs={"code": "801", "year": year_})
