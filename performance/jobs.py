"""Background jobs: long imports and exports run by a worker, with progress and the file when ready; and
finance's spot-check draw (抽取抽查样本), whose result is the spot check it keeps.

A ``Job`` row is what the user sees; the task queue (django-tasks: a database table by default, RQ on
Redis when configured) only carries the job's id to ``run_job``. Every job is re-scoped to what its
user may see at the moment it runs, so a job cannot widen access.

A worker can die in the middle of a job (killed, out of memory, the machine restarted). Such a job
stays ``running`` in the database until ``reap_stale_jobs`` marks it failed: because its worker
process on this host is gone, or because it has not reported progress for
``JIXIAO_JOB_STALE_SECONDS``. A failed job can be retried; the retry runs the same parameters and
the same uploaded file again.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from dataclasses import asdict
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.models import Project
from budgets.permissions import year_projects_for

from .interchange.export import write_flat_workbook
from .interchange.importer import import_workbook
from .interchange.report import ImportErrors
from .models import Job
from .sheets.evaluation import write_evaluation_workbook
from .sheets.targets import write_targets_workbook
from .spotchecks.models import SpotCheck
from .spotchecks.services import draw_sample

try:  # Django 6 has tasks built in; on 5.2 the django-tasks backport provides the same API.
    from django.tasks import task
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import task

PROGRESS_INTERVAL = 1.0  # seconds between two progress writes


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Progress:
    """Reports a running job's progress to its row, at most once a second.

    Writes go through the job's own UPDATE, never inside a transaction the work has opened (an
    import writes inside ``transaction.atomic``: a progress row written there would stay invisible
    until the commit and be rolled back with it). The work's progress text is kept and written at
    the next chance.
    """

    def __init__(self, job: Job):
        self.job = job
        self.depth = len(connection.atomic_blocks)
        self.last = 0.0

    def __call__(self, message: str | None = None, *, done: int | None = None, total: int | None = None) -> None:
        if message is not None:
            self.job.message = str(message)[:255]
        if done is not None:
            self.job.done = max(0, done)
        if total is not None:
            self.job.total = max(0, total)
        now = time.monotonic()
        if now - self.last >= PROGRESS_INTERVAL and len(connection.atomic_blocks) <= self.depth:
            self.flush()
            self.last = now

    def flush(self) -> None:
        self.job.heartbeat_at = timezone.now()
        Job.objects.filter(pk=self.job.pk).update(
            message=self.job.message, done=self.job.done, total=self.job.total, heartbeat_at=self.job.heartbeat_at
        )


# --- starting, retrying and reaping ---------------------------------------------------------------


def start_job(
    *, kind: str, user, title: str, params: dict | None = None, upload=None, source: Job | None = None
) -> Job:
    """Create a job and put it on the queue. ``upload`` (an uploaded file) is stored with the job."""
    job = Job(kind=kind, user=user, title=title[:200], params=params or {}, source=source)
    job.created_at = timezone.now()  # the file's folder is named after it
    if upload is not None:
        job.input_name = Path(upload.name).name[:255]
        job.input_file.save(job.input_name, upload, save=False)
    elif source is not None and source.input_file:
        job.input_file, job.input_name = source.input_file.name, source.input_name
    job.save()
    _enqueue(job)
    return job


def _enqueue(job: Job) -> None:
    result = run_job.enqueue(job.pk)
    # An immediate backend has already run the job; a queue hands back the id of the waiting task.
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.task_id = str(result.id)[:64]


def retry_job(job: Job) -> Job:
    """Put a failed job back on the queue, as it was first asked for."""
    if job.status != Job.Status.FAILED:
        raise ValueError(_("只有失败的任务可以重试。"))
    if job.output_file:
        job.output_file.delete(save=False)
    job.status, job.error, job.report, job.message = Job.Status.QUEUED, "", {}, _("已重新排队")
    job.done = job.total = 0
    job.output_name = job.worker = ""
    job.started_at = job.heartbeat_at = job.finished_at = None
    job.save()
    _enqueue(job)
    return job


def _process_is_gone(worker: str) -> bool:
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's worker: only its silence tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def reap_stale_jobs(jobs=None) -> int:
    """Mark failed every running job whose worker is gone or silent too long; returns how many."""
    limit = timezone.now() - timedelta(seconds=settings.JIXIAO_JOB_STALE_SECONDS)
    running = (jobs if jobs is not None else Job.objects.all()).filter(status=Job.Status.RUNNING)
    reaped = 0
    for job in running.only("pk", "worker", "heartbeat_at", "started_at"):
        seen = job.heartbeat_at or job.started_at
        if _process_is_gone(job.worker) or (seen and seen < limit):
            reaped += Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                status=Job.Status.FAILED,
                finished_at=timezone.now(),
                error=_("后台进程在任务完成前停止（%(worker)s），未生成结果。可重试。") % {"worker": job.worker},
            )
    return reaped


# --- running ----------------------------------------------------------------------------------------


@task()
def run_job(job_id: int) -> str:
    """The queued task: run one job and record how it ended. Returns the job's final status."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        worker=worker_name(),
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        message=_("开始处理……"),
    )
    if not claimed:
        return "skipped"  # retried, reaped or already run by another worker
    job = Job.objects.select_related("user", "source").get(pk=job_id)
    Job.objects.filter(pk=job_id).update(attempts=job.attempts + 1)
    job.attempts += 1
    progress = Progress(job)
    try:
        RUNNERS[job.kind](job, progress)
    except Exception as error:
        if isinstance(error, JobRefused):
            report, message = error.report, error.message
        else:
            report, message = {}, _("任务出错：%(error)s") % {"error": error}
        _finish(job, Job.Status.FAILED, error=message, report=report)
        if not isinstance(error, JobRefused):
            raise
        return Job.Status.FAILED
    _finish(job, Job.Status.SUCCEEDED)
    return Job.Status.SUCCEEDED


