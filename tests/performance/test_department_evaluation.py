"""The department self-evaluation (issue 18): each prefilled figure against the data it comes from, the reviewer's
decisions with their history, finance's choice of framework and its versions, the workbook read back, the JSON's
``department`` object, and the seed's department goals imported, shown and generated back as published."""

import io
import re
from datetime import date
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from budgets.models import Access, Department, DepartmentBudget
from performance.declaration.models import TargetSet
from performance.department.framework import Decision
from performance.department.models import (
    DepartmentEvaluation,
    DepartmentFramework,
    DepartmentFrameworkVersion,
    DepartmentIndicator,
    DepartmentTask,
    ItemDecision,
)
from performance.department.services import (
    decide_item,
    department_assessment,
    record_basic_spending,
    save_framework_version,
)
from performance.department.shipped import SICHUAN_CODE
from performance.disclosure.docx import read_docx
from performance.disclosure.generate import build_disclosure, disclosure_docx
from performance.disclosure.importer import import_disclosure
from performance.disclosure.model import Paragraph
from performance.models import Evaluation
from performance.rectification.models import RectificationItem
from performance.scores.store import rescore
from tests.factories import (
    category,
    make_department,
    make_indicator,
    make_project,
    make_unit,
    make_user_with_access,
)

from .test_disclosure import SEED

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_data():
    department = make_department(code="801", name="丙部门")
    unit = make_unit(department=department, code="801001", name="丙单位")
    DepartmentBudget.objects.create(
        department=department,
        year=2021,
        basic_total=D("100"),
        three_public_total=D("5.34"),
        three_public_total_last_year=D("6.00"),
    )
    first = make_project(unit=unit, name="甲", full_year_total=D("10"), executed_total=D("9"))
    second = make_project(unit=unit, name="乙", full_year_total=D("30"), executed_total=D("15"))
    third = make_project(unit=unit, name="丙", full_year_total=D("20"), executed_total=D("20"))
    TargetSet.objects.create(project=first, status=TargetSet.Status.APPROVED)
    TargetSet.objects.create(project=second, status=TargetSet.Status.SUBMITTED)
    Evaluation.objects.create(project=first, status=Evaluation.Status.APPROVED)
    Evaluation.objects.create(project=second, status=Evaluation.Status.SUBMITTED)
    Evaluation.objects.create(project=third, status=Evaluation.Status.DRAFT)
    make_indicator(project=third, name="未填报的指标")  # no actual: the third project's score is incomplete
    rescore([first.pk, second.pk, third.pk])  # the stored scores: budget rows only, 9.00, 5.00 and (incomplete) 10.00
    for status in (RectificationItem.Status.DONE, RectificationItem.Status.PENDING, RectificationItem.Status.DONE):
        RectificationItem.objects.create(
            unit=unit, year=2021, problem="问题", measures="整改", due_date=date(2022, 6, 30), status=status
        )
    return department


def use_sichuan(department, **fields):
    version = DepartmentFramework.objects.get(code=SICHUAN_CODE).latest()
    return DepartmentEvaluation.objects.create(department=department, year=2021, version=version, **fields)


def test_each_prefilled_figure_comes_from_the_data_it_names(year_data):
    figures = department_assessment(year_data, 2021).figures
    assert figures["execution_rate"].ratio is None  # 基本支出's execution is not in the disclosure
    assert (
        figures["execution_rate"].shown == "未填写 / 160.00 万元（—）；基本支出 未填写 / 100.00，项目支出 44.00 / 60.00"
    )
    assert "基本支出的全年执行数未填写" in figures["execution_rate"].missing
    assert figures["targets_approved"].ratio == D("0.3333")
    assert figures["targets_approved"].shown == "1 / 3 个项目（33.33%）"
    assert figures["self_evaluated"].ratio == D("0.6667")
    assert figures["evaluations_approved"].ratio == D("0.3333")
    assert figures["monitored"].ratio == D("0")
    assert figures["grades"].shown == "优 0，良 0，中 0，差 2；平均 7.00 分"  # the incomplete project not counted
    assert figures["three_public"].shown == "本年 5.34，上年 6.00，增减 -0.66 万元"
    assert figures["three_public"].ratio == D("1")
    assert figures["budget_disclosed"].ratio == D("1")
    assert figures["performance_disclosed"].ratio == D("0")  # no department goals published
    assert figures["rectification_closed"].ratio == D("0.6667")
    assert figures["rectification_closed"].source == "整改事项（状态：已完成）"


