"""Reading the flat workbook: opening the file, both sheets by column title, and each row as the file says it
(``ProjectRow``, ``IndicatorRow``), its categories resolved and its target and actual read."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from os import PathLike

from python_calamine import CalamineError, CalamineWorkbook

from budgets.models import FUND_SOURCES, STAGES, stage_total
from budgets.numbers import plain

from ..actuals import Actual, ActualKind, Tier, read_actual, tier_from_text
from ..models import CategoryAlias, IndicatorCategory, category_names
from ..scoring import BUDGET_WEIGHT, GROUP_POINTS
from ..targets import Kind, Target, is_cost, parse_target
from ..uploads import UploadRefused, check_office_file
from .cells import Row, cell_text, normalise
from .columns import (
    EVALUATION_STATUS,
    EVALUATION_STATUS_VALUES,
    EVALUATOR_SCORE,
    EVIDENCE,
    INDICATOR_COLUMNS,
    INDICATOR_SHEET,
    MONEY,
    MONEY_COLUMNS,
    OPTIONAL_INDICATOR_COLUMNS,
    OPTIONAL_PROJECT_COLUMNS,
    POINTS,
    PROJECT_COLUMNS,
    PROJECT_SHEET,
    REPORTED_TOTAL,
    SOURCE_TITLES,
    STAGE_TITLES,
    TARGETS_STATUS,
    TARGETS_STATUS_VALUES,
    TIER,
)
from .report import ImportErrors, ImportReport, WorkbookProblem

PROGRESS_ROWS = 2000  # rows between two progress messages


def open_workbook(file) -> CalamineWorkbook:
    try:  # zip bombs, macros, entity declarations, a million rows, formulas, merged cells: refused unread
        check_office_file(file, flat_sheets=(PROJECT_SHEET, INDICATOR_SHEET))
    except UploadRefused as error:
        raise ImportErrors([WorkbookProblem("文件", None, "", message) for message in error.messages]) from error
    try:
        if isinstance(file, str | PathLike):
            return CalamineWorkbook.from_path(str(file))
        return CalamineWorkbook.from_filelike(file)
    except (CalamineError, OSError, ValueError) as error:
        raise ImportErrors([WorkbookProblem("文件", None, "", f"无法读取为.xlsx工作簿（{error}）")]) from error


@dataclass
class Sheet:
    """One sheet of the open workbook: its column positions by title, and its rows below the title row."""

    title: str
    positions: dict[str, int]
    height: int  # rows below the title row, empty ones included
    values: Iterator[list]


def open_sheet(book: CalamineWorkbook, title: str, columns, optional, problems: list[WorkbookProblem]) -> Sheet | None:
    """The sheet, its title row read; None, with the problems noted, when it or one of its columns is missing.

    python-calamine holds the sheet's cells (not the file's XML) while its rows are read; each row becomes a
    Python list only when it is read, so the rows of a large sheet are never all in Python lists at once.
    """
    if title not in book.sheet_names:
        problems.append(WorkbookProblem(title, None, "", f"缺少工作表“{title}”"))
        return None
    sheet = book.get_sheet_by_name(title)
    first = sheet.start  # (row, column) of the first cell with a value; None for an empty sheet
    values = sheet.iter_rows()
    # The title row is row 1: a sheet whose first rows are empty has no titles (its columns are missing).
    header = [normalise(cell_text(v)) for v in next(values, [])] if first is not None and first[0] == 0 else []
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in positions and (name in columns or name in optional):
            problems.append(WorkbookProblem(title, 1, name, "列标题重复"))
        positions.setdefault(name, index)
    missing = [name for name in columns if name not in positions]
    for name in missing:
        problems.append(WorkbookProblem(title, 1, name, "缺少此列"))
    return None if missing else Sheet(title, positions, max(sheet.height - 1, 0), values)


def sheet_rows(
    sheet: Sheet, problems: list[WorkbookProblem], notes: dict[str, list[int]] | None = None
) -> Iterator[Row]:
    """The sheet's rows that hold a value, numbered as in the sheet (the title row is 1)."""
    shared: dict = {}  # the values read, each distinct one once (``Row.share``)
    for number, values in enumerate(sheet.values, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        yield Row(sheet.title, number, values, sheet.positions, problems, shared, notes)


@dataclass(slots=True)  # one for each row: a province's file has 650,000
class ProjectRow:
    row: Row
    year: int
    department_code: str
    department_name: str
    unit_code: str
    unit_name: str
    code: str
    name: str
    goal: str
    goal_actual: str
    money: dict[str, Decimal | None]
    reported_budget_score: Decimal | None
    budget_deviation_reason: str
    targets_status: str | None = None  # what 目标状态 says; None where it is empty or absent
    evaluation_status: str | None = None  # what 自评状态 says (checked, never written); None where empty or absent
    reported_total: Decimal | None = None
    has_reported_total: bool = False  # whether the file has the 总分(自评) column (without it the total is kept)
    evidence: tuple[str, ...] | None = None  # the names 佐证材料 lists; None where the file has no such column

    @property
    def key(self) -> tuple:
        return (
            (self.year, self.unit_code, "code", self.code)
            if self.code
            else (self.year, self.unit_code, "name", self.name)
        )


@dataclass(slots=True)  # one for each row: a province's file has 650,000
class IndicatorRow:
    row: Row
    year: int | None
    unit_code: str
    project_code: str
    project_name: str
    level1: IndicatorCategory | None = None
    level2: IndicatorCategory | None = None
    level1_as_written: str = ""
    level2_as_written: str = ""
    name: str = ""
    description: str = ""
    target: str = ""
    basis: str = ""
    weight: Decimal | None = None
    actual: str = ""
    score: Decimal | None = None
    deviation_reason: str = ""
    target_parsed: object = None
    tier: str = ""
    evaluator_score: Decimal | None = None
    reported_score: Decimal | None = None
    evidence: tuple[str, ...] | None = None  # the names 佐证材料 lists; None where the file has no such column
    evaluator_column: str = "得分(自评)"  # the column that gives the evaluator's score (评价得分 where the file has it)
    tier_given: bool = False  # whether the file has the 完成档次 column
    band_problem: str = ""  # an evaluator's score outside its tier's band: refused only where the file changes it
    counts: bool = False  # whether the row has a weight when scored (SPEC section 6)

    @property
    def key(self) -> tuple:
        if self.project_code:
            return (self.year, self.unit_code, "code", self.project_code)
        return (self.year, self.unit_code, "name", self.project_name)


def read_project_row(row: Row) -> ProjectRow:
    money = {name: row.decimal(title, places=MONEY, round_to_places=True) for name, title in MONEY_COLUMNS.items()}
    for stage in STAGES:
        sources = {source: money[f"{stage}_{source}"] for source in FUND_SOURCES}
        given = money[f"{stage}_total"]
        money[f"{stage}_total"] = stage_total(given, *sources.values())
        parts = stage_total(None, *sources.values())  # the sum of the known sources, None where none is known
        if given is not None and parts is not None and parts != given:
            listed = "+".join(
                f"{SOURCE_TITLES[source]}{plain(value)}" for source, value in sources.items() if value is not None
            )
            row.error(
                STAGE_TITLES[stage],
                f"{plain(given)}与各资金来源之和{plain(parts)}（{listed}）不一致，相差{plain(given - parts)}",
            )
    return ProjectRow(
        row=row,
        year=row.year(),
        department_code=row.code("主管部门编码", required=True, max_length=32),
        department_name=row.text("主管部门", required=True, max_length=200),
        unit_code=row.code("单位编码", required=True, max_length=32),
        unit_name=row.text("单位名称", required=True, max_length=200),
        code=row.code("项目编码", max_length=64),
        name=row.text("项目名称", required=True, max_length=200),
        goal=row.text("年度总体目标", verbatim=True),
        goal_actual=row.text("实际完成情况"),
        money=money,
        reported_budget_score=row.decimal("执行率得分(自评)", places=POINTS, maximum=BUDGET_WEIGHT),
        budget_deviation_reason=row.text("执行偏差原因"),
        targets_status=_targets_status(row),
        evaluation_status=_evaluation_status(row),
        reported_total=row.decimal(REPORTED_TOTAL, places=POINTS, maximum=Decimal("100"))
        if row.has(REPORTED_TOTAL)
        else None,
        has_reported_total=row.has(REPORTED_TOTAL),
        evidence=evidence_names(row),
    )


def evidence_names(row: Row) -> tuple[str, ...] | None:
    """The evidence files' names the 佐证材料 cell lists, one a line; None where the sheet has no such column."""
    if not row.has(EVIDENCE):
        return None
    names = (normalise(line) for line in row.text(EVIDENCE, verbatim=True).splitlines())
    return tuple(name for name in names if name)


def _evaluation_status(row: Row) -> str | None:
    if not row.has(EVALUATION_STATUS):
        return None
    word = normalise(row.text(EVALUATION_STATUS))
    if not word:
        return None
    if word not in EVALUATION_STATUS_VALUES:
        words = "、".join(EVALUATION_STATUS_VALUES)
        row.error(EVALUATION_STATUS, f"“{word}”不是自评状态（应为{words}之一，或留空）")
        return None
    return EVALUATION_STATUS_VALUES[word]


def _targets_status(row: Row) -> str | None:
    if not row.has(TARGETS_STATUS):
        return None
    word = normalise(row.text(TARGETS_STATUS))
    if not word:
        return None
    if word not in TARGETS_STATUS_VALUES:
        row.error(TARGETS_STATUS, f"“{word}”不是目标状态（应为{'、'.join(TARGETS_STATUS_VALUES)}之一，或留空）")
        return None
    return TARGETS_STATUS_VALUES[word]


class Framework:
    """The indicator categories and their known variants, to resolve names as written."""

    def __init__(self):
        categories = list(IndicatorCategory.objects.select_related("parent"))
        self.level1 = {c.name: c for c in categories if c.level == 1}
        self.level2 = {(c.parent_id, c.name): c for c in categories if c.level == 2}
        self.level2_parents = defaultdict(list)
        for c in categories:
            if c.level == 2:
                self.level2_parents[c.name].append(c.parent.name)
        self.aliases = {
            (a.name, a.level, a.parent_name): a.category
            for a in CategoryAlias.objects.select_related("category__parent")
        }

    def resolve(self, item: IndicatorRow, row: Row, mappings: dict[str, list[int]]) -> None:
        written1, written2 = item.level1_as_written, item.level2_as_written
        if not written1 or not written2:
            return
        level1 = next(
            (
                found
                for name in category_names(written1)
                if (found := self.level1.get(name) or self.aliases.get((name, 1, ""))) is not None
            ),
            None,
        )
        if level1 is None:
            row.error("一级指标", f"“{written1}”既不是标准一级指标，也不是已知的别名")
            return
        if level1.name != written1:
            mappings[f"一级指标“{written1}”按标准名称“{level1.name}”导入"].append(row.number)
        level2 = next(
            (
                found
                for name in category_names(written2)
                if (
                    found := self.level2.get((level1.pk, name))
                    or self.aliases.get((name, 2, written1))
                    or self.aliases.get((name, 2, level1.name))
                    or self.aliases.get((name, 2, ""))
                )
                is not None
            ),
            None,
        )
        if level2 is not None and level2.name != written2:
            mappings[f"二级指标“{written1}/{written2}”按标准名称“{level2.parent.name}/{level2.name}”导入"].append(
                row.number
            )
            level1 = level2.parent
        if level2 is None:
            if written2 in self.level2_parents:
                parents = "、".join(self.level2_parents[written2])
                row.error("二级指标", f"“{written2}”不属于一级指标“{written1}”（它属于{parents}）")
            else:
                row.error("二级指标", f"“{written2}”既不是标准二级指标，也不是已知的别名")
            return
        item.level1, item.level2 = level1, level2


class Readings:
    """Targets and actuals as read for the checks, each distinct text read once per import.

    ``parse_target`` and ``read_actual`` are pure and return frozen values, and a workbook repeats its
    targets (≥95%, 100%, /) and actuals (达成年度指标) from project to project.
    """

    def __init__(self):
        self.targets: dict[tuple[str, bool], Target] = {}
        self.actuals: dict[tuple[str, str, bool], Actual] = {}

    def target(self, text: str, *, cost: bool) -> Target:
        key = (text, cost)
        if key not in self.targets:
            self.targets[key] = parse_target(text, cost=cost)
        return self.targets[key]

    def actual(self, text: str, target: str, *, cost: bool, tier: str = "") -> Actual:
        key = (text, target, cost, tier)
        if key not in self.actuals:
            self.actuals[key] = read_actual(text, self.target(target, cost=cost), tier=tier)
        return self.actuals[key]


def read_indicator_row(
    row: Row, framework: Framework, readings: Readings, mappings: dict[str, list[int]]
) -> IndicatorRow:
    item = IndicatorRow(
        row=row,
        year=row.year(),
        unit_code=row.code("单位编码", required=True, max_length=32),
        project_code=row.code("项目编码", max_length=64),
        # The same on each of a project's rows: one string for them all (sys.intern), not one a row.
        project_name=sys.intern(row.text("项目名称", max_length=200)),
    )
    if not item.project_code and not item.project_name:
        row.error("项目名称", "项目编码和项目名称不能都为空")
    item.level1_as_written = sys.intern(normalise(row.text("一级指标", required=True, max_length=64)))
    item.level2_as_written = sys.intern(normalise(row.text("二级指标", required=True, max_length=64)))
    item.name = row.text("三级指标", required=True, max_length=200)
    item.description = row.text("绩效指标描述", verbatim=True)
    item.target = row.text("指标值", max_length=500, verbatim=True)
    item.basis = row.text("指标值确定依据", max_length=200, verbatim=True)
    item.weight = row.decimal("分值", places=POINTS, maximum=Decimal("100"))
    item.actual = row.text("实际完成值", max_length=500)
    item.score = row.decimal("得分(自评)", places=POINTS, maximum=Decimal("100"))
    item.deviation_reason = row.text("偏差原因分析及改进措施")
    item.evidence = evidence_names(row)
    two_scores = row.has(EVALUATOR_SCORE)  # 得分(自评) is then the unit's own score on every row
    item.evaluator_column = EVALUATOR_SCORE if two_scores else "得分(自评)"
    if two_scores:
        item.evaluator_score = row.decimal(EVALUATOR_SCORE, places=POINTS, maximum=Decimal("100"))
        item.reported_score = item.score
    given_tier = row.text(TIER) if row.has(TIER) else ""
    item.tier_given = row.has(TIER)
    if given_tier and not tier_from_text(given_tier):
        row.error(TIER, f"“{given_tier}”不是完成档次（应为{'、'.join(Tier.LABELS.values())}之一，或留空）")
        given_tier = ""
    framework.resolve(item, row, mappings)
    if item.level1 is not None:
        cost = is_cost(item.level1.name, item.level2.name)
        item.target_parsed = readings.target(item.target, cost=cost)
        actual = readings.actual(item.actual, item.target, cost=cost, tier=given_tier)
        if actual.error:
            row.error("实际完成值", actual.error)
        # A file with 完成档次 says the tier as stored, empty included (scoring takes an empty tier from the text
        # or the score, as on the entry form); an older file's tier is read from 实际完成值.
        item.tier = tier_from_text(given_tier) if item.tier_given else actual.tier
        item.counts = (
            item.level1.group in GROUP_POINTS
            and item.target_parsed.kind != Kind.NOT_APPLICABLE
            and actual.kind != ActualKind.NOT_APPLICABLE
        )
        scored_by_tier = item.target_parsed.kind == Kind.QUALITATIVE or (
            item.target_parsed.kind == Kind.DATE and actual.kind == "tier"
        )
        if not two_scores and scored_by_tier:
            item.evaluator_score = item.score
        elif not two_scores:
            item.reported_score = item.score
    return item


def _rows(numbers: list[int]) -> str:
    """Row numbers for a note: the first ten, then how many in all."""
    return "、".join(str(n) for n in numbers[:10]) + (f"等，共{len(numbers)}" if len(numbers) > 10 else "")


def read_rows(file, report: ImportReport, say) -> tuple[list[ProjectRow], list[IndicatorRow], list[WorkbookProblem]]:
    """Every row of both sheets as the file says it, and the problems of each (refused later, all at once).

    A missing sheet or column refuses the file at once. The rows are read one at a time (python-calamine:
    about ten times faster than openpyxl), each kept only as what it says: its cells are let go once read.
    The categories read by another name go into the report.
    """
    problems: list[WorkbookProblem] = []
    layout: list[WorkbookProblem] = []  # a sheet or a column missing, a column twice
    notes: dict[str, list[int]] = {}  # what was read in a way the report says (amounts rounded to the 元)
    book = open_workbook(file)
    try:
        projects = []
        if sheet := open_sheet(book, PROJECT_SHEET, PROJECT_COLUMNS, OPTIONAL_PROJECT_COLUMNS, layout):
            for row in sheet_rows(sheet, problems, notes):
                projects.append(read_project_row(row))
                row.release()
        del sheet  # python-calamine lets go of the sheet's cells
        items = []
        if sheet := open_sheet(book, INDICATOR_SHEET, INDICATOR_COLUMNS, OPTIONAL_INDICATOR_COLUMNS, layout):
            framework, readings = Framework(), Readings()
            mappings: dict[str, list[int]] = defaultdict(list)
            for row in sheet_rows(sheet, problems):
                items.append(read_indicator_row(row, framework, readings, mappings))
                row.release()
                if len(items) % PROGRESS_ROWS == 0:
                    say(f"正在校验：指标表{len(items)}/{sheet.height}行……")
            for mapping, numbers in mappings.items():
                report.notes.append(f"{mapping}：{INDICATOR_SHEET}表第{_rows(numbers)}行")
        del sheet
    except CalamineError as error:
        layout.append(WorkbookProblem("文件", None, "", f"无法读取工作簿（{error}）"))
    finally:
        book.close()
    if layout:  # the sheets' layout, or a file that cannot be read: the rows' own problems can wait
        raise ImportErrors(layout)
    report.notes.extend(f"{note}：第{_rows(numbers)}行" for note, numbers in notes.items())
    report.project_rows, report.indicator_rows = len(projects), len(items)
    return projects, items, problems
