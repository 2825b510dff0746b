"""What an import says: the report of what it did, or every problem that refused the file."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

import xlsxwriter
from django.core.exceptions import ValidationError


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


KINDS = ["部门", "单位", "项目", "绩效目标", "绩效自评", "绩效指标", "实际完成值"]
NOTHING_CHANGED = "文件与系统中的数据一致，没有改动。"
CHANGES_KEPT = 200  # the changes a background job keeps in its report (the page shows them); the rest in its file
EMPTY = "（空）"


@dataclass(frozen=True, slots=True)
class CellChange:
    """One change the import makes, where the file says it: sheet, row, column, the value before and after
    (as text, the way the workbook writes it; a new project or indicator is one change, not one per cell)."""

    sheet: str
    row: int | None
    column: str
    old: str
    new: str

    def __str__(self):
        where = self.sheet if self.row is None else f"{self.sheet} 第{self.row}行"
        return f"{where} {self.column}：{self.old or EMPTY} → {self.new or EMPTY}"


@dataclass
class ImportReport:
    dry_run: bool = False
    counts: dict[str, Counter] = field(default_factory=lambda: {kind: Counter() for kind in KINDS})
    notes: list[str] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)  # every change, in the workbook's order once sorted
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
            "changes": [asdict(change) for change in self.changes[:CHANGES_KEPT]],
            "changes_total": len(self.changes),
        }

    def change(self, sheet: str, row: int | None, column: str, old: str, new: str) -> None:
        self.changes.append(CellChange(sheet, row, column, old, new))

    def change_list(self) -> list[str]:
        """Every change as a line (sheet, row, column: old → new); a file that changes nothing says so."""
        if not self.changes:
            return [NOTHING_CHANGED]
        head = "试导入将改动" if self.dry_run else "导入改动了"
        return [f"{head}{len(self.changes)}处（工作表、行、列：原值 → 新值）：", *(str(c) for c in self.changes)]

    def write_changes(self, file) -> None:
        """Every change as a workbook (工作表, 行, 列, 原值, 新值): the full list, where a page shows the first few."""
        book = xlsxwriter.Workbook(
            file, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        sheet = book.add_worksheet("改动清单")
        sheet.write_row(0, 0, ["工作表", "行", "列", "原值", "新值"], book.add_format({"bold": True}))
        sheet.freeze_panes(1, 0)
        for width, column in zip((10, 8, 24, 40, 40), range(5), strict=True):
            sheet.set_column(column, column, width)
        for number, change in enumerate(self.changes, start=1):
            sheet.write_string(number, 0, change.sheet)
            if change.row is not None:
                sheet.write_number(number, 1, change.row)
            for column, text in ((2, change.column), (3, change.old), (4, change.new)):
                if text:  # empty stays an empty cell
                    sheet.write_string(number, column, text)
        book.close()

    def summary(self) -> str:
        head = "试导入（未写入数据库）" if self.dry_run else "导入完成"
        lines = [f"{head}：项目表{self.project_rows}行，指标表{self.indicator_rows}行，用时{self.seconds:.1f}秒。"]
        for kind in KINDS:
            c = self.counts[kind]
            lines.append(f"{kind}：新建{c['created']}，更新{c['updated']}，删除{c['deleted']}，未变{c['unchanged']}")
        lines.extend(self.notes)
        lines.extend(self.change_list())
        return "\n".join(lines)
