"""One guard for every uploaded Office file (workbooks to import, .docx/.xlsx evidence).

An .xlsx or .docx is a zip of XML parts. Before any parser sees an upload, ``check_office_file``
opens the zip itself and refuses, with a sentence the user can act on:

- a file that is not a zip (a renamed .xls, .csv, .exe) or a truncated / corrupt zip;
- too many parts, or parts that unpack to more than ``MAX_UNPACKED_BYTES`` in all or compress
  better than ``MAX_RATIO`` to one (a zip bomb). The sizes are measured while unpacking, never
  trusted from the zip's own directory, and unpacking stops at the limit: memory stays bounded;
- macros (``vbaProject.bin``, a macro-enabled content type: an .xlsm renamed .xlsx);
- a DOCTYPE or entity declaration in any XML part (billion laughs; defusedxml also makes openpyxl
  refuse them, python-calamine never expands them);
- for workbooks: links to other workbooks, a worksheet with more than ``MAX_SHEET_ROWS`` rows (a
  million empty rows would keep the importer busy for minutes), formulas (their values are
  computed by Excel, openpyxl never calculates them) and merged cells in the sheets read as flat tables.

``check_office_file`` reads the file from its start and rewinds it; it writes nothing.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection
from os import PathLike

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ARCHIVE_MEMBERS = 2000
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 150  # unpacked / packed, for parts above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_SHEET_ROWS = 200_000
CHUNK = 1024 * 1024

WORKBOOK = "workbook"
DOCUMENT = "document"

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOT = re.compile(rb"<(\w{1,16}:)?worksheet\b")
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class UploadRefused(ValidationError):
    """The upload was refused before any parser read it; ``messages`` says why, in Chinese."""


class _SheetScan:
    """Rows, the first formula and the merged ranges of one worksheet part, read chunk by chunk.

    The patterns start with a literal (``<row ``, ``<f>``), which keeps them fast: a 100,000-row sheet
    is scanned in well under a second. A part written with a namespace prefix (``<x:row>``) gets
    patterns with that prefix.
    """

    def __init__(self):
        self.prefix: bytes | None = None
        self.row_tags = 0
        self.last_row = 0
        self.formula_cell: str | None = None
        self.merges: list[str] = []

    @property
    def rows(self) -> int:
        return max(self.row_tags, self.last_row)

    def feed(self, text: bytes) -> None:
        if self.prefix is None:
            root = _ROOT.search(text)
            self.prefix = (root.group(1) or b"") if root else b""
            p = re.escape(b"<" + self.prefix)
            self._row = re.compile(p + rb"row [^>]*?\br=\"(\d+)\"")
            self._formula = re.compile(p + rb"f[ >/]")
            self._cell = re.compile(p + rb"c [^>]*?\br=\"([A-Z]{1,3}\d+)\"")
            self._merge = re.compile(p + rb"mergeCell [^>]*?\bref=\"([A-Z0-9:]+)\"")
        tag = b"<" + self.prefix + b"row"
        self.row_tags += text.count(tag + b">") + text.count(tag + b" ") + text.count(tag + b"/")
        self.last_row = max([self.last_row, *(int(number) for number in self._row.findall(text))])
        if self.formula_cell is None and (found := self._formula.search(text)):
            cells = self._cell.findall(text, 0, found.start())
            self.formula_cell = cells[-1].decode() if cells else "?"
        self.merges.extend(m.decode() for m in self._merge.findall(text))


def check_office_file(
    file, *, kind: str = WORKBOOK, name: str = "", allow_formulas: bool = False, flat_sheets: Collection[str] = ()
) -> None:
    """Refuse a hostile or unreadable .xlsx (``kind=WORKBOOK``) or .docx/.xlsx (``DOCUMENT``).

    ``file`` is a path or a binary file object (an ``UploadedFile``); it is rewound afterwards.
    ``flat_sheets`` names the sheets read as flat tables, where a merged cell is refused.
    """
    label = name or getattr(file, "name", "") or _("文件")
    if isinstance(file, str | PathLike):
        with open(file, "rb") as handle:
            _check(handle, label, kind, allow_formulas, flat_sheets)
        return
    file.seek(0)
    try:
        _check(file, label, kind, allow_formulas, flat_sheets)
    finally:
        file.seek(0)


def _refuse(message: str) -> UploadRefused:
    return UploadRefused(message)


def _check(handle, label: str, kind: str, allow_formulas: bool, flat_sheets: Collection[str]) -> None:
    head = handle.read(4)
    if head == b"\xd0\xcf\x11\xe0":  # an OLE file: an old .xls/.doc, or an Office file with a password
        raise _refuse(
            _("“%(name)s”是旧版（.xls/.doc）或设有密码的 Office 文件，请另存为不加密的 .xlsx / .docx 后再上传。")
            % {"name": label}
        )
    if head != b"PK\x03\x04":
        raise _refuse(_("“%(name)s”不是 .xlsx / .docx 文件（内容不是 Office 压缩包）。") % {"name": label})
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _refuse(_("“%(name)s”已损坏或不完整（可能上传中断），请重新保存后再上传。") % {"name": label}) from error
    with archive:
        infos = archive.infolist()
        _check_directory(infos, label)
        names = {info.filename for info in infos}
        _check_macros(archive, names, label)
        if kind == WORKBOOK:
            if "xl/workbook.xml" not in names:
                raise _refuse(_("“%(name)s”不是 .xlsx 工作簿。") % {"name": label})
            if any(n.startswith("xl/externalLinks/") for n in names):
                raise _refuse(
                    _("“%(name)s”引用了其他工作簿（外部链接），请把引用的内容粘贴为数值后再上传。") % {"name": label}
                )
        sheets = _sheet_names(archive, names, label) if kind == WORKBOOK else {}
        _unpack_all(archive, infos, label, sheets, allow_formulas, flat_sheets)


def _check_directory(infos: list[zipfile.ZipInfo], label: str) -> None:
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        raise _refuse(
            _("“%(name)s”包含 %(count)s 个部件，超过 %(limit)s 个的上限。")
            % {"name": label, "count": len(infos), "limit": MAX_ARCHIVE_MEMBERS}
        )
    declared = sum(info.file_size for info in infos)
    if declared > MAX_UNPACKED_BYTES:
        raise _bomb(label)
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _bomb(label)


def _bomb(label: str) -> UploadRefused:
    return _refuse(
        _("“%(name)s”解压后超过 %(limit)s MB 或压缩比异常（疑似“压缩炸弹”），已拒绝。")
        % {"name": label, "limit": MAX_UNPACKED_BYTES // 1024 // 1024}
    )


def _check_macros(archive: zipfile.ZipFile, names: set[str], label: str) -> None:
    macro = any(n.lower().endswith("vbaproject.bin") or n.lower().startswith("xl/macrosheets/") for n in names)
    if not macro and "[Content_Types].xml" in names:
        with archive.open("[Content_Types].xml") as part:
            macro = b"macroEnabled" in part.read(RATIO_FLOOR)
    if macro:
        raise _refuse(
            _("“%(name)s”含有宏（.xlsm / VBA），出于安全原因不接受：请另存为不含宏的 .xlsx / .docx 后再上传。")
            % {"name": label}
        )


def _sheet_names(archive: zipfile.ZipFile, names: set[str], label: str) -> dict[str, str]:
    """Worksheet part name -> sheet title, read with defusedxml (no DTD, no entities)."""
    try:
        workbook = ElementTree.fromstring(_small_part(archive, "xl/workbook.xml", label), forbid_dtd=True)
        rels_name = "xl/_rels/workbook.xml.rels"
        rels = (
            ElementTree.fromstring(_small_part(archive, rels_name, label), forbid_dtd=True)
            if rels_name in names
            else None
        )
    except (DefusedXmlException, ElementTree.ParseError) as error:
        raise _xml_refused(label) from error
    targets = {}
    for rel in rels if rels is not None else []:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[rel.get("Id")] = target
    found = {}
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        part = targets.get(sheet.get(f"{_REL_NS}id"))
        if part:
            found[part] = sheet.get("name", "")
    return found


def _small_part(archive: zipfile.ZipFile, part: str, label: str) -> bytes:
    with archive.open(part) as handle:
        data = handle.read(20 * RATIO_FLOOR + 1)
    if len(data) > 20 * RATIO_FLOOR:
        raise _bomb(label)
    if _DTD.search(data):
        raise _xml_refused(label)
    return data


def _xml_refused(label: str) -> UploadRefused:
    return _refuse(_("“%(name)s”含有 XML 实体声明（DOCTYPE/ENTITY），可能是恶意构造的文件，已拒绝。") % {"name": label})


def _unpack_all(
    archive, infos, label: str, sheets: dict[str, str], allow_formulas: bool, flat_sheets: Collection[str]
) -> None:
    """Unpack every part once, counting real bytes; scan XML for DTDs and worksheets for rows, formulas, merges."""
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        is_xml = info.filename.endswith((".xml", ".rels", ".vml"))
        sheet = sheets.get(info.filename)
        scan = _SheetScan() if sheet is not None else None
        unpacked = 0
        carry = b""
        try:
            with archive.open(info) as part:
                while chunk := part.read(CHUNK):
                    unpacked += len(chunk)
                    total += len(chunk)
                    if total > MAX_UNPACKED_BYTES or (
                        unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * max(info.compress_size, 1)
                    ):
                        raise _bomb(label)
                    if not is_xml:
                        continue
                    text = carry + chunk
                    cut = text.rfind(b">") + 1
                    text, carry = text[:cut], text[cut:][-CHUNK:]
                    if _DTD.search(text):
                        raise _xml_refused(label)
                    if scan is not None:
                        scan.feed(text)
                        if scan.rows > MAX_SHEET_ROWS:
                            raise _too_long(sheet)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as error:
            raise _refuse(
                _("“%(name)s”已损坏或不完整（可能上传中断），请重新保存后再上传。") % {"name": label}
            ) from error
        if scan is None:
            continue
        if scan.formula_cell and not allow_formulas:
            raise _refuse(
                _("工作表“%(sheet)s”的单元格 %(cell)s 含有公式：请把公式“粘贴为数值”后再上传（系统不计算公式）。")
                % {"sheet": sheet, "cell": scan.formula_cell}
            )
        if scan.merges and sheet in flat_sheets:
            raise _refuse(
                _("工作表“%(sheet)s”的 %(cells)s 是合并单元格：导入表须每格一个值，请取消合并后再上传。")
                % {"sheet": sheet, "cells": "、".join(scan.merges[:5])}
            )


def _too_long(sheet: str) -> UploadRefused:
    message = _("工作表“%(sheet)s”超过 %(limit)s 行的上限（可能含有大量空行），请删除多余的行后再上传。")
    return _refuse(message % {"sheet": sheet, "limit": MAX_SHEET_ROWS})
