"""python manage.py export_targets --year Y [--unit CODE | --department CODE] -o FILE.xlsx: SPEC section 14."""

from pathlib import Path

from django.core.management.base import CommandError

from budgets.models import Department, Project, Unit
from budgets.permissions import PROJECT_ORDER
from performance.management.base import DataCommand
from performance.sheets import targets_workbook_bytes


class Command(DataCommand):
    help = "按公开文本的格式导出绩效目标表（每个项目一个工作表）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--unit", help="单位编码")
        scope.add_argument("--department", help="部门编码")
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")

    def handle(self, *args, year, unit, department, output, **options):
        projects = Project.objects.filter(year=year)
        if unit:
            if not Unit.objects.filter(code=unit).exists():
                raise CommandError(f"没有编码为{unit}的单位。")
            projects = projects.filter(unit__code=unit)
        if department:
            if not Department.objects.filter(code=department).exists():
                raise CommandError(f"没有编码为{department}的部门。")
            projects = projects.filter(unit__department__code=department)
        if not projects.exists():
            raise CommandError(f"{year}年度没有可导出的项目。")
        projects = projects.order_by(*PROJECT_ORDER)
        data = targets_workbook_bytes(projects)
        try:
            Path(output).write_bytes(data)
        except OSError as error:
            raise CommandError(f"无法写入{output}：{error}")
        self.stdout.write(f"已导出{projects.count()}个项目的绩效目标表到{output}")
