"""backup_data and restore_data: a restored database gives the identical export; bad archives are refused.

The end-to-end tests run ``manage.py`` in subprocesses against scratch sites (a database and a
MEDIA_ROOT of their own): a SQLite file, or when the suite runs on PostgreSQL a scratch PostgreSQL
database created and dropped here. The refusals are checked in-process: they happen before the
database is touched.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from budgets.backup import BackupError, run_client
from tests.factories import make_department

ENGINE = connection.vendor  # the suite's engine: the scratch sites use the same one
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}[ENGINE]
OTHER_ENGINE = {"sqlite": "postgresql", "postgresql": "sqlite"}[ENGINE]
ESCAPING_NAMES = ["../evil.png", "/jixiao-evil.png", "media/../../evil.png", "media/a/../../../evil.png"]
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32 + b"jixiao backup test"


# ---------------------------------------------------------------------------------------------
# Scratch sites run through manage.py


@dataclass
class Site:
    database_url: str
    media_root: Path

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        environment = {**os.environ, "DATABASE_URL": self.database_url, "JIXIAO_MEDIA_ROOT": str(self.media_root)}
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if check and done.returncode != 0:
            pytest.fail(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def export(self, folder: Path) -> bytes:
        path = folder / f"export-{uuid.uuid4().hex}.json"
        self.manage("export_evaluations", "--year", "2021", "--format", "json", "-o", str(path))
        return path.read_bytes()


def _postgres_admin():
    config = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
    )


@pytest.fixture(scope="module")
def make_site(tmp_path_factory):
    """Scratch sites: an empty SQLite file or an empty PostgreSQL database, and an empty MEDIA_ROOT."""
    if ENGINE == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed (apt-get install postgresql-client)")
    created = []

    def make() -> Site:
        folder = tmp_path_factory.mktemp("site")
        if ENGINE == "sqlite":
            return Site(f"sqlite:///{folder / 'db.sqlite3'}", folder / "media")
        name = f"jixiao_backup_test_{uuid.uuid4().hex[:12]}"
        with _postgres_admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        config = connection.settings_dict
        login = quote(config["USER"] or "", safe="") + (
            f":{quote(config['PASSWORD'], safe='')}" if config["PASSWORD"] else ""
        )
        url = f"postgres://{login}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{name}"
        return Site(url, folder / "media")

    yield make
    if created:
        with _postgres_admin() as admin:
            for name in created:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class BackedUp:
    site: Site
    archive: Path
    export: bytes
    evidence_name: str


@pytest.fixture(scope="module")
def backed_up(make_site, tmp_path_factory) -> BackedUp:
    """A site with the demo data and one evidence file, its export, and its backup."""
    site = make_site()
    folder = tmp_path_factory.mktemp("backup")
    site.manage("migrate", "-v", "0")
    site.manage("load_demo", "--second-department")
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from django.core.files.uploadedfile import SimpleUploadedFile\n"
        "from budgets.models import Project\n"
        "from performance.entry_services import add_evidence\n"
        "project = Project.objects.order_by('unit__code', 'order', 'id').first()\n"
        f"file = SimpleUploadedFile('佐证.png', {PNG_BYTES!r})\n"
        "evidence = add_evidence(project=project, file=file, by=get_user_model().objects.get(username='kexie'))\n"
        "print(evidence.file.name)\n"
    )
    evidence_name = site.manage("shell", "-c", code).stdout.strip().splitlines()[-1]
    export = site.export(folder)
    archive = folder / "jixiao.tar.gz"
    site.manage("backup_data", "--output", str(archive))
    return BackedUp(site=site, archive=archive, export=export, evidence_name=evidence_name)


def test_backup_holds_the_database_the_files_and_a_manifest(backed_up):
    with tarfile.open(backed_up.archive) as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile("manifest.json"))
        evidence = archive.extractfile(f"media/{backed_up.evidence_name}").read()
    assert sorted(names) == sorted([DATABASE_MEMBER, f"media/{backed_up.evidence_name}", "manifest.json"])
    assert evidence == PNG_BYTES
    assert manifest["engine"] == ENGINE
    assert manifest["format_version"] == 1
    assert manifest["counts"]["budgets.project"] == 6 + 3  # the seed's and the second demo department's
    assert manifest["counts"]["performance.evidence"] == 1
    assert "0001_initial" in manifest["migrations"]["budgets"]
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert listed[f"media/{backed_up.evidence_name}"] == {
        "path": f"media/{backed_up.evidence_name}",
        "size": len(PNG_BYTES),
        "sha256": hashlib.sha256(PNG_BYTES).hexdigest(),
    }


def test_restore_into_an_empty_database_gives_the_identical_export(backed_up, make_site, tmp_path):
    site = make_site()

    restored = site.manage("restore_data", str(backed_up.archive), "-v", "2")

    assert "performance.evidence: 1" in restored.stdout
    assert "上传文件 1 个" in restored.stdout
    export = site.export(tmp_path)
    assert len(json.loads(export)["projects"]) == 6 + 3  # the seed's and the second demo department's
    assert export == backed_up.export
    assert (site.media_root / backed_up.evidence_name).read_bytes() == PNG_BYTES


def test_restore_refuses_a_database_that_holds_data_without_yes(backed_up, tmp_path):
    refused = backed_up.site.manage("restore_data", str(backed_up.archive), check=False)
    assert refused.returncode == 1
    assert "当前数据库中已有数据" in refused.stderr
    assert "--yes" in refused.stderr

    backed_up.site.manage("restore_data", str(backed_up.archive), "--yes")
    assert backed_up.site.export(tmp_path) == backed_up.export


def test_restore_of_a_damaged_database_changes_nothing(backed_up, tmp_path):
    archive = tmp_path / "damaged.tar.gz"
    write_archive(archive, {DATABASE_MEMBER: b"not a database at all", "media/evidence/2021/new.png": PNG_BYTES})

    refused = backed_up.site.manage("restore_data", str(archive), "--yes", check=False)

    assert refused.returncode == 1
    assert ("已损坏" if ENGINE == "sqlite" else "pg_restore 失败") in refused.stderr
    assert backed_up.site.export(tmp_path) == backed_up.export
    assert not (backed_up.site.media_root / "evidence/2021/new.png").exists()


def test_restore_brings_an_older_backup_up_to_date(make_site, tmp_path):
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    (latest,) = graph.leaf_nodes("performance")
    (previous,) = [parent for parent in graph.node_map[latest].parents if parent.key[0] == "performance"]
    old = make_site()
    old.manage("migrate", "performance", previous.key[1], "-v", "0")
    old.manage("backup_data", "--output", str(tmp_path / "old.tar.gz"))
    site = make_site()
    site.manage("migrate", "-v", "0")  # the newer schema, as `make restore` leaves it

    restored = site.manage("restore_data", str(tmp_path / "old.tar.gz"))

    assert f"Applying performance.{latest[1]}... OK" in restored.stdout


# ---------------------------------------------------------------------------------------------
# Refusals, checked before the database is touched


def write_archive(path: Path, members: dict[str, bytes], *, manifest=None, **changes) -> Path:
    """A .tar.gz with the members and a manifest listing them (``changes`` override its fields).

    ``manifest=b"..."`` stores those bytes as the manifest instead, ``manifest=False`` none at all.
    """
    if manifest is None:
        files = [{"path": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for n, d in members.items()]
        document = {
            "format": "jixiao-backup",
            "format_version": 1,
            "created_at": "2026-01-01T00:00:00+08:00",
            "engine": ENGINE,
            "versions": {},
            "migrations": {},
            "counts": {},
            "files": files,
        }
        manifest = json.dumps({**document, **changes}).encode()
    with tarfile.open(path, "w:gz") as archive:
        for name, data in ({**members, "manifest.json": manifest} if manifest else members).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def restore(archive: Path, *args: str) -> None:
    call_command("restore_data", str(archive), *args, stdout=io.StringIO())


def valid_members() -> dict[str, bytes]:
    return {DATABASE_MEMBER: b"the database", "media/evidence/2021/a.png": PNG_BYTES}


@pytest.mark.django_db
def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="找不到备份文件"):
        restore(tmp_path / "nothing.tar.gz")


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_an_archive(tmp_path):
    path = tmp_path / "notes.tar.gz"
    path.write_text("这不是归档", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的备份归档"):
        restore(path)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (False, "没有清单"),
        (b"{not json", "manifest.json 无效"),
        (json.dumps({"format": "something-else"}).encode(), "不是 jixiao-backup 格式"),
    ],
)
def test_restore_refuses_a_bad_manifest(tmp_path, media, manifest, message):
    path = write_archive(tmp_path / "b.tar.gz", valid_members(), manifest=manifest)
    with pytest.raises(CommandError, match=message):
        restore(path)
    assert not media.exists()


@pytest.mark.django_db
def test_restore_refuses_a_manifest_of_a_newer_format(tmp_path):
    path = write_archive(tmp_path / "b.tar.gz", valid_members(), format_version=2)
    with pytest.raises(CommandError, match="格式版本 2 比本程序支持的 1 新"):
        restore(path)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ESCAPING_NAMES)
def test_restore_refuses_a_member_outside_the_archive(tmp_path, media, monkeypatch, name):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch" / "deeper"))  # where restore extracts
    (tmp_path / "scratch" / "deeper").mkdir(parents=True)
    path = write_archive(tmp_path / "b.tar.gz", {**valid_members(), name: b"evil"})
    with pytest.raises(CommandError, match="不安全的路径"):
        restore(path, "--yes")
    assert list(tmp_path.rglob("evil.png")) == []
    assert not Path("/jixiao-evil.png").exists()
    assert not media.exists()


@pytest.mark.django_db
def test_restore_refuses_a_symbolic_link_member(tmp_path, media):
    path = write_archive(tmp_path / "b.tar.gz", valid_members())
    with tarfile.open(tmp_path / "link.tar.gz", "w:gz") as archive, tarfile.open(path) as source:
        for member in source:
            archive.addfile(member, source.extractfile(member))
        link = tarfile.TarInfo("media/evidence/passwd")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    with pytest.raises(CommandError, match="不允许的成员"):
        restore(tmp_path / "link.tar.gz", "--yes")
    assert not media.exists()


@pytest.mark.django_db
def test_restore_refuses_a_file_whose_checksum_differs(tmp_path, media):
    listed = [
        {"path": DATABASE_MEMBER, "size": 12, "sha256": hashlib.sha256(b"the database").hexdigest()},
        {"path": "media/evidence/2021/a.png", "size": len(PNG_BYTES), "sha256": hashlib.sha256(PNG_BYTES).hexdigest()},
    ]
    changed = {**valid_members(), "media/evidence/2021/a.png": b"changed after the backup"}
    path = write_archive(tmp_path / "b.tar.gz", changed, files=listed)

    with pytest.raises(CommandError, match=r"文件校验失败.*media/evidence/2021/a.png"):
        restore(path, "--yes")
    assert not media.exists()


@pytest.mark.django_db
def test_restore_refuses_a_file_the_manifest_does_not_list(tmp_path, media):
    path = write_archive(tmp_path / "b.tar.gz", valid_members())
    with tarfile.open(tmp_path / "extra.tar.gz", "w:gz") as archive, tarfile.open(path) as source:
        for member in source:
            archive.addfile(member, source.extractfile(member))
        info = tarfile.TarInfo("media/planted.png")
        info.size = 4
        archive.addfile(info, io.BytesIO(b"evil"))
    with pytest.raises(CommandError, match=r"清单未列出的文件.*media/planted.png"):
        restore(tmp_path / "extra.tar.gz", "--yes")
    assert not media.exists()


@pytest.mark.django_db
def test_restore_refuses_a_backup_of_the_other_engine(tmp_path, media):
    other_member = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}[OTHER_ENGINE]
    path = write_archive(tmp_path / "b.tar.gz", {other_member: b"the database"}, engine=OTHER_ENGINE)
    with pytest.raises(CommandError, match="请在同类数据库上恢复"):
        restore(path, "--yes")
    assert not media.exists()


@pytest.mark.django_db
def test_restore_refuses_a_backup_from_a_newer_version(tmp_path, media):
    path = write_archive(tmp_path / "b.tar.gz", valid_members(), migrations={"performance": ["9999_future"]})
    with pytest.raises(CommandError, match=r"较新版本.*performance.9999_future"):
        restore(path, "--yes")


@pytest.mark.django_db
def test_restore_refuses_a_database_with_data_without_yes(tmp_path, media):
    make_department()
    path = write_archive(tmp_path / "b.tar.gz", valid_members())
    with pytest.raises(CommandError, match=r"当前数据库中已有数据（budgets.department 1 行）.*--yes"):
        restore(path)
    assert not media.exists()


def test_backup_refuses_to_overwrite_an_archive(tmp_path):
    existing = tmp_path / "b.tar.gz"
    existing.write_bytes(b"an earlier backup")
    with pytest.raises(CommandError, match="文件已存在"):
        call_command("backup_data", "--output", str(existing))
    assert existing.read_bytes() == b"an earlier backup"


def test_backup_refuses_an_archive_inside_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(CommandError, match="不能写在 MEDIA_ROOT"):
        call_command("backup_data", "--output", str(tmp_path / "b.tar.gz"))


def test_a_missing_postgresql_client_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match=r"未找到 pg_dump.*postgresql-client"):
        run_client("pg_dump", ["--version"])


@pytest.mark.skipif(not shutil.which("pg_restore"), reason="pg_restore is not installed")
def test_a_failing_postgresql_client_shows_its_error(tmp_path):
    garbage = tmp_path / "database.dump"
    garbage.write_bytes(b"not a dump")
    with pytest.raises(BackupError, match=r"pg_restore 失败.*input file does not appear to be a valid archive"):
        run_client("pg_restore", ["--list", str(garbage)])
