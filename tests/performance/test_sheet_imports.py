from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from openpyxl import Workbook

from budgets.models import Project
from performance.interchange.sheet_upload import import_evaluation_sheets
from performance.models import ActualResult, Evaluation
from performance.services import score_project
from performance.sheets import evaluation_workbook_bytes, project_sheet_bytes
from tests.factories import make_user_with_access
from tests.performance.sheet_helpers import open_workbook, saved

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(kepu):
    """The demo's staff user of 731001 (张家口市科协本级)."""
    return get_user_model().objects.get(username="kexie")


def unit_workbook():
    return open_workbook(evaluation_workbook_bytes(Project.objects.filter(unit__code="731001").order_by("order")))


def actual_of(project, order):
    return ActualResult.objects.get(indicator__project=project, indicator__order=order)


def test_two_changed_actual_values_are_saved_and_rescored(kepu, staff):
    wb = unit_workbook()
    ws = wb["科普经费"]
    assert score_project(kepu).total == Decimal("93.58")
    ws["F14"] = "20次"  # 开展活动次数: target 20次, was 18次
    ws["F17"] = 1  # 提高科普意识: 100% typed as a percentage in Excel
    ws["F17"].number_format = "0%"
    result = import_evaluation_sheets(file=saved(wb), user=staff)
    assert result.ok, result.errors
    assert [project.name for project in result.saved] == ["科普经费"]
    assert result.unchanged == 3
    assert actual_of(kepu, 2).actual == "20次"
    assert actual_of(kepu, 5).actual == "100%"
    score = score_project(Project.objects.get(pk=kepu.pk))
    assert [row.score for row in score.rows][1] == Decimal("12.50")
    assert [row.score for row in score.rows][4] == Decimal("30.00")
    assert score.total == Decimal("99.33")
    assert result.scores[result.saved[0]].total == Decimal("99.33")
    assert Evaluation.objects.get(project=kepu).version == 1
    assert actual_of(kepu, 2).history.first().history_user == staff


def test_unchanged_workbook_changes_nothing(kepu, staff):
    result = import_evaluation_sheets(file=saved(unit_workbook()), user=staff)
    assert result.ok
    assert result.saved == []
    assert Evaluation.objects.get(project=kepu).version == 0


def test_bad_cell_returns_the_workbook_marked_and_changes_nothing(kepu, staff):
    wb = unit_workbook()
    ws = wb["科普经费"]
    ws["F13"] = "15次"  # a good change, which must not be saved either
    ws["F14"] = "很多"  # not a number for 20次
    ws["F6"] = -3  # a negative amount
    history_before = ActualResult.history.count()
    result = import_evaluation_sheets(file=saved(wb), user=staff)
    assert not result.ok
    assert {(e.sheet, e.cell) for e in result.errors} == {("科普经费", "F14"), ("科普经费", "F6")}
    marked = open_workbook(result.marked_workbook)["科普经费"]
    assert marked["F14"].fill.fgColor.rgb == "FFFF9999"
    assert "不是数值" in marked["F14"].comment.text
    assert "不能为负数" in marked["F6"].comment.text
    assert marked["F13"].comment is None
    assert marked["F14"].value == "很多"  # the same workbook, as the user filled it
    assert actual_of(kepu, 1).actual == "12次"
    assert Project.objects.get(pk=kepu.pk).executed_fiscal == Decimal("71.1")
    assert ActualResult.history.count() == history_before
    assert Evaluation.objects.get(project=kepu).version == 0


def test_score_outside_the_tier_band_is_marked_on_the_score_cell(kepu, staff):
    wb = open_workbook(project_sheet_bytes(kepu))
    ws = wb["科普经费"]
    ws["F15"] = "部分达成"  # 完工时间 (qualitative): band 7.50 to 10.00
    ws["H15"] = 12
    result = import_evaluation_sheets(file=saved(wb), user=staff)
    assert [(e.cell, "不在" in e.message) for e in result.errors] == [("H15", True)]
    assert actual_of(kepu, 3).actual == "按时完工"


def test_qualitative_tier_and_score_inside_the_band_are_saved(kepu, staff):
    wb = open_workbook(project_sheet_bytes(kepu))
    ws = wb["科普经费"]
    ws["F15"] = "部分达成"
    ws["H15"] = 9
    ws["I15"] = "两项工程延期一个月。"
    result = import_evaluation_sheets(file=saved(wb), user=staff)
    assert result.ok, result.errors
    row = actual_of(kepu, 3)
    assert (row.tier, row.evaluator_score, row.deviation_reason) == ("partial", Decimal("9.00"), "两项工程延期一个月。")


