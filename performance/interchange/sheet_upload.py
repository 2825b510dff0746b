"""Reading a filled 项目支出绩效自评表 workbook back (SPEC section 14, offline round trip).

A workbook exported by ``performance.sheets`` carries a hidden ``_jixiao`` sheet: for each project its
id and evaluation version, and for each editable cell (executed amounts, 实际完成情况, the budget
deviation reason, and per indicator 实际完成值 / 得分 / 偏差原因) its address and the value exported.
Only cells that differ from what was exported count as changes. The changes are checked with the entry
form's rules (``performance.entry_services``: unreadable actuals, evaluator scores outside their tier's
band, amounts that are not non-negative numbers) and saved with the form's own service, all projects
in one transaction. Where anything is wrong nothing is saved and the same workbook comes back with
each bad cell filled red and a comment saying what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from io import BytesIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from budgets.models import FUND_SOURCES, Project
from budgets.numbers import plain
from budgets.permissions import projects_for

from ..actuals import tier_from_text
from ..entry_services import (
    REASON_MAX_LENGTH,
    EvaluationEntry,
    ResultEntry,
    entry_from_project,
    reason_too_long,
    save_evaluation_entry,
    score_entry,
    target_of,
)
from ..models import Indicator, evaluation_of
from ..rights import refusal
from ..scores.keep import kept_scores
from ..services import score_projects
from ..sheets import META_MARKER, META_SHEET
from ..sheets.evaluation import evaluation_grid, scored_projects
from ..sheets.layout import OFFICIAL_LANGUAGE
from ..targets import Kind
from ..uploads import UploadRefused, check_office_file
from .cells import cell_text

ERROR_FILL = PatternFill(fill_type="solid", start_color="FFFF9999", end_color="FFFF9999")
COMMENT_AUTHOR = "绩效管理系统"
SOURCE_NAMES = {
    "total": "全年执行数",
    "fiscal": "全年执行数（当年财政拨款）",
    "carryover": "全年执行数（上年结转资金）",
    "other": "全年执行数（其他资金）",
}


@dataclass(frozen=True)
class SheetError:
    sheet: str
    cell: str
    message: str


@dataclass
class SheetImportResult:
    """What an upload did: the projects saved (with their new scores), or the errors and the marked workbook."""

    errors: list[SheetError] = field(default_factory=list)
    marked_workbook: bytes | None = None
    saved: list[Project] = field(default_factory=list)
    unchanged: int = 0
    scores: dict = field(default_factory=dict)
    to_do: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was read in a way the user should know
    ignored: list[SheetError] = field(default_factory=list)  # typed outside the cells read: not an error

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Cell:
    address: str
    exported: str


@dataclass
class _ProjectCells:
    sheet: str
    version: int
    cells: dict[tuple[str, str], _Cell] = field(default_factory=dict)


class _Rollback(Exception):
    pass


def _text(value) -> str:
    """A cell as the flat import reads it (``cells.cell_text``: no spurious '.0', dates as ISO dates), trimmed."""
    return cell_text(value).strip()


def _same(value, exported: str) -> bool:
    shown = _text(value)
    try:
        return Decimal(shown or "x") == Decimal(exported or "y")
    except InvalidOperation:
        return shown == exported.strip()


def _cell_value(ws, address: str):
    cell = ws[address]
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return plain(Decimal(str(value)) * 100) + "%"
    return value


def _read_meta(wb) -> dict[int, _ProjectCells]:
    ws = wb[META_SHEET]
    rows = ws.iter_rows(values_only=True)
    first = next(rows, None)
    if not first or first[0] != META_MARKER:
        raise ValueError
    next(rows, None)  # the header
    projects: dict[int, _ProjectCells] = {}
    for sheet, project_id, version, kind, key, address, exported in rows:
        if not sheet or project_id is None:
            continue
        entry = projects.setdefault(int(project_id), _ProjectCells(str(sheet), int(version or 0)))
        entry.cells[(str(kind), _text(key))] = _Cell(str(address), _text(exported))
    return projects


def _amount(value) -> Decimal:
    """An amount typed in a cell; ValueError with the message for a non-number or a negative one."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        try:
            amount = Decimal(_text(value).replace(",", ""))
        except InvalidOperation as error:
            raise ValueError(_("“%(value)s”不是数值。") % {"value": _text(value)}) from error
    if not amount.is_finite():  # NaN, Infinity: Decimal reads them, a cell must not hold them
        raise ValueError(_("“%(value)s”不是数值。") % {"value": _text(value)})
    if amount >= Decimal("1e14"):  # a Decimal(18, 4) field holds less
        raise ValueError(_("“%(value)s”过大，请检查单位（万元）。") % {"value": _text(value)})
    if amount < 0:
        raise ValueError(_("金额不能为负数。"))
    return amount


