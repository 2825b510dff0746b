"""The library as a workbook (指标库.xlsx): exported with one row an entry; imported all or nothing, every bad row
named by sheet, row and column."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side

from ..models import IndicatorCategory
from ..uploads import check_office_file
from .models import LibraryEntry, ProjectCategory
from .names import name_key, split_aliases

SHEET = "指标库"
COLUMNS = ["一级指标", "二级指标", "三级指标", "别名", "绩效指标描述", "指标值类型", "计量单位", "指标值示例",
           "建议的确定依据", "共性指标", "适用项目类别", "来源"]  # fmt: skip
WIDTHS = [12, 16, 22, 30, 36, 10, 10, 18, 14, 10, 22, 10]
YES, NO = "是", "否"


def export_library(entries) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    thin = Side(style="thin")
    ws.append(COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for entry in entries:
        ws.append(
            [
                entry.level1.name,
                entry.level2.name,
                entry.name,
                entry.aliases,
                entry.description,
                entry.get_target_kind_display(),
                entry.unit,
                entry.example_target,
                entry.basis,
                YES if entry.common else NO,
                "、".join(c.name for c in entry.categories.all()),
                entry.get_source_display(),
            ]
        )
    for index, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = width
        for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "1:1"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class _Rows:
    """The lookups a row is checked against, and the problems found (sheet, row, column, what is wrong)."""

    def __init__(self):
        self.level1 = {c.name: c for c in IndicatorCategory.objects.filter(level=1)}
        self.level2 = {(c.parent_id, c.name): c for c in IndicatorCategory.objects.filter(level=2)}
        self.kinds = {str(label): value for value, label in LibraryEntry.TargetKind.choices}
        self.bases = set(LibraryEntry.Basis.values)
        self.categories = {c.name: c for c in ProjectCategory.objects.all()}
        self.problems: list[str] = []
        self.seen: dict[tuple, int] = {}

    def problem(self, row: int, column: int, message: str) -> None:
        self.problems.append(
            _("%(sheet)s 第%(row)s行 %(column)s列（%(name)s）：%(message)s")
            % {"sheet": SHEET, "row": row, "column": chr(64 + column), "name": COLUMNS[column - 1], "message": message}
        )

    def check(self, number: int, cells: list[str]) -> tuple | None:
        """The row's values, or None after recording its problems."""
        l1_name, l2_name, name, aliases, description, kind, unit, example, basis, common, fits, _source = cells
        before = len(self.problems)
        parent = self.level1.get(l1_name)
        if parent is None:
            self.problem(number, 1, _("“%(value)s”不是一级指标。") % {"value": l1_name})
        child = self.level2.get((parent.pk, l2_name)) if parent else None
        if parent and child is None:
            self.problem(
                number, 2, _("“%(value)s”不是“%(parent)s”下的二级指标。") % {"value": l2_name, "parent": l1_name}
            )
        if not name or len(name) > 200:
            self.problem(number, 3, _("三级指标不能为空，最多200个字。"))
        if kind not in self.kinds:
            self.problem(number, 6, _("指标值类型应为%(kinds)s之一。") % {"kinds": "、".join(self.kinds)})
        if len(unit) > 32:
            self.problem(number, 7, _("计量单位最多32个字。"))
        if basis and basis not in self.bases:
            self.problem(number, 9, _("确定依据应为%(bases)s之一。") % {"bases": "、".join(self.bases)})
        if common not in (YES, NO, ""):
            self.problem(number, 10, _("共性指标填“是”或“否”。"))
        unknown = [c for c in split_aliases(fits) if c not in self.categories]
        if unknown:
            self.problem(number, 11, _("没有项目类别“%(names)s”。") % {"names": "、".join(unknown)})
        if child is not None and name:
            key = (child.pk, name_key(name))
            if key in self.seen:
                self.problem(number, 3, _("与第%(row)s行重复。") % {"row": self.seen[key]})
            self.seen[key] = number
        if len(self.problems) > before:
            return None
        kind = self.kinds[kind]
        return parent, child, name, aliases, description, kind, unit, example, basis, common, fits


def _read(file) -> list[tuple]:
    check_office_file(file, flat_sheets=[SHEET])  # zip bombs, macros, entities, sheets too large: refused first
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a file that is not a workbook
        raise ValidationError(_("无法读取工作簿：%(error)s") % {"error": error}) from error
    if SHEET not in wb.sheetnames:
        raise ValidationError(_("工作簿中没有“%(sheet)s”工作表。") % {"sheet": SHEET})
    rows = list(wb[SHEET].iter_rows(values_only=True))
    if not rows or [_text(v) for v in rows[0][: len(COLUMNS)]] != COLUMNS:
        raise ValidationError(
            _("“%(sheet)s”第1行应为表头：%(columns)s。") % {"sheet": SHEET, "columns": "、".join(COLUMNS)}
        )
    return rows


@transaction.atomic
def import_library(file) -> ImportSummary:
    """Create or update (by 二级 and name) the workbook's entries as imported ones; any bad row refuses the whole file
    with a ValidationError naming each problem's sheet, row and column."""
    rows = _read(file)
    checker = _Rows()
    parsed = []
    for number, values in enumerate(rows[1:], start=2):
        cells = [_text(v) for v in (list(values) + [None] * len(COLUMNS))[: len(COLUMNS)]]
        if any(cells):
            row = checker.check(number, cells)
            if row is not None:
                parsed.append(row)
    if checker.problems:
        raise ValidationError(checker.problems)
    created = updated = 0
    for parent, child, name, aliases, description, kind, unit, example, basis, common, fits in parsed:
        entry = LibraryEntry.objects.filter(level2=child, name_key=name_key(name)).first()
        if entry is None:
            entry = LibraryEntry(level1=parent, level2=child, source=LibraryEntry.Source.IMPORTED)
            created += 1
        else:
            updated += 1
        entry.name, entry.aliases, entry.description = name, "、".join(split_aliases(aliases)), description
        entry.target_kind, entry.unit, entry.example_target = kind, unit, example[:100]
        entry.basis, entry.common = basis or LibraryEntry.Basis.PLAN, common == YES
        entry.full_clean(exclude=["name_key"])
        entry.save()
        entry.categories.set([checker.categories[c] for c in split_aliases(fits)])
    return ImportSummary(created, updated)
