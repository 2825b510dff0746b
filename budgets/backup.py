"""Backup and restore: the database, every file under MEDIA_ROOT and a manifest in one .tar.gz.

An archive holds
- ``database.sqlite3``: a consistent copy made with SQLite's backup API (safe while the app runs), or
  ``database.dump``: ``pg_dump --format=custom``, taken in the same snapshot as the manifest's counts;
- ``media/<path>`` for each file under MEDIA_ROOT (evidence files, job files);
- ``manifest.json``: format version, engine, creation time, versions, the applied migrations, row
  counts of the app's tables, and every other member's size and sha256.

``restore_backup`` first writes the archive's files into a temporary folder and checks them (member
names and types, manifest, engine, checksums, migrations, an empty database unless told to
overwrite); only then does it replace the database and move the files into MEDIA_ROOT.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = "jixiao-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1024 * 1024
# libpq reads these from the environment; the client tools get the password this way, not in argv.
CLIENT_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    media_files: int  # files moved into MEDIA_ROOT
    kept_files: int  # files already in MEDIA_ROOT that the backup does not hold, left in place


# ---------------------------------------------------------------------------------------------
# Backup


def default_backup_path() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BASE_DIR) / "backups" / f"jixiao-{stamp}.tar.gz"


def create_backup(*, output: Path | None = None) -> BackupResult:
    """Write the database, every file under MEDIA_ROOT and a manifest to one new .tar.gz."""
    output = Path(output) if output else default_backup_path()
    if output.exists():
        raise BackupError(f"文件已存在：{output}（不会覆盖已有的备份，请换一个文件名）。")
    media_root = Path(settings.MEDIA_ROOT)
    if output.resolve().is_relative_to(media_root.resolve()):
        raise BackupError(f"备份文件不能写在 MEDIA_ROOT（{media_root}）之内，请换一个位置。")
    engine = current_engine()
    database_member = DATABASE_MEMBERS[engine]
    partial = output.with_name(output.name + ".part")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".jixiao-backup-", dir=output.parent) as scratch:
            database_file = Path(scratch) / database_member
            # The database first, then the files: every file a row of the copy names is on disk by then.
            facts = _copy_sqlite(database_file) if engine == "sqlite" else _dump_postgresql(database_file)
            with tarfile.open(partial, "w:gz") as archive:
                files = [_add_file(archive, database_file, database_member)]
                for path in _media_files(media_root):
                    member = MEDIA_PREFIX + path.relative_to(media_root).as_posix()
                    files.append(_add_file(archive, path, member))
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": timezone.localtime().isoformat(timespec="seconds"),
                    "engine": engine,
                    "versions": {
                        "django": django.get_version(),
                        "python": platform.python_version(),
                        **facts["versions"],
                    },
                    "migrations": facts["migrations"],
                    "counts": facts["counts"],
                    "files": files,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o644
                archive.addfile(info, io.BytesIO(data))
        os.replace(partial, output)
    except OSError as error:
        raise BackupError(f"备份失败：{error}") from error
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path=output, manifest=manifest)


def _copy_sqlite(target: Path) -> dict:
    """A consistent copy of the SQLite database through its backup API, and the copy's facts."""
    path = _sqlite_path()
    if not path.is_file():
        raise BackupError(f"SQLite 数据库文件不存在：{path}")
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        with closing(source), closing(copy):
            source.backup(copy)
            cursor = copy.cursor()
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = {name for (name,) in cursor.fetchall()}
            facts = _facts(cursor, tables)
    except sqlite3.Error as error:
        raise BackupError(f"无法复制 SQLite 数据库{path}：{error}") from error
    facts["versions"] = {"sqlite": sqlite3.sqlite_version}
    return facts


def _dump_postgresql(target: Path) -> dict:
    """``pg_dump --format=custom`` of the configured database, counted in the same snapshot."""
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        run_client("pg_dump", ["--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}"])
        facts = _facts(cursor, set(connection.introspection.table_names(cursor)))
    facts["versions"] = {"postgresql": server_version, "pg_dump": _client_version("pg_dump")}
    return facts


def _media_files(media_root: Path) -> list[Path]:
    """Every regular file under MEDIA_ROOT (symbolic links are not followed), sorted."""
    if not media_root.is_dir():
        return []
    found = []
    for folder, _dirs, names in os.walk(media_root):
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return sorted(found)


