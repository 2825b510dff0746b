"""Background jobs: exports and imports started in the browser, followed, downloaded, retried, reaped."""

import importlib
import os
import subprocess
import sys
from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from budgets.models import Access
from performance.jobs import reap_stale_jobs, retry_job, run_job, start_job, worker_name
from performance.models import Job
from tests.factories import log_in_as as login
from tests.factories import make_user_with_access
from tests.scripts import run_script

pytestmark = pytest.mark.django_db


def read_back(client, job):
    response = client.get(reverse("performance:job-download", args=[job.pk]))
    assert response.status_code == 200
    return load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)


def rows(sheet):
    return [row for row in sheet.iter_rows(min_row=2, values_only=True) if any(row)]


def test_the_department_workbook_is_exported_in_the_background_and_downloaded(client, kepu):
    login(client, "shenhe")
    page = client.get(reverse("performance:job-list")).content.decode()
    assert "导出绩效工作簿" in page
    response = client.post(reverse("performance:job-export-workbook"), {"year": 2021, "scope": "d:731"})
    job = Job.objects.get()
    assert response["Location"] == reverse("performance:job-detail", args=[job.pk])
    assert (job.status, job.kind, job.params["department"]) == ("succeeded", "export_workbook", "731")
    page = client.get(response["Location"]).content.decode()
    assert "2021年度张家口市科学技术协会绩效数据工作簿.xlsx" in page
    book = read_back(client, job)
    assert book.sheetnames == ["项目", "指标"]
    assert len(rows(book["项目"])) == 6
    indicators = rows(book["指标"])
    assert len(indicators) == job.report["rows"] == 36
    assert {row[3] for row in indicators} >= {"科普经费", "科普大篷车经费"}


def test_an_export_lists_only_what_its_user_may_see(client, kepu):
    user = login(client, "kejiguan")  # staff of 731005 only
    response = client.post(reverse("performance:job-export-workbook"), {"year": 2021, "scope": ""})
    job = Job.objects.get(user=user)
    assert response.status_code == 302
    names = {row[3] for row in rows(read_back(client, job)["指标"])}
    assert names == {"常设科普展览经费", "科普大篷车经费"}
    # A department the user cannot choose is refused by the form: no job.
    response = client.post(reverse("performance:job-export-workbook"), {"year": 2021, "scope": "u:731001"})
    assert response.status_code == 400
    assert Job.objects.count() == 1