class JobRefused(Exception):
    """The job ran and refused its input (an import with errors): a result, not a crash."""

    def __init__(self, message: str, report: dict):
        super().__init__(message)
        self.message, self.report = message, report


def _finish(job: Job, status: str, *, error: str = "", report: dict | None = None) -> None:
    job.status, job.error, job.finished_at = status, error, timezone.now()
    if report is not None:
        job.report = report
    if status == Job.Status.SUCCEEDED:
        job.done = job.total = max(job.total, job.done, 1)
        job.message = _("已完成")
    job.save(
        update_fields=[
            "status",
            "error",
            "finished_at",
            "report",
            "done",
            "total",
            "message",
            "output_file",
            "output_name",
        ]
    )


def _save_output(job: Job, path: Path, name: str) -> None:
    with path.open("rb") as handle:
        job.output_file.save(name, File(handle), save=False)
    job.output_name = name


def _scope(job: Job):
    """The job's projects as its user may see them now: ``params`` has the year and a unit or department."""
    params = job.params
    try:
        return year_projects_for(
            job.user, int(params["year"]), unit=params.get("unit", ""), department=params.get("department", "")
        )
    except ObjectDoesNotExist as error:
        if params.get("unit"):
            message = _("您无权查看单位 %(code)s。") % {"code": params["unit"]}
        else:
            message = _("您无权查看部门 %(code)s。") % {"code": params.get("department")}
        raise JobRefused(message, {}) from error


def _run_import(job: Job, progress: Progress, *, dry_run: bool) -> None:
    if not job.input_file:
        raise JobRefused(_("上传的文件已不存在，请重新上传。"), {})
    progress(_("正在读取工作簿……"))
    try:
        report = import_workbook(
            file=Path(job.input_file.path),
            dry_run=dry_run,
            user=job.user,
            progress=progress,
            file_name=job.input_name,
        )
    except ImportErrors as error:
        problems = [asdict(problem) for problem in error.problems]
        raise JobRefused(
            _("工作簿有 %(n)s 个错误，未导入任何数据。") % {"n": len(problems)}, {"problems": problems}
        ) from error
    job.report = {"import": report.as_json()}
    if report.changes:  # the full change list, where the page shows the first CHANGES_KEPT
        with tempfile.TemporaryDirectory(prefix="jixiao-job-") as folder:
            path = Path(folder) / "changes.xlsx"
            report.write_changes(path)
            _save_output(job, path, _("改动清单-%(name)s") % {"name": Path(job.input_name).stem} + ".xlsx")


