"""The admin for evaluations and actuals: the same validation, computed scores beside, approved data locked."""

from decimal import Decimal

import pytest

from performance.declaration.models import TargetSet
from performance.models import ActualResult, Evaluation
from tests.factories import make_evaluation, make_indicator, make_project, make_superuser

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(client):
    project = make_project(full_year_total=Decimal("10"), executed_total=Decimal("8"), name="科普经费")
    indicator = make_indicator(project=project, target="12次", name="开展活动场次")
    result = ActualResult.objects.create(indicator=indicator, actual="9次")
    evaluation = make_evaluation(project=project)
    client.force_login(make_superuser())
    return project, indicator, result, evaluation


def test_project_page_shows_the_computed_total_beside_the_evaluation(client, scored):
    project, *_ = scored
    page = client.get(f"/admin/budgets/project/{project.pk}/change/").content.decode()
    # One output row of 90 points (the only group, so it takes every group's points): 9 of 12 → 67.50;
    # budget 8 of 10 → 80.00% → 8.00 points; total 75.50.
    assert "80.00% → 8.00" in page
    assert "75.50 中" in page


def test_indicator_page_shows_the_row_score(client, scored):
    _, indicator, *_ = scored
    page = client.get(f"/admin/performance/indicator/{indicator.pk}/change/").content.decode()
    assert "67.50 / 90.00" in page


def test_admin_refuses_an_actual_in_the_wrong_unit(client, scored):
    _, _, result, _ = scored
    response = client.post(
        f"/admin/performance/actualresult/{result.pk}/change/",
        {"indicator": result.indicator_id, "actual": "12万元", "tier": "", "deviation_reason": ""},
    )
    assert response.status_code == 200
    assert "单位与指标值“12次”的单位不一致" in response.content.decode()
    result.refresh_from_db()
    assert result.actual == "9次"


def test_approved_evaluation_is_read_only_in_the_admin(client, scored):
    project, indicator, result, evaluation = scored
    Evaluation.objects.filter(pk=evaluation.pk).update(status=Evaluation.Status.APPROVED)

    page = client.get(f"/admin/budgets/project/{project.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    response = client.post(
        f"/admin/performance/actualresult/{result.pk}/change/",
        {"indicator": indicator.pk, "actual": "12次", "tier": "", "deviation_reason": ""},
    )
    assert response.status_code == 403
    result.refresh_from_db()
    assert result.actual == "9次"
    assert client.post(f"/admin/performance/indicator/{indicator.pk}/delete/", {"post": "yes"}).status_code == 403


def test_status_cannot_be_changed_in_the_admin(client, scored):
    *_, evaluation = scored
    client.post(
        f"/admin/performance/evaluation/{evaluation.pk}/change/",
        {"project": evaluation.project_id, "status": "approved", "goal_actual": "", "budget_deviation_reason": ""},
    )
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.DRAFT


def test_submitted_targets_are_read_only_for_a_superuser_while_actuals_stay_editable(client, scored):
    project, indicator, result, _ = scored
    TargetSet.objects.create(project=project, status=TargetSet.Status.SUBMITTED)

    response = client.post(
        f"/admin/performance/indicator/{indicator.pk}/change/",
        {"project": project.pk, "level1": indicator.level1_id, "level2": indicator.level2_id, "name": "改名"},
    )
    assert response.status_code == 403
    assert client.post(f"/admin/performance/indicator/{indicator.pk}/delete/", {"post": "yes"}).status_code == 403
    page = client.get(f"/admin/budgets/project/{project.pk}/change/").content.decode()
    assert 'name="indicators-0-target"' not in page  # the inline shows the targets, read-only
    response = client.post(
        f"/admin/performance/actualresult/{result.pk}/change/",
        {"indicator": indicator.pk, "actual": "12次", "tier": "", "deviation_reason": ""},
    )
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.actual == "12次"


def test_a_submitted_evaluations_actuals_are_read_only_for_a_superuser(client, scored):
    _, indicator, result, evaluation = scored
    Evaluation.objects.filter(pk=evaluation.pk).update(status=Evaluation.Status.SUBMITTED)

    response = client.post(
        f"/admin/performance/actualresult/{result.pk}/change/",
        {"indicator": indicator.pk, "actual": "12次", "tier": "", "deviation_reason": ""},
    )

    assert response.status_code == 403
    result.refresh_from_db()
    assert result.actual == "9次"


def test_declarations_and_adjustments_are_shown_but_not_changed_in_the_admin(client, scored):
    project, *_ = scored
    target_set = TargetSet.objects.create(project=project, status=TargetSet.Status.SUBMITTED)

    assert client.get(f"/admin/performance/targetset/{target_set.pk}/change/").status_code == 200
    assert client.get(f"/admin/performance/targetset/{target_set.pk}/history/").status_code == 200
    client.post(f"/admin/performance/targetset/{target_set.pk}/change/", {"project": project.pk, "status": "approved"})
    target_set.refresh_from_db()
    assert target_set.status == TargetSet.Status.SUBMITTED
    assert client.get("/admin/performance/adjustment/").status_code == 200
    assert client.get("/admin/performance/targetset/add/").status_code == 403


def test_spot_checks_tasks_and_report_text_are_shown_but_not_changed_in_the_admin(client, scored):
    """Drawn, issued and written only on their pages (which record who did it); the admin shows them, read-only."""
    from performance.report.models import ReportText
    from performance.spotchecks.services import draw_sample
    from performance.tasks.models import Task
    from tests.factories import make_superuser

    project, *_ = scored
    Evaluation.objects.filter(project=project).update(status=Evaluation.Status.APPROVED)
    check = draw_sample(year=project.year, size=1, seed=1, by=make_superuser(username="finance-admin"))
    task = Task.objects.create(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline="2022-04-30", note="按时提交")
    text = ReportText.objects.create(project=project, year=2021, sections={"overview": "项目概况的文字"})
    item = check.items.get()
    for path, shown in [
        ("spotcheck/", "finance-admin"),
        ("spotcheckitem/", "科普经费"),
        (f"spotcheck/{check.pk}/change/", "科普经费"),
        (f"spotcheckitem/{item.pk}/history/", "抽中"),
        ("task/", "2021"),
        (f"task/{task.pk}/change/", "按时提交"),
        (f"reporttext/{text.pk}/change/", "项目概况的文字"),
    ]:
        response = client.get(f"/admin/performance/{path}")
        assert response.status_code == 200, path
        assert shown in response.content.decode(), path
    for path in ["spotcheck/add/", "task/add/", "reporttext/add/"]:
        assert client.get(f"/admin/performance/{path}").status_code == 403, path
    client.post(f"/admin/performance/task/{task.pk}/change/", {"note": "改了", "deadline": "2030-01-01"})
    task.refresh_from_db()
    assert (task.note, str(task.deadline)) == ("按时提交", "2022-04-30")
