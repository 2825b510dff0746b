"""Scores stored with the data (issue 20): written with every change that can alter them, recomputed by
``manage.py rescore``, read by the list and the dashboard in SQL.

Every test of the suite also ends with the check that no stored score is behind the data
(``tests/conftest.py``, ``stored_scores_follow_every_write``); the write paths with each role are walked in
``test_write_paths.py``. Here: the paths that are neither forms nor imports, and what the stored scores give.
"""

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from budgets.models import Access, Project
from performance.carry_forward import carry_forward_project
from performance.load_data import generate_load_data
from performance.models import ActualResult, Indicator, IndicatorCategory, IndicatorScore, ProjectScore
from performance.scores.keep import kept_scores
from performance.scores.store import rescore
from performance.services import score_project
from tests.factories import make_indicator, make_project, make_superuser, make_unit, make_user_with_access
from tests.performance.list_helpers import names_listed

D = Decimal
pytestmark = pytest.mark.django_db
LIST = "/projects/"


def project_with_two_rows(**money) -> Project:
    """Full-year 100 (executed 90 unless given), 开展活动 12次 and 满意度 ≥95%."""
    money = {"full_year_total": D("100"), "executed_total": D("90")} | money
    project = make_project(unit=make_unit(), name="科普活动经费", **money)
    make_indicator(project=project, name="开展活动", target="12次")
    make_indicator(project=project, level1="满意度指标", level2="服务对象满意度指标", name="满意度", target="≥95%")
    return project


def stored(project) -> ProjectScore:
    return ProjectScore.objects.get(project=project)


def enter(project, **actuals) -> None:
    for indicator in project.indicators.all():
        if indicator.name in actuals:
            ActualResult.objects.update_or_create(
                indicator=indicator, defaults={"actual": actuals[indicator.name], "deviation_reason": "原因"}
            )


def test_a_project_with_nothing_entered_is_stored_as_not_started_without_a_grade():
    project = make_project(unit=make_unit())
    make_indicator(project=project, target="12次")

    score = stored(project)
    assert (score.started, score.rate, score.total, score.grade) == (False, None, D("0.00"), "")
    assert IndicatorScore.objects.get(indicator__project=project).score == D("0.00")


def test_entering_actuals_stores_the_total_grade_and_each_rows_score():
    project = project_with_two_rows()
    assert (stored(project).started, stored(project).rate) == (True, D("0.9000"))  # the money executed: a start

    enter(project, 开展活动="6次", 满意度="96%")

    # 效益 has no row: its 30 points go to 产出 and 满意度 in proportion (75 and 15); 6 of 12次 is half of 75.
    score = stored(project)
    assert (score.total, score.grade) == (D("61.50"), "中")
    assert (score.total, score.grade) == (score_project(project).total, score_project(project).grade)
    rows = IndicatorScore.objects.filter(indicator__project=project).order_by("indicator__order")
    assert [(row.weight, row.score) for row in rows] == [(D("75.00"), D("37.50")), (D("15.00"), D("15.00"))]


def test_money_changed_in_the_admin_moves_the_stored_rate_and_total(client):
    project = project_with_two_rows()
    enter(project, 开展活动="12次", 满意度="96%")
    admin_user = make_superuser()
    client.force_login(admin_user)
    url = f"/admin/budgets/project/{project.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data |= dict(_inline_management(client.get(url)))
    data["executed_total"] = "45"

    response = client.post(url, data)

    assert response.status_code == 302, [f.formset.errors for f in response.context["inline_admin_formsets"]]
    assert stored(project).rate == D("0.4500")
    assert stored(project).total == score_project(Project.objects.get(pk=project.pk)).total == D("94.50")


def _inline_management(response):
    """The admin change form's inline formsets as posted back unchanged."""
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            yield f"{management.prefix}-{name}", management.initial.get(name, field.initial)
        for form in formset.formset.forms:
            for name in form.fields:
                value = form.instance.pk if name == "id" else form.initial.get(name)
                if hasattr(value, "pk"):
                    value = value.pk
                yield f"{form.prefix}-{name}", "" if value is None else value


def test_a_category_moved_to_another_scoring_group_rescores_every_project_that_uses_it():
    projects = [project_with_two_rows() for _ in range(3)]
    for project in projects:
        enter(project, 开展活动="6次", 满意度="96%")
    satisfaction = IndicatorCategory.objects.get(level=1, name="满意度指标")
    before = {project.pk: stored(project).total for project in projects}

    satisfaction.group = IndicatorCategory.Group.EFFECT  # the admin's change page saves it so
    satisfaction.save()

    for project in projects:
        assert stored(project).total != before[project.pk]
        assert stored(project).total == score_project(Project.objects.get(pk=project.pk)).total


