"""The version that keys the cached parts of the project page.

A version is a digest of every row a cached part is built from, read from the database on every request,
so a cached part never outlives the data it shows however that data was written (a form, the workflow, an
import, the admin, a plain UPDATE, another server), and needs no invalidation:

``project_page_version(project)`` digests the project, its unit and department, goal and self-evaluation, its
  indicators with their results, the indicator framework, the evidence files, what carrying forward reads
  (the unit's projects of the years before and after, last year's indicators, the monitoring rounds), for
  the history the count, last id and last time of each history table's records, and the people named.
  The page caches what looks the same to every viewer under it; the workflow buttons, CSRF tokens,
  carry-forward buttons and messages are rendered on every request.

It also digests the code and translations, the language, the time zone and the review settings; the
scoring rules through the stored score's rule set version.
The rows are read by plain SQL statements, table names from the models' ``_meta``: a fraction of a
millisecond, where the ORM would take longer to compile them than the database takes to answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache as shared_cache
from django.db import connection
from django.utils import timezone, translation

from budgets.models import Department, Project, Unit
from budgets.permissions import department_ids_for, scope_of

from .models import (
    ActualResult,
    Adjustment,
    BaselineIndicator,
    Evaluation,
    Evidence,
    Indicator,
    IndicatorCategory,
    MonitoringRound,
    ProjectGoal,
    ProjectScore,
    TargetSet,
)
from .scores import versions

# Cached parts live this long at most; the version, not the timeout, keeps them right.
PAGE_CACHE_SECONDS = 3600
T = TypeVar("T")


def shown_to(user) -> versions.Shown:
    """The versions of the department-years the user may see, under which the lists, the dashboard and the console
    cache what they show, with who sees what and the language, time zone, code and rules (``context_version``)."""
    return versions.Shown(department_ids_for(user), (scope_of(user), context_version()))


def cached(key: str, build: Callable[[], T]) -> T:
    """The part cached under ``key`` (a version of everything it shows), built and cached on a miss."""
    value = shared_cache.get(key)
    if value is None:
        value = build()
        shared_cache.set(key, value, PAGE_CACHE_SECONDS)
    return value


# The project page: each statement with the names of its parameters. Plain one-table statements mostly:
# PostgreSQL takes longer to plan one join of them all than to answer them one by one.
PAGE_STATEMENTS = [
    ("SELECT * FROM {project} WHERE id = %s", ["project"]),
    ("SELECT * FROM {unit} WHERE id = %s", ["unit"]),
    ("SELECT * FROM {department} WHERE id = %s", ["department"]),
    ("SELECT * FROM {goal} WHERE project_id = %s", ["project"]),
    ("SELECT * FROM {evaluation} WHERE project_id = %s", ["project"]),
    # The rules that scored it (a version's rules never change; a new choice rescores and records another).
    ("SELECT rule_version_id, total, grade FROM {score} WHERE project_id = %s", ["project"]),
    (
        "SELECT i.*, r.* FROM {indicator} i LEFT JOIN {result} r ON r.indicator_id = i.id"
        " WHERE i.project_id = %s ORDER BY i.id",
        ["project"],
    ),
    ("SELECT * FROM {category} ORDER BY id", []),  # the indicator framework
    ("SELECT * FROM {evidence} WHERE project_id = %s ORDER BY id", ["project"]),
    # The declaration: its state, the approved baseline and the adjustments.
    ("SELECT * FROM {target_set} WHERE project_id = %s", ["project"]),
    (
        "SELECT * FROM {baseline} WHERE target_set_id IN (SELECT id FROM {target_set} WHERE project_id = %s)"
        " ORDER BY id",
        ["project"],
    ),
    ("SELECT * FROM {adjustment} WHERE project_id = %s ORDER BY id", ["project"]),
    # Carrying forward: the unit's projects of the years before and after, last year's indicators and
    # results, the department's monitoring rounds of the year.
    (
        "SELECT id, code, name, year FROM {project} WHERE unit_id = %s AND year IN (%s, %s) ORDER BY id",
        ["unit", "last_year", "next_year"],
    ),
    (
        "SELECT i.*, r.* FROM {indicator} i LEFT JOIN {result} r ON r.indicator_id = i.id"
        " WHERE i.project_id IN (SELECT id FROM {project} WHERE unit_id = %s AND year = %s) ORDER BY i.id",
        ["unit", "last_year"],
    ),
    (  # which round the project page links to: the latest open one (a round's task never changes its number)
        "SELECT id, task_id, status FROM {round} WHERE department_id = %s AND year = %s ORDER BY id",
        ["department", "year"],
    ),
    # The history: each table's records of the project, how many, the last id and the last time (records
    # are only ever added, so these change whenever the history shown does).
    (
        "SELECT COUNT(*), MAX(history_id), MAX(history_date) FROM {evaluation_history} WHERE project_id = %s",
        ["project"],
    ),
    ("SELECT COUNT(*), MAX(history_id), MAX(history_date) FROM {goal_history} WHERE project_id = %s", ["project"]),
    (
        "SELECT COUNT(*), MAX(history_id), MAX(history_date) FROM {target_set_history} WHERE project_id = %s",
        ["project"],
    ),
    (
        "SELECT COUNT(*), MAX(history_id), MAX(history_date) FROM {adjustment_history} WHERE project_id = %s",
        ["project"],
    ),
    ("SELECT COUNT(*), MAX(history_id), MAX(history_date) FROM {indicator_history} WHERE project_id = %s", ["project"]),
    (
        "SELECT COUNT(*), MAX(history_id), MAX(history_date) FROM {result_history}"
        " WHERE indicator_id IN (SELECT id FROM {indicator_history} WHERE project_id = %s)",
        ["project"],
    ),
    (
        "SELECT COUNT(*), MAX(history_id), MAX(history_date) FROM {evidence_history} WHERE project_id = %s",
        ["project"],
    ),
    (  # the people the page names: in the history, on the evidence, on the self-evaluation
        "SELECT id, username, first_name, last_name FROM {user} WHERE id IN ("
        " SELECT history_user_id FROM {evaluation_history} WHERE project_id = %s"
        " UNION SELECT history_user_id FROM {goal_history} WHERE project_id = %s"
        " UNION SELECT history_user_id FROM {indicator_history} WHERE project_id = %s"
        " UNION SELECT history_user_id FROM {result_history}"
        " WHERE indicator_id IN (SELECT id FROM {indicator_history} WHERE project_id = %s)"
        " UNION SELECT uploaded_by_id FROM {evidence} WHERE project_id = %s"
        " UNION SELECT submitted_by_id FROM {evaluation} WHERE project_id = %s"
        " UNION SELECT reviewed_by_id FROM {evaluation} WHERE project_id = %s"
        " UNION SELECT history_user_id FROM {target_set_history} WHERE project_id = %s"
        " UNION SELECT history_user_id FROM {adjustment_history} WHERE project_id = %s"
        " UNION SELECT history_user_id FROM {evidence_history} WHERE project_id = %s"
        ") ORDER BY id",
        ["project"] * 10,
    ),
]


@cache
def _page_statements(vendor: str) -> list[tuple[str, list[str]]]:
    return [(sql.format(**_tables(vendor)), names) for sql, names in PAGE_STATEMENTS]


@cache
def _tables(vendor: str) -> dict[str, str]:
    """The tables' names quoted for the database, by the names the statements use (``Model.history`` is not free)."""
    models = {
        "project": Project,
        "unit": Unit,
        "department": Department,
        "goal": ProjectGoal,
        "evaluation": Evaluation,
        "score": ProjectScore,
        "indicator": Indicator,
        "result": ActualResult,
        "category": IndicatorCategory,
        "evidence": Evidence,
        "round": MonitoringRound,
        "user": get_user_model(),
        "evaluation_history": Evaluation.history.model,
        "goal_history": ProjectGoal.history.model,
        "indicator_history": Indicator.history.model,
        "result_history": ActualResult.history.model,
        "target_set": TargetSet,
        "baseline": BaselineIndicator,
        "adjustment": Adjustment,
        "target_set_history": TargetSet.history.model,
        "adjustment_history": Adjustment.history.model,
        "evidence_history": Evidence.history.model,
    }
    return {name: connection.ops.quote_name(model._meta.db_table) for name, model in models.items()}


