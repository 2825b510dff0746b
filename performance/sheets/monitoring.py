"""The 项目支出绩效运行监控表 (SPEC sections 10 and 14) in the MOF monitoring layout, for a project or a department.

One sheet per project: title with year and cut-off; 项目名称; 主管部门 | 实施单位; the budget block
(全年预算数, 1-N月执行数, 执行率, 时间进度, 全年预计执行数, 预警); 年度总体目标; then the indicators with
一级 | 二级 | 三级 | 年度指标值 | 1-N月执行情况 | 全年预计完成情况 | 偏差原因 (经费保障 … 其他, ticked √) |
原因说明 | 完成目标可能性 (确定能 / 有可能 / 完全不可能, ticked √) | 预警; the light rules at the foot.
A department workbook starts with a summary sheet (one row per project).
"""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from ..models import IndicatorMonitoring, MonitoringRound
from ..monitoring import AMBER, RED, ProjectReport, light_label, light_rules
from .evaluation import _runs, goal_text, level_names
from .layout import (
    Grid,
    add_styles,
    in_official_language,
    lines_needed,
    print_setup,
    sheet_title,
    styled_cell,
    write_grid,
)

TICK = "√"
CAUSES = IndicatorMonitoring.Cause.choices
LIKELIHOODS = IndicatorMonitoring.Likelihood.choices
# 一级 二级 三级 指标值 执行情况 预计 | 5 causes | 原因说明 | 3 likelihoods | 预警
WIDTHS = [9, 11, 16, 12, 12, 12, 8, 8, 8, 9, 6, 20, 7, 7, 9, 12]
NCOLS = len(WIDTHS)
SUMMARY = [
    ("序号", 6),
    ("预算单位", 24),
    ("项目名称", 30),
    ("全年预算数", 13),
    ("截至监控日执行数", 14),
    ("执行率", 10),
    ("时间进度", 10),
    ("全年预计执行数", 14),
    ("黄灯指标数", 9),
    ("红灯指标数", 9),
    ("监控结果", 14),
    ("状态", 9),
]


def monitoring_grid(report: ProjectReport) -> Grid:
    """Lay out one project's 绩效运行监控表."""
    monitoring, assessment = report.monitoring, report.assessment
    project, cut_off = monitoring.project, monitoring.round.cut_off
    months = _("1-%(month)s月") % {"month": cut_off.month}
    grid = Grid(WIDTHS)
    grid.put(1, 1, _("%(year)s年度项目支出绩效运行监控表") % {"year": project.year}, "title", cols=NCOLS)
    grid.put(
        2,
        1,
        _("（截至 %(date)s）    金额单位：万元") % {"date": f"{cut_off.year}年{cut_off.month}月{cut_off.day}日"},
        "subtitle",
        cols=NCOLS,
    )
    grid.put(3, 1, _("项目名称"), "label", cols=2)
    grid.put(3, 3, project.name, "text", cols=NCOLS - 2)
    grid.put(4, 1, _("主管部门"), "label", cols=2)
    grid.put(4, 3, project.unit.department.name, "text", cols=5)
    grid.put(4, 8, _("实施单位"), "label", cols=4)
    grid.put(4, 12, project.unit.name, "text", cols=NCOLS - 11)

    budget = assessment.budget
    grid.put(5, 1, _("项目资金（万元）"), "label", rows=2, cols=3)
    heads = [
        (4, 2, _("全年预算数"), monitoring.full_year_budget, "money"),
        (6, 2, _("%(months)s执行数") % {"months": months}, monitoring.executed_to_date, "money"),
        (8, 3, _("执行率"), budget.rate, "rate"),
        (11, 2, _("时间进度"), budget.share, "rate"),
        (13, 3, _("全年预计执行数"), monitoring.forecast_full_year_execution, "money"),
        (16, 1, _("预警"), light_label(budget.light), "center"),
    ]
    for col, span, head, value, style in heads:
        grid.put(5, col, head, "label", cols=span)
        grid.put(6, col, value, style, cols=span)
    grid.put(7, 1, _("年度总体目标"), "label", cols=3)
    grid.put(7, 4, goal_text(project), "text", cols=NCOLS - 3)

    grid.put(8, 1, _("一级指标"), "label", rows=2)
    grid.put(8, 2, _("二级指标"), "label", rows=2)
    grid.put(8, 3, _("三级指标"), "label", rows=2)
    grid.put(8, 4, _("年度指标值"), "label", rows=2)
    grid.put(8, 5, _("%(months)s执行情况") % {"months": months}, "label", rows=2)
    grid.put(8, 6, _("全年预计完成情况"), "label", rows=2)
    grid.put(8, 7, _("偏差原因"), "label", cols=len(CAUSES))
    grid.put(8, 12, _("原因说明"), "label", rows=2)
    grid.put(8, 13, _("完成目标可能性"), "label", cols=len(LIKELIHOODS))
    grid.put(8, 16, _("预警"), "label", rows=2)
    for i, (_value, label) in enumerate(CAUSES):
        grid.put(9, 7 + i, str(label), "label")
    for i, (_value, label) in enumerate(LIKELIHOODS):
        grid.put(9, 13 + i, str(label), "label")
    grid.min_heights[9] = 44

    first = 10
    rows = assessment.rows
    for offset, row in enumerate(rows):
        r = first + offset
        entry = row.entry
        grid.put(r, 3, row.indicator.name, "text")
        grid.put(r, 4, row.indicator.target, "center")
        grid.put(r, 5, entry.value_to_date, "center")
        grid.put(r, 6, entry.forecast, "center")
        for i, (value, _label) in enumerate(CAUSES):
            grid.put(r, 7 + i, TICK if entry.deviation_cause == value else "", "center")
        grid.put(r, 12, entry.note, "text")
        for i, (value, _label) in enumerate(LIKELIHOODS):
            grid.put(r, 13 + i, TICK if entry.likelihood == value else "", "center")
        grid.put(r, 16, light_label(row.light.light), "center")
    names = [level_names(row.indicator) for row in rows]
    for start, length in _runs([name[0] for name in names]):
        grid.put(first + start, 1, names[start][0], "center", rows=length)
    for start, length in _runs(names):
        grid.put(first + start, 2, names[start][1], "center", rows=length)
    last = first + len(rows)
    grid.put(last, 1, _("项目监控结果"), "label", cols=3)
    grid.put(last, 4, light_label(assessment.light), "text", cols=NCOLS - 3)
    grid.put(last + 1, 1, _("预警规则"), "label", cols=3)
    grid.put(last + 1, 4, "\n".join(light_rules()), "text", cols=NCOLS - 3)
    return grid


