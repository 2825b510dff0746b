"""Spot checks (抽查复核): the signals read from the database, the stored draw, the command, the web draw as a
background job, finance's re-review, the three scores side by side, the 复核结果表 workbook and the pages."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import Access, Project
from performance.jobs import run_job
from performance.models import ActualResult, Evaluation, Evidence, Job
from performance.scores.models import ProjectScore
from performance.spotchecks.models import SpotCheck
from performance.spotchecks.services import comparison, draw_sample, record_review, sample
from performance.spotchecks.signals import signals_for
from performance.workflow.evaluation import return_evaluation, submit_evaluation
from tests.factories import make_indicator, make_project, make_scored_project, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance():
    return make_user_with_access(role=Access.Role.FINANCE)


@pytest.fixture
def unit():
    return make_unit()


def test_a_stored_score_is_what_the_comparison_computes_from(unit):
    project = make_scored_project(unit)
    assert ProjectScore.objects.get(project=project).total == Decimal("99.00")


def test_signals_name_the_reported_total_missing_reasons_and_unevidenced_qualitative_rows(unit):
    project = make_scored_project(unit, actual="6次", reported_total=Decimal("99.00"))
    qualitative = make_indicator(project=project, level1="效益指标", level2="社会效益指标", target="效果明显")
    ActualResult.objects.create(indicator=qualitative, actual="效果明显", tier="met")
    s = signals_for(Project.objects.filter(pk=project.pk))[project.pk]
    assert s.reported_total == Decimal("99.00") and s.computed_total < Decimal("99.00")
    assert s.unevidenced_met == 1
    assert s.missing_reasons == 1  # the 数量 row below its weight, without a reason
    assert not s.checked_before


def test_a_qualitative_row_with_its_evidence_file_is_no_signal(unit, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    project = make_scored_project(unit)
    qualitative = make_indicator(project=project, level1="效益指标", level2="社会效益指标", target="效果明显")
    ActualResult.objects.create(indicator=qualitative, actual="效果明显", tier="met")
    Evidence.objects.create(project=project, indicator=qualitative, file="x.png", original_name="x.png", size=1)
    assert signals_for(Project.objects.filter(pk=project.pk))[project.pk].unevidenced_met == 0


def test_returns_are_counted_from_the_evaluations_history(unit):
    staff = make_user_with_access(role=Access.Role.STAFF, unit=unit)
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=unit.department)
    project = make_scored_project(unit, status=Evaluation.Status.DRAFT)
    project.evaluation.budget_deviation_reason = "执行进度滞后"
    project.evaluation.save()
    for _ in range(2):
        submit_evaluation(evaluation=project.evaluation, by=staff)
        project.evaluation.refresh_from_db()
        return_evaluation(evaluation=project.evaluation, by=reviewer, reason="请补充佐证")
        project.evaluation.refresh_from_db()
    assert signals_for(Project.objects.filter(pk=project.pk))[project.pk].returns == 2


def test_a_target_below_last_years_actual_is_a_signal(unit):
    last = make_scored_project(unit, name="科普活动", year=2020, code="P1", actual="15次")
    assert last.year == 2020
    this = make_project(unit=unit, year=2021, name="科普活动", code="P1")
    make_indicator(project=this, target="≥12次", name="培训次数")
    assert signals_for(Project.objects.filter(pk=this.pk))[this.pk].below_last_year == 1


def test_signals_cost_the_same_queries_for_three_projects_and_for_twelve(unit):
    def queries(more):
        for _ in range(more):
            last = make_scored_project(make_unit(), name="科普活动", code="P", year=2020)
            make_scored_project(last.unit, name="科普活动", code="P", reported_total=Decimal("80"))
        with CaptureQueriesContext(connection) as captured:
            signals = signals_for(Project.objects.filter(year=2021))
        return len(signals), len(captured)

    three, twelve = queries(3), queries(9)
    assert (three[0], twelve[0]) == (3, 12)
    assert three[1] == twelve[1] == 7


def test_a_draw_keeps_who_when_the_seed_and_each_project_with_its_risk_and_reasons(unit, finance):
    projects = [make_scored_project(unit, reported_total=Decimal("100")) for _ in range(5)]
    make_scored_project(unit, status=Evaluation.Status.SUBMITTED)  # not approved: not in the default population
    check = draw_sample(year=2021, size=3, seed=7, by=finance)
    assert (check.drawn_by, check.seed, check.population, check.scope) == (finance, 7, 5, "approved")
    items = list(check.items.order_by("rank"))
    assert [i.rank for i in items] == [1, 2, 3]
    assert {i.project for i in items} <= set(projects)
    assert items[0].risk == 40  # reported 100 over computed 99, and never checked
    assert items[0].reasons == ["自评总分 100.00 与系统计算 99.00 不一致（相差 +1.00）", "从未被抽查"]


def test_a_project_checked_once_loses_the_never_checked_points(unit, finance):
    make_scored_project(unit)
    draw_sample(year=2021, size=1, seed=1, by=finance)
    assert draw_sample(year=2021, size=1, seed=1, by=finance).items.get().risk == 0


def test_the_draw_by_share_and_of_every_state(unit, finance):
    for status in ("draft", "submitted", "approved", "approved"):
        make_scored_project(unit, status=status)
    assert draw_sample(year=2021, share=Decimal("50"), seed=3, scope="any", by=finance).items.count() == 2


def test_a_draw_is_refused_to_anyone_but_finance_and_without_size_or_share(unit, finance):
    make_scored_project(unit)
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=unit.department)
    with pytest.raises(PermissionDenied):
        draw_sample(year=2021, size=1, by=reviewer)
    with pytest.raises(ValidationError):
        draw_sample(year=2021, by=finance)
    with pytest.raises(ValidationError):
        draw_sample(year=2021, size=1, share=Decimal("10"), by=finance)
    with pytest.raises(ValidationError, match="没有可抽取的项目"):
        draw_sample(year=2030, size=1, by=finance)
    assert not SpotCheck.objects.exists()


def test_the_command_prints_the_sample_the_web_then_draws_and_keeps(client, unit, finance):
    for i in range(8):
        make_scored_project(unit, reported_total=Decimal("100") if i % 2 else None)
    out = io.StringIO()
    call_command("draw_sample", "--year", "2021", "--size", "3", "--seed", "11", "--format", "json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["population"] == 8 and len(printed["sample"]) == 3
    assert all("risk" in p and p["reasons"] for p in printed["sample"])
    client.force_login(finance)
    response = client.post(
        reverse("performance:spotcheck-create"), {"year": 2021, "size": 3, "seed": 11, "scope": "approved"}
    )
    check = SpotCheck.objects.get()
    assert response.status_code == 302
    assert [i.project_id for i in check.items.order_by("rank")] == [p["project_id"] for p in printed["sample"]]


def test_the_command_text_lists_each_project_with_its_reasons(unit):
    make_scored_project(unit, name="科普活动")
    out = io.StringIO()
    call_command("draw_sample", "--year", "2021", "--share", "100", "--seed", "1", stdout=out)
    assert "科普活动" in out.getvalue() and "从未被抽查" in out.getvalue()


def test_finance_records_row_scores_and_a_conclusion_shown_beside_the_reported_and_computed(unit, finance):
    project = make_scored_project(unit, reported_total=Decimal("100"))
    item = draw_sample(year=2021, size=1, seed=1, by=finance).items.get()
    indicator = project.indicators.get()
    record_review(
        item=item,
        scores={indicator.pk: Decimal("80")},
        budget_score=Decimal("9"),
        conclusion="inflated",
        note="佐证不足",
        by=finance,
    )
    compared = comparison(item)
    budget, row = compared.rows
    assert (row.weight, row.computed, row.reviewed, row.reviewed_diff) == (
        Decimal("90.00"),
        Decimal("90.00"),
        Decimal("80"),
        Decimal("-10.00"),
    )
    assert (budget.computed, budget.reviewed) == (Decimal("9.00"), Decimal("9"))
    total = compared.total
    assert (total.reported, total.computed, total.reviewed) == (Decimal("100.00"), Decimal("99.00"), Decimal("89"))
    assert total.reviewed_minus_reported == Decimal("-11.00")
    item.refresh_from_db()
    assert (item.conclusion, item.reviewed_by, item.history.count()) == ("inflated", finance, 2)


def test_a_row_score_above_its_weight_or_a_missing_conclusion_is_refused_and_nothing_is_saved(unit, finance):
    project = make_scored_project(unit)
    item = draw_sample(year=2021, size=1, seed=1, by=finance).items.get()
    indicator = project.indicators.get()
    with pytest.raises(ValidationError) as raised:
        record_review(
            item=item,
            scores={indicator.pk: Decimal("91")},
            budget_score=Decimal("11"),
            conclusion="",
            note="",
            by=finance,
        )
    assert set(raised.value.message_dict) == {f"row_{indicator.pk}", "budget_score", "conclusion"}
    assert not item.row_scores.exists()


def test_the_results_workbook_holds_the_three_scores_and_the_differences(client, unit, finance):
    project = make_scored_project(unit, name="科普活动", reported_total=Decimal("100"))
    item = draw_sample(year=2021, size=1, seed=1, by=finance).items.get()
    record_review(
        item=item,
        scores={project.indicators.get().pk: Decimal("85.5")},
        budget_score=Decimal("9"),
        conclusion="adjusted",
        note="",
        by=finance,
    )
    client.force_login(finance)
    response = client.get(reverse("performance:spotcheck-export", args=[item.spot_check_id]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    summary = workbook["汇总"]
    assert summary["A1"].value == "复核结果表"
    assert [c.value for c in summary[4]] == [
        1,
        str(unit),
        "科普活动",
        40,
        "自评总分 100.00 与系统计算 99.00 不一致（相差 +1.00）\n从未被抽查",
        100,
        99,
        94.5,
        "复核调整得分",
    ]
    sheet = workbook.worksheets[1]
    assert [c.value for c in sheet[3]][:6] == ["序号", "指标", "分值", "自评得分", "系统计算得分", "复核得分"]
    assert [c.value for c in sheet[5]] == [2, "培训次数", 90, None, 90, 85.5, None, -4.5, None]
    assert [c.value for c in sheet[6]][1:] == ["总分", 100, 100, 99, 94.5, 1, -4.5, -5.5]
    assert sheet["F5"].number_format == "0.00"


def test_the_item_page_shows_the_three_scores_and_saves_the_review(client, unit, finance):
    project = make_scored_project(unit, reported_total=Decimal("100"))
    item = draw_sample(year=2021, size=1, seed=1, by=finance).items.get()
    client.force_login(finance)
    url = reverse("performance:spotcheck-item", args=[item.pk])
    page = client.get(url).content.decode()
    assert "系统计算得分" in page and "复核得分" in page and "99.00" in page and "100.00" in page
    indicator = project.indicators.get()
    bad = client.post(url, {f"row_{indicator.pk}": "95", "budget_score": "9", "conclusion": "confirmed"})
    assert bad.status_code == 400 and "复核得分应在 0 到 90.00 之间" in bad.content.decode()
    good = client.post(
        url, {f"row_{indicator.pk}": "90", "budget_score": "9", "conclusion": "confirmed", "note": "属实"}
    )
    assert good.status_code == 302
    item.refresh_from_db()
    assert (item.conclusion, item.note) == ("confirmed", "属实")
    assert "99.00" in client.get(reverse("performance:spotcheck-detail", args=[item.spot_check_id])).content.decode()


def test_the_web_draw_runs_as_a_job_whose_page_links_to_the_spot_check(client, unit, finance):
    for _ in range(4):
        make_scored_project(unit)
    client.force_login(finance)
    response = client.post(
        reverse("performance:spotcheck-create"), {"year": 2021, "share": "50", "seed": 3, "scope": "approved"}
    )
    job = Job.objects.get()
    assert response["Location"] == reverse("performance:job-detail", args=[job.pk])
    check = SpotCheck.objects.get()
    assert (job.kind, job.status, job.user, job.report["spot_check"]) == ("draw_sample", "succeeded", finance, check.pk)
    assert (check.drawn_by, check.seed, check.share, check.items.count()) == (finance, 3, Decimal("50.00"), 2)
    page = client.get(response["Location"]).content.decode()
    assert reverse("performance:spotcheck-detail", args=[check.pk]) in page
    assert "已从 4 个项目中抽取 2 个（随机种子 3）。" in page
    crumbs = page.split('<ol class="breadcrumb', 1)[1].split("</ol>", 1)[0]
    assert reverse("performance:spotcheck-list") in crumbs and "导入导出" not in crumbs  # where the draw was made
    assert (
        reverse("performance:spotcheck-detail", args=[check.pk])
        in client.get(reverse("performance:job-list")).content.decode()
    )


def test_the_draw_waits_in_the_queue_and_a_worker_draws_it(client, unit, finance, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
    make_scored_project(unit)
    client.force_login(finance)
    client.post(reverse("performance:spotcheck-create"), {"year": 2021, "size": 1, "scope": "any"})
    job = Job.objects.get()
    assert (job.status, SpotCheck.objects.exists()) == ("queued", False)
    assert "抽取抽查样本" in client.get(reverse("performance:job-detail", args=[job.pk])).content.decode()
    assert run_job.call(job.pk) == Job.Status.SUCCEEDED
    job.refresh_from_db()
    assert SpotCheck.objects.get(pk=job.report["spot_check"]).scope == "any"


def test_a_draw_job_checks_its_user_is_still_finance_when_it_runs(client, unit, finance, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    make_scored_project(unit)
    client.force_login(finance)
    client.post(reverse("performance:spotcheck-create"), {"year": 2021, "size": 1, "scope": "approved"})
    Access.objects.filter(user=finance).delete()  # no longer finance before a worker took the job
    job = Job.objects.get()
    assert run_job.call(job.pk) == Job.Status.FAILED
    job.refresh_from_db()
    assert job.error == "只有财政部门可以抽查复核。"
    assert not SpotCheck.objects.exists()


def test_a_bad_draw_form_keeps_the_input_and_says_why(client, finance):
    client.force_login(finance)
    response = client.post(reverse("performance:spotcheck-create"), {"year": 2021, "scope": "approved", "seed": "5"})
    assert response.status_code == 400
    assert "请填写抽取数量或抽取比例" in response.content.decode()
    assert 'value="5"' in response.content.decode()
    assert not Job.objects.exists()


def test_a_draw_of_a_year_without_projects_is_refused_with_the_form_and_starts_no_job(client, unit, finance):
    make_scored_project(unit, status=Evaluation.Status.SUBMITTED)  # of 2021, but none approved
    client.force_login(finance)
    response = client.post(reverse("performance:spotcheck-create"), {"year": 2021, "size": 3, "scope": "approved"})
    assert response.status_code == 400
    assert "2021 年没有可抽取的项目。" in response.content.decode()
    assert not Job.objects.exists() and not SpotCheck.objects.exists()


@pytest.mark.parametrize("role", [Access.Role.STAFF, Access.Role.REVIEWER])
def test_units_and_reviewers_may_not_draw_or_open_spot_checks(client, unit, finance, role):
    make_scored_project(unit)
    item = draw_sample(year=2021, size=1, seed=1, by=finance).items.get()
    client.force_login(make_user_with_access(role=role, unit=unit))
    for url in (
        reverse("performance:spotcheck-list"),
        reverse("performance:spotcheck-detail", args=[item.spot_check_id]),
        reverse("performance:spotcheck-item", args=[item.pk]),
        reverse("performance:spotcheck-export", args=[item.spot_check_id]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("performance:spotcheck-create"), {"year": 2021, "size": 1}).status_code == 403
    assert SpotCheck.objects.count() == 1
    assert not Job.objects.exists()


def test_sample_is_what_draw_sample_keeps(unit, finance):
    for _ in range(6):
        make_scored_project(unit)
    drawn, _population = sample(year=2021, seed=99, size=4)
    kept = draw_sample(year=2021, seed=99, size=4, by=finance)
    assert [d.project.pk for d in drawn] == list(kept.items.order_by("rank").values_list("project_id", flat=True))
