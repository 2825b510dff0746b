"""What an import says: the report of what it did, or every problem that refused the file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

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
