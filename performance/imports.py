"""Importing the flat interchange workbook (SPEC section 11).

``import_workbook`` reads both sheets, checks every row and cell first and refuses the whole file
with every problem found (sheet, row, column and a Chinese sentence); only a clean file is written,
in one transaction. Importing the same file twice changes nothing.

What the file may change is decided by ``performance.rights`` (issue 14), after the rows are written and
before the transaction commits: every change is noted with its sheet, row and column, and a change to a
project's targets (年度总体目标, the indicators' texts, values and weights, indicators added or removed)
needs ``declare_targets``, a change to its actuals (实际完成值, 得分, the reasons, the money columns)
``enter_actuals``, as the project stood before the import. Rows that change nothing may stay in the
file whatever the project's state. Without a user (the command without ``--user``) the import has a
superuser's rights, still bound by the states: approved targets change only by adjustment, and the
actuals of a submitted or approved self-evaluation not at all. The optional column 目标状态 states the
declaration's state (``_targets_moves``).
"""

from __future__ import annotations

import time
import unicodedata
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from os import PathLike
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, OperationalError, transaction
from django.utils import timezone
from python_calamine import CalamineError, CalamineWorkbook

from budgets.models import FUND_SOURCES, STAGES, Department, Project, Unit, stage_total
from budgets.numbers import plain
from budgets.permissions import can_edit_unit, units_for

from .actuals import Actual, ActualKind, read_actual
from .declaration.models import TargetSet
from .declaration.recorded import record_targets_status
from .history import record_history
from .models import (
    ActualResult,
    CategoryAlias,
    Evaluation,
    Indicator,
    IndicatorCategory,
    IndicatorMonitoring,
    ProjectGoal,
    evaluation_of,
    result_of,
)
from .rights import may, refusal, target_set_of, targets_status
from .scoring import (
    BUDGET_WEIGHT,
    GROUP_POINTS,
    TIER_BANDS,
    RowInput,
    band_of,
    in_band,
    row_weights,
    tier_ratio,
    weight_problems,
    weighted,
)
from .targets import Kind, Target, is_cost, parse_target
from .uploads import UploadRefused, check_office_file

PROJECT_SHEET = "项目"
INDICATOR_SHEET = "指标"
STAGE_TITLES = {"initial": "年初预算数", "full_year": "全年预算数", "executed": "全年执行数"}
SOURCE_TITLES = {"fiscal": "财政拨款", "carryover": "上年结转", "other": "其他资金"}
MONEY_COLUMNS = {f"{stage}_total": STAGE_TITLES[stage] for stage in STAGES} | {
    f"{stage}_{source}": f"{STAGE_TITLES[stage]}-{SOURCE_TITLES[source]}" for source in FUND_SOURCES for stage in STAGES
}
PROJECT_COLUMNS = [
    "年度",
    "主管部门编码",
    "主管部门",
    "单位编码",
    "单位名称",
    "项目编码",
    "项目名称",
    "年度总体目标",
    "实际完成情况",
    *MONEY_COLUMNS.values(),
    "执行率得分(自评)",
    "执行偏差原因",
]
# Optional: older files without it still import (issue 14). Empty means 已申报 for targets the file declares.
TARGETS_STATUS = "目标状态"
OPTIONAL_PROJECT_COLUMNS = [TARGETS_STATUS]
# The file's words, always Chinese (the labels are translated on English pages).
TARGETS_STATUS_VALUES = {
    "编制中": TargetSet.Status.DRAFT,
    "已申报": TargetSet.Status.SUBMITTED,
    "已退回": TargetSet.Status.RETURNED,
    "已批复": TargetSet.Status.APPROVED,
}
TARGETS_STATUS_WORDS = {value: word for word, value in TARGETS_STATUS_VALUES.items()}
INDICATOR_COLUMNS = [
    "年度",
    "单位编码",
    "项目编码",
    "项目名称",
    "一级指标",
    "二级指标",
    "三级指标",
    "绩效指标描述",
    "指标值",
    "指标值确定依据",
    "分值",
    "实际完成值",
    "得分(自评)",
    "偏差原因分析及改进措施",
]
MONEY = Decimal("0.0001")
LARGEST = Decimal("1e14")
POINTS = Decimal("0.01")


@dataclass(frozen=True)
class WorkbookProblem:
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self):
        where = self.sheet if self.row is None else f"{self.sheet} 第{self.row}行"
        return f"{where} {self.column}：{self.message}" if self.column else f"{where}：{self.message}"


class ImportErrors(ValidationError):
    """The workbook was refused; ``problems`` lists every problem found, nothing was written."""

    def __init__(self, problems: list[WorkbookProblem]):
        self.problems = list(problems)
        super().__init__([str(problem) for problem in self.problems])


RESULT_FIELDS = ["actual", "tier", "evaluator_score", "reported_score", "deviation_reason"]
BATCH = 2000  # rows per INSERT/UPDATE statement (Django lowers it to what the database accepts)
PROGRESS_ROWS = 2000  # rows between two progress messages
KINDS = ["部门", "单位", "项目", "绩效目标", "绩效自评", "绩效指标", "实际完成值"]


