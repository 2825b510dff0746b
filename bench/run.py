"""``make bench``: build the default data set in a fresh database and print every figure, ``name: value``.

Sizes and repetitions come from the environment: BENCH_UNITS (200), BENCH_PROJECTS_PER_UNIT (25),
BENCH_INDICATORS_PER_PROJECT (12), BENCH_RUNS (3: each timed figure is the median of that many runs),
BENCH_HTTP_SECONDS (20), BENCH_HTTP_USERS (20), BENCH_SEED (1). BENCH_SCALE (1) multiplies the units:
10 is a province, 2,000 units × 25 projects × 12 indicators. Above 1, scoring, the flat export and the
import are also measured on the data set of scale 1 (BENCH_UNITS units, in a database of its own), and
each is printed at both sizes with the growth of its time (goal: no worse than linear, ≤ 1.1 × the scale);
``BENCH_UNITS=20 BENCH_SCALE=2`` runs that path in a few minutes. The database is a SQLite file in a
temporary folder, or, when DATABASE_URL is a postgres:// URL, a dedicated database ``jixiao_bench``
(``jixiao_bench_empty`` for the import figures, ``jixiao_bench_base`` for scale 1) on that server, created
here and dropped at the end.

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


def goal(text: str) -> str:
    """The issue's goal for a figure, printed beside it."""
    return f" (goal {text})"


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


def check_page(url: str, cookie: str) -> str:
    """The page answers 200 itself (not a redirect to the login page) with the cookie; its text."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    response = opener.open(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=60)  # noqa: S310 - http://127.0.0.1 only
    if response.status != 200:
        raise SystemExit(f"bench: {url} answered {response.status}")
    return response.read().decode()


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


# The project list as a reviewer looks for the weak ones: sorted by total, filtered by grade (ProjectFilter).
SORTED_LIST = urllib.parse.urlencode({"sort": "-total", "grade": "良"})
# Each page's goals at 20 users (issue 20): requests per second against the trivial view's, p95 in ms.
HTTP_GOALS = {"project_list_sorted": (0.3, 100), "project_page": (0.5, None), "dashboard": (None, 200)}


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
            "project_list_sorted": f"{base}/projects/?{SORTED_LIST}",
            "project_page": f"{base}/projects/{prepared['project']}/",
            "dashboard": f"{base}/dashboard/",
        }
        if "没有符合条件的项目" in check_page(pages["project_list_sorted"], cookie):
            raise SystemExit(f"bench: {pages['project_list_sorted']} lists no project")
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
            rps_goal, p95_goal = HTTP_GOALS.get(name, (None, None))
            say(f"http_{name}_rps", f"{rps:.1f}")
            say(f"http_{name}_p95", f"{p95:.1f} ms" + (goal(f"≤ {p95_goal} ms") if p95_goal else ""))
            if errors:
                say(f"http_{name}_errors", errors)
        for name in pages:
            if name == "trivial":
                continue
            rps_goal, _p95_goal = HTTP_GOALS.get(name, (None, None))
            ratio_rps = f"{medians[name][0] / medians['trivial'][0]:.2f}"
            say(f"http_{name}_rps_ratio", ratio_rps + (goal(f"≥ {rps_goal}") if rps_goal else ""))
            say(f"http_{name}_p95_ratio", f"{medians[name][1] / medians['trivial'][1]:.2f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def console_figures(url: str, common: list[str], runs: int) -> None:
    """The finance console's p95 in-process (issue 16): at the data set as generated (one department), then with
    each unit made a department of its own (as many departments as units: 200 at the default data set). Last,
    since the spread changes the data the other figures read."""
    for label, extra in (("", []), ("_spread", ["--what", "spread"])):
        console = figures("console", *common, "--runs", str(runs), *extra, url=url)
        departments = console["departments"]
        suffix = f"_at_{departments}_departments"
        say(f"console{label}_departments", departments)
        say(f"console_p95{suffix}", f"{console['p95_ms']:.1f} ms ({console['views']} views, in-process)")
        say(f"console_median{suffix}", f"{console['median_ms']:.1f} ms")
        say(f"console_queries{suffix}", console["queries"])


# --- main --------------------------------------------------------------------------------------


def import_runs(databases: Databases, workbook: str, runs: int, label: str = "") -> dict:
    """The app's import and its floor, each into a fresh copy of the empty database, interleaved ``runs`` times:
    median seconds, the indicators created and the app's peak RSS (the largest of its runs)."""
    results: dict[str, list[dict]] = {"app": [], "floor": []}
    for run in range(runs):
        for what in ("app", "floor"):
            name = f"{label}import_{what}_{run}"
            url = databases.copy_empty(name)
            results[what].append(figures("import", "--what", what, "--file", workbook, url=url))
            databases.drop(name)
    return {
        "app": statistics.median(r["seconds"] for r in results["app"]),
        "floor": statistics.median(r["seconds"] for r in results["floor"]),
        "indicators": results["app"][0]["indicators"],
        "peak_mb": max(r["peak_mb"] for r in results["app"]),
    }


