"""python manage.py backup_data [--output FILE]: the database, MEDIA_ROOT and a manifest in one .tar.gz."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from budgets.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库和全部上传文件（MEDIA_ROOT）到一个 .tar.gz 归档，默认 backups/jixiao-日期-时间.tar.gz。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="the archive to write (default backups/jixiao-DATE-TIME.tar.gz)")

    def handle(self, *args, output, **options):
        try:
            result = create_backup(output=Path(output) if output else None)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        if options["verbosity"] >= 2:
            for label, count in manifest["counts"].items():
                self.stdout.write(f"{label}: {count}")
        media = len(manifest["files"]) - 1
        rows = sum(manifest["counts"].values())
        size = result.path.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(f"已备份到 {result.path}（{size:,} 字节）：数据 {rows} 行，上传文件 {media} 个。")
        )
