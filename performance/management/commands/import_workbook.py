"""python manage.py import_workbook FILE.xlsx [--user NAME] [--dry-run]: the flat workbook of SPEC section 11.

With ``--user`` the import has that user's rights to change (SPEC section 17); without, a superuser's, for
loading an empty database. Approved targets and submitted or approved self-evaluations bind both.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from performance.interchange.importer import import_workbook
from performance.interchange.report import ImportErrors
from performance.management.base import DataCommand, without_query_log


class Command(DataCommand):
    help = "导入绩效交换工作簿（项目、指标两张表）；--dry-run 只校验不写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
        parser.add_argument("--user", default="", help="以该用户的权限导入（不填则为系统管理员）")

    def handle(self, *args, file, dry_run, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        by = None
        if user:
            by = get_user_model().objects.filter(username=user, is_active=True).first()
            if by is None:
                raise CommandError(f"没有用户{user}。")
        progress = self.stdout.write if options["verbosity"] >= 1 else None
        try:
            with without_query_log():
                report = import_workbook(file=path, dry_run=dry_run, user=by, progress=progress)
        except ImportErrors as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"工作簿有{len(error.problems)}处错误，未导入任何数据。")
        self.stdout.write(report.summary())
