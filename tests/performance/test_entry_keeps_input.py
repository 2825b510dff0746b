"""Forms that keep what the user typed (issue 21, item 4): a draft saves every valid value and marks the bad ones;
errors and notes look different; a chosen evidence file survives a failed save; money shows 2 places; evidence
removed or replaced while editable, in the history; reasons of bounded length; the offline 自评表 marks and protects
what it reads and says when a typed cell was ignored."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budgets.models import Access, Project
from performance.entry_services import (
    REASON_MAX_LENGTH,
    EvaluationEntry,
    ResultEntry,
    add_evidence,
    attach_evidence,
    entry_keeping_saved,
)
from performance.history import project_history
from performance.interchange.sheet_upload import import_evaluation_sheets
from performance.models import ActualResult, Evaluation, Evidence
from performance.sheets import evaluation_workbook_bytes, project_sheet_bytes
from tests.factories import make_evaluation, make_goal, make_indicator, make_project, make_unit, make_user_with_access
from tests.performance.sheet_helpers import open_workbook, saved

D = Decimal
pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7\n" + b"0" * 40
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def setup():
    unit = make_unit()
    project = make_project(unit=unit, name="科普活动经费", full_year_total=D("10"), full_year_fiscal=D("10"))
    make_goal(project=project)
    quantity = make_indicator(project=project, name="举办科普活动", target="12次")
    quality = make_indicator(
        project=project, level1="效益指标", level2="社会效益指标", name="社会效益", target="效果显著"
    )
    staff = make_user_with_access(role=Access.Role.STAFF, unit=unit)
    return {"project": project, "quantity": quantity, "quality": quality, "staff": staff}


def post_data(setup, *, version=0, action="save", **fields) -> dict:
    quantity, quality = setup["quantity"], setup["quality"]
    data = {
        "version": str(version),
        "action": action,
        "full_year_total": "10",
        "full_year_fiscal": "10",
        "executed_fiscal": "10",
        "goal_actual": "完成",
        "budget_deviation_reason": "",
        f"ind-{quantity.pk}-actual": "12次",
        f"ind-{quality.pk}-tier": "met",
    }
    for indicator in (quantity, quality):
        for name in ("actual", "tier", "evaluator_score", "deviation_reason"):
            data.setdefault(f"ind-{indicator.pk}-{name}", "")
    data.update(fields)
    return data


def edit(project) -> str:
    return reverse("performance:evaluation-edit", args=[project.pk])


def messages_for(page: str, key: str) -> str:
    return page.split(f'data-messages-for="{key}"', 1)[1].split("</div></div>", 1)[0]


# --- a draft saves every valid value ------------------------------------------------------------------


def test_a_draft_with_a_non_number_amount_saves_everything_else_and_keeps_the_typed_text(client, setup):
    client.force_login(setup["staff"])
    quantity = setup["quantity"]
    response = client.post(edit(setup["project"]), post_data(setup, executed_fiscal="十万"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="executed_fiscal" value="十万"' in page
    assert "请输入数字（万元），例如 12.5。" in messages_for(page, "executed_fiscal")
    project = Project.objects.get(pk=setup["project"].pk)
    assert project.executed_fiscal is None
    assert ActualResult.objects.get(indicator=quantity).actual == "12次"
    assert project.evaluation.goal_actual == "完成"
    assert project.evaluation.version == 1


def test_errors_that_block_saving_are_worded_and_styled_apart_from_notes_that_block_submitting(client, setup):
    client.force_login(setup["staff"])
    quantity = setup["quantity"]
    data = post_data(setup, executed_fiscal="-1", **{f"ind-{quantity.pk}-actual": "6次"})
    page = client.post(edit(setup["project"]), data).content.decode()
    error = messages_for(page, "executed_fiscal")
    assert 'class="jx-msg jx-msg-error"><strong>未保存：</strong>金额不能为负数。' in error
    note = messages_for(page, f"ind-{quantity.pk}-deviation_reason")
    assert 'class="jx-msg jx-msg-note"><strong>提交前需处理：</strong>“举办科普活动”得分低于分值' in note
    assert "jx-msg-error" not in note
    assert re.search(r'name="executed_fiscal"[^>]*class="[^"]*is-invalid', page) or re.search(
        r'class="[^"]*is-invalid[^"]*"[^>]*name="executed_fiscal"', page
    )
    assert ActualResult.objects.get(indicator=quantity).actual == "6次"  # a note does not stop the draft


def test_submitting_with_a_wrong_field_saves_the_rest_but_does_not_submit(client, setup):
    client.force_login(setup["staff"])
    page = client.post(edit(setup["project"]), post_data(setup, action="submit", executed_fiscal="abc")).content
    assert "有误的栏目改正前不能提交审核。" in page.decode()
    assert Evaluation.objects.get(project=setup["project"]).status == Evaluation.Status.DRAFT


def test_keeping_saved_values_puts_back_only_the_wrong_fields_and_unchanged_4_place_amounts():
    saved_entry = EvaluationEntry(
        money={"executed_fiscal": D("12.3456"), "executed_total": D("12.3456"), "initial_fiscal": D("3")},
        goal_actual="旧",
        results={1: ResultEntry(actual="10次", deviation_reason="旧原因")},
    )
    posted = EvaluationEntry(
        money={"executed_fiscal": D("12.35"), "executed_total": D("12.35"), "initial_fiscal": D("4")},
        goal_actual="新",
        results={1: ResultEntry(actual="12万元", deviation_reason="新原因")},
    )
    kept = entry_keeping_saved(posted, saved_entry, {"ind-1-actual"})
    assert kept.money["executed_fiscal"] == D("12.3456")  # shown as 12.35, sent back unchanged
    assert kept.money["initial_fiscal"] == D("4")
    assert kept.goal_actual == "新"
    assert kept.results[1] == ResultEntry(actual="10次", deviation_reason="新原因")
    whole_stage = entry_keeping_saved(posted, saved_entry, {"initial_total"})
    assert whole_stage.money["initial_fiscal"] == D("3")


# --- money with 2 places ------------------------------------------------------------------------------


def test_money_inputs_show_2_decimals_and_an_unchanged_4_place_amount_stays_exact(client, setup):
    project = setup["project"]
    Project.objects.filter(pk=project.pk).update(executed_fiscal=D("7.1234"), executed_total=D("7.1234"))
    client.force_login(setup["staff"])
    page = client.get(edit(project)).content.decode()
    assert 'name="executed_fiscal" value="7.12"' in page
    assert 'name="full_year_total" value="10.00"' in page
    data = post_data(setup, executed_fiscal="7.12", executed_total="7.12", goal_actual="改了说明")
    assert client.post(edit(project), data).status_code == 302
    project.refresh_from_db()
    assert (project.executed_fiscal, project.executed_total) == (D("7.1234"), D("7.1234"))
    assert project.evaluation.goal_actual == "改了说明"


def test_the_monitoring_form_shows_money_with_2_decimals():
    from performance.forms import money_field

    assert money_field("x").widget.format_value(D("12.5000")) == "12.50"
    assert money_field("x").widget.format_value("12.345") == "12.345"  # typed text is shown as typed


# --- evidence ----------------------------------------------------------------------------------------


def test_a_chosen_evidence_file_is_saved_although_another_field_is_wrong_and_the_page_says_so(client, setup, media):
    client.force_login(setup["staff"])
    quantity = setup["quantity"]
    upload = SimpleUploadedFile("验收报告.pdf", PDF_BYTES)
    data = post_data(setup, executed_fiscal="abc", **{f"ind-{quantity.pk}-evidence": upload})
    page = client.post(edit(setup["project"]), data).content.decode()
    evidence = Evidence.objects.get()
    assert (evidence.indicator, evidence.original_name) == (quantity, "验收报告.pdf")
    assert "所选佐证材料“验收报告.pdf”已保存。" in page
    assert ">验收报告.pdf</a>" in page  # listed on the page again, nothing to choose twice


def test_a_chosen_evidence_file_is_kept_when_someone_saved_in_between(client, setup, media):
    client.force_login(setup["staff"])
    make_evaluation(project=setup["project"], version=3)
    upload = SimpleUploadedFile("照片.pdf", PDF_BYTES)
    response = client.post(edit(setup["project"]), post_data(setup, version=2, evidence=upload))
    page = response.content.decode()
    assert 'data-testid="stale-warning"' in page
    assert "所选佐证材料“照片.pdf”已保存，无需重新选择。" in page
    assert Evidence.objects.get().original_name == "照片.pdf"
    assert Evaluation.objects.get(project=setup["project"]).version == 3  # the typed values were not saved


def test_an_evidence_file_of_the_wrong_type_is_refused_and_the_rest_saved(client, setup, media):
    client.force_login(setup["staff"])
    data = post_data(setup, evidence=SimpleUploadedFile("报告.pdf", EXE_BYTES))
    page = client.post(edit(setup["project"]), data).content.decode()
    assert "“报告.pdf”的内容不是" in page
    assert not Evidence.objects.exists()
    assert ActualResult.objects.get(indicator=setup["quantity"]).actual == "12次"


def test_evidence_is_removed_or_replaced_by_a_save_and_the_history_records_it(client, setup, media):
    project, quantity, staff = setup["project"], setup["quantity"], setup["staff"]
    old = add_evidence(project=project, indicator=quantity, by=staff, file=SimpleUploadedFile("旧.pdf", PDF_BYTES))
    general = add_evidence(project=project, by=staff, file=SimpleUploadedFile("总结.pdf", PDF_BYTES))
    old_file = media / old.file.name
    assert old_file.exists()
    client.force_login(staff)
    page = client.get(edit(project)).content.decode()
    assert f'name="evidence-remove" value="{old.pk}"' in page
    data = post_data(setup, **{f"ind-{quantity.pk}-evidence": SimpleUploadedFile("新.pdf", PDF_BYTES)})
    data["evidence-remove"] = [str(old.pk), str(general.pk)]
    with_commit = client.post(edit(project), data)
    assert with_commit.status_code == 302
    assert [e.original_name for e in Evidence.objects.order_by("id")] == ["新.pdf"]
    history = [(entry.kind, entry.subject, entry.reason) for entry in project_history(project)]
    assert ("删除", "佐证材料“旧.pdf”", "替换佐证材料") in history
    assert ("删除", "佐证材料“总结.pdf”", "删除佐证材料") in history
    assert ("新建", "佐证材料“新.pdf”", "") in history


def test_evidence_cannot_be_removed_or_added_once_the_evaluation_is_submitted(client, setup, media):
    project, staff = setup["project"], setup["staff"]
    evidence = add_evidence(project=project, by=staff, file=SimpleUploadedFile("总结.pdf", PDF_BYTES))
    make_evaluation(project=project, status=Evaluation.Status.SUBMITTED)
    client.force_login(staff)
    data = post_data(setup)
    data["evidence-remove"] = [str(evidence.pk)]
    assert client.post(edit(project), data).status_code == 302  # to the project page: not editable
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    with pytest.raises(PermissionDenied):
        attach_evidence(project=project, by=staff, evidence=[(None, SimpleUploadedFile("x.pdf", PDF_BYTES))])


def test_evidence_of_another_project_cannot_be_removed_through_this_one(client, setup, media):
    other = make_project()
    theirs = add_evidence(project=other, by=setup["staff"], file=SimpleUploadedFile("别人.pdf", PDF_BYTES))
    client.force_login(setup["staff"])
    data = post_data(setup)
    data["evidence-remove"] = [str(theirs.pk)]
    assert client.post(edit(setup["project"]), data).status_code == 302
    assert Evidence.objects.filter(pk=theirs.pk).exists()


# --- reasons of bounded length -----------------------------------------------------------------------


def test_a_reason_over_the_limit_is_refused_by_the_server_and_the_rest_saved(client, setup):
    client.force_login(setup["staff"])
    quantity = setup["quantity"]
    long_reason = "原" * (REASON_MAX_LENGTH + 1)
    data = post_data(setup, **{f"ind-{quantity.pk}-actual": "6次", f"ind-{quantity.pk}-deviation_reason": long_reason})
    page = client.post(edit(setup["project"]), data).content.decode()
    assert f"原因最多 {REASON_MAX_LENGTH} 字，现有 {REASON_MAX_LENGTH + 1} 字，请精简。" in page
    result = ActualResult.objects.get(indicator=quantity)
    assert (result.actual, result.deviation_reason) == ("6次", "")


def test_reason_boxes_carry_their_limit_and_the_counter_script(client, setup):
    client.force_login(setup["staff"])
    page = client.get(edit(setup["project"])).content.decode()
    assert re.search(rf'<textarea name="budget_deviation_reason"[^>]*maxlength="{REASON_MAX_LENGTH}"', page)
    assert page.count("data-counter") == 3  # the budget reason and each indicator's
    assert "js/char-counter.js" in page


# --- the offline 自评表 ------------------------------------------------------------------------------


def test_the_offline_sheet_fills_and_unlocks_only_the_cells_it_reads_and_protects_the_rest(kepu):
    ws = open_workbook(project_sheet_bytes(kepu))["科普经费"]
    assert ws.protection.sheet is True
    assert ws.protection.password is None
    read = {"F5", "F6", "F7", "F8", "D9", "F11", "F13", "I13", "F17", "I17"}
    for address in read:
        assert ws[address].protection.locked is False, address
        assert ws[address].fill.fgColor.rgb == "FFFFF2CC", address
    for address in ("C2", "D5", "E5", "H5", "I5", "D13", "E13", "G13", "H13", "H19", "G20"):
        assert ws[address].protection.locked is True, address
        assert ws[address].fill.fill_type is None, address
    note = ws["A23"].value
    assert note.startswith("填写说明：浅黄色底纹的单元格为填写区")
    assert "无密码" in note


def test_a_qualitative_rows_score_is_an_input_and_a_quantitative_rows_is_not():
    project = make_project(name="两类指标")
    make_indicator(project=project, name="次数", target="12次")
    make_indicator(project=project, level1="效益指标", level2="社会效益指标", name="效益", target="效果显著")
    ws = open_workbook(project_sheet_bytes(project))["两类指标"]
    assert ws["H13"].protection.locked is True
    assert ws["H14"].protection.locked is False


def test_an_upload_says_which_typed_cells_outside_the_read_ones_were_ignored(kepu):
    staff = get_user_model().objects.get(username="kexie")
    wb = open_workbook(evaluation_workbook_bytes(Project.objects.filter(unit__code="731001").order_by("order")))
    ws = wb["科普经费"]
    ws.protection.sheet = False  # as a user who lifted the protection would
    ws["F14"] = "20次"  # read
    ws["E13"] = "15次"  # the target: not read
    ws["K3"] = "备注"  # beside the table: not read
    result = import_evaluation_sheets(file=saved(wb), user=staff)
    assert result.ok, result.errors
    assert ActualResult.objects.get(indicator__project=kepu, indicator__order=2).actual == "20次"
    assert [(item.sheet, item.cell) for item in result.ignored] == [("科普经费", "K3"), ("科普经费", "E13")] or [
        (item.sheet, item.cell) for item in result.ignored
    ] == [("科普经费", "E13"), ("科普经费", "K3")]
    assert "“15次”未被读取" in next(item.message for item in result.ignored if item.cell == "E13")


def test_an_unedited_upload_reports_no_ignored_cells(kepu):
    staff = get_user_model().objects.get(username="kexie")
    data = evaluation_workbook_bytes(Project.objects.filter(unit__code="731001").order_by("order"))
    result = import_evaluation_sheets(file=saved(open_workbook(data)), user=staff)
    assert result.ok and result.ignored == []


def test_the_upload_page_lists_the_ignored_cells(client, kepu):
    log_user = get_user_model().objects.get(username="kexie")
    client.force_login(log_user)
    wb = open_workbook(project_sheet_bytes(kepu))
    wb["科普经费"]["C2"] = "改了名字"
    upload = SimpleUploadedFile("自评表.xlsx", saved(wb).getvalue())
    page = client.post(reverse("performance:sheet-upload"), {"file": upload}).content.decode()
    assert 'data-testid="sheet-ignored"' in page
    assert "单元格 C2 不在填写区，其中的“改了名字”未被读取" in page


def test_an_upload_refuses_a_reason_over_the_limit_on_its_cell(kepu):
    staff = get_user_model().objects.get(username="kexie")
    wb = open_workbook(project_sheet_bytes(kepu))
    wb["科普经费"]["I13"] = "长" * (REASON_MAX_LENGTH + 1)
    result = import_evaluation_sheets(file=saved(wb), user=staff)
    assert [(error.sheet, error.cell) for error in result.errors] == [("科普经费", "I13")]
    assert "原因最多" in result.errors[0].message


def test_a_unit_of_another_department_cannot_be_reached_through_evidence_removal_either(client, setup, media):
    outsider = make_user_with_access(unit=make_unit())
    evidence = add_evidence(project=setup["project"], by=setup["staff"], file=SimpleUploadedFile("a.pdf", PDF_BYTES))
    client.force_login(outsider)
    data = post_data(setup)
    data["evidence-remove"] = [str(evidence.pk)]
    assert client.post(edit(setup["project"]), data).status_code == 404
    assert Evidence.objects.filter(pk=evidence.pk).exists()