def _run_export(job: Job, progress: Progress, *, write) -> None:
    """Write the job's projects with ``write(job, projects, path, progress)`` and keep the file."""
    projects, _label = _scope(job)
    total = projects.count()
    if not total:
        raise JobRefused(_("所选范围内没有项目。"), {})
    progress(_("正在生成 %(n)s 个项目的工作簿……") % {"n": total}, done=0, total=total)
    with tempfile.TemporaryDirectory(prefix="jixiao-job-") as folder:
        path = Path(folder) / "export.xlsx"
        write(job, projects, path, progress)
        progress(_("正在保存文件……"), done=total)
        _save_output(job, path, job.params.get("filename") or f"{job.title}.xlsx")


def _flat_workbook(job: Job, projects, path: Path, progress: Progress) -> None:
    job.report = {"rows": write_flat_workbook(projects, path, progress=lambda done: progress(done=done))}


def _sheet_workbook(job: Job, projects, path: Path, progress: Progress) -> None:
    write_evaluation_workbook(projects, path, title=job.params.get("title") or job.title)


def _targets_workbook(job: Job, projects, path: Path, progress: Progress) -> None:
    write_targets_workbook(projects, path)


def _run_draw(job: Job, progress: Progress) -> None:
    """Draw and keep a spot check with the job's parameters, as the job's user (who must still be finance)."""
    params = job.params
    progress(_("正在按风险抽取 %(year)s 年度的项目……") % {"year": params["year"]})
    try:
        check = draw_sample(
            year=int(params["year"]),
            size=params.get("size"),
            share=None if params.get("share") is None else Decimal(params["share"]),
            seed=params.get("seed"),
            scope=params.get("scope", SpotCheck.Scope.APPROVED),
            by=job.user,
        )
    except (PermissionDenied, ValidationError) as error:
        message = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
        raise JobRefused(message, {}) from error
    count = check.items.count()
    job.report = {"spot_check": check.pk, "drawn": count, "population": check.population, "seed": check.seed}


RUNNERS = {
    Job.Kind.CHECK_WORKBOOK: partial(_run_import, dry_run=True),
    Job.Kind.IMPORT_WORKBOOK: partial(_run_import, dry_run=False),
    Job.Kind.EXPORT_WORKBOOK: partial(_run_export, write=_flat_workbook),
    Job.Kind.EXPORT_SHEETS: partial(_run_export, write=_sheet_workbook),
    Job.Kind.EXPORT_TARGETS: partial(_run_export, write=_targets_workbook),
    Job.Kind.DRAW_SAMPLE: _run_draw,
}


# --- what the views ask ------------------------------------------------------------------------------


def jobs_for(user):
    """The jobs a user may see: their own."""
    return Job.objects.filter(user=user)


def job_for(user, pk: int) -> Job:
    """One of the user's jobs (404 for anyone else's), a job whose worker died already marked failed."""
    reap_stale_jobs(jobs_for(user).filter(pk=pk))
    job = jobs_for(user).select_related("source").filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def confirm_import(check: Job) -> Job:
    """Start the real import of a workbook whose trial run passed; a trial run is confirmed once."""
    with transaction.atomic():
        check = Job.objects.select_for_update().get(pk=check.pk)
        if check.kind != Job.Kind.CHECK_WORKBOOK or check.status != Job.Status.SUCCEEDED:
            raise ValueError(_("只有通过试导入的工作簿可以确认导入。"))
        if check.followups.exists():
            raise ValueError(_("这个工作簿已经确认导入过。"))
        job = Job(
            kind=Job.Kind.IMPORT_WORKBOOK,
            user=check.user,
            title=_("导入 %(name)s") % {"name": check.input_name},
            source=check,
            input_file=check.input_file.name,
            input_name=check.input_name,
            created_at=timezone.now(),
        )
        job.save()
    _enqueue(job)
    return job


def sheets_in_background(projects: QuerySet[Project]) -> bool:
    """Whether a 自评表 / 目标表 workbook of these projects is big enough to build in the background."""
    return projects.count() > settings.JIXIAO_SYNC_SHEETS_LIMIT
