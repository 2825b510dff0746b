"""python manage.py restore_data FILE [--yes]: restore a backup_data archive, then migrate.

The archive is checked completely before anything changes; a database that holds data is only
overwritten with --yes.
"""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from budgets.backup import BackupError, database_counts, restore_backup


class Command(BaseCommand):
    help = "从 backup_data 写出的归档恢复数据库和上传文件，然后执行 migrate；当前数据库已有数据时须加 --yes。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .tar.gz written by backup_data")
        parser.add_argument("--yes", action="store_true", help="overwrite a database that already holds data")

    def handle(self, *args, file, yes, **options):
        try:
            result = restore_backup(archive=Path(file), overwrite=yes)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        try:
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
        except (CommandError, DatabaseError) as error:
            raise CommandError(
                f"数据已从{file}恢复，但 migrate 失败：{error}。请检查后运行 python manage.py migrate。"
            ) from error
        counts = database_counts()
        for label, count in counts.items():
            backed_up = manifest["counts"].get(label)
            if backed_up not in (None, count):
                self.stdout.write(self.style.WARNING(f"{label}: {count}（备份时 {backed_up}）"))
            elif options["verbosity"] >= 2:
                self.stdout.write(f"{label}: {count}")
        if result.kept_files:
            self.stdout.write(f"MEDIA_ROOT 中另有 {result.kept_files} 个备份里没有的文件，已保留。")
        self.stdout.write(
            self.style.SUCCESS(
                f"已从 {file} 恢复（备份时间 {manifest['created_at']}）："
                f"数据 {sum(counts.values())} 行，上传文件 {result.media_files} 个。"
            )
        )
