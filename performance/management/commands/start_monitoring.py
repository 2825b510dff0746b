"""python manage.py start_monitoring --department CODE --year Y [--round N] [--cut-off YYYY-MM-DD] --user NAME:
a department's round answering finance's monitoring task 第N次 of the year (SPEC section 10)."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from budgets.models import Department
from performance.monitoring import monitoring_task, start_monitoring_round


class Command(BaseCommand):
    help = "响应财政下达的监控任务，发起部门某年度第N次绩效运行监控（截止日期默认为 7 月 31 日）。"

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, help="部门编码")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--round", type=int, default=1, dest="round_number", help="监控任务的批次（第N次），默认 1")
        parser.add_argument("--cut-off", type=date.fromisoformat, help="截止日期，如 2021-07-31")
        parser.add_argument("--user", required=True, help="发起人（部门审核人、财政或超级用户）的用户名")

    def handle(self, *args, department, year, round_number, cut_off, user, **options):
        department_row = Department.objects.filter(code=department).first()
        if department_row is None:
            raise CommandError(f"没有编码为{department}的部门。")
        by = get_user_model().objects.filter(username=user).first()
        if by is None:
            raise CommandError(f"没有用户{user}。")
        try:
            task = monitoring_task(department_row, year, round_number)
            monitoring_round = start_monitoring_round(department=department_row, task=task, cut_off=cut_off, by=by)
        except PermissionDenied as error:
            raise CommandError(f"用户{user}不能发起{department_row.name}的运行监控。") from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        count = monitoring_round.projects.count()
        self.stdout.write(
            f"已发起{department_row.name}{year}年度{task.title}的运行监控，截止{monitoring_round.cut_off}，{count}个项目。"
        )
