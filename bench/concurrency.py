"""Concurrent saves under load: no 5xx, no lost update, every refusal reported as a conflict.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/concurrency.py --seconds 120

Creates a database ``jixiao_concurrency`` (``--database``) on that server (dropped at the end unless ``--keep``), one
unit with 12 projects and 20 staff users, and serves the app with gunicorn (2 sync workers,
``bench.settings``: production settings over plain HTTP). 20 simulated users then save actual values
through the real entry page for ``--seconds``: users 1-10 share projects 1-2 (five on each), users
11-20 have a project each. Each save opens the page (reading the version), types a value no one else
types, and posts it. A save is *accepted* (302), *refused as a conflict* (the page shows the
stale-version warning), *refused otherwise* (any other 200) or a *5xx*.

At the end, in the database: every accepted value is in the indicator's history, each evaluation's
version equals its accepted saves (no two accepted saves were based on the same version, so none
overwrote another unseen), and each indicator holds the value of its last accepted save.
Prints the counts as ``name: value`` lines; exits non-zero on a 5xx or a lost save.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from http.cookiejar import CookieJar
from itertools import count
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "jixiao_concurrency"
PASSWORD = "bench-concurrency-1"  # noqa: S105 - a throwaway database's users
USERS = 20
SHARED_PROJECTS = 2
STALE_MARK = 'data-testid="stale-warning"'


def server_url() -> str:
    raw = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not raw.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/concurrency.py needs DATABASE_URL=postgres://… (a server where it may create a database)")
    return raw.rsplit("/", 1)[0]


def recreate_database(server: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        sys.exit(f"--database {name!r}: use lower-case letters, digits and _")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if not drop_only:
            connection.execute(f"CREATE DATABASE {name}")


def build_data() -> dict:
    """Migrate, then one unit, 12 projects of one indicator each, 20 staff users; returns the ids."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from budgets.models import Access, Department, Project, Unit
    from performance.models import Evaluation, Indicator, IndicatorCategory

    call_command("migrate", verbosity=0)
    department = Department.objects.create(code="990", name="并发测试部门")
    unit = Unit.objects.create(department=department, code="990001", name="并发测试单位")
    output = IndicatorCategory.objects.get(level=1, name="产出指标")
    quantity = IndicatorCategory.objects.get(level=2, parent=output, name="数量指标")
    projects = []
    for n in range(1, SHARED_PROJECTS + USERS // 2 + 1):
        project = Project.objects.create(unit=unit, year=2021, name=f"并发项目{n}")
        Indicator(
            project=project, level1=output, level2=quantity, name="举办活动", target="12次", weight=90, order=1
        ).save()
        Evaluation.objects.create(project=project)
        projects.append(project.pk)
    users = []
    for n in range(1, USERS + 1):
        user = get_user_model().objects.create_user(username=f"bench{n:02d}", password=PASSWORD)
        Access.objects.create(user=user, role=Access.Role.STAFF, unit=unit)
        users.append(user.username)
    return {"projects": projects, "users": users}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """One simulated user: a cookie jar and the pages it posts, over urllib."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Referer": self.base + path}
        try:
            with self.opener.open(urllib.request.Request(self.base + path, body, headers), timeout=60) as response:  # noqa: S310 - loopback http
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def login(self, username: str) -> None:
        self.request("/accounts/login/")
        status, _page = self.request(
            "/accounts/login/", {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()}
        )
        if status != 302:
            raise RuntimeError(f"{username} could not log in ({status})")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


FIELD = re.compile(r'name="(ind-\d+)-actual"')
VERSION = re.compile(r'name="version" value="(\d+)"')


def simulate(base: str, username: str, project: int, start, deadline: list, values, tally, accepted, lock):
    client = Client(base)
    client.login(username)
    start.wait()  # everyone logged in: the clock starts
    until = deadline[0]
    path = f"/projects/{project}/edit/"
    while time.monotonic() < until:
        status, page = client.request(path)
        if status != 200 or not VERSION.search(page):
            with lock:
                tally["5xx" if status >= 500 else f"page_{status}"] += 1
            continue
        version, prefix = int(VERSION.search(page).group(1)), FIELD.search(page).group(1)
        value = f"{next(values)}次"
        form = {
            "csrfmiddlewaretoken": client.csrf(),
            "version": version,
            f"{prefix}-actual": value,
            f"{prefix}-tier": "",
            f"{prefix}-evaluator_score": "",
            f"{prefix}-deviation_reason": "因并发测试",
            "goal_actual": f"{username} 第{version}版",
            "budget_deviation_reason": "",
        }
        status, page = client.request(path, form)
        with lock:
            tally["requests"] += 2
            if status == 302:
                tally["accepted"] += 1
                accepted.append((project, version, value))
            elif status >= 500:
                tally["5xx"] += 1
            elif status == 200 and STALE_MARK in page:
                tally["conflict"] += 1
            else:
                tally[f"refused_other_{status}"] += 1


def check(accepted: list[tuple[int, int, str]]) -> Counter:
    """Every accepted save in the database; no two accepted on the same base version."""
    from performance.models import ActualResult, Evaluation

    problems = Counter()
    by_project = defaultdict(list)
    for project, version, value in accepted:
        by_project[project].append((version, value))
    for project, saves in by_project.items():
        versions = [version for version, _value in saves]
        problems["same_base_version"] += len(versions) - len(set(versions))
        evaluation = Evaluation.objects.get(project_id=project)
        problems["version_mismatch"] += evaluation.version != len(saves)
        result = ActualResult.objects.get(indicator__project_id=project)
        history = set(result.history.values_list("actual", flat=True))
        problems["missing_in_history"] += sum(value not in history for _version, value in saves)
        problems["last_value_mismatch"] += result.actual != max(saves)[1]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument("--database", default=DATABASE, help=f"the database to create (default {DATABASE})")
    args = parser.parse_args()

    server = server_url()
    recreate_database(server, args.database)
    os.environ["DATABASE_URL"] = f"{server}/{args.database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    ids = build_data()
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DJANGO_SECRET_KEY": "bench-" + "x" * 50}
    gunicorn = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        tally, accepted, lock, values = Counter(), [], threading.Lock(), count(1000)
        shared, own = ids["projects"][:SHARED_PROJECTS], ids["projects"][SHARED_PROJECTS:]
        assignment = [shared[n % SHARED_PROJECTS] for n in range(USERS // 2)] + own
        deadline: list[float] = []
        start = threading.Barrier(USERS, action=lambda: deadline.append(time.monotonic() + args.seconds))
        threads = [
            threading.Thread(
                target=simulate,
                args=(base, username, project, start, deadline, values, tally, accepted, lock),
                daemon=True,
            )
            for username, project in zip(ids["users"], assignment, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - (deadline[0] - args.seconds)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
    problems = check(accepted)
    shared_accepted = sum(1 for project, _v, _value in accepted if project in shared)
    print(f"users: {USERS} (10 on {SHARED_PROJECTS} shared evaluations, 10 on their own)")
    print(f"seconds: {elapsed:.1f}")
    print(f"requests: {tally['requests']}")
    print(f"accepted_saves: {tally['accepted']} (shared evaluations: {shared_accepted})")
    print(f"refused_as_conflict: {tally['conflict']}")
    for name, n in sorted(tally.items()):
        if name.startswith(("refused_other", "page_")):
            print(f"{name}: {n}")
    print(f"server_errors_5xx: {tally['5xx']}")
    for name in ("same_base_version", "version_mismatch", "missing_in_history", "last_value_mismatch"):
        print(f"lost_{name}: {problems[name]}")
    from django.db import connections

    connections.close_all()
    if not args.keep:
        recreate_database(server, args.database, drop_only=True)
    return 1 if tally["5xx"] or sum(problems.values()) or not tally["accepted"] else 0


if __name__ == "__main__":
    sys.exit(main())