def test_the_departments_execution_rate_counts_basic_and_project_spending_once_basic_is_entered(year_data):
    use_sichuan(year_data, basic_executed=D("80"))
    figure = department_assessment(year_data, 2021).figures["execution_rate"]
    assert figure.ratio == D("0.7750")  # (80 + 44) / (100 + 60)
    result = department_assessment(year_data, 2021).assessment
    progress = next(r for r in result.rows if r.item.code == "management.monitoring.progress")
    assert progress.suggested == D("1.55")  # 2 × 0.775


def test_projects_without_amounts_take_the_disclosed_project_spending_and_leave_the_rate_open(year_data):
    budget = DepartmentBudget.objects.get(department=year_data)
    budget.project_total = D("370.40")
    budget.save()
    make_project(unit=year_data.units.get(), name="没有金额的项目")
    use_sichuan(year_data, basic_executed=D("80"))
    figure = department_assessment(year_data, 2021).figures["execution_rate"]
    assert figure.ratio is None
    assert figure.shown.endswith("项目支出 未填写 / 370.40")
    assert "项目没有填写预算数，项目支出预算取预算公开数。" in figure.source
    assert figure.missing == "有项目未填写全年执行数。部门预算执行率暂不能计算。"


def test_the_three_level_scheme_scores_the_departments_own_indicators(year_data):
    DepartmentIndicator.objects.create(
        department=year_data,
        year=2021,
        level1=category("产出指标"),
        level2=category("产出指标", "数量指标"),
        name="科普活动",
        target="≥10场",
        actual="8场",
        deviation_reason="疫情",
    )
    DepartmentIndicator.objects.create(
        department=year_data,
        year=2021,
        level1=category("满意度指标"),
        level2=category("满意度指标", "服务对象满意度指标"),
        name="满意度",
        target="≥90%",
        actual="95%",
    )
    current = department_assessment(year_data, 2021)
    rows = {row.item.code: row for row in current.assessment.rows}
    assert rows["output"].suggested == D("40.00")  # the framework's 50 × 8/10
    assert rows["satisfaction"].suggested == D("10.00")
    assert rows["effect"].suggested is None  # no 效益 indicator: the reviewer scores it
    # 效益 has no indicator: its 30 points go to 产出 and 满意度 in proportion (section 6), 75 and 15
    assert current.figures["output"].shown == "得分 60.00 / 75.00"
    assert current.figures["output"].ratio == D("0.8")


def test_a_reviewer_confirms_and_overrides_items_and_the_history_keeps_both(client, year_data):
    use_sichuan(year_data)
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=year_data)
    client.force_login(reviewer)
    url = reverse("performance:department-evaluation-decide", args=["801", 2021])
    client.post(url, {"code": "decision.budgeting.targets", "action": "confirm"})
    client.post(url, {"code": "decision.budgeting.targets", "action": "override", "score": "4", "reason": "目标细化"})
    response = client.post(url, {"code": "management.assets", "action": "override", "score": "9", "reason": "好"})
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "“资产管理”的得分须在 0 至 6 之间。" in messages
    evaluation = DepartmentEvaluation.objects.get(department=year_data, year=2021)
    decision = ItemDecision.objects.get(evaluation=evaluation, code="decision.budgeting.targets")
    assert (decision.action, decision.score, decision.reason) == ("override", D("4.00"), "目标细化")
    assert [h.action for h in decision.history.order_by("history_date")] == ["confirm", "override"]
    assert not ItemDecision.objects.filter(code="management.assets").exists()
    page = client.get(reverse("performance:department-evaluation", args=["801", 2021])).content.decode()
    assert "来源：项目绩效目标申报（状态：已审核）" in page
    assert "目标细化" in page


def test_the_basic_spending_form_shows_money_with_2_places_and_keeps_finer_yuan(client, year_data):
    record_basic_spending(department=year_data, year=2021, full_year=D("636.0600"), executed=D("1.2345"))
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=year_data))
    page = client.get(reverse("performance:department-evaluation", args=["801", 2021])).content.decode()
    assert 'value="636.06"' in page and 'value="1.2345"' in page
    assert "636.0600" not in page


def test_an_override_without_a_reason_is_refused(year_data):
    use_sichuan(year_data)
    with pytest.raises(ValidationError) as error:
        decide_item(
            department=year_data, year=2021, code="management.assets", decision=Decision("override", D("5")), by=None
        )
    assert error.value.messages == ["调整“资产管理”的得分须说明理由。"]