class _HashingReader:
    """A file wrapper that hashes what tarfile reads, so the manifest holds the bytes actually stored."""

    def __init__(self, file):
        self.file, self.digest, self.size = file, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def _add_file(archive: tarfile.TarFile, path: Path, member: str) -> dict:
    info = archive.gettarinfo(path, arcname=member)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as file:
        reader = _HashingReader(file)
        archive.addfile(info, reader)
    return {"path": member, "size": reader.size, "sha256": reader.digest.hexdigest()}


# ---------------------------------------------------------------------------------------------
# Restore


def restore_backup(*, archive: Path, overwrite: bool = False) -> RestoreResult:
    """Check the archive completely, then replace the database and put its files into MEDIA_ROOT.

    A database that holds data (users, departments, projects...) is only overwritten when
    ``overwrite`` is true. The caller runs ``migrate`` afterwards so an older backup comes up to date.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件：{archive}")
    engine = current_engine()
    try:
        with tempfile.TemporaryDirectory(prefix="jixiao-restore-") as scratch:
            staging = Path(scratch)
            extracted = _extract(archive, staging)
            manifest = _read_manifest(staging / MANIFEST)
            if manifest["engine"] != engine:
                raise BackupError(
                    f"备份来自 {ENGINE_NAMES[manifest['engine']]} 数据库，当前 DATABASE_URL 是 {ENGINE_NAMES[engine]}："
                    f"请在同类数据库上恢复。"
                )
            _check_files(manifest, extracted)
            _check_migrations(manifest)
            if not overwrite:
                held = {label: count for label, count in held_rows().items() if count}
                if held:
                    rows = "、".join(f"{label} {count} 行" for label, count in list(held.items())[:3])
                    rows += "等" if len(held) > 3 else ""
                    raise BackupError(
                        f"当前数据库中已有数据（{rows}），恢复会覆盖它们。确认覆盖请加 --yes（make restore 加 YES=1）。"
                    )
            database_file = staging / DATABASE_MEMBERS[engine]
            if engine == "sqlite":
                _restore_sqlite(database_file)
            else:
                _restore_postgresql(database_file)
            moved, kept = _move_media(staging / MEDIA_PREFIX.rstrip("/"), manifest)
    except OSError as error:
        raise BackupError(f"恢复失败：{error}") from error
    return RestoreResult(manifest=manifest, media_files=moved, kept_files=kept)


def _extract(archive: Path, staging: Path) -> dict[str, dict]:
    """Write each regular file of the archive under ``staging``; its size and sha256 by member name.

    Nothing is extracted by tarfile itself: every name is checked first (no absolute path, no
    ``..``, only the members a backup has) and every target is built under ``staging`` by us.
    """
    found: dict[str, dict] = {}
    root = staging.resolve()
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                name = _member_name(member)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"备份归档含有不允许的成员（链接或设备文件）：{member.name}，已拒绝。")
                if name in found:
                    raise BackupError(f"备份归档中{name}出现了两次，已拒绝。")
                target = staging.joinpath(*PurePosixPath(name).parts)
                if not target.resolve().is_relative_to(root):
                    raise BackupError(f"备份归档含有不安全的路径：{member.name}，已拒绝。")
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with tar.extractfile(member) as source, target.open("xb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                found[name] = {"size": size, "sha256": digest.hexdigest()}
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError(f"{archive}不是有效的备份归档（.tar.gz）：{error}") from error
    return found


def _member_name(member: tarfile.TarInfo) -> str:
    """The member's normalised name; absolute paths, ``..`` and names a backup never has are refused."""
    raw = member.name
    path = PurePosixPath(raw)
    if not raw or raw.startswith("/") or path.is_absolute() or ".." in path.parts or "\\" in raw or "\x00" in raw:
        raise BackupError(f"备份归档含有不安全的路径：{raw!r}（绝对路径或“..”），已拒绝。")
    name = path.as_posix()
    if member.isdir() or name == MANIFEST or name in DATABASE_MEMBERS.values():
        return name
    if name.startswith(MEDIA_PREFIX) and len(path.parts) > 1:
        return name
    raise BackupError(f"备份归档含有不属于备份的成员：{raw}，已拒绝。")


