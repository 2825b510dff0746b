"""Hostile workbooks and documents: each refused quickly with a Chinese sentence, memory bounded, nothing written."""

import time
import tracemalloc
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from defusedxml.common import DefusedXmlException
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budgets.models import Department, Project, Unit
from performance.evidence import check_evidence_file
from performance.interchange.importer import import_workbook
from performance.interchange.report import ImportErrors
from performance.interchange.sheet_upload import import_evaluation_sheets
from performance.models import ActualResult, Evaluation, Indicator, Job
from performance.uploads import UploadRefused, check_office_file
from tests.factories import make_superuser
from tests.security import hostile

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024

# builder -> a phrase the refusal must contain
HOSTILE = {
    "not_a_zip": (lambda: "年度,单位编码\n2021,731001\n".encode(), "不是 .xlsx"),
    "old_xls_or_password": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024), "旧版（.xls/.doc）或设有密码"),
    "truncated": (hostile.truncated, "已损坏或不完整"),
    "zip_bomb": (hostile.zip_bomb, "压缩炸弹"),
    "lying_zip_bomb": (hostile.lying_zip_bomb, "已损坏或不完整"),
    "billion_laughs": (hostile.billion_laughs, "XML 实体声明"),
    "macro": (hostile.macro_workbook, "含有宏"),
    "macro_content_type": (hostile.macro_content_type, "含有宏"),
    "external_link": (hostile.external_link, "外部链接"),
    "million_rows": (hostile.million_rows, "超过 1048576 行的上限"),
    "many_row_tags": (hostile.many_row_tags, "超过 1048576 行的上限"),
    "far_column": (hostile.far_column, "（20000 行 × 16384 列）超过 16777216 个单元格的上限"),
    "formula": (hostile.formula_cell, "单元格 L3 含有公式"),
    "external_formula": (hostile.external_formula, "含有公式"),
    "merged_cells": (hostile.merged_cells, "A2:B3 是合并单元格"),
}
# What the upload form refuses before any importer runs (formulas, merges and sheet names are the importers').
FORM_REFUSES = {
    "not_a_zip",
    "old_xls_or_password",
    "truncated",
    "zip_bomb",
    "lying_zip_bomb",
    "billion_laughs",
    "macro",
}
FORM_REFUSES |= {"macro_content_type", "external_link", "million_rows", "many_row_tags", "far_column"}


@pytest.fixture(scope="module")
def files():
    return {name: build() for name, (build, _phrase) in HOSTILE.items()}


def counts():
    return [m.objects.count() for m in (Department, Unit, Project, Evaluation, Indicator, ActualResult)]


def test_the_zip_bomb_really_unpacks_to_gigabytes(files):
    bomb = files["zip_bomb"]
    with zipfile.ZipFile(BytesIO(bomb)) as archive:
        info = archive.getinfo("xl/media/image1.bin")
        with archive.open(info) as part:
            head = part.read(8 << 20)
    assert len(bomb) < 3 << 20
    assert info.file_size == 2 << 30
    assert head == bytes(8 << 20)


@pytest.mark.parametrize("name", HOSTILE)
def test_the_guard_refuses_each_hostile_workbook_quickly_in_bounded_memory(files, name):
    data, phrase = files[name], HOSTILE[name][1]
    started = time.monotonic()
    with pytest.raises(UploadRefused) as refused:
        check_office_file(BytesIO(data), name="上传.xlsx", flat_sheets=("项目", "指标"))
    seconds = time.monotonic() - started
    assert phrase in refused.value.messages[0]
    assert seconds < 2

    tracemalloc.start()  # a second run, measured (tracemalloc slows it down)
    with pytest.raises(UploadRefused):
        check_office_file(BytesIO(data), name="上传.xlsx", flat_sheets=("项目", "指标"))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 16 << 20


def test_the_guard_passes_the_sample_workbook():
    check_office_file(hostile.SAMPLE, flat_sheets=("项目", "指标"))


@pytest.mark.parametrize("name", HOSTILE)
def test_the_flat_import_refuses_each_hostile_file_and_writes_nothing(files, name):
    before = counts()
    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=BytesIO(files[name]), user=make_superuser())
    assert any(HOSTILE[name][1] in message for message in refused.value.messages)
    assert counts() == before


def test_a_zip_bomb_within_the_raised_size_limit_is_refused_by_its_compression_ratio(settings):
    # The defaults admit a province's workbook (733 MB unpacked); this bomb unpacks to less than they allow.
    assert settings.JIXIAO_UPLOAD_MAX_UNPACKED_MB * MIB > 1 << 30
    bomb = hostile.zip_bomb(gibibytes=1)
    before = counts()

    started = time.monotonic()
    with pytest.raises(UploadRefused) as refused:
        check_office_file(BytesIO(bomb), name="省级.xlsx", flat_sheets=("项目", "指标"))
    assert time.monotonic() - started < 2
    assert refused.value.messages == ["“省级.xlsx”压缩比异常（疑似“压缩炸弹”），已拒绝。"]

    with pytest.raises(ImportErrors, match="压缩炸弹"):
        import_workbook(file=BytesIO(bomb), user=make_superuser())
    assert counts() == before


