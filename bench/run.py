"""``make bench``: build the default data set in a fresh database and print every figure, ``name: value``.

Sizes and repetitions come from the environment: BENCH_UNITS (200), BENCH_PROJECTS_PER_UNIT (25),
BENCH_INDICATORS_PER_PROJECT (12), BENCH_RUNS (3: each timed figure is the median of that many runs),
BENCH_HTTP_SECONDS (20), BENCH_HTTP_USERS (20), BENCH_SEED (1). The database is a SQLite file in a
temporary folder, or, when DATABASE_URL is a postgres:// URL, a dedicated database ``jixiao_bench``
(and ``jixiao_bench_empty`` for the import figures) on that server, created here and dropped at the end.

Every figure is measured in child processes (``bench.figures``) against the same database; the floor is
measured in the same run, interleaved with the app, so the ratios hold on a busy machine even when the
absolute times do not.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEPARTMENT = "900"
YEAR = 2021


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def say(name: str, value) -> None:
    print(f"{name}: {value}", flush=True)


def note(text: str) -> None:
    print(f"# {text}", file=sys.stderr, flush=True)


class Databases:
    """The bench database and an empty, migrated copy to import into (SQLite files or PostgreSQL)."""

    def __init__(self, tmp: str):
        self.tmp = tmp
        url = os.environ.get("DATABASE_URL", "")
        self.postgres = url.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            self.server = urllib.parse.urlsplit(url)
            self.main_url = self._url("jixiao_bench")
            self.empty_url = self._url("jixiao_bench_empty")
        else:
            self.main_url = f"sqlite:///{tmp}/bench.sqlite3"
            self.empty_url = f"sqlite:///{tmp}/empty.sqlite3"

    def _url(self, name: str) -> str:
        return urllib.parse.urlunsplit(self.server._replace(path=f"/{name}"))

    def _admin(self, *statements: str) -> None:
        import psycopg

        admin = urllib.parse.urlunsplit(self.server._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def create(self) -> None:
        """Migrate the empty database, then make the bench database a copy of it."""
        if self.postgres:
            self._admin(
                "DROP DATABASE IF EXISTS jixiao_bench WITH (FORCE)",
                "DROP DATABASE IF EXISTS jixiao_bench_empty WITH (FORCE)",
                "CREATE DATABASE jixiao_bench_empty",
            )
        manage("migrate", "--noinput", "-v", "0", url=self.empty_url)
        self.copy_empty("main")

    def copy_empty(self, name: str) -> str:
        """A fresh copy of the empty database; its URL."""
        if self.postgres:
            target = "jixiao_bench" if name == "main" else f"jixiao_bench_{name}"
            self._admin(
                f"DROP DATABASE IF EXISTS {target} WITH (FORCE)",
                f"CREATE DATABASE {target} TEMPLATE jixiao_bench_empty",
            )
            return self._url(target)
        target = f"{self.tmp}/{'bench' if name == 'main' else name}.sqlite3"
        shutil.copyfile(f"{self.tmp}/empty.sqlite3", target)
        return f"sqlite:///{target}"

    def drop(self, name: str) -> None:
        if self.postgres:
            self._admin(f"DROP DATABASE IF EXISTS jixiao_bench_{name} WITH (FORCE)")
        else:
            Path(f"{self.tmp}/{name}.sqlite3").unlink(missing_ok=True)

    def drop_all(self) -> None:
        """Every database this bench made (the import copies too, should a run have stopped half-way)."""
        if self.postgres:
            import psycopg

            admin = urllib.parse.urlunsplit(self.server._replace(path="/postgres"))
            with psycopg.connect(admin, autocommit=True) as connection:
                names = connection.execute(
                    "SELECT datname FROM pg_database"
                    " WHERE datname = 'jixiao_bench' OR datname LIKE 'jixiao\\_bench\\_%'"
                ).fetchall()
            self._admin(*[f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for (name,) in names])


def child_env(url: str) -> dict:
    return os.environ | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONHASHSEED": "0"}


def manage(*args: str, url: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and tools, fixed arguments
        [PYTHON, "manage.py", *args], cwd=ROOT, env=child_env(url), capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def figures(*args: str, url: str) -> dict:
    done = subprocess.run(  # noqa: S603 - our own interpreter and tools, fixed arguments
        [PYTHON, "-m", "bench.figures", *args],
        cwd=ROOT,
        env=child_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"bench.figures {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def seconds(value: float) -> str:
    return f"{value:.3f} s"


def ratio(app: float, floor: float) -> str:
    return f"{app / floor:.2f}" if floor else "n/a"


# --- HTTP --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(base: str, username: str, password: str) -> str:
    """Log in through the login form like a browser; the session cookie header."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(f"{base}/accounts/login/", data=data.encode(), headers={"Referer": base + "/"})  # noqa: S310 - http://127.0.0.1 only
    opener.open(request, timeout=30).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise SystemExit("bench: login failed (no session cookie)")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def check_page(url: str, cookie: str) -> None:
    """The page answers 200 itself (not a redirect to the login page) with the cookie."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    response = opener.open(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=60)  # noqa: S310 - http://127.0.0.1 only
    if response.status != 200:
        raise SystemExit(f"bench: {url} answered {response.status}")


def wrk(url: str, cookie: str, duration: int, users: int) -> dict:
    command = [
        "wrk", "-t", "1", "-c", str(users), "-d", f"{duration}s", "--timeout", "10s",
        "-H", f"Cookie: {cookie}", "-s", str(ROOT / "bench" / "wrk_report.lua"), url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=True)  # noqa: S603 - our own interpreter and tools, fixed arguments
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    values = dict(part.split("=") for part in line.split()[1:])
    return {
        "rps": int(values["requests"]) / float(values["seconds"]),
        "p95_ms": int(values["p95"]) / 1000,
        "errors": int(values["errors"]) + int(values["status_errors"]),
    }


def drain(url: str, cookie: str) -> None:
    """Wait until the workers have worked off the requests wrk left queued (a quick page answers quickly)."""
    for _attempt in range(120):
        began = time.monotonic()
        check_page(url, cookie)
        if time.monotonic() - began < 0.2:
            return
        time.sleep(0.5)


def http_figures(url: str, prepared: dict, runs: int) -> None:
    duration, users = env_int("BENCH_HTTP_SECONDS", 20), env_int("BENCH_HTTP_USERS", 20)
    if shutil.which("wrk") is None:
        say("http", "skipped (wrk is not installed: apt-get install -y wrk)")
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and tools, fixed arguments
        [PYTHON, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "config.wsgi"],
        cwd=ROOT, env=child_env(url), start_new_session=True,
    )  # fmt: skip
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=5).read()  # noqa: S310 - http://127.0.0.1 only
                break
            except OSError:
                time.sleep(0.2)
        cookie = login(base, prepared["username"], prepared["password"])
        pages = {
            "trivial": f"{base}/bench/trivial/",
            "project_list": f"{base}/projects/",
            "project_page": f"{base}/projects/{prepared['project']}/",
        }
        for page in pages.values():
            check_page(page, cookie)
            for _warm in range(3):  # both workers warm
                check_page(page, cookie)
        results: dict[str, list[dict]] = {name: [] for name in pages}
        for _run in range(runs):
            for name, page in pages.items():
                results[name].append(wrk(page, cookie, duration, users))
                drain(pages["trivial"], cookie)
        say(
            "http_setup", f"gunicorn 2 sync workers, wrk 1 thread, {users} connections, {duration} s x {runs} runs each"
        )
        medians = {}
        for name in pages:
            rps = statistics.median(r["rps"] for r in results[name])
            p95 = statistics.median(r["p95_ms"] for r in results[name])
            errors = sum(r["errors"] for r in results[name])
            medians[name] = (rps, p95)
            say(f"http_{name}_rps", f"{rps:.1f}")
            say(f"http_{name}_p95", f"{p95:.1f} ms")
            if errors:
                say(f"http_{name}_errors", errors)
        for name in ("project_list", "project_page"):
            say(f"http_{name}_rps_ratio", f"{medians[name][0] / medians['trivial'][0]:.2f}")
            say(f"http_{name}_p95_ratio", f"{medians[name][1] / medians['trivial'][1]:.2f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    started = time.monotonic()
    units = env_int("BENCH_UNITS", 200)
    per_unit = env_int("BENCH_PROJECTS_PER_UNIT", 25)
    indicators = env_int("BENCH_INDICATORS_PER_PROJECT", 12)
    runs = max(1, env_int("BENCH_RUNS", 3))
    tmp = tempfile.mkdtemp(prefix="jixiao-bench-")
    databases = Databases(tmp)
    try:
        databases.create()
        say("database", "postgresql" if databases.postgres else "sqlite")
        say("cpu_count", os.cpu_count())
        say("load_average_at_start", " ".join(f"{v:.2f}" for v in os.getloadavg()))
        say("dataset", f"{units} units x {per_unit} projects x {indicators} indicators")
        began = time.monotonic()
        manage(
            "generate_load_data", "--units", str(units), "--projects-per-unit", str(per_unit),
            "--indicators-per-project", str(indicators), "--department", DEPARTMENT, "--year", str(YEAR),
            url=databases.main_url,
        )  # fmt: skip
        say("generate_load_data", seconds(time.monotonic() - began))
        common = ["--department", DEPARTMENT, "--year", str(YEAR), "--tmp", tmp]
        prepared = figures("prepare", *common, url=databases.main_url)

        timings = figures("timings", *common, "--runs", str(runs), url=databases.main_url)
        median, counts = timings["median"], timings["counts"]
        say("runs_per_figure", runs)
        say("score_all_projects", counts["scored"])
        say("score_all_app", seconds(median["score_app"]))
        say("score_all_floor", seconds(median["score_floor"]))
        say("score_all_ratio", ratio(median["score_app"], median["score_floor"]))

        memory = {what: figures("memory", *common, "--what", what, url=databases.main_url)["peak_mb"]
                  for what in ("baseline", "export", "unit_sheets")}  # fmt: skip
        say("export_workbook_rows", counts["rows"])
        say("export_workbook_app", seconds(median["export_app"]))
        say("export_workbook_floor", seconds(median["export_floor"]))
        say("export_workbook_ratio", ratio(median["export_app"], median["export_floor"]))
        say("export_workbook_peak_rss", f"{memory['export']:.0f} MB")
        say("process_baseline_rss", f"{memory['baseline']:.0f} MB")

        imports = {"app": [], "floor": []}
        workbook = os.path.join(tmp, "flat.xlsx")
        for run in range(runs):
            for what in ("app", "floor"):
                url = databases.copy_empty(f"import_{what}_{run}")
                imports[what].append(figures("import", "--what", what, "--file", workbook, url=url))
                databases.drop(f"import_{what}_{run}")
        app = statistics.median(r["seconds"] for r in imports["app"])
        floor = statistics.median(r["seconds"] for r in imports["floor"])
        say("import_workbook_indicators", imports["app"][0]["indicators"])
        say("import_workbook_app", seconds(app))
        say("import_workbook_floor", seconds(floor))
        say("import_workbook_ratio", ratio(app, floor))
        if env_int("BENCH_OPENPYXL_FLOOR", 1):  # the floor: openpyxl read-only (one run: it is slow)
            url = databases.copy_empty("import_openpyxl")
            slow = figures("import", "--what", "floor_openpyxl", "--file", workbook, url=url)["seconds"]
            databases.drop("import_openpyxl")
            say("import_workbook_floor_openpyxl_1run", seconds(slow))
            say("import_workbook_ratio_vs_openpyxl_floor", ratio(app, slow))

        say("export_unit_sheets_projects", counts["sheets"])
        say("export_unit_sheets", seconds(median["unit_sheets"]))
        say("export_unit_sheets_peak_rss", f"{memory['unit_sheets']:.0f} MB")

        http_figures(databases.main_url, prepared, runs)
        say("load_average_at_end", " ".join(f"{v:.2f}" for v in os.getloadavg()))
        say("bench_wall_time", seconds(time.monotonic() - started))
    finally:
        databases.drop_all()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