@cache
def code_version() -> str:
    """A digest of the app's code, templates and translations: a shared cache never serves a deploy old markup."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    sources = (("performance", "**/*.py"), ("budgets", "**/*.py"), ("templates", "**/*.html"), ("locale", "**/*.mo"))
    for folder, pattern in sources:
        for path in sorted((root / folder).glob(pattern)):
            if "migrations" not in path.parts:
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def context_version() -> bytes:
    """What every cached part depends on besides the rows: the code, language, time zone and rules."""
    return repr(
        (
            code_version(),
            translation.get_language(),
            timezone.get_current_timezone_name(),
            sorted(getattr(settings, "JIXIAO_REVIEW_DISABLED", None) or ()),
        )
    ).encode()


def project_page_version(project: Project) -> str:
    """The version of what the project page caches for ``project``: changes whenever any of it does.

    ``project`` needs its id, year, unit id and the unit's department id (the statements' parameters).
    """
    params = {
        "project": project.pk,
        "unit": project.unit_id,
        "department": project.unit.department_id,
        "year": project.year,
        "last_year": project.year - 1,
        "next_year": project.year + 1,
    }
    digest = hashlib.sha256(context_version())
    with connection.cursor() as cursor:
        for sql, names in _page_statements(connection.vendor):
            cursor.execute(sql, [params[name] for name in names])
            digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()