def test_total_disagreeing_with_its_sources_is_an_error(kepu, staff):
    wb = open_workbook(project_sheet_bytes(kepu))
    wb["科普经费"]["F6"] = 60
    result = import_evaluation_sheets(file=saved(wb), user=staff)
    assert [(e.cell, e.message) for e in result.errors] == [("F5", "全年执行数 75.60 与各资金来源之和 64.50 不一致。")]


def test_reason_starting_with_equals_is_saved_as_text(kepu, staff):
    wb = open_workbook(project_sheet_bytes(kepu))
    wb["科普经费"]["I13"].value = "=SUM(1,2)"
    wb["科普经费"]["I13"].data_type = "s"
    result = import_evaluation_sheets(file=saved(wb), user=staff)
    assert result.ok, result.errors
    assert actual_of(kepu, 1).deviation_reason == "=SUM(1,2)"


def test_approved_evaluation_is_refused(kepu, staff):
    Evaluation.objects.filter(project=kepu).update(status=Evaluation.Status.APPROVED)
    wb = open_workbook(project_sheet_bytes(kepu))
    wb["科普经费"]["F13"] = "15次"
    result = import_evaluation_sheets(file=saved(wb), user=staff)
    assert [e.message for e in result.errors] == [
        "项目“科普经费”的绩效自评已审核，不能修改实际完成值；如需修改请先由审核人退回或重新打开"
    ]
    assert actual_of(kepu, 1).actual == "12次"


def test_reviewer_who_cannot_edit_the_unit_is_refused(kepu):
    reviewer = get_user_model().objects.get(username="shenhe")
    wb = open_workbook(project_sheet_bytes(kepu))
    wb["科普经费"]["F13"] = "15次"
    result = import_evaluation_sheets(file=saved(wb), user=reviewer)
    assert [e.cell for e in result.errors] == ["A1"]
    assert result.errors[0].message == "您无权修改单位731001的数据（只有该单位的填报人可以）"
    assert actual_of(kepu, 1).actual == "12次"


def test_user_of_another_unit_cannot_change_the_project(kepu):
    outsider = make_user_with_access()
    wb = open_workbook(project_sheet_bytes(kepu))
    wb["科普经费"]["F13"] = "15次"
    result = import_evaluation_sheets(file=saved(wb), user=outsider)
    assert [e.message for e in result.errors] == ["您无权修改此项目，或项目已不存在。"]


def test_workbook_exported_before_someone_else_saved_is_refused(kepu, staff):
    wb = open_workbook(project_sheet_bytes(kepu))
    Evaluation.objects.filter(project=kepu).update(version=3)
    wb["科普经费"]["F13"] = "15次"
    result = import_evaluation_sheets(file=saved(wb), user=staff)
    assert not result.ok
    assert result.errors[0].message == "此工作簿导出后，自评已被保存为第 3 版（工作簿是第 0 版），请重新下载后再填写。"
    assert actual_of(kepu, 1).actual == "12次"


def test_a_workbook_not_exported_by_the_app_is_refused(staff):
    wb = Workbook()
    wb.active["A1"] = "随便"
    result = import_evaluation_sheets(file=saved(wb), user=staff)
    assert not result.ok
    assert "无法识别此工作簿" in result.errors[0].message
    assert result.marked_workbook is None


def test_workbook_with_an_inserted_row_is_refused_rather_than_misread(kepu, staff):
    wb = open_workbook(project_sheet_bytes(kepu))
    ws = wb["科普经费"]
    ws.insert_rows(14)
    ws["F15"] = "20次"
    result = import_evaluation_sheets(file=saved(wb), user=staff)
    assert [(e.cell, "已被增删" in e.message) for e in result.errors] == [("D14", True)]
    assert actual_of(kepu, 2).actual == "18次"


def test_a_date_typed_as_an_excel_date_is_read_as_the_flat_import_reads_it(kepu, staff):
    from datetime import datetime

    wb = unit_workbook()
    ws = wb["科普经费"]
    ws["F15"] = datetime(2021, 12, 20)  # 完工时间 (target 按时完工): Excel keeps a date, not the text typed
    result = import_evaluation_sheets(file=saved(wb), user=staff)
    assert result.ok, result.errors
    assert actual_of(kepu, 3).actual == "2021-12-20"  # as the flat workbook's cells read, not "2021-12-20 00:00:00"
