"""Load the seed disclosure (张家口市科学技术协会 2021), a second demo department and the demo users:
`python manage.py load_demo`."""

from performance.demo import DEMO_PASSWORD, load_demo
from performance.management.base import DataCommand


class Command(DataCommand):
    help = "载入演示数据（种子公开文本：张家口市科学技术协会2021年部门预算；另有演示部门732）和演示用户；可重复运行。"

    def handle(self, *args, **options):
        summary = load_demo()
        for label, count in summary.counts.items():
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(self.style.SUCCESS(f"演示数据已载入：新增 {summary.created} 行，更新 {summary.changed} 行。"))
        self.stdout.write(
            "演示用户 admin、kexie、kejiguan、shenhe、caizheng（财政）、shenhe2（演示部门732审核人），"
            f"密码 {DEMO_PASSWORD}"
        )
