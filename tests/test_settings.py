"""Settings come from the environment; a malformed value stops start-up with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_defaults_start_in_debug_on_sqlite():
    result = start()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG='maybe' is not a boolean"),
        ({"DJANGO_DEBUG": "false"}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_ALLOWED_HOSTS": " , "}, "DJANGO_ALLOWED_HOSTS"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "only sqlite:/// and postgres:// URLs are supported"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"JIXIAO_CACHE_URL": "memcached://127.0.0.1"}, "JIXIAO_CACHE_URL='memcached://127.0.0.1'"),
        ({"JIXIAO_TRUSTED_PROXIES": "one"}, "JIXIAO_TRUSTED_PROXIES='one' is not a whole number"),
        ({"JIXIAO_JOB_STALE_SECONDS": "0"}, "JIXIAO_JOB_STALE_SECONDS='0' is below its minimum 1"),
        ({"JIXIAO_SYNC_SHEETS_LIMIT": "5O"}, "JIXIAO_SYNC_SHEETS_LIMIT='5O' is not a whole number"),
        ({"JIXIAO_WEB_UPLOAD_MAX_MB": "10"}, "JIXIAO_WEB_UPLOAD_MAX_MB='10' is below its minimum 20"),
        ({"JIXIAO_UPLOAD_MAX_UNPACKED_MB": "2 GB"}, "JIXIAO_UPLOAD_MAX_UNPACKED_MB='2 GB' is not a whole number"),
        ({"JIXIAO_UPLOAD_MAX_SHEET_ROWS": "0"}, "JIXIAO_UPLOAD_MAX_SHEET_ROWS='0' is below its minimum 1"),
        ({"JIXIAO_UPLOAD_MAX_SHEET_CELLS": "16M"}, "JIXIAO_UPLOAD_MAX_SHEET_CELLS='16M' is not a whole number"),
    ],
)
def test_a_malformed_value_stops_start_up_with_a_message(env, message):
    result = start(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_need_a_secret_and_take_hosts():
    result = start(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="jixiao.example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