def test_the_flat_import_names_a_missing_sheet():
    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=BytesIO(hostile.wrong_sheet_names()), user=make_superuser())
    assert "缺少工作表“项目”" in refused.value.messages[0]
    assert Project.objects.count() == 0


@pytest.mark.parametrize("name", sorted(set(HOSTILE) - {"merged_cells"}))  # the 自评表 itself has merged cells
def test_the_sheet_import_refuses_each_hostile_file(files, name):
    result = import_evaluation_sheets(file=BytesIO(files[name]), user=make_superuser())
    assert not result.ok
    assert HOSTILE[name][1] in result.errors[0].message
    assert result.saved == []


def test_openpyxl_itself_refuses_entity_expansion_with_defusedxml_installed(files):
    with pytest.raises(ValueError, match="Unable to read workbook") as refused:
        openpyxl.load_workbook(BytesIO(files["billion_laughs"]))
    assert isinstance(refused.value.__cause__, DefusedXmlException)


@pytest.mark.parametrize("name", sorted(FORM_REFUSES))
def test_the_upload_page_refuses_each_hostile_file_and_keeps_nothing(client, files, name, settings):
    client.force_login(make_superuser())
    upload = SimpleUploadedFile("上传.xlsx", files[name])
    response = client.post(reverse("performance:workbook-upload"), {"file": upload})
    assert response.status_code == 200
    text = response.content.decode()
    assert HOSTILE[name][1] in text or "不是 .xlsx 工作簿" in text
    assert not Job.objects.exists()
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))  # the file was not stored
    assert counts() == [0, 0, 0, 0, 0, 0]


@pytest.mark.parametrize("name", ["formula", "merged_cells"])
def test_the_upload_page_shows_the_importers_refusal(client, files, name):
    client.force_login(make_superuser())
    upload = SimpleUploadedFile("上传.xlsx", files[name])
    response = client.post(reverse("performance:workbook-upload"), {"file": upload}, follow=True)
    assert response.status_code == 200
    assert HOSTILE[name][1] in response.content.decode()
    assert Job.objects.get().status == Job.Status.FAILED
    assert Project.objects.count() == 0


@pytest.mark.parametrize("name", ["zip_bomb", "billion_laughs", "macro"])
def test_the_sheet_upload_page_refuses_hostile_files(client, files, name):
    client.force_login(make_superuser())
    upload = SimpleUploadedFile("自评表.xlsx", files[name])
    response = client.post(reverse("performance:sheet-upload"), {"file": upload})
    assert response.status_code == 200
    assert HOSTILE[name][1] in response.content.decode()


def test_a_docx_evidence_zip_bomb_is_refused():
    stream, crc = hostile._zeros_stream(1024)
    bomb = hostile.raw_zip([("word/document.xml", stream, crc, 1 << 30)])
    with pytest.raises(UploadRefused) as refused:
        check_evidence_file(SimpleUploadedFile("佐证.docx", bomb))
    assert "压缩炸弹" in refused.value.messages[0]


def test_the_sheet_import_refuses_a_cell_to_fill_merged_into_another():
    from django.contrib.auth import get_user_model
    from openpyxl.utils.cell import coordinate_from_string

    from performance.interchange.sheet_upload import _read_meta
    from performance.sheets import project_sheet_bytes
    from tests.performance.sheet_helpers import seed_kepu

    project = seed_kepu()
    book = openpyxl.load_workbook(BytesIO(project_sheet_bytes(project)))
    cells = next(iter(_read_meta(book).values()))
    address = next(cell.address for (kind, _key), cell in cells.cells.items() if kind == "actual")
    column, row = coordinate_from_string(address)
    book[cells.sheet].merge_cells(f"{column}{row - 1}:{address}")  # the cell above swallows it
    out = BytesIO()
    book.save(out)
    before = list(ActualResult.objects.values_list())

    result = import_evaluation_sheets(file=BytesIO(out.getvalue()), user=get_user_model().objects.get(username="kexie"))

    assert [(error.cell, error.message) for error in result.errors] == [
        (f"{column}{row - 1}", f"单元格 {address} 已与其他单元格合并，请取消合并后再上传。")
    ]
    assert result.marked_workbook  # the merge's first cell is marked red with the message
    assert list(ActualResult.objects.values_list()) == before


def test_a_docx_evidence_with_macros_is_refused():
    document = hostile.raw_zip(
        [
            ("word/document.xml", hostile._deflated(b"<w:document/>"), zlib.crc32(b"<w:document/>"), 13),
            ("word/vbaProject.bin", hostile._deflated(b"vba"), zlib.crc32(b"vba"), 3),
        ]
    )
    with pytest.raises(UploadRefused) as refused:
        check_evidence_file(SimpleUploadedFile("佐证.docx", document))
    assert "含有宏" in refused.value.messages[0]
