"""项目支出绩效自评表 (SPEC section 14): one sheet per project, a summary sheet, and the hidden ``_jixiao``
sheet that lets a workbook filled offline be uploaded back (``performance.interchange.sheet_upload``).

Scores come from ``performance.services.score_projects``; the sheets only lay them out. A workbook is
written in openpyxl's write-only mode, projects fetched and scored a chunk at a time, so memory stays
bounded however many projects a department has.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from io import BytesIO
from itertools import islice

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from budgets.models import FUND_SOURCES, STAGES, Project

from ..actuals import ActualKind, Tier
from ..declaration.services import baseline_targets, shown_target
from ..models import Evaluation, evaluation_of, goal_of, result_of
from ..scoring import EvaluationScore
from ..services import SCORING_INDICATORS, score_projects
from ..targets import Kind
from .layout import (
    Grid,
    add_styles,
    in_official_language,
    lines_needed,
    print_setup,
    protect,
    sheet_title,
    styled_cell,
    text_cell,
    write_grid,
)

META_SHEET = "_jixiao"
META_MARKER = "jixiao-self-evaluation"
META_FORMAT = 1
META_HEADER = ("sheet", "project_id", "version", "kind", "key", "cell", "exported")
CHUNK = 100
DASH = "—"

# 自评表 columns A..I
EVALUATION_WIDTHS = [10, 12, 14, 20, 14, 14, 9, 9, 28]
SOURCE_LABELS = {"fiscal": "其中：当年财政拨款", "carryover": "上年结转资金", "other": "其他资金"}
STAGE_LABELS = {"initial": "年初预算数", "full_year": "全年预算数", "executed": "全年执行数"}
INDICATOR_HEADERS = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
]

# summary columns
SUMMARY_HEADERS = [
    ("序号", 6),
    ("单位编码", 10),
    ("单位名称", 22),
    ("项目名称", 30),
    ("年初预算数", 13),
    ("全年预算数", 13),
    ("全年执行数", 13),
    ("预算执行率", 11),
    ("总分", 9),
    ("评价等级", 9),
    ("状态", 9),
    ("工作表", 18),
]


def level_names(indicator) -> tuple[str, str]:
    """The level-1 and level-2 names as the project wrote them (the standard name where not recorded)."""
    return (
        indicator.level1_as_written or indicator.level1.name,
        indicator.level2_as_written or indicator.level2.name,
    )


def _runs(keys: list) -> list[tuple[int, int]]:
    """(start index, length) of each run of equal consecutive keys."""
    runs = []
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            runs.append((start, i - start))
            start = i
    return runs


def shown_grade(score: EvaluationScore) -> str:
    """The grade a sheet shows: 未填报 for a project nobody has started (never 差 of a total of 0)."""
    return score.grade if score.started else _("未填报")


def goal_text(project: Project) -> str:
    goal = goal_of(project)
    return goal.text if goal else ""


def _rate(executed: Decimal | None, budget: Decimal | None) -> Decimal | None:
    if executed is None or not budget:
        return None
    return (executed / budget).quantize(Decimal("0.0001"))


def evaluation_grid(project: Project, score: EvaluationScore, meta: list[tuple]) -> Grid:
    """Lay out one project's 自评表; append the editable cells' addresses to ``meta``."""
    grid = Grid(EVALUATION_WIDTHS)
    evaluation = evaluation_of(project)
    indicators = list(getattr(project, SCORING_INDICATORS))

    def remember(kind: str, key, cell: str, exported) -> None:
        meta.append((kind, "" if key is None else str(key), cell, "" if exported is None else str(exported)))

    grid.put(1, 1, _("%(year)s年度项目支出绩效自评表") % {"year": project.year}, "title", cols=9)
    grid.put(2, 1, _("项目名称"), "label", cols=2)
    grid.put(2, 3, project.name, "text", cols=7)
    grid.put(3, 1, _("主管部门"), "label", cols=2)
    grid.put(3, 3, project.unit.department.name, "text", cols=3)
    grid.put(3, 6, _("实施单位"), "label")
    grid.put(3, 7, str(project.unit), "text", cols=3)

    # 项目资金（万元）: rows 4-8
    grid.put(4, 1, _("项目资金\n（万元）"), "label", rows=5)
    grid.put(4, 2, "", "label", cols=2)
    for col, header in zip(range(4, 10), [*STAGE_LABELS.values(), "分值", "执行率", "得分"], strict=True):
        grid.put(4, col, _(header), "label")
    remember("anchor", "funds", grid.put(5, 2, _("年度资金总额"), "center", cols=2), _("年度资金总额"))
    for col, stage in zip((4, 5, 6), STAGES, strict=True):
        cell = grid.put(5, col, project.total(stage), "input_money" if stage == "executed" else "money")
        if stage == "executed":
            remember("executed", "total", cell, project.executed_total)
    grid.put(5, 7, score.budget.weight, "score")
    grid.put(5, 8, score.budget.rate, "rate")
    grid.put(5, 9, score.budget.score if score.budget.rate is not None else None, "score")
    for row, source in enumerate(FUND_SOURCES, start=6):
        grid.put(row, 2, _(SOURCE_LABELS[source]), "text", cols=2)
        for col, stage in zip((4, 5, 6), STAGES, strict=True):
            value = getattr(project, f"{stage}_{source}")
            cell = grid.put(row, col, value, "input_money" if stage == "executed" else "money")
            if stage == "executed":
                remember("executed", source, cell, value)
        grid.put(row, 7, DASH, "center")
        rate = _rate(getattr(project, f"executed_{source}"), getattr(project, f"full_year_{source}"))
        grid.put(row, 8, rate, "rate")
        grid.put(row, 9, DASH, "center")

    grid.put(9, 1, _("预算执行偏差原因分析及改进措施"), "label", cols=3)
    reason = evaluation.budget_deviation_reason if evaluation else ""
    remember("budget_reason", None, grid.put(9, 4, reason, "input_text", cols=6), reason)

    grid.put(10, 1, _("年度\n总体目标"), "label", rows=2)
    grid.put(10, 2, _("预期目标"), "label", cols=4)
    grid.put(10, 6, _("实际完成情况"), "label", cols=4)
    grid.put(11, 2, goal_text(project), "text", cols=4)
    goal_actual = evaluation.goal_actual if evaluation else ""
    remember("goal_actual", None, grid.put(11, 6, goal_actual, "input_text", cols=4), goal_actual)
    grid.min_heights[11] = 45

    first = 13
    grid.put(12, 1, _("绩效指标"), "label", rows=len(indicators) + 1)
    for col, header in enumerate(INDICATOR_HEADERS, start=2):
        grid.put(12, col, _(header), "label")
    names = [level_names(indicator) for indicator in indicators]
    baselines = baseline_targets(project)
    for start, length in _runs([n[0] for n in names]):
        grid.put(first + start, 2, names[start][0], "center", rows=length)
    for start, length in _runs(names):
        grid.put(first + start, 3, names[start][1], "center", rows=length)
    for i, (indicator, row_score) in enumerate(zip(indicators, score.rows, strict=True)):
        row = first + i
        result = result_of(indicator)
        remember("anchor", indicator.pk, grid.put(row, 4, indicator.name, "text"), indicator.name)
        grid.put(row, 5, shown_target(indicator, baselines), "center")
        shown = (result.actual or Tier.LABELS.get(result.tier, "")) if result else ""
        remember("actual", indicator.pk, grid.put(row, 6, shown, "input_center"), shown)
        if row_score.applicable:
            grid.put(row, 7, row_score.weight, "score")
            points = None if row_score.actual.kind == ActualKind.MISSING else row_score.score
        elif row_score.breakdown:  # 其中：…, not scored: a dash in both, as for the money block's 其中 rows
            grid.put(row, 7, DASH, "center")
            points = DASH
        else:
            grid.put(row, 7, DASH, "center")
            points = None
        # A quantitative row's score is computed from its actual: read only to say so, not an input.
        score_style = "score" if indicator.target_kind == Kind.QUANTITATIVE else "input_score"
        remember("score", indicator.pk, grid.put(row, 8, points, score_style), points)
        reason = result.deviation_reason if result else ""
        remember("reason", indicator.pk, grid.put(row, 9, reason, "input_text"), reason)

    total_row = first + len(indicators)
    grid.put(total_row, 1, _("总分"), "label", cols=6)
    grid.put(total_row, 7, Decimal("100"), "score")
    grid.put(total_row, 8, score.total if score.started else None, "score")
    grid.put(total_row, 9, "", "text")
    grid.put(total_row + 1, 1, _("评价等级"), "label", cols=6)
    grid.put(total_row + 1, 7, shown_grade(score), "label", cols=3)
    # The rules that scored it (SPEC section 16), and what they changed (a cap, a deduction).
    rules = _("评分规则：%(rules)s") % {"rules": score.rules.label()}
    grid.put(total_row + 2, 1, "；".join([rules, *score.adjustments]), "plain", cols=9)
    sign = total_row + 3
    grid.put(sign, 1, _("填表人："), "plain", cols=3)
    grid.put(sign, 4, _("单位负责人："), "plain", cols=3)
    grid.put(sign, 7, _("填报日期：    年   月   日"), "plain", cols=3)
    grid.heights[sign] = 24
    note = _(
        "填写说明：浅黄色底纹的单元格为填写区（全年执行数、预算执行偏差原因、实际完成情况、各指标的实际完成值、"
        "定性指标的得分、偏差原因分析及改进措施），上传时只读取这些单元格。其余单元格已锁定（工作表保护，无密码），"
        "在其中填写的内容不会被读取，上传时会逐一提示。请勿增删行列。"
    )
    grid.put(sign + 1, 1, note, "note", cols=9)
    return grid


# --- workbooks -----------------------------------------------------------------------------------


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    it = iter(ids)
    while chunk := list(islice(it, size)):
        yield chunk


def scored_projects(projects: QuerySet[Project] | Iterable[Project]) -> Iterable[tuple[Project, EvaluationScore]]:
    """The projects in their order with their scores, fetched and scored ``CHUNK`` at a time."""
    if isinstance(projects, QuerySet):
        ids = list(projects.values_list("pk", flat=True))
    else:
        ids = [project.pk for project in projects]
    for chunk in _chunks(ids, CHUNK):
        fetched = (
            Project.objects.filter(pk__in=chunk)
            .select_related("unit__department", "evaluation", "goal", "target_set")
            .prefetch_related("target_set__baseline")
        )
        by_id = {project.pk: project for project in fetched}
        batch = [by_id[pk] for pk in chunk if pk in by_id]
        scores = score_projects(batch)
        for project in batch:
            yield project, scores[project.pk]


def _summary_heading(ws, title: str) -> None:
    print_setup(ws, landscape=True, title_rows="1:3")
    for index, (_header, width) in enumerate(SUMMARY_HEADERS, start=1):
        ws.column_dimensions[chr(64 + index)].width = width
    ws.row_dimensions[1].height = 30
    ws.append([styled_cell(ws, title, "title")] + [None] * (len(SUMMARY_HEADERS) - 1))
    ws.merged_cells.add(f"A1:{chr(64 + len(SUMMARY_HEADERS))}1")
    ws.row_dimensions[2].height = 20
    ws.append([styled_cell(ws, _("金额单位：万元"), "subtitle")])
    ws.merged_cells.add(f"A2:{chr(64 + len(SUMMARY_HEADERS))}2")
    ws.row_dimensions[3].height = 30
    ws.append([styled_cell(ws, _(header), "label") for header, _width in SUMMARY_HEADERS])


def _summary_row(ws, row: int, n: int, project: Project, score: EvaluationScore, title: str) -> None:
    evaluation = evaluation_of(project)
    status = evaluation.get_status_display() if evaluation else Evaluation.Status.DRAFT.label
    values = [
        (n, "center"),
        (project.unit.code or "", "center"),
        (project.unit.name, "text"),
        (project.name, "text"),
        (project.total("initial"), "money"),
        (project.total("full_year"), "money"),
        (project.total("executed"), "money"),
        (score.budget.rate, "rate"),
        (score.total if score.started else None, "score"),
        (shown_grade(score), "center"),
        (str(status), "center"),
        (title, "text"),
    ]
    lines = max(lines_needed(str(v), w) for (v, s), (_h, w) in zip(values, SUMMARY_HEADERS, strict=True) if s == "text")
    ws.row_dimensions[row].height = lines * 14.5 + 6
    ws.append([styled_cell(ws, value, style) for value, style in values])


def _meta_sheet(wb: Workbook, rows: list[tuple]) -> None:
    ws = wb.create_sheet(META_SHEET)
    ws.sheet_state = "hidden"
    ws.append([META_MARKER, META_FORMAT])
    ws.append(list(META_HEADER))
    for row in rows:
        ws.append([text_cell(ws, value) for value in row])


@in_official_language
def write_evaluation_workbook(
    projects: QuerySet[Project] | Iterable[Project], out, *, title: str | None = None, summary: bool = True
) -> int:
    """Write the 自评表 workbook of ``projects`` to ``out`` (a path or a binary file); how many sheets.

    With ``summary`` the first sheet lists every project (unit, budget figures, rate, total, grade,
    status); then one 自评表 per project; last the hidden ``_jixiao`` sheet for the offline round trip.
    """
    wb = Workbook(write_only=True)
    add_styles(wb)
    summary_ws = wb.create_sheet(_("汇总")) if summary else None
    if summary_ws is not None:
        protect(summary_ws)  # nothing on it is read back
        _summary_heading(summary_ws, title or _("项目支出绩效自评汇总表"))
    taken = {META_SHEET, _("汇总")}
    meta: list[tuple] = []
    totals = dict.fromkeys(STAGES, Decimal("0"))
    count = 0
    for project, score in scored_projects(projects):
        count += 1
        name = sheet_title(project.name, taken)
        ws = wb.create_sheet(name)
        cells: list[tuple] = []
        protect(ws)  # a write-only sheet writes its protection with its first row
        write_grid(ws, evaluation_grid(project, score, cells), landscape=True, title_rows="1:1")
        ws.close()  # written to its temporary file now; the workbook keeps no cells of it
        evaluation = evaluation_of(project)
        version = evaluation.version if evaluation else 0
        meta.extend((name, project.pk, version, *cell) for cell in cells)
        if summary_ws is not None:
            _summary_row(summary_ws, count + 3, count, project, score, name)
            for stage in STAGES:
                totals[stage] += project.total(stage) or Decimal("0")
    if summary_ws is not None:
        last = count + 4
        summary_ws.row_dimensions[last].height = 20
        summary_ws.append(
            [styled_cell(summary_ws, _("合计"), "label"), *[styled_cell(summary_ws, "", "label") for _i in range(3)]]
            + [styled_cell(summary_ws, totals[stage], "money") for stage in STAGES]
            + [styled_cell(summary_ws, "", "text") for _i in range(5)]
        )
        summary_ws.merged_cells.add(f"A{last}:D{last}")
    if count == 0 and summary_ws is None:
        wb.create_sheet(_("自评表"))  # a workbook needs one visible sheet
    _meta_sheet(wb, meta)
    wb.save(out)
    return count


@in_official_language
def evaluation_workbook_bytes(projects, *, title: str | None = None, summary: bool = True) -> bytes:
    buffer = BytesIO()
    write_evaluation_workbook(projects, buffer, title=title, summary=summary)
    return buffer.getvalue()


@in_official_language
def project_sheet_bytes(project: Project) -> bytes:
    """One project's 自评表 (and the hidden sheet to upload it back)."""
    return evaluation_workbook_bytes([project], summary=False)