def test_deleting_an_indicator_rescores_its_project_and_deleting_a_project_leaves_no_score_behind():
    project = project_with_two_rows()
    enter(project, 开展活动="6次", 满意度="96%")
    Indicator.objects.get(project=project, name="开展活动").delete()
    assert stored(project).total == score_project(Project.objects.get(pk=project.pk)).total
    assert IndicatorScore.objects.filter(indicator__project=project).count() == 1

    Project.objects.filter(pk=project.pk).delete()

    assert not ProjectScore.objects.filter(project_id=project.pk).exists()
    assert not IndicatorScore.objects.exists()


def test_changes_inside_kept_scores_are_rescored_once_at_its_end():
    project = project_with_two_rows()
    before = stored(project).total

    with CaptureQueriesContext(connection) as queries, kept_scores():
        enter(project, 开展活动="6次", 满意度="96%")
        assert stored(project).total == before  # not yet: at the end
    assert stored(project).total == D("61.50")
    table = ProjectScore._meta.db_table
    writes = [q["sql"] for q in queries.captured_queries if f'INSERT INTO "{table}"' in q["sql"]]
    assert len(writes) == 1


def test_a_change_rolled_back_leaves_the_stored_score_as_it_was():
    project = project_with_two_rows()
    enter(project, 开展活动="12次", 满意度="96%")
    before = stored(project).total

    with pytest.raises(RuntimeError), transaction.atomic(), kept_scores():
        enter(project, 开展活动="1次")
        raise RuntimeError("the save fails after the rows were written")

    assert stored(project).total == before


def test_carrying_a_project_forward_stores_the_new_projects_score():
    project = project_with_two_rows()
    staff = make_user_with_access(role=Access.Role.STAFF, unit=project.unit)

    carried = carry_forward_project(project=project, to_year=2022, by=staff)

    assert stored(carried).started is False
    assert stored(carried).total == score_project(carried).total


def test_generated_data_is_stored_scored():
    summary = generate_load_data(units=2, projects_per_unit=3, indicators_per_project=6, department_code="931")

    assert ProjectScore.objects.filter(project__unit__department=summary.department).count() == 6
    assert IndicatorScore.objects.filter(indicator__project__unit__department=summary.department).count() == 36
    assert not rescore(Project.objects.all(), write=False)


@pytest.mark.stale_scores
def test_rescore_reports_nothing_on_consistent_data_and_each_change_after_a_bare_update():
    project = project_with_two_rows()
    enter(project, 开展活动="12次", 满意度="96%")
    out = StringIO()
    call_command("rescore", stdout=out)
    assert "已保存的得分都与计算一致，没有改动" in out.getvalue()

    ActualResult.objects.filter(indicator__project=project, indicator__name="开展活动").update(actual="6次")
    out = StringIO()
    call_command("rescore", "--year", "2021", stdout=out)

    report = out.getvalue()
    assert f"项目{project.pk} 科普活动经费：总分99.00 优 执行率90.00% → 总分61.50 中 执行率90.00%" in report
    assert "1个项目的得分、1行指标得分已更新" in report
    out = StringIO()
    call_command("rescore", stdout=out)
    assert "没有改动" in out.getvalue()


def test_the_list_sorts_by_the_stored_total_and_filters_by_the_stored_grade(client):
    unit = make_unit()
    totals = {}
    for n, actual in enumerate(["12次", "6次", "10次", "3次"]):
        project = make_project(unit=unit, name=f"项目{n}", full_year_total=D("100"), executed_total=D("90"))
        make_indicator(project=project, target="12次")
        ActualResult.objects.create(indicator=project.indicators.get(), actual=actual, deviation_reason="原因")
        totals[project.name] = stored(project).total
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=unit.department))

    names = names_listed(client.get(LIST, {"sort": "-total"}))
    assert names == sorted(totals, key=lambda name: -totals[name])
    assert names_listed(client.get(LIST, {"grade": "良"})) == [
        name for name, total in totals.items() if D("80") <= total < D("90")
    ]


def test_the_admin_lists_no_stored_score_to_edit():
    assert ProjectScore not in site._registry
    assert IndicatorScore not in site._registry


def test_a_project_whose_delete_failed_is_rescored_again_by_the_next_service():
    from performance.scores import keep

    project = project_with_two_rows()
    keep._project_deleting(Project, project)  # pre_delete sent, then the delete failed: no post_delete

    with kept_scores():
        enter(project, 开展活动="6次", 满意度="96%")

    assert stored(project).total == D("61.50")