def _read_manifest(path: Path) -> dict:
    if not path.is_file():
        raise BackupError("备份归档中没有清单 manifest.json：这不是 backup_data 写出的备份。")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"备份清单 manifest.json 无效：{error}") from error
    problem = _manifest_problem(manifest)
    if problem:
        raise BackupError(f"备份清单 manifest.json 无效：{problem}")
    return manifest


def _manifest_problem(manifest) -> str | None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return f"不是 {FORMAT} 格式。"
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        return "缺少格式版本 format_version。"
    if version > FORMAT_VERSION:
        return f"格式版本 {version} 比本程序支持的 {FORMAT_VERSION} 新，请先升级 Jixiao。"
    if manifest.get("engine") not in DATABASE_MEMBERS:
        return f"数据库类型 engine={manifest.get('engine')!r} 未知。"
    files = manifest.get("files")
    if not isinstance(files, list) or not all(_is_file_entry(entry) for entry in files):
        return "文件清单 files 应为 path、size、sha256 的列表。"
    if DATABASE_MEMBERS[manifest["engine"]] not in {entry["path"] for entry in files}:
        return f"文件清单中没有数据库 {DATABASE_MEMBERS[manifest['engine']]}。"
    migrations = manifest.get("migrations")
    if not isinstance(migrations, dict) or not all(
        isinstance(names, list) and all(isinstance(name, str) for name in names) for names in migrations.values()
    ):
        return "迁移记录 migrations 应为应用到迁移名列表的映射。"
    if not isinstance(manifest.get("counts"), dict):
        return "缺少行数 counts。"
    return None


def _is_file_entry(entry) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("path"), str)
        and isinstance(entry.get("size"), int)
        and isinstance(entry.get("sha256"), str)
    )


def _check_files(manifest: dict, extracted: dict[str, dict]) -> None:
    listed = {entry["path"]: entry for entry in manifest["files"]}
    missing = sorted(set(listed) - set(extracted))
    if missing:
        raise BackupError(f"备份归档缺少清单所列的文件：{'、'.join(missing[:5])}，备份不完整。")
    unlisted = sorted(set(extracted) - set(listed) - {MANIFEST})
    if unlisted:
        raise BackupError(f"备份归档含有清单未列出的文件：{'、'.join(unlisted[:5])}，已拒绝。")
    altered = sorted(
        path
        for path, entry in listed.items()
        if (entry["size"], entry["sha256"]) != (extracted[path]["size"], extracted[path]["sha256"])
    )
    if altered:
        raise BackupError(
            f"文件校验失败（大小或 sha256 与清单不符）：{'、'.join(altered[:5])}。备份已损坏或被改动，未恢复任何内容。"
        )


def _check_migrations(manifest: dict) -> None:
    """Refuse a backup made by a newer Jixiao: it has migrations this code does not know."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}" for app, names in manifest["migrations"].items() for name in names if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            f"备份来自较新版本的 Jixiao（本程序没有这些迁移：{'、'.join(unknown[:5])}），请先升级程序再恢复。"
        )


def _restore_sqlite(source_file: Path) -> None:
    """Replace the configured SQLite database with the backup's, through the backup API in reverse."""
    target = _sqlite_path()
    with closing(sqlite3.connect(source_file)) as source:
        try:
            problems = [row[0] for row in source.execute("PRAGMA quick_check").fetchall()]
        except sqlite3.DatabaseError as error:
            problems = [str(error)]
        if problems != ["ok"]:
            raise BackupError(f"备份中的 SQLite 数据库已损坏：{'；'.join(problems[:3])}。未恢复任何内容。")
        connection.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with closing(sqlite3.connect(target)) as destination:
                source.backup(destination)
        except sqlite3.Error as error:
            raise BackupError(f"恢复 SQLite 数据库{target}失败：{error}") from error


def _restore_postgresql(dump: Path) -> None:
    """``pg_restore --clean --if-exists --no-owner`` of the dump, applied by psql in one transaction.

    The transaction first drops the app's tables: a target migrated further than the backup has
    tables the dump does not know (and their foreign keys would stop ``--clean``); ``migrate``
    creates them again afterwards. Any error rolls everything back and the database is unchanged.
    """
    script, drops = dump.with_name("restore.sql"), dump.with_name("drop.sql")
    run_client("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", f"--file={script}", str(dump)])
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
    tables = sorted(present & set(connection.introspection.django_table_names()))
    quoted = ", ".join(connection.ops.quote_name(table) for table in tables)
    drops.write_text(f"DROP TABLE IF EXISTS {quoted} CASCADE;\n" if tables else "", encoding="utf-8")
    connection.close()
    run_client(
        "psql",
        [
            "--no-psqlrc",
            "--quiet",
            "--no-password",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--dbname={connection.settings_dict['NAME']}",
            f"--file={drops}",
            f"--file={script}",
        ],
    )