def test_unit_staff_see_the_page_but_cannot_decide_and_only_finance_chooses_the_framework(client, year_data):
    staff = make_user_with_access(role=Access.Role.STAFF, unit=year_data.units.get())
    client.force_login(staff)
    assert client.get(reverse("performance:department-evaluation", args=["801", 2021])).status_code == 200
    url = reverse("performance:department-evaluation-decide", args=["801", 2021])
    assert client.post(url, {"code": "management.assets", "action": "confirm"}).status_code == 403
    sichuan = DepartmentFramework.objects.get(code=SICHUAN_CODE).latest()
    choose = reverse("performance:department-evaluation-framework", args=["801", 2021])
    assert client.post(choose, {"version": sichuan.pk}).status_code == 403
    client.force_login(make_user_with_access(role=Access.Role.FINANCE))
    client.post(choose, {"version": sichuan.pk})
    assert DepartmentEvaluation.objects.get(department=year_data, year=2021).version == sichuan


def test_finance_saves_a_framework_as_a_new_version_and_old_versions_never_change(client):
    framework = DepartmentFramework.objects.get(code=SICHUAN_CODE)
    first = framework.latest()
    content = {**first.content, "items": [dict(i) for i in first.content["items"]]}
    for item in content["items"]:
        if item["code"] == "management.assets":
            item["guidance"] = "资产账实相符，处置按规定报批。"
    version = save_framework_version(framework=framework, content=content, note="细化资产管理", by=None)
    assert version.number == 2
    first.content = content
    with pytest.raises(ValidationError):
        first.save()
    assert DepartmentFrameworkVersion.objects.get(pk=first.pk).content != content
    bad = {
        **content,
        "items": [{**i, "weight": "9"} if i["code"] == "management.assets" else i for i in content["items"]],
    }
    with pytest.raises(ValidationError) as error:
        save_framework_version(framework=framework, content=bad, note="x", by=None)
    assert "“综合管理”的分值 30 不等于其下各项之和 33。" in error.value.messages


def test_the_workbook_opens_and_reads_back_the_items_and_the_total(client, year_data):
    use_sichuan(year_data)
    decide_item(
        department=year_data, year=2021, code="decision.budgeting.targets", decision=Decision("confirm"), by=None
    )
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=year_data))
    response = client.get(reverse("performance:department-evaluation-sheet", args=["801", 2021]))
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells[(1, 1)] == "2021年度部门整体支出绩效自评表"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    row = next(r for (r, c), v in cells.items() if v == "目标管理")
    assert cells[(row, 4)] == 5 and cells[(row, 7)] == 1.67 and cells[(row, 8)] == 1.67  # 5 × 1/3
    assert "来源：项目绩效目标申报（状态：已审核）" in cells[(row, 6)]
    total = next(r for (r, c), v in cells.items() if v == "总分")
    assert cells[(total, 8)] == 1.67
    assert cells[(total, 9)].startswith("等级：差")


def test_the_evaluation_json_carries_the_department_object(client, year_data):
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=year_data))
    document = client.get(reverse("api:project-list") + "?year=2021").json()
    department = document["projects"][0]["department"]
    assert department["code"] == "801"
    assert department["framework"] == {"name": "部门整体三级指标（财预〔2020〕10号计分）", "version": 1}
    assert department["total"] == "0.00"
    assert [i["code"] for i in department["items"]] == ["budget", "output", "effect", "satisfaction"]


def test_a_database_emptied_of_the_shipped_frameworks_gets_them_back_rather_than_an_error(client, year_data):
    """A database flushed after its migrations (a test server, a restore of data only) lacks the frameworks."""
    DepartmentFrameworkVersion.objects.all().delete()
    DepartmentFramework.objects.all().delete()
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=year_data))
    response = client.get(reverse("api:project-list") + "?year=2021")
    assert response.status_code == 200
    assert response.json()["projects"][0]["department"]["framework"]["version"] == 1
    assert sorted(DepartmentFramework.objects.values_list("code", flat=True)) == sorted(
        [SICHUAN_CODE, "department-three-level"]
    )


def test_another_departments_reviewer_gets_nothing(client, year_data):
    other = make_department(code="802", name="丁部门")
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=other))
    assert client.get(reverse("performance:department-evaluation", args=["801", 2021])).status_code == 404
    assert client.get(reverse("performance:department-evaluation-sheet", args=["801", 2021])).status_code == 404


def _part_one(lines: list[str]) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("第一部分"))
    end = next(i for i, line in enumerate(lines) if line.strip().startswith("第二部分"))
    return [re.sub(r"\s+", "", line) for line in lines[start:end] if line.strip()]


def test_the_seeds_department_goals_are_imported_shown_and_generated_back_identical(client):
    call_command("import_disclosure", str(SEED), stdout=io.StringIO())
    department = Department.objects.get(code="731")
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=department))
    page = client.get(reverse("budgets:department-detail", args=["731", 2021])).content.decode()
    assert "职责明确、活动合规合理。" in page and "资金使用合规、基础信息完善。" in page
    published = [re.sub(r"\[bookmark: [^\]]*\]", "", line) for line in SEED.read_text(encoding="utf-8").splitlines()]
    blocks = read_docx(disclosure_docx(build_disclosure(department, 2021)))
    generated = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert _part_one(generated) == _part_one(published)
    assert len(_part_one(published)) == 17


