"""Load the seed disclosure (张家口市科学技术协会 2021) and the demo users: `python manage.py load_demo`;
`--second-department` adds the made-up department 732 and its reviewer (what `make run` serves)."""

from performance.demo import DEMO_PASSWORD, load_demo
from performance.management.base import DataCommand


class Command(DataCommand):
    help = (
        "载入演示数据（种子公开文本：张家口市科学技术协会2021年部门预算）和演示用户；"
        "加 --second-department 另载入演示部门732；可重复运行。"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--second-department",
            action="store_true",
            help="另载入虚构的演示部门732（两个单位、三个项目）及其审核人 shenhe2，使财政的跨部门页面有多行",
        )

    def handle(self, *args, **options):
        second = options["second_department"]
        summary = load_demo(second_department=second)
        for label, count in summary.counts.items():
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(self.style.SUCCESS(f"演示数据已载入：新增 {summary.created} 行，更新 {summary.changed} 行。"))
        users = "admin、kexie、kejiguan、shenhe、caizheng（财政）"
        if second:
            users += "、shenhe2（演示部门732审核人）"
        self.stdout.write(f"演示用户 {users}，密码 {DEMO_PASSWORD}")
