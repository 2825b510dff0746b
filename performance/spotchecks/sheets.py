"""The 复核结果表 workbook of a spot check: a summary sheet (every sampled project, its risk, reasons and the
three totals), then a sheet per project with each row self-reported, computed and re-reviewed, and the
differences; laid out like the standard sheets (``performance.sheets.layout``)."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from ..sheets.layout import Grid, add_styles, in_official_language, sheet_title, write_grid
from .models import SpotCheck
from .services import comparison

# The official sheet is in Chinese whatever the reader's language (in_official_language).
SUMMARY_HEADERS = ("序号", "单位", "项目", "风险分", "风险原因", "自评总分", "系统计算总分", "复核总分", "复核结论")
ROW_HEADERS = ("序号", "指标", "分值", "自评得分", "系统计算得分", "复核得分", "自评−计算", "复核−计算", "复核−自评")


def _score(grid: Grid, row: int, col: int, value) -> None:
    grid.put(row, col, value, "score" if value is not None else "center")


def _title(grid: Grid, text: str, check: SpotCheck) -> None:
    cols = len(grid.widths)
    grid.put(1, 1, text, "title", cols=cols)
    share = f"{check.share}%" if check.share is not None else ""
    subtitle = _("年度：%(year)s　抽取：%(how)s　随机种子：%(seed)s　抽取时间：%(at)s") % {
        "year": check.year,
        "how": check.size if check.size is not None else share,
        "seed": check.seed,
        "at": check.drawn_at.strftime("%Y-%m-%d %H:%M"),
    }
    grid.put(2, 1, subtitle, "subtitle", cols=cols)


@in_official_language
def spot_check_workbook(check: SpotCheck) -> bytes:
    wb = Workbook(write_only=True)
    add_styles(wb)
    items = list(check.items.select_related("project__unit", "project__evaluation", "project__stored_score"))
    compared = {item.pk: comparison(item) for item in items}

    summary = Grid(widths=[6, 24, 30, 8, 40, 10, 12, 10, 12])
    _title(summary, _("复核结果表"), check)
    for col, header in enumerate(SUMMARY_HEADERS, start=1):
        summary.put(3, col, header, "label")
    for offset, item in enumerate(items):
        r = 4 + offset
        total = compared[item.pk].total
        summary.put(r, 1, item.rank, "center")
        summary.put(r, 2, str(item.project.unit), "text")
        summary.put(r, 3, item.project.name, "text")
        summary.put(r, 4, item.risk, "center")
        summary.put(r, 5, "\n".join(item.reasons), "text")
        _score(summary, r, 6, total.reported)
        _score(summary, r, 7, total.computed)
        _score(summary, r, 8, total.reviewed)
        summary.put(r, 9, item.get_conclusion_display(), "center")
    write_grid(wb.create_sheet(_("汇总")), summary, landscape=True, title_rows="1:3")

    taken = {_("汇总")}
    for item in items:
        grid = Grid(widths=[6, 36, 8, 10, 12, 10, 10, 10, 10])
        _title(grid, _("复核结果表：%(project)s") % {"project": item.project.name}, item.spot_check)
        for col, header in enumerate(ROW_HEADERS, start=1):
            grid.put(3, col, header, "label")
        comp = compared[item.pk]
        r = 4
        for number, row in enumerate([*comp.rows, comp.total], start=1):
            grid.put(r, 1, number if row is not comp.total else "", "center")
            grid.put(r, 2, row.name, "text")
            grid.put(r, 3, row.weight, "score")
            _score(grid, r, 4, row.reported)
            _score(grid, r, 5, row.computed)
            _score(grid, r, 6, row.reviewed)
            _score(grid, r, 7, row.reported_diff)
            _score(grid, r, 8, row.reviewed_diff)
            _score(grid, r, 9, row.reviewed_minus_reported)
            r += 1
        grid.put(r, 1, _("复核结论"), "label", cols=2)
        grid.put(r, 3, item.get_conclusion_display(), "text", cols=7)
        grid.put(r + 1, 1, _("复核意见"), "label", cols=2)
        grid.put(r + 1, 3, item.note, "text", cols=7)
        name = sheet_title(f"{item.rank} {item.project.name}", taken)
        write_grid(wb.create_sheet(name), grid, landscape=True, title_rows="1:3")
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
