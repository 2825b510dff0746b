"""Evidence files: checked by content, at most 20 MB, stored under MEDIA_ROOT, downloaded only within scope."""

import zipfile
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budgets.models import Access
from performance.entry_services import add_evidence
from performance.evidence import MAX_EVIDENCE_BYTES, check_evidence_file
from performance.models import Evidence
from tests.factories import make_department, make_indicator, make_project, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def office_file(folder: str) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def setup():
    unit = make_unit()
    project = make_project(unit=unit, full_year_total=Decimal("10"))
    indicator = make_indicator(project=project, name="举办科普活动", target="12次")
    staff = make_user_with_access(role=Access.Role.STAFF, unit=unit)
    return project, indicator, staff


def entry_data(project, indicator, **files) -> dict:
    data = {
        "version": "0",
        "action": "save",
        f"ind-{indicator.pk}-actual": "12次",
        f"ind-{indicator.pk}-tier": "",
        f"ind-{indicator.pk}-evaluator_score": "",
        f"ind-{indicator.pk}-deviation_reason": "",
    }
    data.update(files)
    return data


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"%PDF-1.7\n" + b"0" * 20, "application/pdf"),
        (b"\xff\xd8\xff\xe0" + b"0" * 20, "image/jpeg"),
        (PNG_BYTES, "image/png"),
        (office_file("word"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (office_file("xl"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_accepted_types_are_recognised_by_content(content, content_type):
    assert check_evidence_file(SimpleUploadedFile("whatever.bin", content)).content_type == content_type


@pytest.mark.parametrize(
    ("name", "content"),
    [("setup.pdf", EXE_BYTES), ("photo.png", b"GIF89a......"), ("notes.docx", office_file("ppt"))],
)
def test_a_renamed_file_is_refused_by_content(name, content):
    with pytest.raises(ValidationError, match="内容不是 PDF、JPG、PNG、DOCX 或 XLSX"):
        check_evidence_file(SimpleUploadedFile(name, content))


def test_a_file_over_20_mb_is_refused():
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (MAX_EVIDENCE_BYTES - 3))
    with pytest.raises(ValidationError, match="超过 20 MB 的上限"):
        check_evidence_file(big)
    exact = SimpleUploadedFile("ok.pdf", b"%PDF" + b"0" * (MAX_EVIDENCE_BYTES - 4))
    assert check_evidence_file(exact).extension == ".pdf"


def test_a_png_uploaded_on_the_entry_form_is_stored_outside_static(client, setup, media):
    project, indicator, staff = setup
    client.force_login(staff)
    data = entry_data(
        project, indicator, **{f"ind-{indicator.pk}-evidence": SimpleUploadedFile("现场照片.png", PNG_BYTES)}
    )
    response = client.post(reverse("performance:evaluation-edit", args=[project.pk]), data)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.project, evidence.indicator, evidence.uploaded_by) == (project, indicator, staff)
    assert (evidence.original_name, evidence.content_type, evidence.size) == (
        "现场照片.png",
        "image/png",
        len(PNG_BYTES),
    )
    assert evidence.file.name.startswith("evidence/2021/") and evidence.file.name.endswith(".png")
    assert (media / evidence.file.name).read_bytes() == PNG_BYTES
    assert "现场照片.png" in client.get(reverse("performance:evaluation-edit", args=[project.pk])).content.decode()


def test_a_renamed_exe_on_the_entry_form_is_refused_and_nothing_saved(client, setup, media):
    project, indicator, staff = setup
    client.force_login(staff)
    data = entry_data(project, indicator, evidence=SimpleUploadedFile("报告.pdf", EXE_BYTES))
    response = client.post(reverse("performance:evaluation-edit", args=[project.pk]), data)
    assert response.status_code == 200
    assert "“报告.pdf”的内容不是 PDF、JPG、PNG、DOCX 或 XLSX 文件" in response.content.decode()
    assert not Evidence.objects.exists()
    assert not indicator.__class__.objects.get(pk=indicator.pk).__dict__.get("result")
    assert not (media / "evidence").exists()


def test_download_is_scoped_to_the_users_projects(client, setup):
    project, indicator, staff = setup
    evidence = add_evidence(
        project=project, indicator=indicator, file=SimpleUploadedFile("照片.png", PNG_BYTES), by=staff
    )
    url = reverse("performance:evidence-download", args=[evidence.pk])

    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PNG_BYTES

    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=project.unit.department))
    assert client.get(url).status_code == 200
    client.force_login(make_user_with_access(role=Access.Role.STAFF, unit=make_unit()))
    assert client.get(url).status_code == 404
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=make_department()))
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
