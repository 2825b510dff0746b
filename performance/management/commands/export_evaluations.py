"""python manage.py export_evaluations --year Y [--unit CODE] --format json|xlsx -o FILE: SPEC section 12."""

import json
from pathlib import Path

from django.core.management.base import CommandError

from budgets.models import Project, Unit
from budgets.permissions import PROJECT_ORDER
from performance.exports import evaluations_document
from performance.management.base import DataCommand
from performance.sheets import evaluation_workbook_bytes


class Command(DataCommand):
    help = "导出项目绩效自评结果（JSON，或 xlsx 项目支出绩效自评表）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", help="单位编码")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("-o", "--output", required=True, help="the file to write")

    def handle(self, *args, year, unit, format, output, **options):
        projects = Project.objects.filter(year=year)
        if unit:
            if not Unit.objects.filter(code=unit).exists():
                raise CommandError(f"没有编码为{unit}的单位。")
            projects = projects.filter(unit__code=unit)
        if format == "xlsx":
            return self._write_sheets(projects, year=year, output=output)
        document = evaluations_document(projects)
        text = json.dumps(document, ensure_ascii=False, indent=1)
        try:
            Path(output).write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"无法写入{output}：{error}")
        self.stdout.write(f"已导出{len(document['projects'])}个项目的自评结果到{output}")

    def _write_sheets(self, projects, *, year, output):
        """The 项目支出绩效自评表 workbook (SPEC section 14): a summary sheet and one sheet per project."""
        projects = projects.order_by(*PROJECT_ORDER)
        data = evaluation_workbook_bytes(projects, title=f"{year}年度项目支出绩效自评汇总表")
        try:
            Path(output).write_bytes(data)
        except OSError as error:
            raise CommandError(f"无法写入{output}：{error}")
        self.stdout.write(f"已导出{projects.count()}个项目的自评表到{output}")