def generate(url: str, units: int, per_unit: int, indicators: int) -> float:
    began = time.monotonic()
    manage(
        "generate_load_data", "--units", str(units), "--projects-per-unit", str(per_unit),
        "--indicators-per-project", str(indicators), "--department", DEPARTMENT, "--year", str(YEAR),
        url=url,
    )  # fmt: skip
    return time.monotonic() - began


def growth(name: str, base: float, scaled: float, scale: int) -> None:
    """The time at scale 1 and at ``scale``, and how much it grew: linear is ``scale`` times."""
    say(
        f"{name}_growth",
        f"{scaled / base:.1f}x for {scale}x the data ({seconds(base)} at 1x, {seconds(scaled)} at {scale}x)"
        + goal(f"≤ {1.1 * scale:g}x"),
    )


def base_figures(databases: Databases, tmp: str, sizes: tuple[int, int, int], runs: int) -> dict:
    """Scoring, the flat export and the import on the data set of scale 1, in a database of its own."""
    url = databases.copy_empty("base")
    folder = os.path.join(tmp, "base")
    os.makedirs(folder)
    say("dataset_at_1x", "{} units x {} projects x {} indicators".format(*sizes))
    say("generate_load_data_at_1x", seconds(generate(url, *sizes)))
    common = ["--department", DEPARTMENT, "--year", str(YEAR), "--tmp", folder]
    median = figures("timings", *common, "--runs", str(runs), url=url)["median"]
    databases.drop("base")
    imports = import_runs(databases, os.path.join(folder, "flat.xlsx"), runs, label="base_")
    say("score_all_app_at_1x", seconds(median["score_app"]))
    say("score_all_ratio_at_1x", ratio(median["score_app"], median["score_floor"]) + goal("≤ 1.5"))
    say("export_workbook_app_at_1x", seconds(median["export_app"]))
    say("export_workbook_ratio_at_1x", ratio(median["export_app"], median["export_floor"]) + goal("≤ 0.8"))
    say("import_workbook_app_at_1x", seconds(imports["app"]))
    say("import_workbook_ratio_at_1x", ratio(imports["app"], imports["floor"]) + goal("≤ 2.0"))
    say("import_workbook_peak_rss_at_1x", f"{imports['peak_mb']:.0f} MB")
    return {"score": median["score_app"], "export": median["export_app"], "import": imports["app"]}


