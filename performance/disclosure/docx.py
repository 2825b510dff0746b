"""A .docx of the disclosure template, read into the same blocks as the text layout.

Body paragraphs and tables in document order (python-docx). A cell merged into the one above
(``vMerge`` continue) reads as empty, as in the text layout; a cell spanning columns is one cell.
"""

import zipfile
from io import BytesIO

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from .model import Block, Paragraph, Row, Table, UnreadableDisclosure
from .text import clean


def _cell_text(tc, table: DocxTable) -> str:
    if tc.vMerge == "continue":
        return ""
    return _Cell(tc, table).text


MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a disclosure is a few MB; more is a zip bomb
MAX_ENTRIES = 2000


def _check_archive(data: bytes) -> None:
    """Refuse an archive that would unpack to far more than any disclosure (python-docx parses
    XML without resolving entities, so only the size needs guarding)."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as error:
        raise UnreadableDisclosure("文件不是可读取的 .docx 文档（压缩包已损坏）。") from error
    if len(entries) > MAX_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise UnreadableDisclosure("文件解压后过大，不是正常的 .docx 公开文本。")


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