def _move_media(staged: Path, manifest: dict) -> tuple[int, int]:
    """Move the checked files into MEDIA_ROOT; files there that the backup lacks are left alone."""
    media_root = Path(settings.MEDIA_ROOT)
    restoring = {
        entry["path"].removeprefix(MEDIA_PREFIX)
        for entry in manifest["files"]
        if entry["path"].startswith(MEDIA_PREFIX)
    }
    present = {path.relative_to(media_root).as_posix() for path in _media_files(media_root)}
    for name in sorted(restoring):
        target = media_root.joinpath(*PurePosixPath(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staged.joinpath(*PurePosixPath(name).parts), target)
    return len(restoring), len(present - restoring)


# ---------------------------------------------------------------------------------------------
# Shared


def current_engine() -> str:
    """``sqlite`` or ``postgresql``: the engine DATABASE_URL selects."""
    return connection.vendor


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复：请用 DATABASE_URL 指定数据库文件。")
    return Path(name)


def _counted_tables() -> list[tuple[str, str]]:
    """(label, table) of the user model and of every model of the project's own apps."""
    base = Path(settings.BASE_DIR).resolve()
    models = [get_user_model()]
    for config in apps.get_app_configs():
        if Path(config.path).resolve().parent == base:
            models += [m for m in config.get_models() if m._meta.managed and not m._meta.proxy and m not in models]
    return [(model._meta.label_lower, model._meta.db_table) for model in models]


def _facts(cursor, tables: set[str]) -> dict:
    """Row counts of the app's tables and the applied migrations, read through a DB-API cursor."""
    counts = {}
    for label, table in _counted_tables():
        if table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - a model's own table name
            counts[label] = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, id")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return {"counts": counts, "migrations": migrations}


def database_counts() -> dict[str, int]:
    """Row counts of the app's tables in the configured database (tables that do not exist are left out)."""
    with connection.cursor() as cursor:
        return _facts(cursor, set(connection.introspection.table_names(cursor)))["counts"]


def held_rows() -> dict[str, int]:
    """Rows of users and of the budgets tables: what a restore would overwrite.

    Tables that migrations fill (content types, permissions, the indicator framework) do not count.
    """
    budgets = {model._meta.label_lower for model in apps.get_app_config("budgets").get_models()}
    user = get_user_model()._meta.label_lower
    return {label: count for label, count in database_counts().items() if label in budgets or label == user}


def run_client(program: str, arguments: list[str]) -> str:
    """Run pg_dump, pg_restore or psql on the configured database; their stderr goes into the error."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"未找到 {program}：请安装与 PostgreSQL 服务器主版本相同的客户端"
            f"（Debian：apt-get install postgresql-client）。"
        )
    completed = subprocess.run(  # noqa: S603 - a PostgreSQL client found on PATH, our own arguments
        [executable, *arguments],
        env=_client_environment(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    if completed.returncode != 0:
        detail = completed.stderr.strip() or f"退出码 {completed.returncode}"
        raise BackupError(f"{program} 失败（{_client_version(program)}）：{detail}")
    return completed.stdout


def _client_version(program: str) -> str:
    try:
        completed = subprocess.run([program, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    except OSError:
        return program
    return completed.stdout.strip() or program


def _client_environment() -> dict[str, str]:
    """The process environment plus the configured connection as libpq variables."""
    config = connection.settings_dict
    environment = dict(os.environ)
    values = {
        "PGDATABASE": config.get("NAME"),
        "PGUSER": config.get("USER"),
        "PGPASSWORD": config.get("PASSWORD"),
        "PGHOST": config.get("HOST"),
        "PGPORT": config.get("PORT"),
    }
    options = config.get("OPTIONS") or {}
    values.update({variable: options.get(option) for option, variable in CLIENT_OPTIONS.items()})
    environment.update({variable: str(value) for variable, value in values.items() if value})
    return environment
