"""python manage.py export_workbook --year Y [--unit CODE] -o FILE.xlsx: the filled flat workbook."""

from io import BytesIO
from pathlib import Path

from django.core.management.base import CommandError

from budgets.models import Project, Unit
from performance.interchange.export import write_flat_workbook
from performance.management.base import DataCommand


class Command(DataCommand):
    help = "导出绩效交换工作簿（已填写），可原样导入。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", help="单位编码")
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")

    def handle(self, *args, year, unit, output, **options):
        projects = Project.objects.filter(year=year)
        if unit:
            if not Unit.objects.filter(code=unit).exists():
                raise CommandError(f"没有编码为{unit}的单位。")
            projects = projects.filter(unit__code=unit)
        buffer = BytesIO()
        rows = write_flat_workbook(projects, buffer)
        try:
            Path(output).write_bytes(buffer.getvalue())
        except OSError as error:
            raise CommandError(f"无法写入{output}：{error}")
        self.stdout.write(f"已导出{projects.count()}个项目、{rows}条指标到{output}")
