"""Web uploads stay small (config.upload_limit): a file past JIXIAO_WEB_UPLOAD_MAX_MB is not kept, and its page
says what to do instead, never a 500."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from performance.models import Job
from tests.factories import make_superuser

MIB = 1024 * 1024
COMMAND = "python manage.py import_workbook FILE --user NAME"

pytestmark = pytest.mark.django_db


def some_bytes(size: int) -> bytes:
    return (bytes(range(256)) * (size // 256 + 1))[:size]


def received(data: bytes):
    request = RequestFactory().post("/", {"file": SimpleUploadedFile("省级.xlsx", data)})
    return request.FILES["file"]


def test_a_file_over_the_web_limit_arrives_with_its_size_and_none_of_its_content(settings):
    settings.JIXIAO_WEB_UPLOAD_MAX_MB = 1
    file = received(some_bytes(MIB + 1))

    assert file.name == "省级.xlsx"
    assert file.size == MIB + 1
    assert file.read() == b""


def test_a_file_at_the_web_limit_arrives_whole(settings):
    settings.JIXIAO_WEB_UPLOAD_MAX_MB = 1
    data = some_bytes(MIB)

    assert received(data).read() == data


@pytest.mark.parametrize(
    ("page", "advice"),
    [
        ("performance:workbook-upload", "更大的工作簿请交系统管理员在服务器上导入"),
        ("performance:sheet-upload", "请按单位分成几个工作簿分别上传"),
    ],
)
def test_a_workbook_over_the_web_limit_is_refused_with_the_command_to_use(client, settings, page, advice):
    settings.JIXIAO_WEB_UPLOAD_MAX_MB = 1
    client.force_login(make_superuser())

    response = client.post(reverse(page), {"file": SimpleUploadedFile("省级.xlsx", some_bytes(3 * MIB // 2))})

    assert response.status_code == 200
    text = response.content.decode()
    assert "“省级.xlsx”有 1.5 MB，超过网页上传 1 MB 的上限（设置 JIXIAO_WEB_UPLOAD_MAX_MB）" in text
    assert advice in text
    assert COMMAND in text
    assert not Job.objects.exists()
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_a_disclosure_over_the_web_limit_is_refused_by_its_own_limit(client, settings):
    settings.JIXIAO_WEB_UPLOAD_MAX_MB = 20  # its least: the evidence and disclosure limits lie below it
    client.force_login(make_superuser())

    response = client.post(
        reverse("performance:disclosure-upload"), {"file": SimpleUploadedFile("公开.docx", some_bytes(21 * MIB))}
    )

    assert response.status_code == 200
    assert "文件超过 10 MB 的上限。" in response.content.decode()
