"""python manage.py export_evaluations --year Y [--unit CODE] --format json|xlsx -o FILE: SPEC section 12."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from budgets.models import Project, Unit
from performance.exports import evaluations_document


class Command(BaseCommand):
    help = "导出项目绩效自评结果（JSON）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", help="单位编码")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("-o", "--output", required=True, help="the file to write")

    def handle(self, *args, year, unit, format, output, **options):
        if format == "xlsx":
            raise CommandError(
                "xlsx格式（项目支出绩效自评表）尚未提供，请使用 --format json。"
                " (The standard xlsx sheets are not available yet; use --format json.)"
            )
        projects = Project.objects.filter(year=year)
        if unit:
            if not Unit.objects.filter(code=unit).exists():
                raise CommandError(f"没有编码为{unit}的单位。")
            projects = projects.filter(unit__code=unit)
        document = evaluations_document(projects)
        text = json.dumps(document, ensure_ascii=False, indent=1)
        try:
            Path(output).write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"无法写入{output}：{error}")
        self.stdout.write(f"已导出{len(document['projects'])}个项目的自评结果到{output}")