def _to_the_yuan(value, amount: Decimal) -> tuple[Decimal, bool]:
    """An amount in 万元 rounded half-up to 4 places (the 元), and whether that changed what was typed (a float's
    binary noise, 78.60000000000001, is not a change)."""
    rounded = amount.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    noise = isinstance(value, float) and abs(rounded - amount) < Decimal("1e-9")
    return rounded, rounded != amount and not noise


class _Reader:
    """Reads one project's sheet into an ``EvaluationEntry``, collecting errors by cell."""

    def __init__(self, ws, project: Project, cells: _ProjectCells, errors: list[SheetError], notes: list[str]):
        self.ws, self.project, self.meta, self.errors, self.notes = ws, project, cells, errors, notes
        self.changed = False

    def error(self, address: str, message: str) -> None:
        self.errors.append(SheetError(self.meta.sheet, address, message))

    def check_length(self, cell: tuple[str, str], text: str) -> None:
        """A reason longer than the entry form allows, said on its cell."""
        if len(text) > REASON_MAX_LENGTH:
            self.error(self.meta.cells[cell].address, reason_too_long(text))

    def changed_value(self, kind: str, key: str = ""):
        """(changed?, value) of one editable cell; unchanged where the workbook has no such cell."""
        cell = self.meta.cells.get((kind, key))
        if cell is None:
            return False, None
        value = _cell_value(self.ws, cell.address)
        if _same(value, cell.exported):
            return False, value
        self.changed = True
        return True, value

    def entry(self, indicators: list[Indicator]):
        saved = entry_from_project(project=self.project, indicators=indicators)
        money = dict(saved.money)
        for key in ("total", *FUND_SOURCES):
            changed, value = self.changed_value("executed", key)
            if not changed:
                continue
            if _text(value) == "":
                money[f"executed_{key}"] = None
                continue
            address = self.meta.cells[("executed", key)].address
            try:
                money[f"executed_{key}"], rounded = _to_the_yuan(value, _amount(value))
            except ValueError as error:
                self.error(address, f"{_(SOURCE_NAMES[key])}：{error}")
                continue
            if rounded:
                self.notes.append(
                    _("%(sheet)s %(cell)s %(name)s：%(typed)s 多于4位小数（不足1元），已四舍五入到元，读作 %(read)s。")
                    % {
                        "sheet": self.meta.sheet,
                        "cell": address,
                        "name": _(SOURCE_NAMES[key]),
                        "typed": _text(value),
                        "read": plain(money[f"executed_{key}"]),
                    }
                )
        goal_actual = saved.goal_actual
        changed, value = self.changed_value("goal_actual")
        if changed:
            goal_actual = _text(value)
        reason = saved.budget_deviation_reason
        changed, value = self.changed_value("budget_reason")
        if changed:
            reason = _text(value)
            self.check_length(("budget_reason", ""), reason)
        results = {}
        for indicator in indicators:
            results[indicator.pk] = self.result(indicator, saved.results[indicator.pk])
        return EvaluationEntry(money=money, goal_actual=goal_actual, budget_deviation_reason=reason, results=results)

    def result(self, indicator: Indicator, saved: ResultEntry) -> ResultEntry:
        key = str(indicator.pk)
        actual, tier, score, reason = saved.actual, saved.tier, saved.evaluator_score, saved.deviation_reason
        quantitative = target_of(indicator).kind == Kind.QUANTITATIVE
        actual_changed, value = self.changed_value("actual", key)
        if actual_changed:
            actual = _text(value)
            tier = "" if quantitative else tier_from_text(actual)
            score = None
        score_changed, value = self.changed_value("score", key)
        if score_changed:
            address = self.meta.cells[("score", key)].address
            if quantitative:
                self.error(
                    address,
                    _("“%(row)s”是定量指标，得分由实际完成值计算，请修改实际完成值。") % {"row": indicator.name},
                )
            elif _text(value) == "":
                score = None
            else:
                try:
                    score = _amount(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                except ValueError as error:
                    self.error(address, _("“%(row)s”的得分：%(error)s") % {"row": indicator.name, "error": error})
        reason_changed, value = self.changed_value("reason", key)
        if reason_changed:
            reason = _text(value)
            self.check_length(("reason", key), reason)
        return ResultEntry(actual=actual, tier=tier, evaluator_score=score, deviation_reason=reason)


def _moved_anchor(ws, cells: _ProjectCells) -> _Cell | None:
    """The first fixed label (年度资金总额, each 三级指标) no longer where it was exported, if any.

    Rows inserted or deleted in Excel shift every address, so the upload is refused rather than
    reading values from the wrong cells.
    """
    for (kind, _key), cell in cells.cells.items():
        if kind == "anchor" and _text(ws[cell.address].value) != cell.exported:
            return cell
    return None


def _merged_away(ws, cells: _ProjectCells) -> tuple[str, str] | None:
    """The first cell to read that a merge made part of another cell, and that merge's first cell."""
    for cell in cells.cells.values():
        if isinstance(ws[cell.address], MergedCell):
            merge = next(r for r in ws.merged_cells.ranges if cell.address in r)
            return cell.address, merge.start_cell.coordinate
    return None


def _anchor_message(cell: _Cell) -> str:
    return _("单元格 %(cell)s 应为“%(text)s”：工作表的行或列已被增删。请勿增删行列，或重新下载自评表后再填写。") % {
        "cell": cell.address,
        "text": cell.exported,
    }


def _check_total(reader: _Reader, entry) -> None:
    total = entry.money.get("executed_total")
    sources = [entry.money.get(f"executed_{source}") for source in FUND_SOURCES]
    known = [value for value in sources if value is not None]
    if total is not None and known and sum(known, Decimal("0")) != total:
        reader.error(
            reader.meta.cells[("executed", "total")].address,
            _("全年执行数 %(total)s 与各资金来源之和 %(sum)s 不一致。")
            % {"total": f"{total:.2f}", "sum": f"{sum(known, Decimal('0')):.2f}"},
        )


def _check_scores(reader: _Reader, project: Project, indicators: list[Indicator], entry) -> None:
    """The entry form's refusals: unreadable actuals and evaluator scores outside their tier's band. A score
    typed on a breakdown row (其中：…, not scored) is kept, with a note that it does not count."""
    score = score_entry(project=project, indicators=indicators, entry=entry)
    for indicator, row in zip(indicators, score.rows, strict=True):
        key = str(indicator.pk)
        typed = entry.results[indicator.pk]
        if row.actual.error:
            reader.error(reader.meta.cells[("actual", key)].address, row.actual.error)
        elif row.breakdown and typed.evaluator_score is not None:
            reader.notes.append(
                _("%(sheet)s %(cell)s：“%(row)s”是分解行（其中），不计分，所填得分未计入总分。")
                % {"sheet": reader.meta.sheet, "cell": reader.meta.cells[("score", key)].address, "row": indicator.name}
            )
        elif typed.evaluator_score is not None:
            for error in row.errors:
                reader.error(reader.meta.cells[("score", key)].address, error)


def _mark(wb, errors: list[SheetError]) -> bytes:
    """The uploaded workbook with each bad cell filled red and commented."""
    messages: dict[tuple[str, str], list[str]] = {}
    for error in errors:
        if error.sheet in wb.sheetnames and error.cell:
            messages.setdefault((error.sheet, error.cell), []).append(error.message)
    for (sheet, address), texts in messages.items():
        cell = wb[sheet][address]
        cell.fill = ERROR_FILL
        comment = Comment("\n".join(texts), COMMENT_AUTHOR)
        comment.width, comment.height = 300, 120
        cell.comment = comment
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def import_evaluation_sheets(*, file, user) -> SheetImportResult:
    """Upload a filled 自评表 workbook: all projects saved, or nothing and the workbook marked."""
    result = SheetImportResult()
    opened = _open(file, result)
    if opened is None:
        return result
    wb, meta = opened
    visible = {p.pk: p for p in projects_for(user).filter(pk__in=list(meta)).select_related("unit", "evaluation")}
    written = _written_grids(list(visible.values()))
    pending = []
    for project_id, cells in meta.items():
        if cells.sheet not in wb.sheetnames:
            result.errors.append(
                SheetError(cells.sheet, "", _("找不到工作表“%(sheet)s”，请勿修改工作表名称。") % {"sheet": cells.sheet})
            )
            continue
        entry = _read_project(wb[cells.sheet], visible.get(project_id), cells, user, result, written.get(project_id))
        if entry is not None:
            pending.append((visible[project_id], cells, entry))
    if not result.errors:
        _save(pending, user, result)
    if result.errors:
        result.marked_workbook = _mark(wb, result.errors)
        return result
    result.saved = [project for project, _cells, _entry in pending]
    scores = score_projects(Project.objects.filter(pk__in=[p.pk for p in result.saved]))
    result.scores = {project: scores[project.pk] for project in result.saved}
    for project, score in result.scores.items():
        result.to_do.extend(f"{project.name}：{problem}" for problem in score.problems)
    return result


def _open(file, result: SheetImportResult):
    """The workbook and its hidden sheet's cells by project; None (and the errors said) where it is not one."""
    try:
        check_office_file(file)
    except UploadRefused as error:
        result.errors.extend(SheetError("", "", message) for message in error.messages)
        return None
    try:
        wb = load_workbook(file)
        return wb, _read_meta(wb)
    except (KeyError, ValueError, TypeError, OSError, StopIteration):
        result.errors.append(
            SheetError("", "", _("无法识别此工作簿：请上传本系统导出的项目支出绩效自评表（含隐藏的 _jixiao 工作表）。"))
        )
        return None


def _read_project(ws, project: Project | None, cells: _ProjectCells, user, result: SheetImportResult, written=None):
    """One project's sheet read and checked into an entry to save; None where it changes nothing or is
    refused (the errors said on its cells). Cells typed outside those read are listed in ``result.ignored``."""
    if project is None:
        if any(not _same(_cell_value(ws, c.address), c.exported) for c in cells.cells.values()):
            result.errors.append(SheetError(cells.sheet, "A1", _("您无权修改此项目，或项目已不存在。")))
        return None
    indicators = list(
        Indicator.objects.filter(project=project).select_related("level1", "level2", "result").order_by("order", "id")
    )
    refused = _layout_refusal(ws, cells, indicators)
    if refused is not None:
        result.errors.append(refused)
        return None
    if written is not None:
        result.ignored.extend(_typed_outside(ws, written, cells))
    reader = _Reader(ws, project, cells, result.errors, result.notes)
    entry = reader.entry(indicators)
    if not reader.changed:
        result.unchanged += 1
        return None
    reason = refusal(user, "enter_actuals", project)  # its unit's staff, while the evaluation is editable
    if reason is not None:
        result.errors.append(SheetError(cells.sheet, "A1", reason))
        return None
    evaluation = evaluation_of(project)
    if evaluation is not None and evaluation.version != cells.version:
        message = _("此工作簿导出后，自评已被保存为第 %(theirs)s 版（工作簿是第 %(yours)s 版），请重新下载后再填写。")
        result.errors.append(
            SheetError(cells.sheet, "A1", message % {"theirs": evaluation.version, "yours": cells.version})
        )
        return None
    _check_total(reader, entry)
    _check_scores(reader, project, indicators, entry)
    return entry


def _written_grids(projects: list[Project]) -> dict:
    """The 自评表 grid the app writes for each project as it stands (what an unedited download holds)."""
    grids = {}
    with translation.override(OFFICIAL_LANGUAGE):
        for project, score in scored_projects(projects):
            grids[project.pk] = evaluation_grid(project, score, [])
    return grids


def _same_as_written(value, written) -> bool:
    if value in (None, "") or written in (None, ""):
        return value in (None, "") and written in (None, "")
    if isinstance(value, int | float | Decimal) and isinstance(written, int | float | Decimal):
        return Decimal(str(value)) == Decimal(str(written))
    return _text(value) == _text(written)


def _typed_outside(ws, grid, cells: _ProjectCells) -> list[SheetError]:
    """The cells the upload does not read (locked on the sheet) whose value differs from what the app wrote."""
    read = {cell.address for (kind, _key), cell in cells.cells.items() if kind != "anchor"}
    ignored = []
    for row in ws.iter_rows():
        for cell in row:
            if cell.coordinate in read or isinstance(cell, MergedCell):
                continue
            entry = grid.cells.get((cell.row, cell.column))
            if not _same_as_written(cell.value, None if entry is None else entry.value):
                message = _(
                    "单元格 %(cell)s 不在填写区，其中的“%(value)s”未被读取；如需修改请在系统中或浅黄色单元格中填写。"
                )
                ignored.append(
                    SheetError(
                        cells.sheet, cell.coordinate, message % {"cell": cell.coordinate, "value": _text(cell.value)}
                    )
                )
    return ignored


def _layout_refusal(ws, cells: _ProjectCells, indicators: list[Indicator]) -> SheetError | None:
    """Where the sheet no longer lines up with what was exported: indicators changed, rows or columns moved,
    cells merged."""
    if {("actual", str(i.pk)) for i in indicators} - set(cells.cells):
        return SheetError(cells.sheet, "A1", _("项目的指标已变化，请重新下载自评表后再填写。"))
    moved = _moved_anchor(ws, cells)
    if moved:
        return SheetError(cells.sheet, moved.address, _anchor_message(moved))
    if merged := _merged_away(ws, cells):  # its value would read as empty: a cleared cell
        message = _("单元格 %(cell)s 已与其他单元格合并，请取消合并后再上传。") % {"cell": merged[0]}
        return SheetError(cells.sheet, merged[1], message)  # marked on the merge's first cell
    return None


def _save(pending: list, user, result: SheetImportResult) -> None:
    """Save every project's entry with the entry form's service, all or none."""
    try:
        with transaction.atomic(), kept_scores():
            for project, cells, entry in pending:
                try:
                    save_evaluation_entry(project=project, data=entry, by=user, version=cells.version)
                except (ValidationError, PermissionDenied) as error:
                    messages = error.messages if isinstance(error, ValidationError) else [_("无权修改。")]
                    result.errors.extend(SheetError(cells.sheet, "A1", message) for message in messages)
            if result.errors:
                raise _Rollback
    except _Rollback:
        pass
