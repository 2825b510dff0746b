"""A background export followed in a real browser: queued, run by the worker, offered for download."""

import importlib
from io import BytesIO
from pathlib import Path

import pytest
from django.apps import apps
from openpyxl import load_workbook

from performance.demo import load_demo
from performance.jobs import run_job
from performance.models import Job
from tests.performance.test_journey_browser import log_in, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

framework = importlib.import_module("performance.migrations.0002_indicator_framework")


def test_the_job_page_follows_the_export_and_offers_the_file(page, live_server, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # the "worker" is the test
    framework.load(apps, None)
    load_demo()
    log_in(page, live_server.url, "shenhe")
    page.goto(f"{live_server.url}/jobs/")
    page.select_option("select[name=year]", "2021")
    page.select_option("select[name=scope]", "d:731")
    page.click("text=开始导出")
    wait_for_text(page, "#jx-job-status", "排队中")
    assert "请确认后台进程" in page.inner_text("[data-testid=job]")

    job = Job.objects.get()
    assert run_job.call(job.pk) == Job.Status.SUCCEEDED  # what db_worker does with the queued task

    # The page polls its status, sees the job finished and reloads with the file offered.
    page.wait_for_selector("[data-testid=job-download]")
    assert page.inner_text("#jx-job-status") == "已完成"
    with page.expect_download() as download:
        page.click("[data-testid=job-download]")
    assert download.value.suggested_filename == "2021年度张家口市科学技术协会绩效数据工作簿.xlsx"
    book = load_workbook(BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
    assert sum(1 for row in book["指标"].iter_rows(min_row=2, values_only=True) if any(row)) == 36
