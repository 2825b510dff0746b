"""The standard Excel sheets of SPEC section 14: 项目支出绩效自评表 (with a summary sheet for a unit or a
department) and 绩效目标表. ``performance.interchange.sheet_upload`` reads a filled 自评表 workbook back.
"""

from .evaluation import (
    META_FORMAT,
    META_MARKER,
    META_SHEET,
    evaluation_workbook_bytes,
    project_sheet_bytes,
    write_evaluation_workbook,
)
from .layout import sheet_title
from .targets import targets_workbook_bytes, write_targets_workbook

__all__ = [
    "META_FORMAT",
    "META_MARKER",
    "META_SHEET",
    "evaluation_workbook_bytes",
    "project_sheet_bytes",
    "sheet_title",
    "targets_workbook_bytes",
    "write_evaluation_workbook",
    "write_targets_workbook",
]
