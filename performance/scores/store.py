"""Computing the stored scores and writing what differs (the one writer of ``ProjectScore`` and ``IndicatorScore``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import QuerySet

from budgets.models import Project

from ..scoring import EvaluationScore
from ..services import score_project_rows
from .models import IndicatorScore, ProjectScore

CHUNK = 2000  # projects scored and written per round: bounded memory at any scale
PROJECT_FIELDS = ["started", "rate", "total", "grade"]


class Figures(NamedTuple):
    """What is stored of a project's score."""

    started: bool
    rate: Decimal | None
    total: Decimal
    grade: str

    @classmethod
    def of(cls, score: EvaluationScore) -> Figures:
        started = score.started
        # A project nobody has started has no grade yet: 未填报, not 差.
        return cls(started, score.budget.rate, score.total, score.grade if started else "")


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
    return result


def _rescore_chunk(ids: list[int], result: Rescored, write: bool) -> None:
    rows: dict[int, list[int]] = {}
    scores = score_project_rows(Project.objects.filter(pk__in=ids), indicator_ids=rows)
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
    projects, indicators = [], []
    for pk, score in scores.items():
        now = Figures.of(score)
        was = stored.get(pk)
        if was != now:
            result.changed.append((pk, was, now))
            projects.append(ProjectScore(project_id=pk, **now._asdict()))
        for indicator_id, row in zip(rows.get(pk, ()), score.rows, strict=True):
            if stored_rows.get(indicator_id) != (row.weight, row.score):
                indicators.append(IndicatorScore(indicator_id=indicator_id, weight=row.weight, score=row.score))
    result.scored += len(scores)
    result.rows_changed += len(indicators)
    if not write:
        return
    ProjectScore.objects.bulk_create(
        projects,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["project"],
        update_fields=[*PROJECT_FIELDS, "scored_at"],
    )
    IndicatorScore.objects.bulk_create(
        indicators,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["indicator"],
        update_fields=["weight", "score"],
    )
