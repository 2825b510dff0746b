"""python manage.py check_budget --year Y [--department CODE] [--format json|text]: SPEC section 9.

Exits 0 when every check passes (prints 未发现问题), 1 when any fails.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from budgets.consistency import check_department_year, failures
from budgets.models import Department


class Command(BaseCommand):
    help = "检查部门预算的勾稽关系：合计与明细、增减、三公经费、政府采购、国有资产、项目资金来源。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--department", help="部门编码")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, year, department, format, **options):
        departments = Department.objects.filter(budgets__year=year) | Department.objects.filter(
            units__projects__year=year
        )
        if department:
            if not Department.objects.filter(code=department).exists():
                raise CommandError(f"没有编码为{department}的部门。")
            departments = departments.filter(code=department)
        departments = departments.distinct().order_by("code")
        found = []
        for dept in departments:
            found += [(dept, check) for check in failures(check_department_year(dept, year))]
        if format == "json":
            rows = [{"department": dept.code, **check.as_dict()} for dept, check in found]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        elif not found:
            self.stdout.write("未发现问题")
        else:
            for dept, check in found:
                where = f"（{check.where}）" if check.where else ""
                self.stdout.write(
                    f"{dept.code} {dept.name} [{check.section_label}] {check.title}{where}：{check.message}"
                )
        if found:
            raise CommandError(f"发现{len(found)}个勾稽问题。", returncode=1)
