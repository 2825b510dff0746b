"""The measurements, run by ``bench/run.py`` in child processes: ``python -m bench.figures TASK [--option value]``.

Each task prints one JSON object on its last line. Timings are wall-clock seconds (time.perf_counter);
peak memory is the child process's peak resident set (resource.getrusage ru_maxrss), so it includes
Python and Django (the ``baseline`` task gives that part alone).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections import Counter
from decimal import Decimal
from io import BytesIO

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from budgets.models import Access, Department, Project, Unit  # noqa: E402
from performance.interchange.columns import INDICATOR_SHEET, MONEY_COLUMNS, PROJECT_SHEET  # noqa: E402
from performance.interchange.export import write_flat_workbook  # noqa: E402
from performance.interchange.importer import import_workbook  # noqa: E402
from performance.models import (  # noqa: E402
    ActualResult,
    Evaluation,
    Indicator,
    IndicatorCategory,
    IndicatorScore,
    ProjectGoal,
    ProjectScore,
)
from performance.scoring import BudgetInput, RowInput, Rules, score_evaluation  # noqa: E402
from performance.services import score_projects  # noqa: E402
from performance.sheets import write_evaluation_workbook  # noqa: E402
from performance.targets import Target  # noqa: E402

BENCH_USER = "bench"
BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throwaway database
SUGGESTED = 100  # projects whose suggestions are timed
MISSES = 20  # of them, timed again each on an empty cache


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def department_projects(code: str, year: int):
    return Project.objects.filter(year=year, unit__department__code=code)


def decimal(value) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


# --- score_all -----------------------------------------------------------------------------------


def score_app(code: str, year: int) -> int:
    return len(score_projects(department_projects(code, year)))


SCORE_SQL = """
SELECT p.id, p.full_year_total, p.full_year_fiscal, p.full_year_carryover, p.full_year_other,
       p.executed_total, p.executed_fiscal, p.executed_carryover, p.executed_other,
       e.reported_budget_score, e.budget_deviation_reason, e.reported_total,
       i.id, c.{group}, i.target, i.target_parsed, i.weight, i.name,
       r.actual, r.tier, r.evaluator_score, r.reported_score, r.deviation_reason
FROM {project} p
JOIN {unit} u ON u.id = p.unit_id
JOIN {department} d ON d.id = u.department_id
LEFT JOIN {evaluation} e ON e.project_id = p.id
LEFT JOIN {indicator} i ON i.project_id = p.id
LEFT JOIN {category} c ON c.id = i.level1_id
LEFT JOIN {result} r ON r.indicator_id = i.id
WHERE p.year = %s AND d.code = %s
ORDER BY p.id, i."order", i.id
"""


def _total(given, *sources):
    if given is not None:
        return decimal(given)
    known = [decimal(v) for v in sources if v is not None]
    return sum(known, Decimal("0")) if known else None


def score_floor(code: str, year: int) -> int:
    """One raw query for the same columns, then the pure scorer (stored parse of each target) in a loop."""
    sql = SCORE_SQL.format(
        group=connection.ops.quote_name("group"),
        project=table(Project),
        unit=table(Unit),
        department=table(Department),
        evaluation=table(Evaluation),
        indicator=table(Indicator),
        category=table(IndicatorCategory),
        result=table(ActualResult),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [year, code])
        records = cursor.fetchall()
    rules = Rules()
    scores = {}
    current, head, rows = None, None, []

    def flush():
        budget = BudgetInput(
            full_year=_total(*head[1:5]),
            executed=_total(*head[5:9]),
            reported_score=decimal(head[9]),
            deviation_reason=head[10] or "",
        )
        scores[current] = score_evaluation(budget, rows, rules=rules, reported_total=decimal(head[11]))

    for record in records:
        if record[0] != current:
            if current is not None:
                flush()
            current, head, rows = record[0], record, []
        if record[12] is None:
            continue
        parsed = record[15]
        if isinstance(parsed, str):
            parsed = json.loads(parsed)
        rows.append(
            RowInput(
                group=record[13],
                target=Target.from_json(parsed or {}, text=record[14]),
                actual=record[18] or "",
                tier=record[19] or "",
                evaluator_score=decimal(record[20]),
                weight=decimal(record[16]),
                reported_score=decimal(record[21]),
                deviation_reason=record[22] or "",
                name=record[17],
            )
        )
    if current is not None:
        flush()
    return len(scores)


# --- export_workbook -----------------------------------------------------------------------------

PROJECT_SQL = """
SELECT p.year, d.code, d.name, u.code, u.name, p.code, p.name, g.text, e.goal_actual, {money},
       e.reported_budget_score, e.budget_deviation_reason
