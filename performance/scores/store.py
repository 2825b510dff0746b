"""Computing the stored scores and writing what differs (the one writer of ``ProjectScore`` and ``IndicatorScore``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from budgets.models import Project

from ..actuals import ActualKind
from ..scoring import EvaluationScore
from ..services import score_project_rows
from .models import IndicatorScore, ProjectScore
from .versions import touch

CHUNK = 2000  # projects scored and written per round: bounded memory at any scale
PROJECT_FIELDS = ["started", "complete", "rate", "total", "grade", "rule_version"]
BATCH = 2000  # rows a call of executemany


class Figures(NamedTuple):
    """What is stored of a project's score."""

    started: bool
    complete: bool
    rate: Decimal | None
    total: Decimal
    grade: str
    rule_version: int | None  # the id of the rule set version that scored it

    @classmethod
    def of(cls, score: EvaluationScore, rule_version: int | None) -> Figures:
        started = score.started
        # A project nobody has started has no grade yet: 未填报, not 差.
        return cls(
            started, all_entered(score), score.budget.rate, score.total, score.grade if started else "", rule_version
        )


def all_entered(score: EvaluationScore) -> bool:
    """Whether every actual is entered: the amount executed (so a rate) and each applicable indicator's actual
    value, tier or evaluator's score. Only such evaluations count in averages (a missing actual scores 0)."""
    return score.budget.rate is not None and all(
        row.actual.kind != ActualKind.MISSING or bool(row.tier) for row in score.rows if row.applicable
    )


@dataclass
class Rescored:
    """What a rescore found: how many projects it scored, and each stored figure it changed (old → new)."""

    scored: int = 0
    changed: list[tuple[int, Figures | None, Figures]] = field(default_factory=list)
    rows_changed: int = 0

    def __bool__(self) -> bool:
        return bool(self.changed or self.rows_changed)


def rescore(projects: Iterable[int] | QuerySet[Project], *, write: bool = True) -> Rescored:
    """Compute the scores of these projects (ids or a queryset) and store those that differ, atomically;
    with ``write=False`` only report what differs."""
    if isinstance(projects, QuerySet):
        ids = list(projects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(projects))
    result = Rescored()
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            _rescore_chunk(ids[start : start + CHUNK], result, write)
        if write:
            touch(ids)  # what the lists show of them may have changed with the data: new versions
    return result


def _rescore_chunk(ids: list[int], result: Rescored, write: bool) -> None:
    rows: dict[int, list[int]] = {}
    versions: dict[int, int] = {}
    scores = score_project_rows(Project.objects.filter(pk__in=ids), indicator_ids=rows, versions=versions)
    stored = {
        values[0]: Figures(*values[1:])
        for values in ProjectScore.objects.filter(project_id__in=ids).values_list("project_id", *PROJECT_FIELDS)
    }
    stored_rows = {
        pk: (weight, score)
        for pk, weight, score in IndicatorScore.objects.filter(indicator__project_id__in=ids).values_list(
            "indicator_id", "weight", "score"
        )
    }
    now_time = connection.ops.adapt_datetimefield_value(timezone.now())
    projects, indicators = [], []
    for pk, score in scores.items():
        now = Figures.of(score, versions[pk])
        was = stored.get(pk)
        if was != now:
            result.changed.append((pk, was, now))
            projects.append((pk, *now, now_time))
        for indicator_id, row in zip(rows.get(pk, ()), score.rows, strict=True):
            if stored_rows.get(indicator_id) != (row.weight, row.score):
                indicators.append((indicator_id, row.weight, row.score))
    result.scored += len(scores)
    result.rows_changed += len(indicators)
    if write:
        _upsert(ProjectScore, ["project_id", *PROJECT_FIELDS[:-1], "rule_version_id", "scored_at"], projects)
        _upsert(IndicatorScore, ["indicator_id", "weight", "score"], indicators)


def _upsert(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert the rows, over any row of the same key (the first column): one prepared statement run for each
    row, on SQLite and PostgreSQL alike. Plain tuples, where ``bulk_create`` would build a model instance and
    compile the SQL of each batch anew: a third of the time of storing a department's scores."""
    if not rows:
        return
    quote = connection.ops.quote_name
    key, *rest = columns
    # Table and column names from the models' _meta, quoted; every value a parameter.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)})"  # noqa: S608
        f" VALUES ({', '.join(['%s'] * len(columns))})"
        f" ON CONFLICT ({quote(key)}) DO UPDATE SET {', '.join(f'{quote(c)} = EXCLUDED.{quote(c)}' for c in rest)}"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])
