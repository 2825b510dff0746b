"""Scale-out on one machine: nginx in front of two app servers, PostgreSQL, Redis, a queue worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/scaleout.py

It builds a scratch PostgreSQL database ``jixiao_scaleout`` (dropped at the end) with
SCALEOUT_UNITS (40) units x 25 projects x 12 indicators, then starts, as a deployment would:

- two gunicorn servers (2 sync workers each) on their own ports, sharing PostgreSQL, MEDIA_ROOT (a
  temporary folder standing in for the shared volume) and Redis (database 14: the cache, the sessions
  and the RQ job queue);
- one RQ worker (``manage.py rqworker --job-class django_tasks_rq.Job default``);
- nginx, round-robin over the two servers, adding ``X-Upstream`` to each answer and X-Forwarded-For to
  each request (the app trusts one proxy: JIXIAO_TRUSTED_PROXIES=1).

Then it checks what has to hold for several servers to be one app, through the load balancer only:
one login serves pages from both servers (shared sessions), an export started on one server is run by
the worker and downloaded from the other (shared queue and files), and it measures requests/s and p95
of the project page through nginx against one server alone (wrk, SCALEOUT_SECONDS (10) s, 20 users).
Prints ``name: value`` lines. Needs nginx, wrk, PostgreSQL and Redis (apt-get install nginx-light wrk).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import PYTHON, ROOT, check_page, env_int, free_port, say, wrk

NAME = "jixiao_scaleout"
REDIS_URL = "redis://127.0.0.1:6379/14"
NGINX = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    upstream jixiao {{ server 127.0.0.1:{a}; server 127.0.0.1:{b}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 60m;
        location / {{
            proxy_pass http://jixiao;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def admin(server: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


class Browser:
    """A logged-in client that keeps its cookies and reads which server answered."""

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str):
        response = self.opener.open(self.base + path, timeout=60)
        return response, response.read()

    def post(self, path: str, data: dict):
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + "/"})  # noqa: S310
        response = self.opener.open(request, timeout=60)
        return response, response.read()

    def login(self, username: str, password: str) -> None:
        _response, page = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base + "/accounts/login/", data=body.encode(), headers={"Referer": self.base + "/"}
        )
        self.opener.open(request, timeout=60).read()

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("scaleout: set DATABASE_URL=postgres://…/postgres (the scratch database is made beside it)")
    for tool in ("nginx", "wrk"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"scaleout: {tool} is not installed (apt-get install -y nginx-light wrk)")
    server = url.rsplit("/", 1)[0]
    units, seconds = env_int("SCALEOUT_UNITS", 40), env_int("SCALEOUT_SECONDS", 10)
    tmp = tempfile.mkdtemp(prefix="jixiao-scaleout-")
    env = os.environ | {
        "DATABASE_URL": f"{server}/{NAME}",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "JIXIAO_TASKS": "rq",
        "REDIS_URL": REDIS_URL,
        "JIXIAO_CACHE_URL": REDIS_URL,
        "JIXIAO_MEDIA_ROOT": f"{tmp}/media",
        "JIXIAO_TRUSTED_PROXIES": "1",
    }
    processes: list[subprocess.Popen] = []
    failures: list[str] = []

    def start(*command: str, name: str) -> subprocess.Popen:
        log = open(f"{tmp}/{name}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)  # noqa: S603
        processes.append(process)
        return process

    def manage(*args: str) -> str:
        done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    try:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        admin(server, f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)", f"CREATE DATABASE {NAME}")
        manage("migrate", "--noinput", "-v", "0")
        manage("generate_load_data", "--units", str(units), "--department", "900")
        manage("shell", "-c", SCALEOUT_USER)
        project = int(manage("shell", "-c", FIRST_PROJECT).strip().splitlines()[-1])
        say("dataset", f"{units} units x 25 projects x 12 indicators on PostgreSQL")

        ports = [free_port(), free_port()]
        for index, port in enumerate(ports):
            start(PYTHON, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "config.wsgi", name=f"app{index}")
        start(PYTHON, "manage.py", "rqworker", "--job-class", "django_tasks_rq.Job", "default", name="worker")
        lb = free_port()
        Path(f"{tmp}/nginx.conf").write_text(NGINX.format(tmp=tmp, a=ports[0], b=ports[1], port=lb))
        start(shutil.which("nginx") or "/usr/sbin/nginx", "-c", f"{tmp}/nginx.conf", "-g", "daemon off;", name="nginx")
        base = f"http://127.0.0.1:{lb}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=5).read()  # noqa: S310
                urllib.request.urlopen(f"http://127.0.0.1:{ports[1]}/accounts/login/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        say(
            "topology",
            "nginx round-robin -> 2 gunicorn servers x 2 workers; PostgreSQL; Redis cache+sessions+RQ; 1 RQ worker",
        )

        # One login, pages from both servers.
        browser = Browser(base)
        browser.login("scaleout", "scaleout-password")
        served = Counter()
        for _ in range(10):
            response, page = browser.get(f"/projects/{project}/")
            if b'name="username"' in page:
                failures.append("a page through the load balancer asked to log in again")
                break
            served[response.headers["X-Upstream"]] += 1
        say("project_page_served_by", ", ".join(f"{upstream} x{n}" for upstream, n in sorted(served.items())))
        if len(served) != 2:
            failures.append("the pages did not come from both servers")

        # An export: started through one server, run by the worker, followed and downloaded through both.
        started = time.monotonic()
        response, _page = browser.post("/jobs/export/", {"year": 2021, "scope": "d:900"})
        job = int(re.search(r"/jobs/(\d+)/", response.url).group(1))
        upstreams, state = set(), {}
        while time.monotonic() - started < 300:
            response, body = browser.get(f"/jobs/{job}/status.json")
            upstreams.add(response.headers["X-Upstream"])
            state = json.loads(body)
            if state["finished"]:
                break
            time.sleep(0.5)
        say(
            "export_job",
            f"{state.get('status')} in {time.monotonic() - started:.1f} s, status polled from {len(upstreams)} servers",
        )
        sizes = set()
        for _ in range(2):
            response, body = browser.get(f"/jobs/{job}/download/")
            sizes.add((response.headers["X-Upstream"], len(body)))
        say("export_download", ", ".join(f"{upstream} {size} bytes" for upstream, size in sorted(sizes)))
        if state.get("status") != "succeeded" or len({size for _u, size in sizes}) != 1 or len(sizes) != 2:
            failures.append("the export was not run by the worker or not downloadable from both servers")

        # Throughput: one server alone, then both behind nginx.
        cookie = browser.cookie()
        for name, target in (("one_server", f"http://127.0.0.1:{ports[0]}"), ("behind_nginx", base)):
            check_page(f"{target}/projects/{project}/", cookie)
            result = wrk(f"{target}/projects/{project}/", cookie, seconds, 20)
            say(f"project_page_{name}_rps", f"{result['rps']:.1f}")
            say(f"project_page_{name}_p95", f"{result['p95_ms']:.1f} ms")
            if result["errors"]:
                say(f"project_page_{name}_errors", result["errors"])
        say("cpu_count", os.cpu_count())
    finally:
        for process in reversed(processes):
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        admin(server, f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)
    for failure in failures:
        say("FAILED", failure)
    return 1 if failures else 0


SCALEOUT_USER = """
from django.contrib.auth import get_user_model
from budgets.models import Access, Department
user = get_user_model().objects.create_user("scaleout", password="scaleout-password")
Access.objects.create(user=user, role=Access.Role.REVIEWER, department=Department.objects.get(code="900"))
"""
FIRST_PROJECT = (
    "from budgets.models import Project; print(Project.objects.order_by('unit__order', 'order', 'id').first().pk)"
)


if __name__ == "__main__":
    sys.exit(main())