def test_a_job_checks_the_scope_again_when_it_runs(client, kepu, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
    user = get_user_model().objects.get(username="shenhe")
    job = start_job(kind=Job.Kind.EXPORT_WORKBOOK, user=user, title="x", params={"year": 2021, "department": "731"})
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    Access.objects.filter(user=user).delete()  # the reviewer lost the department before the job ran
    assert run_job.call(job.pk) == Job.Status.FAILED
    job.refresh_from_db()
    assert job.error == "您无权查看部门 731。"
    assert not job.output_file


def test_nobody_else_sees_a_job_or_its_file(client, kepu):
    owner = login(client, "shenhe")
    client.post(reverse("performance:job-export-workbook"), {"year": 2021, "scope": "d:731"})
    job = Job.objects.get(user=owner)
    client.force_login(get_user_model().objects.get(username="kexie"))
    for name in ("job-detail", "job-status", "job-download"):
        assert client.get(reverse(f"performance:{name}", args=[job.pk])).status_code == 404
    for name in ("job-retry", "job-confirm"):
        assert client.post(reverse(f"performance:{name}", args=[job.pk])).status_code == 404
    assert f"/jobs/{job.pk}/" not in client.get(reverse("performance:job-list")).content.decode()
    client.logout()
    assert client.get(reverse("performance:job-download", args=[job.pk])).status_code == 302  # to login


def test_status_json_reports_progress(client, kepu, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    user = login(client, "shenhe")
    job = start_job(kind=Job.Kind.EXPORT_WORKBOOK, user=user, title="x", params={"year": 2021})
    Job.objects.filter(pk=job.pk).update(status="running", done=3, total=6, message="正在生成", worker=worker_name())
    state = client.get(reverse("performance:job-status", args=[job.pk])).json()
    assert state == {
        "status": "running",
        "status_label": "进行中",
        "finished": False,
        "percent": 50,
        "done": 3,
        "total": 6,
        "message": "正在生成",
    }
    page = client.get(reverse("performance:job-detail", args=[job.pk])).content.decode()
    assert 'aria-valuenow="50"' in page
    assert "js/job.js" in page


def test_a_job_whose_worker_is_gone_is_failed_and_can_be_retried(client, kepu, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    user = login(client, "shenhe")
    job = start_job(kind=Job.Kind.EXPORT_WORKBOOK, user=user, title="x", params={"year": 2021, "department": "731"})
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = f"{worker_name().rsplit(':', 1)[0]}:{finished.stdout.strip()}"  # a process of this host that exited
    Job.objects.filter(pk=job.pk).update(status="running", worker=dead, heartbeat_at=timezone.now())
    alive = start_job(kind=Job.Kind.EXPORT_WORKBOOK, user=user, title="y", params={"year": 2021})
    Job.objects.filter(pk=alive.pk).update(status="running", worker=worker_name(), heartbeat_at=timezone.now())

    page = client.get(reverse("performance:job-detail", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "后台进程在任务完成前停止" in page
    assert "重试" in page
    assert Job.objects.get(pk=alive.pk).status == Job.Status.RUNNING  # its worker (this process) is alive

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = client.post(reverse("performance:job-retry", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (Job.Status.SUCCEEDED, 1, "")
    assert len(rows(read_back(client, job)["指标"])) == 36
    assert "下载" in response.content.decode()


def test_a_silent_job_on_another_host_is_failed_after_the_stale_limit(kepu, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.JIXIAO_JOB_STALE_SECONDS = 300
    user = get_user_model().objects.get(username="shenhe")
    quiet = start_job(kind=Job.Kind.EXPORT_WORKBOOK, user=user, title="quiet", params={"year": 2021})
    busy = start_job(kind=Job.Kind.EXPORT_WORKBOOK, user=user, title="busy", params={"year": 2021})
    old = timezone.now() - timedelta(seconds=301)
    Job.objects.filter(pk=quiet.pk).update(status="running", worker="other-host:1", heartbeat_at=old)
    Job.objects.filter(pk=busy.pk).update(status="running", worker="other-host:2", heartbeat_at=timezone.now())
    assert reap_stale_jobs() == 1
    assert Job.objects.get(pk=quiet.pk).status == Job.Status.FAILED
    assert Job.objects.get(pk=busy.pk).status == Job.Status.RUNNING
    with pytest.raises(ValueError, match="只有失败的任务可以重试"):
        retry_job(Job.objects.get(pk=busy.pk))


def test_a_big_department_sheet_workbook_goes_to_the_background(client, kepu, settings):
    settings.JIXIAO_SYNC_SHEETS_LIMIT = 5  # the seed department has 6 projects
    login(client, "shenhe")
    response = client.get(reverse("performance:sheet-workbook") + "?year=2021&department=731")
    job = Job.objects.get()
    assert response["Location"] == reverse("performance:job-detail", args=[job.pk])
    assert (job.kind, job.status) == (Job.Kind.EXPORT_SHEETS, Job.Status.SUCCEEDED)
    assert job.output_name == "2021年度张家口市科学技术协会项目支出绩效自评汇总表.xlsx"
    assert len(read_back(client, job).sheetnames) == 8
    # A unit's workbook (2 projects) is still sent at once.
    login(client, "kejiguan")
    response = client.get(reverse("performance:sheet-workbook") + "?year=2021&unit=731005")
    assert response.status_code == 200
    response = client.get(reverse("performance:targets-sheet") + "?year=2021&department=731")
    assert Job.objects.filter(kind=Job.Kind.EXPORT_TARGETS).count() == 0  # kejiguan sees 2 projects only


def test_users_without_projects_get_no_export_form(client):
    client.force_login(make_user_with_access())
    page = client.get(reverse("performance:job-list")).content.decode()
    assert "还没有后台任务" in page
    assert "开始导出" not in page


@pytest.fixture
def framework_after_flush():
    """A transactional test's flush empties the indicator framework that migration 0002 seeds."""
    from django.apps import apps

    importlib.import_module("performance.migrations.0002_indicator_framework").load(apps, None)


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_holds_the_job_until_a_worker_runs_it(framework_after_flush, kepu, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    user = get_user_model().objects.get(username="shenhe")
    job = start_job(kind=Job.Kind.EXPORT_WORKBOOK, user=user, title="x", params={"year": 2021, "department": "731"})
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert DBTaskResult.objects.filter(pk=job.task_id, status="READY").exists()
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.attempts == 1
    assert DBTaskResult.objects.get(pk=job.task_id).status == "SUCCESSFUL"


@pytest.mark.parametrize("queue", ["database", "rq"])
def test_a_worker_killed_mid_export_leaves_a_failed_job_that_a_retry_completes(queue):
    """A real worker process is SIGKILLed while it exports (tests/security/worker_kill.py): ``db_worker``
    on the database queue, RQ's work horse on Redis (127.0.0.1:6379, database 15)."""
    env = dict(os.environ)
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = "postgres://{USER}@{HOST}:{PORT}/postgres".format(**connection.settings_dict)
    else:
        env.pop("DATABASE_URL", None)
    units = 40  # 1,000 projects: an export of about two seconds, inside which the script kills the worker
    figures = run_script("-m", "tests.security.worker_kill", "--queue", queue, "--units", str(units), env=env)
    assert figures["queue"] == queue
    assert figures["worker_killed_while"] == "running"
    assert figures["status_after_reap"] == "failed"
    assert figures["status_after_retry"] == "succeeded"
    assert figures["indicator_rows_in_file"] == str(units * 25 * 12)


def test_reap_jobs_fails_dead_jobs_and_deletes_old_ones_with_their_files(kepu, settings):
    user = get_user_model().objects.get(username="shenhe")
    old = start_job(kind=Job.Kind.EXPORT_WORKBOOK, user=user, title="old", params={"year": 2021})
    new = start_job(kind=Job.Kind.EXPORT_WORKBOOK, user=user, title="new", params={"year": 2021})
    old.refresh_from_db()
    old_file = old.output_file.path
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=31))
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    dead = start_job(kind=Job.Kind.EXPORT_WORKBOOK, user=user, title="dead", params={"year": 2021})
    Job.objects.filter(pk=dead.pk).update(
        status="running", worker="other-host:1", heartbeat_at=timezone.now() - timedelta(hours=1)
    )

    out = StringIO()
    call_command("reap_jobs", delete_older_than=30, stdout=out)
    assert "标记为失败的中断任务：1" in out.getvalue()
    assert "删除的旧任务：1" in out.getvalue()
    assert set(Job.objects.values_list("title", "status")) == {("new", "succeeded"), ("dead", "failed")}
    assert not os.path.exists(old_file)
    assert os.path.exists(Job.objects.get(pk=new.pk).output_file.path)