def main() -> None:
    started = time.monotonic()
    base_units = env_int("BENCH_UNITS", 200)
    scale = max(1, env_int("BENCH_SCALE", 1))
    units = base_units * scale
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
        say("scale", scale)
        say("dataset", f"{units} units x {per_unit} projects x {indicators} indicators")
        say("generate_load_data", seconds(generate(databases.main_url, units, per_unit, indicators)))
        common = ["--department", DEPARTMENT, "--year", str(YEAR), "--tmp", tmp]
        prepared = figures("prepare", *common, url=databases.main_url)

        timings = figures("timings", *common, "--runs", str(runs), url=databases.main_url)
        median, counts = timings["median"], timings["counts"]
        say("runs_per_figure", runs)
        say("score_all_projects", counts["scored"])
        say("score_all_app", seconds(median["score_app"]))
        say("score_all_floor", seconds(median["score_floor"]))
        say("score_all_ratio", ratio(median["score_app"], median["score_floor"]) + goal("≤ 1.5"))

        memory = {what: figures("memory", *common, "--what", what, url=databases.main_url)["peak_mb"]
                  for what in ("baseline", "export", "unit_sheets")}  # fmt: skip
        say("export_workbook_rows", counts["rows"])
        say("export_workbook_app", seconds(median["export_app"]))
        say("export_workbook_floor", seconds(median["export_floor"]))  # openpyxl write-only, plain values
        say("export_workbook_ratio", ratio(median["export_app"], median["export_floor"]) + goal("≤ 0.8"))
        say("export_workbook_peak_rss", f"{memory['export']:.0f} MB" + goal("≤ 300 MB"))
        say("process_baseline_rss", f"{memory['baseline']:.0f} MB")

        workbook = os.path.join(tmp, "flat.xlsx")
        imports = import_runs(databases, workbook, runs)
        say("import_workbook_indicators", imports["indicators"])
        say("import_workbook_app", seconds(imports["app"]))
        say("import_workbook_floor", seconds(imports["floor"]))
        say("import_workbook_ratio", ratio(imports["app"], imports["floor"]) + goal("≤ 2.0"))
        say("import_workbook_peak_rss", f"{imports['peak_mb']:.0f} MB" + goal("≤ 1 GB"))
        if env_int("BENCH_OPENPYXL_FLOOR", 1):  # the floor: openpyxl read-only (one run: it is slow)
            url = databases.copy_empty("import_openpyxl")
            slow = figures("import", "--what", "floor_openpyxl", "--file", workbook, url=url)["seconds"]
            databases.drop("import_openpyxl")
            say("import_workbook_floor_openpyxl_1run", seconds(slow))
            say("import_workbook_ratio_vs_openpyxl_floor", ratio(imports["app"], slow))

        say("export_unit_sheets_projects", counts["sheets"])
        say("export_unit_sheets", seconds(median["unit_sheets"]))
        say("export_unit_sheets_peak_rss", f"{memory['unit_sheets']:.0f} MB")

        if scale > 1:
            base = base_figures(databases, tmp, (base_units, per_unit, indicators), runs)
            growth("score_all", base["score"], median["score_app"], scale)
            growth("export_workbook", base["export"], median["export_app"], scale)
            growth("import_workbook", base["import"], imports["app"], scale)

        # The list and the dashboard serve their cached part until a write: what a view costs on a miss (the
        # first after a write) and on a hit, in-process (the HTTP figures below load the same pages warm).
        pages = figures("pages", *common, "--runs", str(runs), url=databases.main_url)
        for name, timing in pages.items():
            say(f"page_{name}_miss", f"{timing['miss_ms']:.1f} ms")
            say(f"page_{name}_hit", f"{timing['hit_ms']:.1f} ms")

        # The declaration form's suggestions (issue 15): the library's entries with last year's and every peer's
        # figures, for a department reviewer who sees all its projects.
        suggested = figures("suggestions", *common, url=databases.main_url)
        say("suggestions_requests", suggested["requests"])
        say("suggestions_median", f"{suggested['median_ms']:.1f} ms")
        say("suggestions_p95", f"{suggested['p95_ms']:.1f} ms" + goal("< 100 ms"))
        say("suggestions_miss_median", f"{suggested['miss_median_ms']:.1f} ms")  # the first after a write
        say("suggestions_miss_p95", f"{suggested['miss_p95_ms']:.1f} ms")

        # Finance's spot-check draw: sample() over the year's projects (every one, and the approved ones).
        draws = figures("draw", *common, "--runs", str(runs), url=databases.main_url)
        for scope, draw in draws.items():
            say(f"draw_sample_{scope}", seconds(draw["seconds"]) + f" ({draw['population']} projects)")

        http_figures(databases.main_url, prepared, runs)
        console_figures(databases.main_url, common, runs)
        say("load_average_at_end", " ".join(f"{v:.2f}" for v in os.getloadavg()))
        say("bench_wall_time", seconds(time.monotonic() - started))
    finally:
        databases.drop_all()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
