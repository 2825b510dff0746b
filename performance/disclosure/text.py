"""The seed's text layout: paragraphs are lines, a table cell is a line starting with a tab.

A table is a run of tab lines; a blank line ends a table row; a line that is neither ends the table.
"""

import re

from .model import Block, Paragraph, Row, Table

BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")


def clean(text: str) -> str:
    """A paragraph's text without Word's bookmark markers and the spaces around it."""
    return BOOKMARK.sub("", text).strip()


def read_text(text: str) -> list[Block]:
    blocks: list[Block] = []
    rows: list[Row] = []
    cells: list[str] = []
    table_start = row_start = 0
    number = 0

    def end_row():
        nonlocal cells
        if cells:
            rows.append(Row(cells=cells, where=f"第{row_start}行"))
        cells = []

    def end_table():
        nonlocal rows, number
        end_row()
        if rows:
            number += 1
            blocks.append(Table(number=number, rows=rows, where=f"第{table_start}行"))
        rows = []

    for index, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if line.startswith("\t"):
            if not rows and not cells:
                table_start = index
            if not cells:
                row_start = index
            cells.append(line[1:])
        elif not line.strip():
            end_row()
        else:
            end_table()
            blocks.append(Paragraph(text=clean(line), where=f"第{index}行"))
    end_table()
    return [b for b in blocks if not isinstance(b, Paragraph) or b.text]
