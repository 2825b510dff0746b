"""The results application sheet (绩效评价结果应用表) as a workbook in the style of SPEC section 14: a title with
the year, the department, a bordered table with numbers as numbers (amounts ``#,##0.00``, rates ``0.00%``), a
total row, the rule version it was drafted by, widths and A4 landscape print set-up."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from budgets.models import Department

from ..sheets.layout import Grid, add_styles, in_official_language, write_grid
from .models import ResultRuleVersion
from .services import SuggestionRow

WIDTHS = [6, 22, 30, 9, 7, 13, 13, 10, 18, 14, 14, 36]
HEADERS = [
    "序号",
    "单位名称",
    "项目名称",
    "总分",
    "等级",
    "全年预算数（万元）",
    "全年执行数（万元）",
    "执行率",
    "适用规则",
    "建议下年预算数（万元）",
    "确定下年预算数（万元）",
    "结果应用意见",
]


def _sum(values) -> Decimal | None:
    present = [value for value in values if value is not None]
    return sum(present, Decimal("0")) if present else None


def results_grid(department: Department, year: int, rows: list[SuggestionRow], version: ResultRuleVersion) -> Grid:
    grid = Grid(WIDTHS)
    ncols = len(WIDTHS)
    grid.put(1, 1, _("%(year)s年度绩效评价结果应用表") % {"year": year}, "title", cols=ncols)
    grid.put(2, 1, _("主管部门：%(name)s") % {"name": department.name}, "subtitle", cols=6)
    grid.put(2, 7, _("金额单位：万元"), "subtitle", cols=ncols - 6)
    for col, header in enumerate(HEADERS, start=1):
        grid.put(3, col, _(header), "label")
    row_number = 3
    for n, row in enumerate(rows, start=1):
        row_number = 3 + n
        opinion = row.opinion
        grid.put(row_number, 1, n, "center")
        grid.put(row_number, 2, row.project.unit.shown_name, "text")
        grid.put(row_number, 3, row.project.name, "text")
        grid.put(row_number, 4, row.total, "score")
        grid.put(row_number, 5, row.grade or _("未评价"), "center")
        grid.put(row_number, 6, row.full_year, "money")
        grid.put(row_number, 7, row.executed, "money")
        grid.put(row_number, 8, row.rate, "rate")
        grid.put(row_number, 9, row.rule_text, "center")
        grid.put(row_number, 10, row.suggested, "money")
        grid.put(row_number, 11, opinion.decided if opinion else None, "money")
        grid.put(row_number, 12, opinion.opinion if opinion else "", "text")
    total_row = row_number + 1
    grid.put(total_row, 1, _("合计"), "label", cols=5)
    grid.put(total_row, 6, _sum(r.full_year for r in rows), "money")
    grid.put(total_row, 7, _sum(r.executed for r in rows), "money")
    grid.put(total_row, 8, None, "center")
    grid.put(total_row, 9, None, "center")
    grid.put(total_row, 10, _sum(r.suggested for r in rows), "money")
    grid.put(total_row, 11, _sum(r.opinion.decided if r.opinion else None for r in rows), "money")
    grid.put(total_row, 12, None, "center")
    rules = version.rules()
    described = "；".join(f"{grade}：{rule.describe()}" for grade, rule in rules.items())
    grid.put(
        total_row + 1,
        1,
        _("规则版本：%(year)s年 第%(number)s版（%(rules)s）。建议数以全年预算数为基数。")
        % {"year": version.year, "number": version.number, "rules": described},
        "note",
        cols=ncols,
    )
    return grid


@in_official_language
def results_workbook(department: Department, year: int, rows: list[SuggestionRow], version: ResultRuleVersion) -> bytes:
    wb = Workbook(write_only=True)
    add_styles(wb)
    ws = wb.create_sheet(_("结果应用"))
    write_grid(ws, results_grid(department, year, rows, version), landscape=True, title_rows="1:3")
    ws.close()
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