def _summary(ws, monitoring_round: MonitoringRound, reports: list[ProjectReport]) -> None:
    print_setup(ws, landscape=True, title_rows="1:3")
    for index, (_header, width) in enumerate(SUMMARY, start=1):
        ws.column_dimensions[chr(64 + index)].width = width
    last_col = chr(64 + len(SUMMARY))
    title = _("%(department)s %(year)s年度项目支出绩效运行监控汇总表（第%(n)s次）") % {
        "department": monitoring_round.department.name,
        "year": monitoring_round.year,
        "n": monitoring_round.round_number,
    }
    ws.row_dimensions[1].height = 30
    ws.append([styled_cell(ws, title, "title")])
    ws.merged_cells.add(f"A1:{last_col}1")
    cut_off = monitoring_round.cut_off
    ws.append([styled_cell(ws, _("（截至 %(date)s）    金额单位：万元") % {"date": cut_off.isoformat()}, "subtitle")])
    ws.merged_cells.add(f"A2:{last_col}2")
    ws.row_dimensions[3].height = 30
    ws.append([styled_cell(ws, _(header), "label") for header, _width in SUMMARY])
    for n, report in enumerate(reports, start=1):
        monitoring, assessment = report.monitoring, report.assessment
        lights = [row.light.light for row in assessment.rows]
        values = [
            (n, "center"),
            (monitoring.project.unit.name, "text"),
            (monitoring.project.name, "text"),
            (monitoring.full_year_budget, "money"),
            (monitoring.executed_to_date, "money"),
            (assessment.budget.rate, "rate"),
            (assessment.budget.share, "rate"),
            (monitoring.forecast_full_year_execution, "money"),
            (lights.count(AMBER), "center"),
            (lights.count(RED), "center"),
            (light_label(assessment.light), "center"),
            (monitoring.get_status_display(), "center"),
        ]
        lines = max(lines_needed(str(v), w) for (v, s), (_h, w) in zip(values, SUMMARY, strict=True) if s == "text")
        ws.row_dimensions[n + 3].height = lines * 14.5 + 6
        ws.append([styled_cell(ws, value, style) for value, style in values])


@in_official_language
def monitoring_workbook_bytes(
    monitoring_round: MonitoringRound, reports: list[ProjectReport], *, summary: bool = True
) -> bytes:
    """The workbook: a summary sheet (for a department) then one 绩效运行监控表 per project."""
    wb = Workbook(write_only=True)
    add_styles(wb)
    taken = set()
    if summary:
        taken.add(_("汇总"))
        _summary(wb.create_sheet(_("汇总")), monitoring_round, reports)
    for report in reports:
        ws = wb.create_sheet(sheet_title(report.monitoring.project.name, taken))
        write_grid(ws, monitoring_grid(report), landscape=True, title_rows="1:1")
    if not reports and not summary:
        wb.create_sheet(_("运行监控表"))
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