def test_main_tasks_and_department_indicators_are_disclosed_and_read_back_from_the_generated_docx(client):
    call_command("import_disclosure", str(SEED), stdout=io.StringIO())
    department = Department.objects.get(code="731")
    DepartmentTask.objects.create(
        department=department,
        year=2021,
        number=1,
        name="科普活动",
        content="开展全国科普日等主题活动",
        amount_total=D("147.9"),
        amount_fiscal=D("147.9"),
        amount_other=D("0"),
    )
    DepartmentTask.objects.create(department=department, year=2021, number=2, name="学会建设", content="学术交流")
    DepartmentIndicator.objects.create(
        department=department,
        year=2021,
        order=1,
        level1=category("产出指标"),
        level2=category("产出指标", "数量指标"),
        name="科普活动场次",
        description="全年举办的科普活动",
        target="≥20场",
        basis="计划标准",
        actual="22场",
    )
    tasks = list(
        DepartmentTask.objects.values("number", "name", "content", "amount_total", "amount_fiscal", "amount_other")
    )
    indicators = list(DepartmentIndicator.objects.values("level1", "level2", "name", "description", "target", "basis"))
    data = disclosure_docx(build_disclosure(department, 2021))
    texts = [b.text for b in read_docx(data) if isinstance(b, Paragraph)]
    assert "（四）年度主要任务" in texts and "（五）部门整体绩效指标" in texts
    DepartmentTask.objects.all().delete()
    DepartmentIndicator.objects.all().delete()

    outcome = import_disclosure(content=data)

    assert outcome.gaps == []
    assert list(DepartmentTask.objects.values(*tasks[0])) == tasks
    assert list(DepartmentIndicator.objects.values(*indicators[0])) == indicators
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=department))
    page = client.get(reverse("budgets:department-detail", args=["731", 2021])).content.decode()
    assert "开展全国科普日等主题活动" in page and "科普活动场次" in page


def test_a_reviewer_records_the_departments_actuals_and_an_unreadable_one_changes_nothing(client, year_data):
    indicator = DepartmentIndicator.objects.create(
        department=year_data,
        year=2021,
        level1=category("产出指标"),
        level2=category("产出指标", "数量指标"),
        name="科普活动",
        target="≥10场",
    )
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=year_data))
    url = reverse("performance:department-evaluation-indicators", args=["801", 2021])
    response = client.post(url, {f"actual-{indicator.pk}": "-3场", f"reason-{indicator.pk}": ""})
    assert any("科普活动" in str(m) for m in response.wsgi_request._messages)
    indicator.refresh_from_db()
    assert indicator.actual == ""
    client.post(url, {f"actual-{indicator.pk}": "8场", f"reason-{indicator.pk}": "场地受限"})
    indicator.refresh_from_db()
    assert (indicator.actual, indicator.deviation_reason) == ("8场", "场地受限")
    assert indicator.history.count() == 2
    output = next(r for r in department_assessment(year_data, 2021).assessment.rows if r.item.code == "output")
    assert output.suggested == D("40.00")  # 50 × 8/10


def test_finance_edits_a_frameworks_weights_on_its_page_as_a_new_version(client):
    framework = DepartmentFramework.objects.get(code=SICHUAN_CODE)
    client.force_login(make_user_with_access(role=Access.Role.FINANCE))
    url = reverse("performance:framework-edit", args=[framework.pk])
    items = framework.latest().content["items"]
    data = {"form-TOTAL_FORMS": len(items), "form-INITIAL_FORMS": len(items), "note": "资产管理加权"}
    for n, item in enumerate(items):
        data |= {f"form-{n}-code": item["code"], f"form-{n}-name": item["name"], f"form-{n}-guidance": item["guidance"]}
        data[f"form-{n}-weight"] = item["weight"]
    data[f"form-{[i['code'] for i in items].index('management.assets')}-weight"] = "7"
    response = client.post(url, data)
    assert "“综合管理”的分值 30 不等于其下各项之和 31。" in [str(m) for m in response.wsgi_request._messages]
    assert framework.versions.count() == 1
    data[f"form-{[i['code'] for i in items].index('management.controls')}-weight"] = "1"
    client.post(url, data)
    latest = framework.latest()
    assert latest.number == 2 and latest.note == "资产管理加权"
    assert {i["code"]: i["weight"] for i in latest.content["items"]}["management.assets"] == "7"
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=make_department()))
    assert client.post(url, data).status_code == 403
