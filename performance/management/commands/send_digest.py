"""python manage.py send_digest: mail each user the day's digest of their inbox (for cron, once a day)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from performance.tasks.notifications import send_digests


class Command(BaseCommand):
    help = "给每个有待办或新通知且填写了邮箱的用户发送当天的待办摘要邮件（供 cron 每天运行一次）。"

    def handle(self, *args, **options):
        sent = send_digests(today=timezone.localdate())
        self.stdout.write(f"已发送待办摘要邮件：{sent}")
