"""python manage.py generate_load_data --units U --projects-per-unit P --indicators-per-project I [--seed N]:
a deterministic synthetic department for load tests (``performance.load_data``; no history rows)."""

import time

from django.core.management.base import BaseCommand, CommandError

from performance.load_data import generate_load_data


class Command(BaseCommand):
    help = "生成用于压力测试的模拟部门数据（相同种子生成相同数据；不写历史记录）。"

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=200, help="单位数（默认200）")
        parser.add_argument("--projects-per-unit", type=int, default=25, help="每个单位的项目数（默认25）")
        parser.add_argument("--indicators-per-project", type=int, default=12, help="每个项目的指标数（默认12）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认1）")
        parser.add_argument("--year", type=int, default=2021, help="年度（默认2021）")
        parser.add_argument("--department", default="900", help="部门编码（默认900，不能已存在）")

    def handle(self, *args, units, projects_per_unit, indicators_per_project, seed, year, department, **options):
        started = time.monotonic()
        try:
            summary = generate_load_data(
                units=units,
                projects_per_unit=projects_per_unit,
                indicators_per_project=indicators_per_project,
                seed=seed,
                year=year,
                department_code=department,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"已生成部门{summary.department.code}：{summary.units}个单位、{summary.projects}个项目、"
            f"{summary.indicators}条指标、{summary.results}条实际完成值，用时{time.monotonic() - started:.1f}秒。"
        )
