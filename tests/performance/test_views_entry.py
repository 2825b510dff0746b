"""The self-evaluation entry page, its live preview, the workflow action views and the workbook upload page."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import Access, Project
from performance.entry_services import EvaluationEntry, save_evaluation_entry
from performance.models import ActualResult, Evaluation, Indicator, Job
from performance.services import score_project
from tests.factories import (
    make_department,
    make_evaluation,
    make_goal,
    make_indicator,
    make_project,
    make_unit,
    make_user,
    make_user_with_access,
)

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "seed-2021-731001-sample-actuals.xlsx"


@pytest.fixture
def setup():
    """A project of 10 万元 with three indicators (quantity, qualitative, satisfaction), its staff and reviewer."""
    unit = make_unit()
    project = make_project(
        unit=unit, full_year_total=Decimal("10"), full_year_fiscal=Decimal("10"), name="科普活动经费"
    )
    make_goal(project=project)
    quantity = make_indicator(project=project, name="举办科普活动", target="12次")
    quality = make_indicator(
        project=project, level1="效益指标", level2="社会效益指标", name="社会效益", target="效果显著"
    )
    satisfaction = make_indicator(
        project=project, level1="满意度指标", level2="服务对象满意度指标", name="群众满意度", target="≥95%"
    )
    staff = make_user_with_access(role=Access.Role.STAFF, unit=unit)
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=unit.department)
    return {
        "project": project,
        "indicators": (quantity, quality, satisfaction),
        "staff": staff,
        "reviewer": reviewer,
    }


def entry_post(setup, *, version=0, action="save", executed="10", **rows) -> dict:
    """Form data for the entry page; ``rows`` maps "quantity"/"quality"/"satisfaction" to {field: value}."""
    quantity, quality, satisfaction = setup["indicators"]
    data = {
        "version": str(version),
        "action": action,
        "full_year_total": "10",
        "full_year_fiscal": "10",
        "executed_total": "",
        "executed_fiscal": executed,
        "executed_carryover": "",
        "executed_other": "",
        "goal_actual": "完成了全年科普活动",
        "budget_deviation_reason": "",
    }
    defaults = {
        "quantity": {"actual": "12次"},
        "quality": {"actual": "", "tier": "met"},
        "satisfaction": {"actual": "96%"},
    }
    for name, indicator in zip(("quantity", "quality", "satisfaction"), (quantity, quality, satisfaction), strict=True):
        values = {"actual": "", "tier": "", "evaluator_score": "", "deviation_reason": ""}
        values.update(defaults[name])
        values.update(rows.get(name, {}))
        for field, value in values.items():
            data[f"ind-{indicator.pk}-{field}"] = value
    return data


def edit_url(project) -> str:
    return reverse("performance:evaluation-edit", args=[project.pk])


# --- who may open it ----------------------------------------------------------------------------


def test_owner_sees_the_whole_entry_form(client, setup):
    client.force_login(setup["staff"])
    response = client.get(edit_url(setup["project"]))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("举办科普活动", "社会效益", "群众满意度", "保存草稿", "提交审核", 'name="version" value="0"'):
        assert text in page
    quantity = setup["indicators"][0]
    assert f'name="ind-{quantity.pk}-actual"' in page


def test_staff_of_another_unit_gets_404(client, setup):
    client.force_login(make_user_with_access(role=Access.Role.STAFF, unit=make_unit()))
    assert client.get(edit_url(setup["project"])).status_code == 404
    assert client.post(edit_url(setup["project"]), entry_post(setup)).status_code == 404
    assert not ActualResult.objects.exists()


def test_reviewer_cannot_edit(client, setup):
    client.force_login(setup["reviewer"])
    assert client.get(edit_url(setup["project"])).status_code == 403
    assert client.post(edit_url(setup["project"]), entry_post(setup)).status_code == 403
    assert not ActualResult.objects.exists()


def test_anonymous_is_sent_to_login(client, setup):
    response = client.get(edit_url(setup["project"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- saving -------------------------------------------------------------------------------------


def test_owner_saves_and_the_score_is_recomputed(client, setup):
    client.force_login(setup["staff"])
    response = client.post(edit_url(setup["project"]), entry_post(setup))
    assert response.status_code == 302
    assert response["Location"] == edit_url(setup["project"])

    project = Project.objects.get(pk=setup["project"].pk)
    assert project.executed_fiscal == Decimal("10")
    assert project.executed_total == Decimal("10")
    evaluation = project.evaluation
    assert evaluation.version == 1
    assert evaluation.goal_actual == "完成了全年科普活动"
    assert evaluation.history.first().history_user == setup["staff"]
    quantity, quality, _satisfaction = setup["indicators"]
    assert ActualResult.objects.get(indicator=quantity).actual == "12次"
    assert ActualResult.objects.get(indicator=quality).tier == "met"
    score = score_project(project)
    assert score.total == Decimal("100.00")
    assert score.problems == []

    page = client.get(edit_url(project)).content.decode()
    assert 'name="version" value="1"' in page
    assert "100.00" in page


def test_draft_saves_partial_data(client, setup):
    client.force_login(setup["staff"])
    data = entry_post(setup, executed="", quality={"tier": ""}, satisfaction={"actual": ""})
    response = client.post(edit_url(setup["project"]), data)
    assert response.status_code == 302
    assert ActualResult.objects.count() == 1
    evaluation = Evaluation.objects.get(project=setup["project"])
    assert evaluation.status == Evaluation.Status.DRAFT
    page = client.get(edit_url(setup["project"])).content.decode()
    assert "“社会效益”缺少实际完成值。" in page
    assert "“群众满意度”缺少实际完成值。" in page


def test_a_wrong_unit_is_not_saved_but_every_other_value_is_and_the_page_keeps_what_was_typed(client, setup):
    client.force_login(setup["staff"])
    quantity, _quality, satisfaction = setup["indicators"]
    response = client.post(edit_url(setup["project"]), entry_post(setup, quantity={"actual": "12万元"}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "实际完成值“12万元”的单位与指标值“12次”的单位不一致" in page
    assert "已保存草稿（第 1 版）：其余各栏已保存，标红的 1 栏有误、未保存" in page
    assert f'name="ind-{quantity.pk}-actual" value="12万元"' in page
    assert 'name="version" value="1"' in page  # the next save builds on the version just saved
    assert not ActualResult.objects.filter(indicator=quantity).exists()
    assert ActualResult.objects.get(indicator=satisfaction).actual == "96%"
    assert Project.objects.get(pk=setup["project"].pk).executed_fiscal == Decimal("10")
    assert Evaluation.objects.get(project=setup["project"]).goal_actual == "完成了全年科普活动"


def test_a_negative_amount_or_actual_keeps_its_saved_value_and_the_rest_is_saved(client, setup):
    client.force_login(setup["staff"])
    quantity = setup["indicators"][0]
    response = client.post(edit_url(setup["project"]), entry_post(setup, executed="-1"))
    assert response.status_code == 200
    assert "金额不能为负数。" in response.content.decode()
    assert Project.objects.get(pk=setup["project"].pk).executed_fiscal is None
    assert ActualResult.objects.get(indicator=quantity).actual == "12次"

    response = client.post(edit_url(setup["project"]), entry_post(setup, version=1, quantity={"actual": "-3次"}))
    assert response.status_code == 200
    assert "实际完成值“-3次”不能为负数。" in response.content.decode()
    assert ActualResult.objects.get(indicator=quantity).actual == "12次"
    assert Project.objects.get(pk=setup["project"].pk).executed_fiscal == Decimal("10")


def test_score_outside_the_tier_band_shows_beside_the_score(client, setup):
    client.force_login(setup["staff"])
    client.post(edit_url(setup["project"]), entry_post(setup, quality={"tier": "met", "evaluator_score": "5"}))
    page = client.get(edit_url(setup["project"])).content.decode()
    quality = setup["indicators"][1]
    assert f'data-messages-for="ind-{quality.pk}-evaluator_score"' in page
    assert "“社会效益”的得分 5.00 不在“达成年度指标”的分数区间（24.00 至 30.00）内。" in page


def test_submit_is_refused_without_a_deviation_reason_then_accepted_with_it(client, setup):
    client.force_login(setup["staff"])
    missed = {"actual": "6次"}
    response = client.post(edit_url(setup["project"]), entry_post(setup, action="submit", quantity=missed), follow=True)
    page = response.content.decode()
    assert "不能提交审核" in page
    assert "“举办科普活动”得分低于分值，请填写偏差原因分析及改进措施。" in page
    evaluation = Evaluation.objects.get(project=setup["project"])
    assert evaluation.status == Evaluation.Status.DRAFT
    assert evaluation.version == 1  # the draft was saved
    assert ActualResult.objects.get(indicator=setup["indicators"][0]).actual == "6次"

    with_reason = {"actual": "6次", "deviation_reason": "疫情影响，下半年活动取消"}
    response = client.post(
        edit_url(setup["project"]), entry_post(setup, version=1, action="submit", quantity=with_reason)
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("performance:project-detail", args=[setup["project"].pk])
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SUBMITTED
    assert evaluation.submitted_by == setup["staff"]
    assert score_project(Project.objects.get(pk=setup["project"].pk)).total == Decimal("75.00")  # 50 × 6/12 = 25 lost


def test_weights_that_do_not_sum_to_100_are_shown(client, setup):
    for indicator in setup["indicators"]:
        indicator.weight = Decimal("20")
        indicator.save()
    client.force_login(setup["staff"])
    page = client.get(edit_url(setup["project"])).content.decode()
    assert "分值合计应为 100：指标分值合计 60.00，加预算执行率 10.00，共 70.00。" in page


# --- live preview -------------------------------------------------------------------------------


def test_preview_scores_the_posted_values_without_saving(client, setup):
    client.force_login(setup["staff"])
    quantity, quality, satisfaction = setup["indicators"]
    data = entry_post(
        setup, executed="8", quantity={"actual": "6次"}, quality={"tier": "partial", "evaluator_score": ""}
    )
    response = client.post(reverse("performance:evaluation-preview", args=[setup["project"].pk]), data)
    assert response.status_code == 200
    body = response.json()
    assert body["rows"][str(quantity.pk)] == {
        "weight": "50.00",
        "score": "25.00",
        "applicable": True,
        "reason_required": True,
        "tier": "",
    }
    assert body["rows"][str(quality.pk)]["score"] == "21.00"
    assert body["rows"][str(satisfaction.pk)]["score"] == "10.00"
    assert body["budget"] == {
        "rate": "0.8000",
        "rate_percent": "80.00%",
        "weight": "10.00",
        "score": "8.00",
        "reason_required": True,
    }
    assert body["stage_totals"] == {"initial": None, "full_year": "10.00", "executed": "8.00"}
    assert body["total"] == "64.00"
    assert body["grade"] == "中"
    assert body["messages"][f"ind-{quantity.pk}-deviation_reason"] == [
        "“举办科普活动”得分低于分值，请填写偏差原因分析及改进措施。"
    ]
    assert body["messages"]["budget_deviation_reason"] == ["预算执行率低于 90%，请填写执行偏差原因。"]
    assert not ActualResult.objects.exists()
    assert not Evaluation.objects.exists()


def test_preview_reports_a_wrong_unit_beside_the_actual(client, setup):
    client.force_login(setup["staff"])
    quantity = setup["indicators"][0]
    data = entry_post(setup, quantity={"actual": "12万元"})
    body = client.post(reverse("performance:evaluation-preview", args=[setup["project"].pk]), data).json()
    assert body["messages"][f"ind-{quantity.pk}-actual"] == ["实际完成值“12万元”的单位与指标值“12次”的单位不一致"]
    assert body["rows"][str(quantity.pk)]["score"] == "0.00"


def test_preview_is_scoped_like_the_page(client, setup):
    client.force_login(make_user_with_access(role=Access.Role.STAFF, unit=make_unit()))
    url = reverse("performance:evaluation-preview", args=[setup["project"].pk])
    assert client.post(url, entry_post(setup)).status_code == 404


# --- approved is read-only; workflow actions -----------------------------------------------------


def test_approved_evaluation_is_read_only(client, setup):
    make_evaluation(project=setup["project"], status=Evaluation.Status.APPROVED)
    client.force_login(setup["staff"])
    response = client.get(edit_url(setup["project"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("performance:project-detail", args=[setup["project"].pk])
    response = client.post(edit_url(setup["project"]), entry_post(setup))
    assert response.status_code == 302
    assert not ActualResult.objects.exists()
    assert Evaluation.objects.get(project=setup["project"]).version == 0


def submitted(setup) -> Evaluation:
    for indicator, actual in zip(setup["indicators"], ["12次", "达成年度指标", "96%"], strict=True):
        ActualResult.objects.create(indicator=indicator, actual=actual)
    project = setup["project"]
    project.executed_total = Decimal("10")
    project.save()
    return make_evaluation(project=project, status=Evaluation.Status.SUBMITTED)


def action_url(name, setup) -> str:
    return reverse(f"performance:evaluation-{name}", args=[setup["project"].pk])


def test_reviewer_returns_with_a_reason_only(client, setup):
    evaluation = submitted(setup)
    client.force_login(setup["reviewer"])
    page = client.post(action_url("return", setup), {"reason": ""}, follow=True).content.decode()
    assert "退回时必须填写退回原因。" in page
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SUBMITTED

    response = client.post(action_url("return", setup), {"reason": "满意度调查样本不足"})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.RETURNED
    assert evaluation.return_reason == "满意度调查样本不足"


def test_returned_evaluation_shows_the_reason_on_the_entry_form(client, setup):
    evaluation = submitted(setup)
    evaluation.status = Evaluation.Status.RETURNED
    evaluation.return_reason = "请补充佐证材料"
    evaluation.save()
    client.force_login(setup["staff"])
    page = client.get(edit_url(setup["project"])).content.decode()
    assert "请补充佐证材料" in page


def test_reviewer_approves_then_reopens_with_a_reason(client, setup):
    evaluation = submitted(setup)
    client.force_login(setup["reviewer"])
    assert client.post(action_url("approve", setup)).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.APPROVED

    client.post(action_url("reopen", setup), {"reason": ""})
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.APPROVED
    client.post(action_url("reopen", setup), {"reason": "审计发现满意度数据有误"})
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.RETURNED
    assert evaluation.return_reason == "审计发现满意度数据有误"


def test_staff_cannot_approve_and_actions_need_post(client, setup):
    evaluation = submitted(setup)
    client.force_login(setup["staff"])
    page = client.post(action_url("approve", setup), follow=True).content.decode()
    assert "您无权执行此操作。" in page
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SUBMITTED
    assert client.get(action_url("approve", setup)).status_code == 405


def test_actions_of_another_department_are_404(client, setup):
    submitted(setup)
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=make_department()))
    for name in ("submit", "return", "approve", "reopen"):
        assert client.post(action_url(name, setup), {"reason": "x"}).status_code == 404
    assert Evaluation.objects.get().status == Evaluation.Status.SUBMITTED


def test_submit_view_submits_a_complete_evaluation(client, setup):
    evaluation = submitted(setup)
    evaluation.status = Evaluation.Status.DRAFT
    evaluation.save()
    client.force_login(setup["staff"])
    assert client.post(action_url("submit", setup)).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SUBMITTED


# --- workbook upload ----------------------------------------------------------------------------


@pytest.fixture
def sample_staff():
    department = make_department(code="731", name="张家口市科学技术协会")
    unit = make_unit(department=department, code="731001", name="张家口市科协本级")
    return make_user_with_access(unit=unit, role=Access.Role.STAFF)


def upload(name: str = "sample.xlsx", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, SAMPLE.read_bytes() if content is None else content)


def test_upload_previews_then_confirm_imports(client, sample_staff):
    client.force_login(sample_staff)
    url = reverse("performance:workbook-upload")
    response = client.post(url, {"file": upload()})
    check = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("performance:job-detail", args=[check.pk])
    assert (check.kind, check.status, check.user) == (Job.Kind.CHECK_WORKBOOK, Job.Status.SUCCEEDED, sample_staff)
    page = client.get(response["Location"]).content.decode()
    assert "试导入预览（尚未写入）" in page
    assert "确认导入" in page
    assert not Project.objects.exists()
    assert check.report["import"]["counts"]["项目"]["created"] == 4

    response = client.post(reverse("performance:job-confirm", args=[check.pk]), follow=True)
    page = response.content.decode()
    assert "导入结果" in page
    assert Project.objects.filter(unit__code="731001").count() == 4
    imported = Job.objects.get(kind=Job.Kind.IMPORT_WORKBOOK)
    assert (imported.status, imported.source, imported.input_name) == (Job.Status.SUCCEEDED, check, check.input_name)
    # The history names who imported and the file as uploaded (it is stored under a random name).
    record = Indicator.history.filter(project__unit__code="731001").first()
    assert (record.history_user, record.history_change_reason) == (sample_staff, f"导入绩效工作簿“{check.input_name}”")
    # A trial run is confirmed once: confirming again imports nothing more and says so.
    page = client.post(reverse("performance:job-confirm", args=[check.pk]), follow=True).content.decode()
    assert "这个工作簿已经确认导入过。" in page
    assert Job.objects.filter(kind=Job.Kind.IMPORT_WORKBOOK).count() == 1
    assert Project.objects.filter(unit__code="731001").count() == 4


def test_upload_shows_every_error_by_sheet_row_and_column(client):
    client.force_login(make_user_with_access())  # staff of another unit: 731001 is not theirs
    response = client.post(reverse("performance:workbook-upload"), {"file": upload()}, follow=True)
    assert response.status_code == 200
    problems = response.context["problems"]
    assert problems
    page = response.content.decode()
    assert "确认导入" not in page
    first = problems[0]
    assert (first["sheet"], first["column"]) == ("项目", "单位编码")
    assert f"<td>{first['message']}</td>" in page
    assert Job.objects.get().status == Job.Status.FAILED
    assert not Project.objects.exists()


def test_upload_refuses_a_file_that_is_not_a_workbook(client, sample_staff):
    client.force_login(sample_staff)
    response = client.post(reverse("performance:workbook-upload"), {"file": upload("x.xlsx", b"MZ\x90\x00evil")})
    assert "不是 .xlsx 工作簿" in response.content.decode()
    assert not Job.objects.exists()


def test_upload_page_needs_a_scope(client):
    client.force_login(make_user_with_access(role=Access.Role.FINANCE))
    assert client.get(reverse("performance:workbook-upload")).status_code == 200
    client.force_login(make_user())
    assert client.get(reverse("performance:workbook-upload")).status_code == 403


def test_entry_page_queries_do_not_grow_with_indicators(client, setup):
    client.force_login(setup["staff"])
    url = edit_url(setup["project"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(9):
        make_indicator(project=setup["project"], name=f"追加指标{n}", target=f"{n + 1}次")
    client.get(url)  # the navigation's cached inbox counts again, as before ``few``
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_a_refused_actual_is_shown_once_with_the_typed_value_kept(client, setup):
    client.force_login(setup["staff"])
    response = client.post(edit_url(setup["project"]), entry_post(setup, quantity={"actual": "12万元"}))
    page = response.content.decode()
    quantity = setup["indicators"][0]
    assert f'name="ind-{quantity.pk}-actual" value="12万元"' in page
    assert page.count("单位不一致") == 1
    assert "“举办科普活动”缺少实际完成值。" not in page


def test_budget_amounts_by_fund_source_are_saved_and_a_disagreeing_total_keeps_the_saved_stage(client, setup):
    client.force_login(setup["staff"])
    data = entry_post(setup, executed="9")
    data.update({"full_year_total": "", "full_year_fiscal": "8", "full_year_other": "2", "initial_fiscal": "7.5"})
    assert client.post(edit_url(setup["project"]), data).status_code == 302
    project = Project.objects.get(pk=setup["project"].pk)
    assert (project.full_year_total, project.full_year_fiscal, project.full_year_other) == (
        Decimal("10"),
        Decimal("8"),
        Decimal("2"),
    )
    assert (project.initial_total, project.executed_total) == (Decimal("7.5"), Decimal("9"))
    assert score_project(project).budget.score == Decimal("9.00")

    data = entry_post(setup, version=1, executed="9")
    data["executed_total"] = "12"
    response = client.post(edit_url(setup["project"]), data)
    assert response.status_code == 200
    assert "全年执行数 12 与各资金来源之和 9 不一致。" in response.content.decode()
    project.refresh_from_db()
    assert (project.executed_total, project.executed_fiscal) == (Decimal("9"), Decimal("9"))  # the stage as saved
    assert project.evaluation.version == 2  # the rest of the page was saved


def test_the_save_service_refuses_a_locked_evaluation_and_an_outsider(setup):
    make_evaluation(project=setup["project"], status=Evaluation.Status.APPROVED)
    with pytest.raises(ValidationError, match="自评状态为“已审核”，不能修改。"):
        save_evaluation_entry(project=setup["project"], data=EvaluationEntry(), by=setup["staff"], version=0)
    with pytest.raises(PermissionDenied):
        save_evaluation_entry(project=setup["project"], data=EvaluationEntry(), by=setup["reviewer"], version=0)
    assert Evaluation.objects.get(project=setup["project"]).version == 0
