"""A .docx of the disclosure template, read into the same blocks as the text layout.

Body paragraphs and tables in document order (python-docx). A cell merged into the one above
(``vMerge`` continue) reads as empty, as in the text layout; a cell spanning columns is one cell.
"""

from io import BytesIO

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from ..uploads import DOCUMENT, UploadRefused, check_office_file
from .model import Block, Paragraph, Row, Table, UnreadableDisclosure
from .text import clean


def _cell_text(tc, table: DocxTable) -> str:
    if tc.vMerge == "continue":
        return ""
    return _Cell(tc, table).text


def _check_archive(data: bytes) -> None:
    """Refuse a hostile archive (zip bomb, macros, entity declarations) with the shared upload guard."""
    try:
        check_office_file(BytesIO(data), kind=DOCUMENT, name=".docx")
    except UploadRefused as error:
        raise UnreadableDisclosure("；".join(error.messages)) from error


def read_docx(data: bytes) -> list[Block]:
    _check_archive(data)
    try:
        document = docx.Document(BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise UnreadableDisclosure("文件不是可读取的 .docx 文档。") from error
    except Exception as error:  # a zip that is not a Word document raises many kinds
        raise UnreadableDisclosure(f"文件不是可读取的 .docx 文档（{error.__class__.__name__}）。") from error
    blocks: list[Block] = []
    paragraphs = tables = 0
    for item in document.iter_inner_content():
        if isinstance(item, DocxParagraph):
            paragraphs += 1
            text = clean(item.text)
            if text:
                blocks.append(Paragraph(text=text, where=f"第{paragraphs}段"))
        elif isinstance(item, DocxTable):
            tables += 1
            rows = [
                Row(cells=[_cell_text(tc, item) for tc in tr.tc_lst], where=f"第{number}行")
                for number, tr in enumerate(item._tbl.tr_lst, start=1)
            ]
            blocks.append(Table(number=tables, rows=rows, where=f"第{paragraphs}段后"))
    return blocks
