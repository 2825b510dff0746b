"""python manage.py review_targets --year Y [--unit CODE] [--format json|text]: SPEC section 8."""

import json

from django.core.management.base import BaseCommand, CommandError

from budgets.models import Project, Unit
from budgets.permissions import PROJECT_ORDER
from performance.review import review_projects


class Command(BaseCommand):
    help = "审核绩效目标：列出每个项目指标的问题（错误、警告、提示）和修改建议。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", help="单位编码")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, year, unit, format, **options):
        projects = Project.objects.filter(year=year)
        if unit:
            if not Unit.objects.filter(code=unit).exists():
                raise CommandError(f"没有编码为{unit}的单位。")
            projects = projects.filter(unit__code=unit)
        projects = projects.order_by(*PROJECT_ORDER)
        findings = review_projects(projects)
        if format == "json":
            self.stdout.write(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
            return
        if not findings:
            self.stdout.write("未发现问题")
            return
        current = None
        for finding in findings:
            if finding.project.pk != current:
                current = finding.project.pk
                self.stdout.write(f"\n{finding.project.unit} {finding.project.name}")
            self.stdout.write(f"  [{finding.severity}] {finding.title} · {finding.location}：{finding.message}")
            self.stdout.write(f"      建议：{finding.suggestion}")
        counts = {}
        for finding in findings:
            counts[str(finding.severity)] = counts.get(str(finding.severity), 0) + 1
        summary = "，".join(f"{severity}{count}" for severity, count in counts.items())
        self.stdout.write(f"\n共{len(findings)}条（{summary}）")
