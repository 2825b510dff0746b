"""Hostile files for the upload guard's tests, built in memory: nothing of gigabytes touches the disk."""

from __future__ import annotations

import struct
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

import openpyxl

SAMPLE = Path(__file__).parent.parent / "performance" / "data" / "seed-2021-731001-sample-actuals.xlsx"
MIB = 1 << 20
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    + b"]>\n"
)


def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


def rezip(source: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """``source`` (a zip) with parts replaced or added."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(BytesIO(source)) as old:
        assert set(replace) <= set(old.namelist()), f"no part {set(replace) - set(old.namelist())} to replace"
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(source)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info.filename)))
        for name, data in add.items():
            new.writestr(name, data)
    return out.getvalue()


def sheet_part(source: bytes, title: str) -> str:
    """The zip part holding worksheet ``title`` (openpyxl numbers them in sheet order)."""
    book = openpyxl.load_workbook(BytesIO(source), read_only=True)
    return f"xl/worksheets/sheet{book.sheetnames.index(title) + 1}.xml"


def _zeros_stream(mebibytes: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``mebibytes`` MiB of zeros (about 1 KB a MiB) and its CRC."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(MIB)) + packer.flush(zlib.Z_FULL_FLUSH)  # independent of what precedes it
    crc, zeros = 0, bytes(MIB)
    for _ in range(mebibytes):
        crc = zlib.crc32(zeros, crc)
    return block * mebibytes + zlib.compressobj(9, zlib.DEFLATED, -15).flush(), crc


def raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written by hand: (name, deflated bytes, CRC, size claimed), so a size may be anything."""
    out, central = BytesIO(), []
    for name, data, crc, size in members:
        offset, encoded = out.tell(), name.encode()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0))
        out.write(encoded + data)
        central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    out.write(b"".join(central))
    size = out.tell() - start
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), size, start, 0))
    return out.getvalue()


def _deflated(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def with_sample_parts(extra: list[tuple[str, bytes, int, int]]) -> bytes:
    """The sample workbook's parts, re-packed by hand, plus ``extra`` raw members."""
    with zipfile.ZipFile(BytesIO(sample_bytes())) as book:
        parts = [(i.filename, book.read(i.filename)) for i in book.infolist()]
    members = [(name, _deflated(data), zlib.crc32(data), len(data)) for name, data in parts]
    return raw_zip(members + extra)


def zip_bomb(gibibytes: int = 2) -> bytes:
    """The sample workbook plus one part of ``gibibytes`` GiB of zeros: a file of about 2 MB."""
    stream, crc = _zeros_stream(gibibytes * 1024)
    return with_sample_parts([("xl/media/image1.bin", stream, crc, gibibytes * 1024 * MIB)])


def lying_zip_bomb() -> bytes:
    """A part that claims 1 KB but unpacks to 512 MiB (the zip directory lies)."""
    stream, crc = _zeros_stream(512)
    return with_sample_parts([("xl/media/image1.bin", stream, crc, 1024)])


def truncated() -> bytes:
    data = sample_bytes()
    return data[: len(data) // 2]


def billion_laughs() -> bytes:
    """The 指标 sheet declares entities a billion "lol"s deep and uses the deepest in a cell."""
    source = sample_bytes()
    part = sheet_part(source, "指标")
    with zipfile.ZipFile(BytesIO(source)) as book:
        xml = book.read(part)
    assert b"<t>" in xml
    return rezip(source, replace={part: LAUGHS + xml.replace(b"<t>", b"<t>&lol9;", 1)})


def macro_workbook() -> bytes:
    return rezip(sample_bytes(), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(512)})


def macro_content_type() -> bytes:
    with zipfile.ZipFile(BytesIO(sample_bytes())) as book:
        types = book.read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    return rezip(sample_bytes(), replace={"[Content_Types].xml": types})


def external_link() -> bytes:
    link = (
        b'<?xml version="1.0"?><externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"/>'
        b"</externalLink>"
    )
    return rezip(sample_bytes(), add={"xl/externalLinks/externalLink1.xml": link})


def _edited(edit) -> bytes:
    book = openpyxl.load_workbook(BytesIO(sample_bytes()))
    edit(book)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def million_rows() -> bytes:
    """The sample with one empty text cell in row 2,000,000 of 指标: two million rows to a reader (Excel's
    own sheets end at 1,048,576)."""
    source = sample_bytes()
    part = sheet_part(source, "指标")
    with zipfile.ZipFile(BytesIO(source)) as book:
        xml = book.read(part)
    far = b'<row r="2000000"><c r="A2000000" t="inlineStr"><is><t></t></is></c></row></sheetData>'
    return rezip(source, replace={part: xml.replace(b"</sheetData>", far)})


def far_column() -> bytes:
    """The sample with one cell in XFD20000 of 指标: an area of 20,000 x 16,384 cells, which python-calamine
    would hold whole (10 GB)."""
    source = sample_bytes()
    part = sheet_part(source, "指标")
    with zipfile.ZipFile(BytesIO(source)) as book:
        xml = book.read(part)
    far = b'<row r="20000"><c r="XFD20000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    return rezip(source, replace={part: xml.replace(b"</sheetData>", far)})


def many_row_tags(rows: int = 1_100_000) -> bytes:
    """1,100,000 rows without a row number (the attribute is optional): counted, not trusted to ``r``."""
    source = sample_bytes()
    part = sheet_part(source, "指标")
    with zipfile.ZipFile(BytesIO(source)) as book:
        xml = book.read(part)
    return rezip(
        source,
        replace={
            part: xml.replace(
                b"</sheetData>", b"".join(b"<row><c><v>%d</v></c></row>" % n for n in range(rows)) + b"</sheetData>"
            )
        },
    )


def formula_cell() -> bytes:
    return _edited(lambda book: book["指标"].cell(row=3, column=12, value="=1+1"))


def external_formula() -> bytes:
    return _edited(lambda book: book["项目"].cell(row=2, column=19, value="='[1]Sheet1'!A1"))


def merged_cells() -> bytes:
    return _edited(lambda book: book["项目"].merge_cells("A2:B3"))


def wrong_sheet_names() -> bytes:
    def rename(book):
        book["项目"].title = "Sheet1"

    return _edited(rename)
