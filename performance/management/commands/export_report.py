"""python manage.py export_report --year Y --unit CODE [--project NAME] -o FILE.docx: the self-evaluation report
(SPEC section 17), the same document as the report page's download."""

from pathlib import Path

from django.core.management.base import CommandError

from budgets.models import Project, Unit
from performance.management.base import DataCommand
from performance.report.content import gather, project_scope, year_scope
from performance.report.document import report_docx


class Command(DataCommand):
    help = "导出项目支出绩效自评报告（.docx）：一个单位的年度报告，或其中一个项目的报告。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", required=True, help="单位编码")
        parser.add_argument("--project", help="项目名称（不填则为单位全年的报告）")
        parser.add_argument("-o", "--output", required=True, help="the .docx file to write")

    def handle(self, *args, year, unit, project, output, **options):
        chosen = Unit.objects.filter(code=unit).first()
        if chosen is None:
            raise CommandError(f"没有编码为{unit}的单位。")
        projects = Project.objects.filter(unit=chosen, year=year)
        if project:
            found = projects.filter(name=project).first()
            if found is None:
                raise CommandError(f"{chosen.name}{year}年度没有名为“{project}”的项目。")
            scope = project_scope(found)
        else:
            if not projects.exists():
                raise CommandError(f"{chosen.name}{year}年度没有项目。")
            scope = year_scope(Project.objects.all(), year, unit=chosen)
        data = report_docx(gather(scope))
        try:
            Path(output).write_bytes(data)
        except OSError as error:
            raise CommandError(f"无法写入{output}：{error}")
        self.stdout.write(f"已导出“{scope.name}”{year}年度绩效自评报告到{output}")
