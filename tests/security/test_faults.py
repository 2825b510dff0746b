"""Faults: the database connection lost in the middle of an import, the disk full while storing evidence."""

import errno
import os
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse

from budgets.models import Project
from performance.interchange import write
from performance.interchange.importer import import_workbook
from performance.interchange.report import ImportErrors
from performance.models import ActualResult, Evaluation, Evidence, Indicator
from tests.factories import make_superuser
from tests.performance.sheet_helpers import seed_kepu
from tests.scripts import run_script
from tests.security.entry import entry_post
from tests.security.hostile import SAMPLE
from tests.security.test_load import postgres_listens

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_an_import_cut_off_by_a_lost_connection_writes_nothing_and_can_be_rerun():
    user = make_superuser()
    real_bulk, calls = write._save, []

    def bulk_then_lose_the_connection(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 4:  # goals, evaluations, indicators written; then the connection is lost
            raise OperationalError("server closed the connection unexpectedly")
        return real_bulk(*args, **kwargs)

    with mock.patch.object(write, "_save", bulk_then_lose_the_connection), pytest.raises(ImportErrors) as refused:
        import_workbook(file=SAMPLE, user=user)
    assert len(calls) == 4
    assert refused.value.messages == ["文件：写入数据库时出错，未导入任何数据（与数据库的连接中断，请重新导入）"]
    assert (Project.objects.count(), Indicator.objects.count(), ActualResult.objects.count()) == (0, 0, 0)

    import_workbook(file=SAMPLE, user=user)  # the same file again, the connection back
    assert (Project.objects.count(), Indicator.objects.count(), ActualResult.objects.count()) == (4, 24, 24)


def test_a_full_disk_while_storing_evidence_saves_nothing_and_says_so(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    project = seed_kepu()
    staff = get_user_model().objects.get(username="kexie")
    client.force_login(staff)
    indicator = project.indicators.order_by("order").first()
    before = (list(ActualResult.objects.values_list()), Evaluation.objects.get(project=project).version)
    storage = Evidence._meta.get_field("file").storage
    data = entry_post(project, {f"ind-{indicator.pk}-actual": "15次"})
    data[f"ind-{indicator.pk}-evidence"] = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")

    with mock.patch.object(storage, "_save", side_effect=OSError(errno.ENOSPC, "No space left on device")):
        response = client.post(reverse("performance:evaluation-edit", args=[project.pk]), data)

    assert response.status_code == 200
    assert "佐证材料“现场照片.png”未能保存（服务器磁盘已满）" in response.content.decode()
    assert Evidence.objects.count() == 0
    assert (list(ActualResult.objects.values_list()), Evaluation.objects.get(project=project).version) == before
    assert list(tmp_path.rglob("*.png")) == []


def test_a_save_that_fails_after_one_evidence_file_was_stored_leaves_no_file_behind(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    project = seed_kepu()
    client.force_login(get_user_model().objects.get(username="kexie"))
    first, second = project.indicators.order_by("order")[:2]
    data = entry_post(project, {f"ind-{first.pk}-actual": "15次"})
    data[f"ind-{first.pk}-evidence"] = SimpleUploadedFile("签到表.png", PNG, content_type="image/png")
    data[f"ind-{second.pk}-evidence"] = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
    storage = Evidence._meta.get_field("file").storage
    real_save, calls = storage._save, []

    def first_fits_then_the_disk_is_full(name, content):
        calls.append(name)
        if len(calls) == 1:
            return real_save(name, content)
        raise OSError(errno.ENOSPC, "No space left on device")

    with mock.patch.object(storage, "_save", side_effect=first_fits_then_the_disk_is_full):
        response = client.post(reverse("performance:evaluation-edit", args=[project.pk]), data)

    assert len(calls) == 2  # the first file was written to disk before the second failed
    assert "佐证材料“现场照片.png”未能保存（服务器磁盘已满）" in response.content.decode()
    assert Evidence.objects.count() == 0
    assert list(tmp_path.rglob("*.png")) == []  # and it was removed again with the rolled-back rows


@pytest.mark.skipif(not postgres_listens(), reason="no PostgreSQL on 127.0.0.1:5432")
def test_an_import_whose_postgresql_backend_is_killed_is_rolled_back_and_reruns():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/jixiao_fault_{os.getpid()}"
    lines = run_script("-m", "tests.security.pg_connection_drop", env=env)
    assert lines["first_import"] == "refused: 文件：写入数据库时出错，未导入任何数据（与数据库的连接中断，请重新导入）"
    assert lines["after_cut"] == "0 0 0"
    assert lines["after_rerun"] == "4 24 24"