@dataclass
class ImportReport:
    dry_run: bool = False
    counts: dict[str, Counter] = field(default_factory=lambda: {kind: Counter() for kind in KINDS})
    notes: list[str] = field(default_factory=list)
    project_rows: int = 0
    indicator_rows: int = 0
    seconds: float = 0.0

    def add(self, kind: str, action: str, n: int = 1) -> None:
        if n:
            self.counts[kind][action] += n

    def as_json(self) -> dict:
        """The report as plain JSON values (a background job keeps it)."""
        return {
            "dry_run": self.dry_run,
            "project_rows": self.project_rows,
            "indicator_rows": self.indicator_rows,
            "seconds": round(self.seconds, 1),
            "counts": {kind: dict(counts) for kind, counts in self.counts.items()},
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        head = "试导入（未写入数据库）" if self.dry_run else "导入完成"
        lines = [f"{head}：项目表{self.project_rows}行，指标表{self.indicator_rows}行，用时{self.seconds:.1f}秒。"]
        for kind in KINDS:
            c = self.counts[kind]
            lines.append(f"{kind}：新建{c['created']}，更新{c['updated']}，删除{c['deleted']}，未变{c['unchanged']}")
        lines.extend(self.notes)
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Reading cells


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _text(value) -> str:
    """A cell as text: numbers without a spurious '.0', dates as ISO dates."""
    if type(value) is str:  # most cells: no conversion
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Row:
    """One row of a sheet, reading cells by column title and collecting problems."""

    def __init__(
        self, sheet: str, number: int, values: list, positions: dict[str, int], problems: list[WorkbookProblem]
    ):
        self.sheet, self.number, self.problems = sheet, number, problems
        self.values, self.positions = values, positions

    def cell(self, column: str):
        """The cell's value under the column title (every title read is known: missing columns are refused)."""
        index = self.positions[column]
        return self.values[index] if index < len(self.values) else None

    def has(self, column: str) -> bool:
        """Whether the sheet has the (optional) column."""
        return column in self.positions

    def error(self, column: str, message: str) -> None:
        self.problems.append(WorkbookProblem(self.sheet, self.number, column, message))

    def text(self, column: str, *, required: bool = False, max_length: int | None = None, verbatim=False) -> str:
        """The cell as text, trimmed; ``verbatim`` keeps free text exactly as written (SPEC section 4)."""
        value = _text(self.cell(column))
        if not verbatim:
            value = value.strip()
        if required and not value.strip():
            self.error(column, "必填，不能为空")
        if max_length and len(value) > max_length:
            self.error(column, f"最多{max_length}个字符（现有{len(value)}个）")
        return value

    def code(self, column: str, *, required: bool = False, max_length: int = 64) -> str:
        return _normalise(self.text(column, required=required, max_length=max_length))

    def year(self, column: str = "年度") -> int | None:
        raw = self.cell(column)
        text = _normalise(_text(raw))
        if not text:
            self.error(column, "必填，不能为空")
            return None
        if not text.isdigit() or not 1900 <= int(text) <= 2100:
            self.error(column, f"“{text}”不是年度")
            return None
        return int(text)

    def decimal(self, column: str, *, places: Decimal, maximum: Decimal | None = None) -> Decimal | None:
        raw = self.cell(column)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool | datetime | date):
            self.error(column, f"“{_text(raw)}”不是数字")
            return None
        try:
            number = Decimal(str(raw)) if isinstance(raw, float) else Decimal(_normalise(str(raw)).replace(",", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.error(column, f"“{_text(raw)}”不是数字")
            return None
        if number < 0:
            self.error(column, f"{_text(raw)}为负数，不能为负")
            return None
        if number >= LARGEST:  # more than a Decimal(18, 4) column holds (and than quantize can)
            self.error(column, f"{_text(raw)}过大，请检查单位（万元）")
            return None
        rounded = number.quantize(places)
        # A float read from Excel may carry binary noise (78.60000000000001): that is still 78.6.
        if rounded != number and not (isinstance(raw, float) and abs(rounded - number) < Decimal("1e-9")):
            self.error(column, f"{_text(raw)}最多{-places.as_tuple().exponent}位小数")
            return None
        if maximum is not None and rounded > maximum:
            self.error(column, f"{_text(raw)}超过{plain(maximum)}")
            return None
        return rounded


def _open(file) -> CalamineWorkbook:
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


def _read_sheets(file) -> tuple[dict[str, list[_Row]], list[WorkbookProblem]]:
    """Both sheets' rows by column title (python-calamine: about ten times faster than openpyxl)."""
    problems: list[WorkbookProblem] = []
    book = _open(file)
    sheets: dict[str, list[_Row]] = {}
    try:
        for title, columns, optional in (
            (PROJECT_SHEET, PROJECT_COLUMNS, OPTIONAL_PROJECT_COLUMNS),
            (INDICATOR_SHEET, INDICATOR_COLUMNS, []),
        ):
            if title not in book.sheet_names:
                problems.append(WorkbookProblem(title, None, "", f"缺少工作表“{title}”"))
                continue
            # skip_empty_area=False: the first list is row 1, so row numbers are the sheet's own.
            rows = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
            header = [_normalise(_text(v)) for v in (rows[0] if rows else [])]
            positions: dict[str, int] = {}
            for index, name in enumerate(header):
                if name in positions and (name in columns or name in optional):
                    problems.append(WorkbookProblem(title, 1, name, "列标题重复"))
                positions.setdefault(name, index)
            missing = [name for name in columns if name not in positions]
            for name in missing:
                problems.append(WorkbookProblem(title, 1, name, "缺少此列"))
            if missing:
                continue
            sheet_rows = []
            for number, values in enumerate(rows[1:], start=2):
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                sheet_rows.append(_Row(title, number, values, positions, problems))
            sheets[title] = sheet_rows
    except CalamineError as error:
        problems.append(WorkbookProblem("文件", None, "", f"无法读取工作簿（{error}）"))
    finally:
        book.close()
    if problems:
        raise ImportErrors(problems)
    return sheets, problems


# ---------------------------------------------------------------------------------------------
# What the file says


@dataclass
class _ProjectRow:
    row: _Row
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

    @property
    def key(self) -> tuple:
        return (
            (self.year, self.unit_code, "code", self.code)
            if self.code
            else (self.year, self.unit_code, "name", self.name)
        )


@dataclass
class _IndicatorRow:
    row: _Row
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
    counts: bool = False  # whether the row has a weight when scored (SPEC section 6)

    @property
    def key(self) -> tuple:
        if self.project_code:
            return (self.year, self.unit_code, "code", self.project_code)
        return (self.year, self.unit_code, "name", self.project_name)


def _read_project_row(row: _Row) -> _ProjectRow:
    money = {name: row.decimal(title, places=MONEY) for name, title in MONEY_COLUMNS.items()}
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
    return _ProjectRow(
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
    )


def _targets_status(row: _Row) -> str | None:
    if not row.has(TARGETS_STATUS):
        return None
    word = _normalise(row.text(TARGETS_STATUS))
    if not word:
        return None
    if word not in TARGETS_STATUS_VALUES:
        row.error(TARGETS_STATUS, f"“{word}”不是目标状态（应为{'、'.join(TARGETS_STATUS_VALUES)}之一，或留空）")
        return None
    return TARGETS_STATUS_VALUES[word]


class _Framework:
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

    def resolve(self, item: _IndicatorRow, row: _Row, mappings: dict[str, list[int]]) -> None:
        written1, written2 = item.level1_as_written, item.level2_as_written
        if not written1 or not written2:
            return
        level1 = self.level1.get(written1) or self.aliases.get((written1, 1, ""))
        if level1 is None:
            row.error("一级指标", f"“{written1}”既不是标准一级指标，也不是已知的别名")
            return
        if level1.name != written1:
            mappings[f"一级指标“{written1}”按标准名称“{level1.name}”导入"].append(row.number)
        level2 = self.level2.get((level1.pk, written2))
        if level2 is None:
            level2 = (
                self.aliases.get((written2, 2, written1))
                or self.aliases.get((written2, 2, level1.name))
                or self.aliases.get((written2, 2, ""))
            )
            if level2 is not None:
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


class _Readings:
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

    def actual(self, text: str, target: str, *, cost: bool) -> Actual:
        key = (text, target, cost)
        if key not in self.actuals:
            self.actuals[key] = read_actual(text, self.target(target, cost=cost))
        return self.actuals[key]


def _read_indicator_row(
    row: _Row, framework: _Framework, readings: _Readings, mappings: dict[str, list[int]]
) -> _IndicatorRow:
    item = _IndicatorRow(
        row=row,
        year=row.year(),
        unit_code=row.code("单位编码", required=True, max_length=32),
        project_code=row.code("项目编码", max_length=64),
        project_name=row.text("项目名称", max_length=200),
    )
    if not item.project_code and not item.project_name:
        row.error("项目名称", "项目编码和项目名称不能都为空")
    item.level1_as_written = _normalise(row.text("一级指标", required=True, max_length=64))
    item.level2_as_written = _normalise(row.text("二级指标", required=True, max_length=64))
    item.name = row.text("三级指标", required=True, max_length=200)
    item.description = row.text("绩效指标描述", verbatim=True)
    item.target = row.text("指标值", max_length=500, verbatim=True)
    item.basis = row.text("指标值确定依据", max_length=200, verbatim=True)
    item.weight = row.decimal("分值", places=POINTS, maximum=Decimal("100"))
    item.actual = row.text("实际完成值", max_length=500)
    item.score = row.decimal("得分(自评)", places=POINTS, maximum=Decimal("100"))
    item.deviation_reason = row.text("偏差原因分析及改进措施")
    framework.resolve(item, row, mappings)
    if item.level1 is not None:
        cost = is_cost(item.level1.name, item.level2.name)
        item.target_parsed = readings.target(item.target, cost=cost)
        actual = readings.actual(item.actual, item.target, cost=cost)
        if actual.error:
            row.error("实际完成值", actual.error)
        item.tier = actual.tier
        item.counts = (
            item.level1.group in GROUP_POINTS
            and item.target_parsed.kind != Kind.NOT_APPLICABLE
            and actual.kind != ActualKind.NOT_APPLICABLE
        )
        scored_by_tier = item.target_parsed.kind == Kind.QUALITATIVE or (
            item.target_parsed.kind == Kind.DATE and actual.kind == "tier"
        )
        if scored_by_tier:
            item.evaluator_score = item.score
        else:
            item.reported_score = item.score
    return item


def _check_weights(project_label: str, items: list[_IndicatorRow]) -> None:
    """The scorer's checks (``performance.scoring``), named by sheet, row and column: custom weights sum to
    100 with the budget's 10, and an evaluator's score lies in its tier's band."""
    if any(item.level1 is None for item in items):
        return
    rows = [
        RowInput(group=item.level1.group, target=item.target_parsed, actual=item.actual, weight=item.weight)
        for item in items
    ]
    if weight_problems(rows):
        _name_weight_problems(project_label, items, rows)
        return
    weights, _problems = row_weights(rows, [item.counts for item in items])
    for item, weight in zip(items, weights, strict=True):
        if item.evaluator_score is not None:
            _check_band(item, weight)


def _name_weight_problems(project_label: str, items: list[_IndicatorRow], rows: list[RowInput]) -> None:
    """Where the file's weights break the scorer's rule: the rows without one, or the sum on the first row."""
    missing = [item for item, row in zip(items, rows, strict=True) if weighted(row) and item.weight is None]
    for item in missing:
        item.row.error("分值", f"项目“{project_label}”的其他指标填了分值，此行也须填写")
    total = sum(
        (item.weight or Decimal("0") for item, row in zip(items, rows, strict=True) if weighted(row)), Decimal("0")
    )
    if total + BUDGET_WEIGHT == Decimal("100"):
        return
    items[0].row.error(
        "分值",
        f"项目“{project_label}”的指标分值合计{total:.2f}，加预算执行率{BUDGET_WEIGHT:.0f}分"
        f"共{total + BUDGET_WEIGHT:.2f}分，应为100分",
    )


def _check_band(item: _IndicatorRow, weight: Decimal) -> None:
    """An evaluator's score within the row's weight and its tier's band; without a tier, the band's tier."""
    score = item.evaluator_score
    if score > weight:
        item.row.error("得分(自评)", f"得分{score:.2f}超过分值{weight:.2f}")
        return
    ratio = tier_ratio(score, weight)
    if not item.tier:
        item.tier = band_of(ratio)
    elif not in_band(item.tier, ratio):
        low, high, high_included, _default = TIER_BANDS[item.tier]
        item.row.error(
            "得分(自评)",
            f"得分{score:.2f}不在“{ActualResult.Tier(item.tier).label}”的分数区间"
            f"[{weight * low:.2f}, {weight * high:.2f}{']' if high_included else ')'}内",
        )


# ---------------------------------------------------------------------------------------------
# The service


def import_workbook(
    *,
    file,
    dry_run: bool = False,
    user=None,
    progress: Callable[[str], None] | None = None,
    file_name: str | None = None,
) -> ImportReport:
    """Import the flat workbook of SPEC section 11, all or nothing; ``dry_run`` writes nothing.

    ``file_name`` is the name the history records give the file (the user's name for an upload
    stored under another); by default the file's own name.

    ``progress`` is told what is going on in a sentence, with row counts every ``PROGRESS_ROWS`` rows.
    """
    started = time.monotonic()
    say = progress or (lambda message: None)
    sheets, problems = _read_sheets(file)
    report = ImportReport(dry_run=dry_run)
    report.project_rows = len(sheets[PROJECT_SHEET])
    report.indicator_rows = len(sheets[INDICATOR_SHEET])
    say(f"读取完成：项目表{report.project_rows}行，指标表{report.indicator_rows}行，正在校验……")

    projects = [_read_project_row(row) for row in sheets[PROJECT_SHEET]]
    framework, readings = _Framework(), _Readings()
    mappings: dict[str, list[int]] = defaultdict(list)
    items = []
    for n, row in enumerate(sheets[INDICATOR_SHEET], start=1):
        items.append(_read_indicator_row(row, framework, readings, mappings))
        if n % PROGRESS_ROWS == 0:
            say(f"正在校验：指标表{n}/{report.indicator_rows}行……")
    for mapping, numbers in mappings.items():
        shown = "、".join(str(n) for n in numbers[:10]) + (f"等，共{len(numbers)}" if len(numbers) > 10 else "")
        report.notes.append(f"{mapping}：{INDICATOR_SHEET}表第{shown}行")

    # The departments, units and projects the file names, as they stand in the database.
    unit_codes = {p.unit_code for p in projects} | {i.unit_code for i in items}
    units = {u.code: u for u in Unit.objects.filter(code__in=unit_codes).select_related("department")}
    departments = {d.code: d for d in Department.objects.filter(code__in={p.department_code for p in projects})}
    years = {p.year for p in projects} | {i.year for i in items}
    existing: dict[tuple, Project] = {}
    for project in Project.objects.filter(year__in=years - {None}, unit__code__in=unit_codes).select_related(
        "unit", "evaluation", "goal", "target_set"
    ):
        existing[(project.year, project.unit.code, "name", project.name)] = project
        if project.code:
            existing[(project.year, project.unit.code, "code", project.code)] = project

    _check_projects(projects, units, departments)
    _check_scope(user, projects, items, units)
    listed: dict[tuple, _ProjectRow] = {}
    names: dict[tuple, _ProjectRow] = {}
    for p in projects:
        if p.key in listed:
            p.row.error("项目编码" if p.code else "项目名称", f"与第{listed[p.key].row.number}行是同一个项目")
        elif (p.year, p.unit_code, p.name) in names:
            p.row.error("项目名称", f"与第{names[(p.year, p.unit_code, p.name)].row.number}行的项目同名")
        listed.setdefault(p.key, p)
        names.setdefault((p.year, p.unit_code, p.name), p)
        if p.code:
            listed.setdefault((p.year, p.unit_code, "name", p.name), p)

    def find(key: tuple) -> Project | None:
        """The database's project for a file's key; a code may be new to a project known by name."""
        project = existing.get(key)
        if project is None and key[2] == "code" and key in listed:
            candidate = existing.get((key[0], key[1], "name", listed[key].name))
            project = candidate if candidate is not None and not candidate.code else None
        return project

    # Each indicator row belongs to a project of the 项目 sheet, or else to one already in the database.
    by_project: dict[tuple, list[_IndicatorRow]] = defaultdict(list)
    db_only: dict[tuple, Project] = {}
    for item in items:
        if item.year is None or not item.unit_code:
            continue
        row = listed.get(item.key)
        if row is not None:
            by_project[row.key].append(item)
            continue
        project = find(item.key)
        if project is None:
            column = "项目编码" if item.project_code else "项目名称"
            label = item.project_code or item.project_name
            item.row.error(column, f"项目“{label}”既不在“项目”表中，也不在系统中")
            continue
        db_only[("db", project.pk)] = project
        by_project[("db", project.pk)].append(item)
    for group in by_project.values():
        _check_weights(group[0].project_name or group[0].project_code, group)

    if problems:
        problems.sort(key=_position)
        raise ImportErrors(problems)

    say("校验通过，正在写入……")
    actor = user if user is not None else _Bootstrap()
    try:
        with transaction.atomic():
            audit = _Audit(user=user, reason=_reason(file_name or file), when=timezone.now())
            written = _write(report, projects, by_project, units, departments, find, db_only, audit, say)
            # Rows that change nothing may stay in the file whatever the project's state; each change is
            # checked against the rights and the states as they stood before the import.
            _refuse_changes(actor, written)
            moves = _targets_moves(actor, projects, by_project, written)
            if problems:  # raised inside the transaction: everything written is rolled back
                problems.sort(key=_position)
                raise ImportErrors(problems)
            _move_targets(moves, audit, report)
            if dry_run:
                transaction.set_rollback(True)
    except DatabaseError as error:  # a rule the checks missed, a dropped connection: still all or nothing
        cause = "与数据库的连接中断，请重新导入" if isinstance(error, OperationalError) else str(error)
        raise ImportErrors(
            [WorkbookProblem("文件", None, "", f"写入数据库时出错，未导入任何数据（{cause}）")]
        ) from error
    report.seconds = time.monotonic() - started
    return report


def _move_targets(moves: list[tuple[Project, str]], audit: _Audit, report: ImportReport) -> None:
    """Give the declarations their states: in bulk, with their history records, except approvals, which go
    through the flow one project at a time (the approver checked again, the baseline frozen)."""
    new, changed = [], []
    for project, status in moves:
        if status == TargetSet.Status.APPROVED:
            record_targets_status(project=project, status=status, by=audit.user, reason=audit.reason)
            continue
        target_set = target_set_of(project) or TargetSet(project=project)
        target_set.status, target_set.version = status, target_set.version + 1
        if status == TargetSet.Status.SUBMITTED:
            target_set.submitted_by, target_set.submitted_at = audit.user, audit.when
        (changed if target_set.pk else new).append(target_set)
    who = {"user": audit.user, "reason": audit.reason, "when": audit.when}
    TargetSet.objects.bulk_create(new, batch_size=BATCH)
    record_history(TargetSet, [target_set.pk for target_set in new], history_type="+", **who)
    fields = ["status", "version", "submitted_by", "submitted_at"]
    TargetSet.objects.bulk_update(changed, fields, batch_size=BATCH)
    record_history(TargetSet, [target_set.pk for target_set in changed], history_type="~", **who)
    for status, n in Counter(status for _project, status in moves).items():
        report.notes.append(f"绩效目标{TARGETS_STATUS_WORDS[status]}：{n}个项目")


class _Bootstrap:
    """Who imports without a user (the command without ``--user``, loading an empty database): a superuser's
    rights, still bound by the states (``performance.rights``). ``budgets.permissions`` reads a user's
    accesses from ``_jixiao_accesses``: a superuser needs none."""

    is_authenticated = is_active = is_superuser = True
    _jixiao_accesses = ()


LOCKED_TARGETS = (
    "项目“{}”的绩效自评已审核（已锁定），不能修改其绩效目标；如需修改请先由审核人重新打开（未改动的行可以留在文件中）"
)


def _refuse_changes(actor, written: _Written) -> None:
    """Name every change the user may not make by sheet, row and column, with the sentence of
    ``performance.rights``: targets need ``declare_targets`` (not approved: that takes an adjustment; not
    under review), actuals ``enter_actuals`` (a self-evaluation not submitted or approved)."""
    for row, column, unit in written.renames:  # a department's name is the bureau's, a unit's its staff's
        if unit is None and not actor.is_superuser:
            row.error(column, "只有系统管理员可以修改主管部门的名称")
        elif unit is not None and not can_edit_unit(actor, unit):
            row.error(column, f"您无权修改单位{unit.code}的名称（只有该单位的填报人可以）")
    reasons: dict[tuple[int, str], str | None] = {}
    said = set()
    for change in written.changes:
        key = (change.project.pk, change.right)
        if key not in reasons:
            reason = refusal(actor, change.right, change.project)
            if reason is None and change.right == TARGETS and _is_locked(change.project):
                reason = LOCKED_TARGETS.format(change.project.name)
            reasons[key] = reason
        if reasons[key] is None:
            continue
        message = f"{change.what}：{reasons[key]}" if change.what else reasons[key]
        place = (change.row.sheet, change.row.number, change.column, message)
        if place not in said:
            said.add(place)
            change.row.error(change.column, message)


def _targets_moves(actor, projects: list[_ProjectRow], by_project: dict, written: _Written) -> list[tuple]:
    """The state each project's declaration moves to, checked (problems on the 目标状态 cell).

    Where 目标状态 is empty (or the file has no such column), a file that lists a project's indicators
    declares them: its targets become 已申报 when the import created or changed them, or when the project had
    no declaration yet; an unchanged draft stays a draft, and approved or submitted targets stay as they
    are. A state the file does say is made, by the rights it takes: 编制中 or 已申报 from an editable draft
    are the unit's (``declare_targets``); 已退回, 已批复, or taking back a submitted declaration are a
    reviewer's or finance's (``approve_targets``), and 已批复 approves through the flow, freezing the
    baseline. Approved targets change only by adjustment: a file that says another state for them is
    refused.
    """
    changed = {change.project.pk for change in written.changes if change.right == TARGETS}
    rows: list[tuple[Project, _ProjectRow | None, bool]] = [
        (written.projects[p.key], p, p.key in by_project) for p in projects
    ]
    rows += [(written.projects[key], None, True) for key in by_project if key[0] == "db"]
    Status = TargetSet.Status  # noqa: N806 - the model's own name
    moves = []
    for project, p, has_rows in rows:
        current, declared = targets_status(project), target_set_of(project) is not None
        wanted = p.targets_status if p is not None else None
        if wanted is None:
            if not has_rows or current in (Status.SUBMITTED, Status.APPROVED):
                continue
            if declared and project.pk not in changed:
                continue  # an unchanged draft (or returned declaration) is not submitted behind the unit's back
            if may(actor, TARGETS, project):  # otherwise its changes are refused already
                moves.append((project, Status.SUBMITTED))
            continue
        if wanted == current:
            if not declared and may(actor, TARGETS, project):  # recorded: a later file without the column keeps it
                moves.append((project, wanted))
            continue
        word = TARGETS_STATUS_WORDS[wanted]
        if current == Status.APPROVED:
            p.row.error(
                TARGETS_STATUS,
                f"项目“{project.name}”的绩效目标已批复，不能改为“{word}”；批复后的目标只能通过调整申请修改",
            )
            continue
        editable = current in (Status.DRAFT, Status.RETURNED)
        right = TARGETS if editable and wanted in (Status.DRAFT, Status.SUBMITTED) else "approve_targets"
        reason = refusal(actor, right, project)
        if reason is not None:
            p.row.error(TARGETS_STATUS, f"目标状态“{word}”：{reason}")
            continue
        moves.append((project, wanted))
    return moves


def _position(problem: WorkbookProblem) -> tuple:
    """Sheet, row, then column order, so the list reads like the workbook."""
    columns = [*PROJECT_COLUMNS, TARGETS_STATUS] if problem.sheet == PROJECT_SHEET else INDICATOR_COLUMNS
    column = columns.index(problem.column) if problem.column in columns else -1
    return (problem.sheet != PROJECT_SHEET, problem.row or 0, column)


def _is_locked(project: Project) -> bool:
    evaluation = evaluation_of(project)
    return evaluation is not None and evaluation.status == Evaluation.Status.APPROVED


def _check_projects(projects: list[_ProjectRow], units: dict, departments: dict) -> None:
    """One name per department and unit code in the file, and units stay in their department."""
    department_names: dict[str, str] = {}
    unit_seen: dict[str, _ProjectRow] = {}
    for p in projects:
        if p.department_code and p.department_name:
            first = department_names.setdefault(p.department_code, p.department_name)
            if first != p.department_name:
                p.row.error(
                    "主管部门", f"部门编码{p.department_code}在本表中有两个名称：“{first}”和“{p.department_name}”"
                )
        if not p.unit_code:
            continue
        first_row = unit_seen.setdefault(p.unit_code, p)
        if first_row.unit_name != p.unit_name or first_row.department_code != p.department_code:
            p.row.error("单位名称", f"单位编码{p.unit_code}与第{first_row.row.number}行的单位名称或主管部门不一致")
        unit = units.get(p.unit_code)
        if unit is not None and p.department_code and unit.department.code != p.department_code:
            p.row.error(
                "主管部门编码",
                f"单位{p.unit_code}属于部门{unit.department.code}，不是{p.department_code}",
            )
        if unit is None and p.department_code in departments and p.unit_name:
            clash = Unit.objects.filter(department=departments[p.department_code], name=p.unit_name).first()
            if clash is not None:
                p.row.error("单位名称", f"部门中已有同名单位“{p.unit_name}”（编码{clash.code or '无'}）")


def _check_scope(user, projects: list[_ProjectRow], items: list[_IndicatorRow], units: dict) -> None:
    if user is None:
        return
    allowed = set(units_for(user).values_list("code", flat=True))
    for entry in [*projects, *items]:
        code = entry.unit_code
        if not code or code in allowed:
            continue
        if code in units:
            entry.row.error("单位编码", f"您无权导入单位{code}的数据")
        elif not user.is_superuser:
            entry.row.error("单位编码", f"单位{code}不存在，只有系统管理员可以新建单位")


# ---------------------------------------------------------------------------------------------
# Writing


def _changed_fields(obj, values: dict) -> list[str]:
    """Set the values on ``obj``; the names of those that differed."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _changed(obj, values: dict) -> bool:
    return bool(_changed_fields(obj, values))


# What a change needs (a right of ``performance.rights``), by the field it changes and the column that says it.
TARGETS, ACTUALS = "declare_targets", "enter_actuals"
PROJECT_FIELDS = {"code": (TARGETS, "项目编码"), "name": (TARGETS, "项目名称")} | {
    name: (ACTUALS, title) for name, title in MONEY_COLUMNS.items()
}
EVALUATION_FIELDS = {
    "goal_actual": (ACTUALS, "实际完成情况"),
    "reported_budget_score": (ACTUALS, "执行率得分(自评)"),
    "budget_deviation_reason": (ACTUALS, "执行偏差原因"),
}
# target_kind and target_parsed follow from 指标值, tier from 实际完成值 or 得分(自评): read again, not changed.
INDICATOR_FIELDS = {
    "level1_id": (TARGETS, "一级指标"),
    "level1_as_written": (TARGETS, "一级指标"),
    "level2_id": (TARGETS, "二级指标"),
    "level2_as_written": (TARGETS, "二级指标"),
    "name": (TARGETS, "三级指标"),
    "description": (TARGETS, "绩效指标描述"),
    "target": (TARGETS, "指标值"),
    "basis": (TARGETS, "指标值确定依据"),
    "weight": (TARGETS, "分值"),
    "order": (TARGETS, "三级指标"),
}
RESULT_COLUMNS = {
    "actual": (ACTUALS, "实际完成值"),
    "evaluator_score": (ACTUALS, "得分(自评)"),
    "reported_score": (ACTUALS, "得分(自评)"),
    "deviation_reason": (ACTUALS, "偏差原因分析及改进措施"),
}


@dataclass(frozen=True)
class _Change:
    """One thing the import changed of a project, where the file says it, and the right it needs."""

    project: Project
    right: str  # TARGETS or ACTUALS
    row: _Row
    column: str
    what: str = ""  # said where the cell cannot say it (an indicator the file no longer lists)


@dataclass
class _Written:
    """What ``_write`` did: every change by project and cell, and each key's project."""

    changes: list[_Change] = field(default_factory=list)
    projects: dict[tuple, Project] = field(default_factory=dict)
    new_projects: set[int] = field(default_factory=set)
    renames: list[tuple[_Row, str, Unit | None]] = field(default_factory=list)  # a unit, or None: its department

    def note(self, project: Project, row: _Row, names, columns: dict, what: str = "") -> None:
        for name in names:
            if name in columns:
                right, column = columns[name]
                self.changes.append(_Change(project, right, row, column, what))


@dataclass(frozen=True)
class _Audit:
    """Who imports, and the change reason every history record of the import carries."""

    user: object
    reason: str
    when: datetime


def _reason(file) -> str:
    """The change reason of the import's history records, naming the file where it has a name."""
    name = file if isinstance(file, str | PathLike) else getattr(file, "name", None)
    name = Path(name).name if isinstance(name, str | PathLike) else ""
    return f"导入绩效工作簿“{name}”" if name else "导入绩效工作簿"


def _write(report, projects, by_project, units, departments, find, db_only, audit: _Audit, say) -> _Written:  # noqa: C901
    """Write the checked rows; returns what changed, by project and cell (for the rights and the states)."""
    written = _Written()
    # Departments and units
    new_units = []
    for p in projects:
        department = departments.get(p.department_code)
        if department is None:
            department = Department.objects.create(code=p.department_code, name=p.department_name)
            departments[p.department_code] = department
            report.add("部门", "created")
        elif _changed(department, {"name": p.department_name}):
            department.save(update_fields=["name"])
            report.add("部门", "updated")
            written.renames.append((p.row, "主管部门", None))
        unit = units.get(p.unit_code)
        if unit is None:
            unit = Unit(department=department, code=p.unit_code, name=p.unit_name)  # the code is trimmed, not empty
            units[p.unit_code] = unit
            new_units.append(unit)
            report.add("单位", "created")
        elif p.unit_name not in (unit.name, unit.short_name) and _changed(unit, {"name": p.unit_name}):
            # A unit is found by its code; its short name (张家口市科协本级 for 张家口市科学技术协会) is no rename.
            unit.save(update_fields=["name"])
            report.add("单位", "updated")
            written.renames.append((p.row, "单位名称", unit))
    Unit.objects.bulk_create(new_units, batch_size=BATCH)

    # Projects and their money
    resolved: dict[tuple, Project] = {}
    new_projects, changed_projects = [], []
    project_fields = ["code", "name", *MONEY_COLUMNS]
    for p in projects:
        values = {"code": p.code, "name": p.name, **p.money}
        project = find(p.key)
        if project is None:
            project = Project(unit=units[p.unit_code], year=p.year, **values)
            # A new project has no declaration and no self-evaluation yet: nothing to look up (rights).
            project._state.fields_cache["target_set"] = None
            new_projects.append(project)
        elif changed := _changed_fields(project, values):
            changed_projects.append(project)
            written.note(project, p.row, changed, PROJECT_FIELDS)
        else:
            report.add("项目", "unchanged")
        resolved[p.key] = project
    Project.objects.bulk_create(new_projects, batch_size=BATCH)
    Project.objects.bulk_update(changed_projects, project_fields, batch_size=BATCH)
    report.add("项目", "created", len(new_projects))
    report.add("项目", "updated", len(changed_projects))
    written.new_projects = {project.pk for project in new_projects}
    for p in projects:
        project = resolved[p.key]
        if project.pk in written.new_projects:
            written.changes.append(_Change(project, TARGETS, p.row, "项目名称", "新建项目"))
            written.note(project, p.row, [name for name in MONEY_COLUMNS if p.money[name] is not None], PROJECT_FIELDS)

    # Goals and self-evaluations (the 项目 sheet's text and the unit's own budget score)
    new_ids = written.new_projects  # nothing of theirs to look up
    ids = [project.pk for project in resolved.values() if project.pk not in new_ids]
    goals = {g.project_id: g for g in ProjectGoal.objects.filter(project_id__in=ids)}
    evaluations = {e.project_id: e for e in Evaluation.objects.filter(project_id__in=ids)}
    new_goals, changed_goals, new_evaluations, changed_evaluations = [], [], [], []
    for p in projects:
        project = resolved[p.key]
        goal = goals.get(project.pk)
        if goal is None:
            if p.goal:
                new_goals.append(ProjectGoal(project=project, text=p.goal))
                written.note(project, p.row, ["goal"], {"goal": (TARGETS, "年度总体目标")})
        elif _changed(goal, {"text": p.goal}):
            changed_goals.append(goal)
            written.note(project, p.row, ["goal"], {"goal": (TARGETS, "年度总体目标")})
        else:
            report.add("绩效目标", "unchanged")
        values = {
            "goal_actual": p.goal_actual,
            "reported_budget_score": p.reported_budget_score,
            "budget_deviation_reason": p.budget_deviation_reason,
        }
        evaluation = evaluations.get(project.pk)
        if evaluation is None:
            new_evaluations.append(Evaluation(project=project, **values))
            written.note(project, p.row, [k for k, v in values.items() if v not in ("", None)], EVALUATION_FIELDS)
        elif changed := _changed_fields(evaluation, values):
            evaluation.version += 1
            changed_evaluations.append(evaluation)
            written.note(project, p.row, changed, EVALUATION_FIELDS)
        else:
            report.add("绩效自评", "unchanged")
    _bulk(report, "绩效目标", ProjectGoal, new_goals, changed_goals, ["text"], audit=audit, say=say)
    _bulk(
        report,
        "绩效自评",
        Evaluation,
        new_evaluations,
        changed_evaluations,
        ["goal_actual", "reported_budget_score", "budget_deviation_reason", "version"],
        audit=audit,
        say=say,
    )

    # Indicators: the file's rows are each project's full list, in order
    project_of: dict[tuple, Project] = {}
    for key in by_project:
        project_of[key] = resolved[key] if key in resolved else db_only[key]
    written.projects = resolved | project_of
    project_rows = {p.key: p.row for p in projects}
    current: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in (
        Indicator.objects.filter(project__in=[p for p in project_of.values() if p.pk not in new_ids])
        .select_related("result", "project")
        .order_by("project_id", "order", "id")
    ):
        current[indicator.project_id].append(indicator)
    new_indicators, changed_indicators, gone = [], [], []
    pairs: list[tuple[Indicator, _IndicatorRow, Project]] = []
    for key, group in by_project.items():
        project = project_of[key]
        pool: dict[tuple, deque] = defaultdict(deque)
        for indicator in current.get(project.pk, []):
            pool[(indicator.level1_id, indicator.level2_id, indicator.name)].append(indicator)
        for order, item in enumerate(group, start=1):
            values = {
                "level1_id": item.level1.pk,
                "level2_id": item.level2.pk,
                "level1_as_written": item.level1_as_written if item.level1_as_written != item.level1.name else "",
                "level2_as_written": item.level2_as_written if item.level2_as_written != item.level2.name else "",
                "name": item.name,
                "description": item.description,
                "target": item.target,
                "target_kind": item.target_parsed.kind,
                "target_parsed": item.target_parsed.as_json(),
                "basis": item.basis,
                "weight": item.weight,
                "order": order,
            }
            matches = pool.get((item.level1.pk, item.level2.pk, item.name))
            if matches:
                indicator = matches.popleft()
                if changed := _changed_fields(indicator, values):
                    changed_indicators.append(indicator)
                    written.note(project, item.row, changed, INDICATOR_FIELDS)
                else:
                    report.add("绩效指标", "unchanged")
            else:
                indicator = Indicator(project=project, **values)
                new_indicators.append(indicator)
                written.changes.append(_Change(project, TARGETS, item.row, "三级指标", "新增指标"))
            pairs.append((indicator, item, project))
        for rest in pool.values():
            gone.extend(rest)
            for indicator in rest:  # named on the project's row, or its first indicator row where it has none
                row = project_rows.get(key, group[0].row)
                written.changes.append(_Change(project, TARGETS, row, "项目名称", f"删除了指标“{indicator.name}”"))
    if gone:
        report.notes.append(
            "删除了文件中不再列出的指标："
            + "；".join(f"{ind.project.name}/{ind.name}" for ind in gone[:20])
            + ("……" if len(gone) > 20 else "")
        )
        _delete_indicators([ind.pk for ind in gone], audit)
        report.add("绩效指标", "deleted", len(gone))
    _bulk(
        report,
        "绩效指标",
        Indicator,
        new_indicators,
        changed_indicators,
        [
            "level1",
            "level2",
            "level1_as_written",
            "level2_as_written",
            "name",
            "description",
            "target",
            "target_kind",
            "target_parsed",
            "basis",
            "weight",
            "order",
        ],
        audit=audit,
        say=say,
    )

    # Actual results
    created = {id(indicator) for indicator in new_indicators}
    new_results, changed_results = [], []
    for indicator, item, project in pairs:
        values = {
            "actual": item.actual,
            "tier": item.tier,
            "evaluator_score": item.evaluator_score,
            "reported_score": item.reported_score,
            "deviation_reason": item.deviation_reason,
        }
        result = None if id(indicator) in created else result_of(indicator)
        if result is None:
            if filled := [name for name, value in values.items() if value not in ("", None)]:
                new_results.append(ActualResult(indicator=indicator, **values))
                written.note(project, item.row, filled, RESULT_COLUMNS)
        elif changed := _changed_fields(result, values):
            changed_results.append(result)
            written.note(project, item.row, changed, RESULT_COLUMNS)
        else:
            report.add("实际完成值", "unchanged")
    _bulk(report, "实际完成值", ActualResult, new_results, changed_results, RESULT_FIELDS, audit=audit, say=say)
    return written


def _delete_indicators(ids: list[int], audit: _Audit) -> None:
    """Delete the indicators (their results and monitoring rows cascade); simple_history's signals record
    each deletion, and those records are then given the import's user and reason."""
    Indicator.objects.filter(pk__in=ids).delete()
    for model, lookup in (
        (Indicator, "id__in"),
        (ActualResult, "indicator_id__in"),
        (IndicatorMonitoring, "indicator_id__in"),
    ):
        model.history.filter(history_type="-", **{lookup: ids}).update(
            history_user=audit.user, history_change_reason=audit.reason
        )


def _bulk(
    report: ImportReport, kind: str, model, new: list, changed: list, fields: list[str], *, audit: _Audit, say
) -> None:
    """Create and update the rows, each with its history record (the import's user and reason)."""
    who = {"user": audit.user, "reason": audit.reason, "when": audit.when}
    total = len(new) + len(changed)
    for start in range(0, len(new), BATCH):
        batch = new[start : start + BATCH]
        model.objects.bulk_create(batch, batch_size=BATCH)
        record_history(model, [obj.pk for obj in batch], history_type="+", **who)
        say(f"正在写入{kind}：{start + len(batch)}/{total}……")
    for start in range(0, len(changed), BATCH):
        batch = changed[start : start + BATCH]
        model.objects.bulk_update(batch, fields, batch_size=BATCH)
        record_history(model, [obj.pk for obj in batch], history_type="~", **who)
        say(f"正在写入{kind}：{len(new) + start + len(batch)}/{total}……")
    report.add(kind, "created", len(new))
    report.add(kind, "updated", len(changed))
