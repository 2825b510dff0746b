"""The 部门整体支出绩效自评表 workbook (SPEC section 15), laid out as the standard sheets of section 14: title,
the department's money, its overall goals, the framework's items with their figures and scores, its own indicators
(three-level scheme), the total and grade; A4 landscape, numbers stored as numbers."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from ..sheets.layout import Grid, add_styles, in_official_language, write_grid
from .framework import ratio
from .services import DepartmentAssessment

WIDTHS = [14, 14, 18, 8, 30, 34, 9, 9, 26]
COLUMNS = 9


@in_official_language
def evaluation_workbook(current: DepartmentAssessment) -> BytesIO:
    wb = Workbook(write_only=True)
    add_styles(wb)
    ws = wb.create_sheet("部门整体自评")
    write_grid(ws, evaluation_grid(current), landscape=True, title_rows="1:1")
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def evaluation_grid(current: DepartmentAssessment) -> Grid:
    grid = Grid(WIDTHS)
    result = current.assessment
    grid.put(1, 1, f"{current.year}年度部门整体支出绩效自评表", "title", cols=COLUMNS)
    grid.put(2, 1, "主管部门", "label", cols=2)
    grid.put(2, 3, f"{current.department.code} {current.department.name}", "text", cols=3)
    grid.put(2, 6, "评价框架", "label")
    grid.put(2, 7, f"{current.version.framework.name}（第{current.version.number}版）", "text", cols=3)

    money = current.spending
    grid.put(3, 1, "部门预算资金\n（万元）", "label", rows=4)
    grid.put(3, 2, "", "label", cols=2)
    grid.put(3, 4, "全年预算数", "label", cols=2)
    grid.put(3, 6, "全年执行数", "label")
    grid.put(3, 7, "执行率", "label", cols=3)
    lines = [
        ("合计", money.full_year, money.executed),
        ("其中：基本支出", money.basic_full_year, money.basic_executed),
        ("项目支出", money.project_full_year, money.project_executed),
    ]
    for row, (label, budget, executed) in enumerate(lines, start=4):
        grid.put(row, 2, label, "center", cols=2)
        grid.put(row, 4, budget, "money", cols=2)
        grid.put(row, 6, executed, "money")
        rate = None if budget is None or executed is None else ratio(executed, budget)
        grid.put(row, 7, rate, "rate", cols=3)

    goals = "\n".join(f"{g.number}、{g.text}" for g in current.department.goals.filter(year=current.year))
    grid.put(7, 1, "年度总体目标", "label")
    grid.put(7, 2, goals, "text", cols=COLUMNS - 1)

    row = 8
    for col, header in enumerate(
        ["一级指标", "二级指标", "三级指标", "分值", "评分标准", "依据数据及来源", "预填得分", "得分", "理由"], start=1
    ):
        grid.put(row, col, header, "label")
    for assessed in result.rows:
        row += 1
        depth = min(assessed.depth, 2)
        for col in range(1, 4):
            grid.put(row, col, assessed.item.name if col == depth + 1 else "", "center" if col <= depth else "text")
        grid.put(row, 4, assessed.weight, "score")
        grid.put(row, 5, assessed.item.guidance, "text")
        figure = assessed.figure
        evidence = ""
        if figure is not None:
            evidence = f"{figure.label}：{figure.shown}\n来源：{figure.source}"
            if figure.missing:
                evidence += f"\n{figure.missing}"
        grid.put(row, 6, evidence, "text")
        grid.put(row, 7, assessed.suggested, "score")
        grid.put(row, 8, assessed.score, "score")
        note = (
            assessed.reason if assessed.status == "overridden" else ("待审核" if assessed.status == "pending" else "")
        )
        grid.put(row, 9, note, "text")
    row += 1
    grid.put(row, 1, "总分", "label", cols=3)
    grid.put(row, 4, sum((r.weight for r in result.rows if r.leaf), 0), "score")
    grid.put(row, 5, "", "text", cols=3)
    grid.put(row, 8, result.total, "score")
    grid.put(
        row, 9, f"等级：{result.grade}" + (f"（{len(result.pending)} 项待审核）" if result.pending else ""), "text"
    )

    if current.indicators:
        row += 2
        grid.put(row, 1, "部门整体绩效指标", "label", cols=COLUMNS)
        row += 1
        for col, header in enumerate(
            [
                "一级指标",
                "二级指标",
                "三级指标",
                "分值",
                "年度指标值",
                "实际完成值",
                "得分",
                "",
                "偏差原因分析及改进措施",
            ],
            start=1,
        ):
            grid.put(row, col, header, "label")
        scored = current.indicator_score.rows if current.indicator_score else []
        for indicator, score in zip(current.indicators, scored, strict=False):
            row += 1
            grid.put(row, 1, indicator.level1.name, "center")
            grid.put(row, 2, indicator.level2.name, "center")
            grid.put(row, 3, indicator.name, "text")
            grid.put(row, 4, score.weight, "score")
            grid.put(row, 5, indicator.target, "center")
            grid.put(row, 6, indicator.actual, "center")
            grid.put(row, 7, score.score, "score")
            grid.put(row, 8, "", "text")
            grid.put(row, 9, indicator.deviation_reason, "text")

    row += 2
    figure_lines = [f"{f.label}：{f.shown}（{f.source}）" for f in current.figures.values()]
    grid.put(row, 1, "数据来源", "label")
    grid.put(row, 2, "\n".join(figure_lines), "text", cols=COLUMNS - 1)
    return grid
