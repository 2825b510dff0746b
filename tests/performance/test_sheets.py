import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from budgets.models import Project
from performance.sheets import (
    META_SHEET,
    evaluation_workbook_bytes,
    project_sheet_bytes,
    sheet_title,
    targets_workbook_bytes,
)
from tests.factories import make_indicator, make_project, make_unit
from tests.performance.sheet_helpers import GOAL_ACTUAL, open_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet(kepu):
    return open_workbook(project_sheet_bytes(kepu))["科普经费"]


def merged(ws) -> set[str]:
    return {str(ref) for ref in ws.merged_cells.ranges}


def test_self_evaluation_sheet_has_the_header_labels_in_their_cells(sheet):
    assert sheet["A1"].value == "2021年度项目支出绩效自评表"
    assert sheet["A2"].value == "项目名称"
    assert sheet["C2"].value == "科普经费"
    assert sheet["A3"].value == "主管部门"
    assert sheet["C3"].value == "张家口市科学技术协会"
    assert sheet["F3"].value == "实施单位"
    assert sheet["G3"].value.startswith("731001")
    assert sheet["A4"].value == "项目资金\n（万元）"
    assert [sheet.cell(4, c).value for c in range(4, 10)] == [
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "得分",
    ]
    assert [sheet.cell(r, 2).value for r in range(5, 9)] == [
        "年度资金总额",
        "其中：当年财政拨款",
        "上年结转资金",
        "其他资金",
    ]
    assert sheet["A10"].value == "年度\n总体目标"
    assert (sheet["B10"].value, sheet["F10"].value) == ("预期目标", "实际完成情况")
    assert sheet["B11"].value == "用于开展学术及科普活动，组织科普宣讲活动，鼓励并积极参加科技大赛"
    assert sheet["F11"].value == GOAL_ACTUAL
    assert sheet["A12"].value == "绩效指标"
    assert [sheet.cell(12, c).value for c in range(2, 10)] == [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    assert [sheet.cell(r, 4).value for r in range(13, 19)] == [
        "开展活动场次",
        "开展活动次数",
        "完工时间",
        "总成本",
        "提高科普意识",
        "满意度",
    ]
    assert sheet["E16"].value == "≤81万元"
    assert sheet["F14"].value == "18次"
    assert (sheet["A22"].value, sheet["D22"].value) == ("填表人：", "单位负责人：")
    assert sheet["G22"].value.startswith("填报日期：")


def test_self_evaluation_sheet_merges_titles_blocks_and_level_names_down_their_rows(sheet):
    assert {
        "A1:I1",
        "C2:I2",
        "A4:A8",
        "B5:C5",
        "A10:A11",
        "B11:E11",
        "F11:I11",
        "A12:A18",
        "B13:B16",
        "A19:F19",
        "A20:F20",
        "G20:I20",
    } <= merged(sheet)
    assert (sheet["B13"].value, sheet["B17"].value, sheet["B18"].value) == ("产出指标", "效益指标", "满意度指标")
    assert "B17:B17" not in merged(sheet)


def test_self_evaluation_sheet_stores_numbers_as_numbers_with_formats(sheet):
    assert [sheet.cell(5, c).value for c in (4, 5, 6)] == [81, 81, 75.6]
    assert [sheet.cell(6, c).value for c in (4, 5, 6)] == [81, 76, 71.1]
    assert sheet["D5"].number_format == "#,##0.00"
    assert (sheet["G5"].value, sheet["G5"].number_format) == (10, "0.00")
    assert (sheet["H5"].value, sheet["H5"].number_format) == (0.9333, "0.00%")
    assert (sheet["I5"].value, sheet["I5"].number_format) == (9.33, "0.00")
    assert (sheet["G6"].value, sheet["I6"].value) == ("—", "—")
    assert [sheet.cell(r, 7).value for r in range(13, 19)] == [12.5, 12.5, 12.5, 12.5, 30, 10]
    assert [sheet.cell(r, 8).value for r in range(13, 19)] == [12.5, 11.25, 12.5, 12.5, 25.5, 10]
    assert sheet["H14"].data_type == "n"
    assert sheet["D5"].border.left.style == "thin"
    assert sheet["D13"].alignment.wrap_text is True


def test_self_evaluation_sheet_shows_total_and_grade(sheet):
    assert sheet["A19"].value == "总分"
    assert (sheet["G19"].value, sheet["H19"].value) == (100, 93.58)
    assert (sheet["A20"].value, sheet["G20"].value) == ("评价等级", "优")


def test_self_evaluation_sheet_prints_on_a4_fitted_to_the_page_width(sheet):
    assert sheet.page_setup.paperSize == 9
    assert sheet.page_setup.orientation == "landscape"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.column_dimensions["I"].width == 28
    assert sheet.row_dimensions[14].height > sheet.row_dimensions[13].height  # the reason wraps


def test_user_text_starting_with_equals_comes_out_as_text(sheet):
    cell = sheet["I17"]
    assert cell.value == "=宣传覆盖面不足，明年扩大社区科普"
    assert cell.data_type == "s"


def test_names_and_goals_starting_with_formula_characters_are_text():
    project = make_project(name="+1 项目")
    make_indicator(project=project, name="@SUM(A1)", target="12次")
    ws = open_workbook(project_sheet_bytes(project))["+1 项目"]
    assert (ws["C2"].value, ws["C2"].data_type) == ("+1 项目", "s")
    assert (ws["D13"].value, ws["D13"].data_type) == ("@SUM(A1)", "s")


def test_the_project_workbook_carries_a_hidden_sheet_with_ids_and_cells(kepu):
    wb = open_workbook(project_sheet_bytes(kepu))
    meta = wb[META_SHEET]
    assert meta.sheet_state == "hidden"
    rows = list(meta.iter_rows(min_row=3, values_only=True))
    first = kepu.indicators.get(order=1)
    assert ("科普经费", kepu.pk, 0, "actual", str(first.pk), "F13", "12次") in rows
    assert ("科普经费", kepu.pk, 0, "executed", "total", "F5", "75.6000") in rows
    assert ("科普经费", kepu.pk, 0, "goal_actual", None, "F11", GOAL_ACTUAL) in rows


def test_unit_workbook_has_a_summary_and_a_sheet_per_project(kepu):
    projects = Project.objects.filter(unit__code="731001").order_by("order")
    wb = open_workbook(evaluation_workbook_bytes(projects, title="2021年度张家口市科协本级项目支出绩效自评汇总表"))
    assert wb.sheetnames == [
        "汇总",
        "科普经费",
        "全民科学素质行动计划专项经费",
        "开展科技工作者助力精准扶贫经费",
        "老科学技术工作者协会工作经费",
        META_SHEET,
    ]
    summary = wb["汇总"]
    assert summary["A1"].value == "2021年度张家口市科协本级项目支出绩效自评汇总表"
    assert [c.value for c in summary[3]][:4] == ["序号", "单位编码", "单位名称", "项目名称"]
    assert [c.value for c in summary[4]] == [
        1,
        "731001",
        kepu.unit.name,
        "科普经费",
        81,
        81,
        75.6,
        0.9333,
        93.58,
        "优",
        "草稿",
        "科普经费",
    ]
    assert summary["H4"].number_format == "0.00%"
    assert summary["A8"].value == "合计"
    assert (summary["E8"].value, summary["G8"].value) == (81, 75.6)


def test_sheet_names_are_unique_short_and_without_forbidden_characters():
    taken: set[str] = set()
    long_name = "项目/名称:很长[测试]*?" + "长" * 40
    first = sheet_title(long_name, taken)
    second = sheet_title(long_name, taken)
    assert len(first) <= 31 and len(second) <= 31
    assert first != second
    assert not set("[]:*?/\\") & set(first + second)


def test_workbook_of_projects_with_long_equal_names_opens_with_distinct_sheets():
    unit = make_unit()
    for n in range(3):
        make_project(unit=unit, name=f"{'同名很长的项目名称' * 4}{n}")
    wb = open_workbook(evaluation_workbook_bytes(Project.objects.filter(unit=unit)))
    assert len(set(wb.sheetnames)) == 5
    assert all(len(name) <= 31 for name in wb.sheetnames)


def test_targets_sheet_has_the_seed_layout(kepu):
    ws = open_workbook(targets_workbook_bytes([kepu]))["科普经费"]
    assert ws["A1"].value == "科普经费绩效目标表"
    assert ws["A2"].value == "731001张家口市科协本级"  # glued, with the short name, as the seed prints it
    assert (ws["A3"].value, ws["B3"].value) == (
        "绩效目标",
        "用于开展学术及科普活动，组织科普宣讲活动，鼓励并积极参加科技大赛",
    )
    assert [c.value for c in ws[4]] == ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
    assert [c.value for c in ws[5]] == [
        "产出指标",
        "数量指标",
        "开展活动场次",
        "组织学会开展学术活动的次数",
        "12次",
        "计划标准",
    ]
    assert [c.value for c in ws[9]] == [
        "效益指标",
        "社会效益指标",
        "提高科普意识",
        "最大程度提高市民科普意识",
        "100%",
        None,
    ]
    assert {"A1:F1", "B3:F3", "A5:A8"} <= merged(ws)
    assert ws.page_setup.orientation == "portrait"
    assert ws.print_title_rows == "$1:$4"


def test_export_targets_writes_a_sheet_per_project_of_the_unit(kepu, tmp_path):
    out = tmp_path / "targets.xlsx"
    call_command("export_targets", "--year", "2021", "--unit", "731001", "-o", str(out))
    wb = load_workbook(out)
    assert len(wb.sheetnames) == 4
    assert wb["科普经费"]["E5"].value == "12次"


def test_export_targets_refuses_an_unknown_unit_and_writes_nothing(kepu, tmp_path):
    out = tmp_path / "targets.xlsx"
    with pytest.raises(CommandError, match="没有编码为999的单位"):
        call_command("export_targets", "--year", "2021", "--unit", "999", "-o", str(out))
    assert not out.exists()


def test_export_targets_refuses_a_year_without_projects(kepu, tmp_path):
    with pytest.raises(CommandError, match="1999年度没有可导出的项目"):
        call_command("export_targets", "--year", "1999", "-o", str(tmp_path / "t.xlsx"))


def test_export_evaluations_xlsx_writes_the_department_workbook(kepu, tmp_path):
    out = tmp_path / "evaluations.xlsx"
    call_command("export_evaluations", "--year", "2021", "--format", "xlsx", "-o", str(out))
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "汇总"
    assert (
        len(wb.sheetnames) == 1 + 6 + 3 + 1
    )  # summary, the seed's six projects, the second demo department's three, hidden sheet
    assert wb["科普经费"]["H19"].value == 93.58
    assert wb["汇总"]["I4"].value == 93.58


def test_project_without_money_leaves_the_rate_empty():
    project = make_project()
    make_indicator(project=project, target="12次")
    ws = open_workbook(project_sheet_bytes(project))[project.name]
    assert ws["H5"].value is None
    assert ws["F5"].value is None
    assert ws["H13"].value is None  # no actual yet: no score shown
    assert ws["G13"].value == 90  # the only indicator takes all 90 indicator points