FROM {project} p
JOIN {unit} u ON u.id = p.unit_id
JOIN {department} d ON d.id = u.department_id
LEFT JOIN {goal} g ON g.project_id = p.id
LEFT JOIN {evaluation} e ON e.project_id = p.id
WHERE p.year = %s AND d.code = %s
ORDER BY p.year, u."order", p."order", p.id
"""
INDICATOR_SQL = """
SELECT p.year, u.code, p.code, p.name,
       CASE WHEN i.level1_as_written <> '' THEN i.level1_as_written ELSE c1.name END,
       CASE WHEN i.level2_as_written <> '' THEN i.level2_as_written ELSE c2.name END,
       i.name, i.description, i.target, i.basis, i.weight, r.actual,
       COALESCE(r.evaluator_score, r.reported_score), r.deviation_reason
FROM {indicator} i
JOIN {project} p ON p.id = i.project_id
JOIN {unit} u ON u.id = p.unit_id
JOIN {department} d ON d.id = u.department_id
JOIN {category} c1 ON c1.id = i.level1_id
JOIN {category} c2 ON c2.id = i.level2_id
LEFT JOIN {result} r ON r.indicator_id = i.id
WHERE p.year = %s AND d.code = %s
ORDER BY p.year, u."order", p."order", p.id, i."order", i.id
"""


def export_app(code: str, year: int, path: str) -> int:
    with open(path, "wb") as out:
        return write_flat_workbook(department_projects(code, year), out)


def export_floor(code: str, year: int, path: str) -> int:
    """Two raw queries, then openpyxl write-only appending the plain values (no styles, no formats)."""
    names = {
        "project": table(Project),
        "unit": table(Unit),
        "department": table(Department),
        "goal": table(ProjectGoal),
        "evaluation": table(Evaluation),
        "indicator": table(Indicator),
        "category": table(IndicatorCategory),
        "result": table(ActualResult),
        "money": ", ".join(f"p.{name}" for name in MONEY_COLUMNS),
    }
    book = Workbook(write_only=True)
    rows = 0
    for title, sql in ((PROJECT_SHEET, PROJECT_SQL), (INDICATOR_SHEET, INDICATOR_SQL)):
        sheet = book.create_sheet(title)
        sheet.append([f"列{n}" for n in range(14 if title == INDICATOR_SHEET else 23)])
        with connection.cursor() as cursor:
            cursor.execute(sql.format(**names), [year, code])
            for record in cursor:
                sheet.append(record)
                rows += title == INDICATOR_SHEET
    with open(path, "wb") as out:
        book.save(out)
    return rows


# --- export_unit_sheets --------------------------------------------------------------------------


def unit_sheets(code: str, year: int) -> int:
    unit = Unit.objects.filter(department__code=code).order_by("order", "id").first()
    projects = Project.objects.filter(unit=unit, year=year).order_by("order", "id")
    buffer = BytesIO()
    return write_evaluation_workbook(projects, buffer, title=f"{year}年度{unit.name}项目支出绩效自评汇总表")


# --- import_workbook -----------------------------------------------------------------------------


def read_calamine(path: str) -> tuple[list, list]:
    book = CalamineWorkbook.from_path(path)
    return tuple(book.get_sheet_by_name(title).to_python()[1:] for title in (PROJECT_SHEET, INDICATOR_SHEET))


def read_openpyxl(path: str) -> tuple[list, list]:
    book = load_workbook(path, read_only=True, data_only=True)
    sheets = tuple(
        [["" if v is None else v for v in row] for row in book[title].iter_rows(min_row=2, values_only=True)]
        for title in (PROJECT_SHEET, INDICATOR_SHEET)
    )
    book.close()
    return sheets


def import_floor(path: str, reader=read_calamine) -> int:
    """Reading both sheets (python-calamine, or openpyxl read-only), then bulk_create of the same rows and
    of a stored score for each project and indicator (no checks, no parsing, no scoring, no history)."""
    projects, indicators = reader(path)
    categories = {(c.level, c.name): c.pk for c in IndicatorCategory.objects.all()}
    money = list(MONEY_COLUMNS)
    with transaction.atomic():
        department = Department.objects.create(code=str(projects[0][1]), name=projects[0][2])
        units = {}
        for row in projects:
            code = str(row[3]).removesuffix(".0")
            if code not in units:
                units[code] = Unit(department=department, code=code, name=row[4], order=len(units))
        Unit.objects.bulk_create(units.values(), batch_size=2000)
        new = {}
        for row in projects:
            values = {
                name: (None if v in ("", None) else Decimal(str(v))) for name, v in zip(money, row[9:21], strict=True)
            }
            unit_code = str(row[3]).removesuffix(".0")
            new[(unit_code, row[5])] = Project(
                unit=units[unit_code], year=int(row[0]), code=row[5], name=row[6], **values
            )
        Project.objects.bulk_create(new.values(), batch_size=2000)
        ProjectGoal.objects.bulk_create(
            [ProjectGoal(project=new[(str(r[3]).removesuffix(".0"), r[5])], text=r[7]) for r in projects],
            batch_size=2000,
        )
        Evaluation.objects.bulk_create(
            [
                Evaluation(
                    project=new[(str(r[3]).removesuffix(".0"), r[5])],
                    goal_actual=r[8],
                    reported_budget_score=None if r[21] in ("", None) else Decimal(str(r[21])),
                    budget_deviation_reason=r[22],
                )
                for r in projects
            ],
            batch_size=2000,
        )
        rows, results, orders = [], [], Counter()
        for r in indicators:
            key = (str(r[1]).removesuffix(".0"), r[2])
            orders[key] += 1
            indicator = Indicator(
                project=new[key],
                level1_id=categories[(1, r[4])],
                level2_id=categories.get((2, r[5])) or next(pk for (lv, n), pk in categories.items() if n == r[5]),
                name=r[6],
                description=r[7],
                target=r[8],
                basis=r[9],
                weight=None if r[10] in ("", None) else Decimal(str(r[10])),
                order=orders[key],
            )
            rows.append(indicator)
            score = None if r[12] in ("", None) else Decimal(str(r[12]))
            results.append(
                ActualResult(indicator=indicator, actual=r[11], reported_score=score, deviation_reason=r[13])
            )
        Indicator.objects.bulk_create(rows, batch_size=2000)
        ActualResult.objects.bulk_create(results, batch_size=2000)
        # The stored scores (issue 20) are rows the import writes too: written here, not computed.
        zero = Decimal("0.00")
        ProjectScore.objects.bulk_create([ProjectScore(project=p) for p in new.values()], batch_size=2000)
        IndicatorScore.objects.bulk_create(
            [IndicatorScore(indicator=i, weight=zero, score=zero) for i in rows], batch_size=2000
        )
    return len(rows)


# --- tasks ---------------------------------------------------------------------------------------


def task_prepare(args) -> dict:
    """The user the HTTP figures log in as (reviewer of the department) and the pages they load."""
    user = get_user_model().objects.create_user(BENCH_USER, password=BENCH_PASSWORD)
    department = Department.objects.get(code=args.department)
    Access.objects.create(user=user, role=Access.Role.REVIEWER, department=department)
    project = department_projects(args.department, args.year).order_by("unit__order", "order", "id").first()
    return {"username": BENCH_USER, "password": BENCH_PASSWORD, "project": project.pk}


def task_pages(args) -> dict:
    """The list and the dashboard in this process (Django's test client, as the bench's user): each page's
    time on a miss of its cached part (the first view after a write) and on a hit, median of ``runs``."""
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")  # bench.settings' ALLOWED_HOSTS

    def view(path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    assert client.login(username=BENCH_USER, password=BENCH_PASSWORD)
    pages = {"project_list_sorted": "/projects/?sort=-total&grade=良", "dashboard": "/dashboard/"}
    result = {}
    for name, path in pages.items():
        view(path)  # the process's first view of the page (templates compiled, modules imported) is not a miss
        miss, hit = [], []
        for _run in range(args.runs):
            cache.clear()
            miss.append(timed(lambda path=path: view(path)))
            hit.append(timed(lambda path=path: view(path)))
        result[name] = {"miss_ms": statistics.median(miss) * 1000, "hit_ms": statistics.median(hit) * 1000}
    return result


def task_suggestions(args) -> dict:
    """The declaration form's suggestion endpoint (the indicator library, issue 15) in this process as the bench's
    user (the department's reviewer: every project is a peer): one request for each of ``SUGGESTED`` projects
    spread over the units, after one warm request (the peers' rows are cached under the department-years'
    versions, shared by the projects of the same categories); then ``MISSES`` requests each after the cache is
    cleared (the first request after a write). p95 and median in ms."""
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    assert client.login(username=BENCH_USER, password=BENCH_PASSWORD)
    projects = list(department_projects(args.department, args.year).order_by("id").values_list("pk", flat=True))
    step = max(1, len(projects) // SUGGESTED)
    chosen = projects[::step][:SUGGESTED]

    def view(pk: int) -> None:
        response = client.get(f"/projects/{pk}/targets/suggestions/")
        assert response.status_code == 200, (pk, response.status_code)
        assert response.json()["entries"], pk

    view(chosen[0])
    times = sorted(timed(lambda pk=pk: view(pk)) * 1000 for pk in chosen)
    misses = []
    for pk in chosen[:: max(1, len(chosen) // MISSES)][:MISSES]:
        cache.clear()
        misses.append(timed(lambda pk=pk: view(pk)) * 1000)
    misses.sort()
    return {
        "requests": len(times),
        "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))],
        "median_ms": statistics.median(times),
        "miss_p95_ms": misses[min(len(misses) - 1, int(len(misses) * 0.95))],
        "miss_median_ms": statistics.median(misses),
    }


def task_timings(args) -> dict:
    """score_all, export_workbook and export_unit_sheets: app and floor interleaved, ``runs`` times each."""
    code, year, runs = args.department, args.year, args.runs
    app_file, floor_file = os.path.join(args.tmp, "flat.xlsx"), os.path.join(args.tmp, "floor.xlsx")
    figures: dict[str, list[float]] = {
        key: [] for key in ("score_app", "score_floor", "export_app", "export_floor", "unit_sheets")
    }
    counts = {}
    for _run in range(runs):
        figures["score_app"].append(timed(lambda: counts.__setitem__("scored", score_app(code, year))))
        figures["score_floor"].append(timed(lambda: counts.__setitem__("scored_floor", score_floor(code, year))))
        figures["export_app"].append(timed(lambda: counts.__setitem__("rows", export_app(code, year, app_file))))
        figures["export_floor"].append(
            timed(lambda: counts.__setitem__("rows_floor", export_floor(code, year, floor_file)))
        )
        figures["unit_sheets"].append(timed(lambda: counts.__setitem__("sheets", unit_sheets(code, year))))
    return {"runs": figures, "median": {k: statistics.median(v) for k, v in figures.items()}, "counts": counts}


def task_memory(args) -> dict:
    if args.what == "export":
        export_app(args.department, args.year, os.path.join(args.tmp, "memory.xlsx"))
    elif args.what == "unit_sheets":
        unit_sheets(args.department, args.year)
    else:  # baseline: start-up and one query
        Department.objects.count()
    return {"peak_mb": peak_mb()}


def task_import(args) -> dict:
    if args.what == "app":
        report = {}
        seconds = timed(lambda: report.setdefault("r", import_workbook(file=args.file)))
        counts = report["r"].counts
        return {
            "seconds": seconds,
            "indicators": counts["绩效指标"]["created"],
            "projects": counts["项目"]["created"],
            "peak_mb": peak_mb(),
        }
    reader = read_openpyxl if args.what == "floor_openpyxl" else read_calamine
    rows = {}
    seconds = timed(lambda: rows.setdefault("n", import_floor(args.file, reader)))
    return {"seconds": seconds, "indicators": rows["n"], "projects": Project.objects.count(), "peak_mb": peak_mb()}


def task_draw(args) -> dict:
    """``sample()`` of finance's spot-check draw (抽查复核) over the year's projects: every project (scope any) and the
    approved self-evaluations, 10% of each with a fixed seed; median seconds of ``runs`` draws and the population.
    The generated data has no previous year, so no row is read against last year's actuals."""
    from performance.spotchecks.services import sample

    result = {}
    for scope in ("any", "approved"):
        times, populations = [], []
        for _run in range(args.runs):
            started = time.perf_counter()
            _drawn, population = sample(year=args.year, seed=1, share=Decimal("10"), scope=scope)
            times.append(time.perf_counter() - started)
            populations.append(population)
        result[scope] = {"seconds": statistics.median(times), "population": populations[0]}
    return result


CONSOLE_USER = "bench-finance"
CONSOLE_REQUESTS = 20  # per run: the console's p95 is the 95th percentile of runs × this many views


def spread_departments(code: str) -> int:
    """Give each unit of department ``code`` a department of its own (``code``-0001 …): the same projects, as many
    departments as units (200 at the default data set). The departments the console shows afterwards."""
    units = list(Unit.objects.filter(department__code=code).order_by("order", "id"))
    with transaction.atomic():
        for n, unit in enumerate(units[1:], start=1):
            department = Department.objects.create(code=f"{code}-{n:04d}", name=f"压力测试部门{code}-{n:04d}")
            Unit.objects.filter(pk=unit.pk).update(department=department)
    return Department.objects.count()


def task_console(args) -> dict:
    """The finance console (every department's year) in this process, as a finance user: p95 and median of
    ``runs`` × CONSOLE_REQUESTS views, and the queries one view makes; ``--what spread``: first one department per
    unit (``spread_departments``)."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if args.what == "spread":
        spread_departments(args.department)
    user, _created = get_user_model().objects.get_or_create(username=CONSOLE_USER)
    user.set_password(BENCH_PASSWORD)
    user.save()
    Access.objects.get_or_create(user=user, role=Access.Role.FINANCE)
    client = Client(HTTP_HOST="127.0.0.1")
    assert client.login(username=CONSOLE_USER, password=BENCH_PASSWORD)
    path = f"/console/?year={args.year}"

    def view() -> None:
        response = client.get(path)
        assert response.status_code == 200, response.status_code

    view()  # warm
    with CaptureQueriesContext(connection) as captured:
        view()
    queries = len(captured)  # now: the captured list is a slice of a log the next request clears
    times = sorted(timed(view) for _ in range(args.runs * CONSOLE_REQUESTS))
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return {
        "departments": Department.objects.count(),
        "queries": queries,
        "views": len(times),
        "p95_ms": p95 * 1000,
        "median_ms": statistics.median(times) * 1000,
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "task", choices=["prepare", "timings", "memory", "import", "pages", "console", "suggestions", "draw"]
    )
    parser.add_argument("--department", default="900")
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tmp", default=".")
    parser.add_argument("--what", default="")
    parser.add_argument("--file", default="")
    args = parser.parse_args(argv)
    tasks = {
        "prepare": task_prepare,
        "timings": task_timings,
        "memory": task_memory,
        "import": task_import,
        "pages": task_pages,
        "console": task_console,
        "suggestions": task_suggestions,
        "draw": task_draw,
    }
    result = tasks[args.task](args)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
