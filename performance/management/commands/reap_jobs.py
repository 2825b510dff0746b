"""python manage.py reap_jobs [--delete-older-than DAYS]: fail jobs whose worker died; drop old jobs."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from performance.jobs import reap_stale_jobs
from performance.models import Job


class Command(BaseCommand):
    help = "把后台进程已停止的任务标记为失败（可重试）；可选删除若干天前结束的任务及其文件。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete-older-than",
            type=int,
            metavar="DAYS",
            help="同时删除 DAYS 天前已结束的任务（连同上传和生成的文件）",
        )

    def handle(self, *args, delete_older_than=None, **options):
        reaped = reap_stale_jobs()
        self.stdout.write(f"标记为失败的中断任务：{reaped}")
        if delete_older_than is None:
            return
        if delete_older_than < 1:
            raise CommandError("--delete-older-than 至少为 1 天。")
        cutoff = timezone.now() - timedelta(days=delete_older_than)
        old = Job.objects.filter(finished_at__lt=cutoff, status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED])
        kept = set(
            Job.objects.exclude(pk__in=old.values("pk")).exclude(input_file="").values_list("input_file", flat=True)
        )
        deleted = 0
        for job in old.iterator():
            if job.output_file:
                job.output_file.delete(save=False)
            if job.input_file and job.input_file.name not in kept:  # a confirmed import shares its trial's file
                job.input_file.delete(save=False)
            job.delete()
            deleted += 1
        self.stdout.write(f"删除的旧任务：{deleted}")
