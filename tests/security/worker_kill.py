"""Run by test_jobs: a background export whose worker is killed half-way, marked failed, retried.

    python -m tests.security.worker_kill [--units N] [--queue database|rq]

Builds a scratch database (a SQLite file in a temporary folder, or, when DATABASE_URL is a postgres://
URL, a database ``jixiao_worker_kill`` on that server, dropped at the end), queues the department's
flat workbook export on the database queue (or on RQ in Redis database 15 with ``--queue rq``), starts
a real worker (``manage.py db_worker``, or ``manage.py rqworker``), kills the process that runs the job
with SIGKILL while the job is running (the worker itself, or RQ's work horse), and checks what a user
would then see: the job reaped as
failed with a message, a retry run by a new worker to success, the file complete. Prints
``name: value`` lines; exits non-zero when an expectation fails.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/15"


def say(name: str, value) -> None:
    print(f"{name}: {value}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    # 40 units, 1,000 projects: an export of about two seconds, so the kill 0.3 s after the claim lands inside it
    # (12 units exported in under 0.3 s once the flat export wrote through XlsxWriter, and the kill found no process).
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--queue", choices=["database", "rq"], default="database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jixiao-kill-") as folder:
        url = os.environ.get("DATABASE_URL", "")
        postgres = url.startswith(("postgres://", "postgresql://"))
        if postgres:
            server = url.rsplit("/", 1)[0]
            url = f"{server}/jixiao_worker_kill"
            _admin(
                server, "DROP DATABASE IF EXISTS jixiao_worker_kill WITH (FORCE)", "CREATE DATABASE jixiao_worker_kill"
            )
        else:
            url = f"sqlite:///{folder}/kill.sqlite3"
        os.environ.update(
            DATABASE_URL=url,
            JIXIAO_TASKS=args.queue,
            REDIS_URL=REDIS_URL,
            JIXIAO_MEDIA_ROOT=f"{folder}/media",
            DJANGO_SETTINGS_MODULE="config.settings",
        )
        try:
            if args.queue == "rq":
                import redis

                redis.Redis.from_url(REDIS_URL).flushdb()
            return run(args.units, args.queue)
        finally:
            if postgres:
                from django.db import connections

                connections.close_all()
                _admin(server, "DROP DATABASE IF EXISTS jixiao_worker_kill WITH (FORCE)")


def _admin(server: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for statement in statements:
            admin.execute(statement)


def _worker(queue: str, *, batch: bool = False) -> subprocess.Popen:
    if queue == "rq":
        command = ["rqworker", "--job-class", "django_tasks_rq.Job", *(["--burst"] if batch else []), "default"]
    else:
        command = [
            "db_worker",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--no-reload",
            *(["--batch"] if batch else []),
        ]
    return subprocess.Popen(
        [sys.executable, "manage.py", *command], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def run(units: int, queue: str) -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from performance.jobs import start_job
    from performance.models import Job

    call_command("migrate", verbosity=0)
    call_command("generate_load_data", units=units, projects_per_unit=25, indicators_per_project=12, seed=3)
    user = get_user_model().objects.create_superuser("kill", password="x")
    job = start_job(
        kind=Job.Kind.EXPORT_WORKBOOK,
        user=user,
        title="killed export",
        params={"year": 2021, "department": "900", "filename": "killed.xlsx"},
    )
    failures = []
    started: list[subprocess.Popen] = []
    try:
        _kill_and_retry(job, queue, units, failures, started)
    finally:  # a worker left running would take the jobs of every later run on this Redis database
        for worker in started:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    for failure in failures:
        say("FAILED", failure)
    return 1 if failures else 0


def _kill_and_retry(job, queue: str, units: int, failures: list[str], started: list) -> None:
    """Kill the worker running ``job`` inside the export, reap the job, retry it; ``failures`` collects what went
    wrong, ``started`` every worker process started (the caller stops those still running)."""
    from openpyxl import load_workbook

    from performance.jobs import reap_stale_jobs, retry_job
    from performance.models import Job

    worker = _worker(queue)
    started.append(worker)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status != Job.Status.QUEUED:
            break
        time.sleep(0.02)
    say("queue", queue)
    if not job.worker:
        failures.append(f"no worker took the job in 60 s (it is {job.status}): another worker on this queue?")
        return
    time.sleep(0.3)  # well inside the export (seconds long), past the claim
    os.kill(int(job.worker.rpartition(":")[2]), signal.SIGKILL)  # the process running the job
    if queue == "rq":
        time.sleep(1)  # RQ's worker sees its work horse die; it stays up for the next job
        worker.terminate()
    worker.wait()
    job.refresh_from_db()
    say("worker_killed_while", job.status)
    say("progress_when_killed", f"{job.done}/{job.total}")
    if job.status != Job.Status.RUNNING:
        failures.append(f"the job was {job.status} when the worker was killed, not running")

    reaped = reap_stale_jobs()
    job.refresh_from_db()
    say("reaped", reaped)
    say("status_after_reap", job.status)
    say("message", job.error)
    if job.status != Job.Status.FAILED or job.output_file:
        failures.append("the killed job was not marked failed, or it has a file")

    retry_job(job)
    began = time.monotonic()
    worker = _worker(queue, batch=True)
    started.append(worker)
    worker.wait(timeout=300)
    job.refresh_from_db()
    say("status_after_retry", job.status)
    say("attempts", job.attempts)
    say("retry_seconds", f"{time.monotonic() - began:.1f}")
    if job.status != Job.Status.SUCCEEDED:
        failures.append(f"the retry ended {job.status}: {job.error}")
    else:
        book = load_workbook(job.output_file.path, read_only=True)
        rows = sum(1 for row in book["指标"].iter_rows(min_row=2, values_only=True) if any(row))
        say("indicator_rows_in_file", rows)
        if rows != units * 25 * 12:
            failures.append(f"the file has {rows} indicator rows, not {units * 25 * 12}")


if __name__ == "__main__":
    sys.exit(main())
