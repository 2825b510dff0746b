"""One guard for every uploaded Office file (workbooks to import, .docx/.xlsx evidence).

An .xlsx or .docx is a zip of XML parts. Before any parser sees an upload, ``check_office_file``
opens the zip itself and refuses, with a sentence the user can act on:

- a file that is not a zip (a renamed .xls, .csv, .exe) or a truncated / corrupt zip;
- too many parts, parts that compress better than ``JIXIAO_UPLOAD_MAX_RATIO`` to one (a zip bomb), or
  parts that unpack to more than ``JIXIAO_UPLOAD_MAX_UNPACKED_MB`` in all. The sizes are measured while
  unpacking, never trusted from the zip's own directory, and unpacking stops at the limit: memory stays
  bounded;
- macros (``vbaProject.bin``, a macro-enabled content type: an .xlsm renamed .xlsx);
- a DOCTYPE or entity declaration in any XML part (billion laughs; defusedxml also makes openpyxl
  refuse them, python-calamine never expands them);
- for workbooks: links to other workbooks, a worksheet with more than ``JIXIAO_UPLOAD_MAX_SHEET_ROWS``
  rows (millions of empty rows would keep the importer busy for minutes) or an area (rows x columns)
  of more than ``JIXIAO_UPLOAD_MAX_SHEET_CELLS`` cells (python-calamine holds every cell of that area:
  two cells, in A1 and XFD20000, would take it 10 GB), formulas (their values are computed by Excel,
  openpyxl never calculates them) and merged cells in the sheets read as flat tables.

The limits are settings (``config.settings``), read at each call; a refusal for size names the setting
to raise. Every check runs on every path: the web pages, the background jobs and the commands.
``check_office_file`` reads the file from its start and rewinds it; it writes nothing.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from os import PathLike

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIB = 1024 * 1024
RATIO_FLOOR = MIB  # the ratio is checked for parts that unpack to more than this
CHUNK = MIB

WORKBOOK = "workbook"
DOCUMENT = "document"

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOT = re.compile(rb"<(\w{1,16}:)?worksheet\b")
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class UploadRefused(ValidationError):
    """The upload was refused before any parser read it; ``messages`` says why, in Chinese."""


@dataclass(frozen=True)
class Limits:
    parts: int
    unpacked_bytes: int
    ratio: int  # unpacked / packed, for parts above RATIO_FLOOR
    sheet_rows: int
    sheet_cells: int  # rows x columns

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            parts=settings.JIXIAO_UPLOAD_MAX_PARTS,
            unpacked_bytes=settings.JIXIAO_UPLOAD_MAX_UNPACKED_MB * MIB,
            ratio=settings.JIXIAO_UPLOAD_MAX_RATIO,
            sheet_rows=settings.JIXIAO_UPLOAD_MAX_SHEET_ROWS,
            sheet_cells=settings.JIXIAO_UPLOAD_MAX_SHEET_CELLS,
        )

    def compresses_too_well(self, unpacked: int, packed: int) -> bool:
        return unpacked > RATIO_FLOOR and unpacked > self.ratio * max(packed, 1)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _beyond(columns: int) -> re.Pattern:
    """A cell reference (``r="AB12"``) to a column beyond the first ``columns``."""
    if columns >= 26:
        return re.compile(rb' r="([A-Z]{2,3})\d')
    return re.compile(rb' r="([A-Z]{2,3}|[%c-Z])\d' % (ord("A") + columns))


class _SheetScan:
    """Rows, columns, the first formula and the merged ranges of one worksheet part, read chunk by chunk.

    The patterns start with a literal (``<row ``, ``<f>``, `` r="``), which keeps them fast: a 100,000-row
    sheet is scanned in well under a second. A part written with a namespace prefix (``<x:row>``) gets
    patterns with that prefix.
    """

    def __init__(self):
        self.prefix: bytes | None = None
        self.row_tags = 0
        self.last_row = 0
        self.columns = 0  # the rightmost column with a cell
        self._beyond = _beyond(0)
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
        if wider := self._beyond.findall(text):
            self.columns = max(self.columns, *(_column_number(letters) for letters in set(wider)))
            self._beyond = _beyond(self.columns)
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
    limits = Limits.from_settings()
    if isinstance(file, str | PathLike):
        with open(file, "rb") as handle:
            _check(handle, label, kind, allow_formulas, flat_sheets, limits)
        return
    file.seek(0)
    try:
        _check(file, label, kind, allow_formulas, flat_sheets, limits)
    finally:
        file.seek(0)


def _refuse(message: str) -> UploadRefused:
    return UploadRefused(message)


def _check(handle, label: str, kind: str, allow_formulas: bool, flat_sheets: Collection[str], limits: Limits) -> None:
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
        _check_directory(infos, label, limits)
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
        _unpack_all(archive, infos, label, sheets, allow_formulas, flat_sheets, limits)


def _check_directory(infos: list[zipfile.ZipInfo], label: str, limits: Limits) -> None:
    """What the zip's directory declares, checked first (and again while unpacking: it may lie)."""
    if len(infos) > limits.parts:
        raise _refuse(
            _("“%(name)s”包含 %(count)s 个部件，超过 %(limit)s 个的上限（设置 %(setting)s）。")
            % {"name": label, "count": len(infos), "limit": limits.parts, "setting": "JIXIAO_UPLOAD_MAX_PARTS"}
        )
    for info in infos:
        if limits.compresses_too_well(info.file_size, info.compress_size):
            raise _bomb(label)
    if sum(info.file_size for info in infos) > limits.unpacked_bytes:
        raise _too_big(label, limits)


def _bomb(label: str) -> UploadRefused:
    return _refuse(_("“%(name)s”压缩比异常（疑似“压缩炸弹”），已拒绝。") % {"name": label})


def _too_big(label: str, limits: Limits) -> UploadRefused:
    return _refuse(
        _("“%(name)s”解压后超过 %(limit)s MB 的上限；如确需导入，请系统管理员调高设置 %(setting)s。")
        % {"name": label, "limit": limits.unpacked_bytes // MIB, "setting": "JIXIAO_UPLOAD_MAX_UNPACKED_MB"}
    )


def _check_macros(archive: zipfile.ZipFile, names: set[str], label: str) -> None:
    macro = any(n.lower().endswith("vbaproject.bin") or n.lower().startswith("xl/macrosheets/") for n in names)
    if not macro and "[Content_Types].xml" in names:
        with archive.open("[Content_Types].xml") as part:
            macro = b"macroEnabled" in part.read(MIB)
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
        data = handle.read(20 * MIB + 1)
    if len(data) > 20 * MIB:  # a workbook.xml of 20 MB is made to exhaust a parser
        raise _bomb(label)
    if _DTD.search(data):
        raise _xml_refused(label)
    return data


def _xml_refused(label: str) -> UploadRefused:
    return _refuse(_("“%(name)s”含有 XML 实体声明（DOCTYPE/ENTITY），可能是恶意构造的文件，已拒绝。") % {"name": label})


def _unpack_all(
    archive,
    infos,
    label: str,
    sheets: dict[str, str],
    allow_formulas: bool,
    flat_sheets: Collection[str],
    limits: Limits,
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
                    if limits.compresses_too_well(unpacked, info.compress_size):
                        raise _bomb(label)
                    if total > limits.unpacked_bytes:
                        raise _too_big(label, limits)
                    if not is_xml:
                        continue
                    text = carry + chunk
                    cut = text.rfind(b">") + 1
                    text, carry = text[:cut], text[cut:][-CHUNK:]
                    if _DTD.search(text):
                        raise _xml_refused(label)
                    if scan is not None:
                        scan.feed(text)
                        if scan.rows > limits.sheet_rows:
                            raise _too_long(sheet, limits)
                        if scan.rows * scan.columns > limits.sheet_cells:
                            raise _too_wide(sheet, scan, limits)
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


def _too_long(sheet: str, limits: Limits) -> UploadRefused:
    message = _(
        "工作表“%(sheet)s”超过 %(limit)s 行的上限（可能含有大量空行）：请删除多余的行后再上传；"
        "如确有这么多行，请系统管理员调高设置 %(setting)s。"
    )
    return _refuse(message % {"sheet": sheet, "limit": limits.sheet_rows, "setting": "JIXIAO_UPLOAD_MAX_SHEET_ROWS"})


def _too_wide(sheet: str, scan: _SheetScan, limits: Limits) -> UploadRefused:
    message = _(
        "工作表“%(sheet)s”的范围（%(rows)s 行 × %(columns)s 列）超过 %(limit)s 个单元格的上限"
        "（可能远处的行列里有零星内容）：请删除多余的行和列后再上传；"
        "如确有这么多内容，请系统管理员调高设置 %(setting)s。"
    )
    values = {"rows": scan.rows, "columns": scan.columns, "limit": limits.sheet_cells}
    return _refuse(message % {"sheet": sheet, **values, "setting": "JIXIAO_UPLOAD_MAX_SHEET_CELLS"})
