"""The risk signals of many projects at once (``risk.Signals``), read in a constant number of queries (at most
seven, whatever the number of projects): the stored scores, the evaluation, rows and their evidence, last year's
indicators of the same units, the evaluation's history and earlier spot checks.

At a province's scale (50,000 projects, 600,000 rows) the rows are never turned into models, nor their stored
parse into dicts row by row: the queries select the projects by a subquery, not a list of ids; last year's rows
are read first (none: this year's are not read at all), then only this year's at-least targets; each distinct
stored parse is decoded once and each distinct last year's (target, actual) read once.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, QuerySet, TextField
from django.db.models.functions import Cast

from budgets.models import Project

from ..models import Evaluation, Evidence, Indicator
from ..scores.models import IndicatorScore
from ..targets import Kind, Target
from .models import SpotCheckItem
from .risk import HIGHER_IS_BETTER, RATE_FLOOR, Signals, below, floor_of, last_value_of


def _per_project(rows) -> Counter:
    return Counter({row["project_id"]: row["n"] for row in rows})


class _Memo(dict):
    """``make(key)`` of each distinct key, made once."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


def _floor(parsed: str) -> tuple[Decimal, str] | None:
    return floor_of(Target.from_json(json.loads(parsed)))


def _last_value(last: tuple[str, str, str]) -> tuple[Decimal, str] | None:
    """Last year's actual read against its target (``last``: the target's text, its stored parse, the actual)."""
    target, parsed, actual = last
    return last_value_of(Target.from_json(json.loads(parsed), text=target), actual)


def _below_last_year(projects: QuerySet[Project], heads: dict[int, dict]) -> Counter:
    """Per project, its at-least targets below last year's actual of the same indicator (same unit, same project
    by code or else by name, same 一级, 二级 and name: ``carry_forward``'s matching).

    Last year's rows are read only of the projects one of ``projects`` follows, and only where a number can be
    read (a quantitative target with an actual); this year's only where last year has rows, and only at-least
    targets (no other kind is ever flagged)."""
    years = {head["year"] - 1 for head in heads.values()}
    successors = projects.filter(unit=OuterRef("unit"), year=OuterRef("year") + 1)
    predecessors = Project.objects.filter(year__in=years).filter(
        Exists(successors.exclude(code="").filter(code=OuterRef("code")))
        | Exists(successors.filter(code="", name=OuterRef("name")))
    )
    raw = Cast("target_parsed", TextField())  # decoded once per distinct text (``_Memo``), not once per row
    # Last year's project → (一级, 二级, name) → ((order, id), (target, its parse, actual)): of two rows of a project
    # with the same key, the later in the project's order. A project is found by (unit, year, "code", code) and by
    # (unit, year, "name", name), each a project's own (codes and names are unique in a unit's year).
    rows_of, project_of = {}, {}
    for project, unit, year, code, name, level1, level2, indicator, order, pk, target, parsed, actual in (
        Indicator.objects.filter(project__in=predecessors, target_kind=Kind.QUANTITATIVE, result__isnull=False)
        .exclude(result__actual="")  # an empty actual is never a number
        .order_by()  # (the default order joins the units and sorts every row)
        .values_list(
            "project_id",
            "project__unit",
            "project__year",
            "project__code",
            "project__name",
            "level1_id",
            "level2_id",
            "name",
            "order",
            "id",
            "target",
            raw,
            "result__actual",
        )
        .iterator(chunk_size=10_000)
    ):
        rows = rows_of.get(project)
        if rows is None:
            rows = rows_of[project] = project_of[(unit, year, "code", code)] = project_of[
                (unit, year, "name", name)
            ] = {}
        key, row = (level1, level2, indicator.strip()), ((order, pk), (target, parsed, actual))
        held = rows.get(key)
        if held is None or held[0] < row[0]:
            rows[key] = row
    last_rows = {}  # this year's project → its last year's rows
    for pk, head in heads.items():
        by = ("code", head["code"]) if head["code"] else ("name", head["name"])
        rows = project_of.get((head["unit_id"], head["year"] - 1, *by))
        if rows:
            last_rows[pk] = rows
    found = Counter()
    if not last_rows:
        return found
    floors, last_values = _Memo(_floor), _Memo(_last_value)
    for project_id, level1, level2, indicator, parsed in (
        Indicator.objects.filter(
            project__in=projects, target_kind=Kind.QUANTITATIVE, target_parsed__comparator__in=sorted(HIGHER_IS_BETTER)
        )
        .order_by()
        .values_list("project_id", "level1_id", "level2_id", "name", raw)
        .iterator(chunk_size=10_000)
    ):
        rows = last_rows.get(project_id)
        before = None if rows is None else rows.get((level1, level2, indicator.strip()))
        if before is not None and below(floors[parsed], last_values[before[1]]):
            found[project_id] += 1
    return found


def signals_for(projects: QuerySet[Project]) -> dict[int, Signals]:
    """Every project's signals (project id → ``Signals``)."""
    heads = {
        row["pk"]: row
        for row in projects.order_by().values(
            "pk",
            "unit_id",
            "year",
            "code",
            "name",
            total=F("stored_score__total"),
            grade=F("stored_score__grade"),
            rate=F("stored_score__rate"),
            reported_total=F("evaluation__reported_total"),
            budget_reason=F("evaluation__budget_deviation_reason"),
        )
    }
    unevidenced = _per_project(
        Indicator.objects.filter(project__in=projects, target_kind=Kind.QUALITATIVE, result__tier="met")
        .filter(~Exists(Evidence.objects.filter(indicator=OuterRef("pk"))))
        .order_by()  # (the default order would join every row's project and unit)
        .values("project_id")
        .annotate(n=Count("pk"))
    )
    missing = _per_project(
        IndicatorScore.objects.filter(indicator__project__in=projects, score__lt=F("weight"))
        .filter(indicator__result__isnull=False, indicator__result__deviation_reason="")
        .order_by()
        .values(project_id=F("indicator__project_id"))
        .annotate(n=Count("pk"))
    )
    returns = _per_project(
        Evaluation.history.filter(project__in=projects, status=Evaluation.Status.RETURNED, reviewed_at__isnull=False)
        .order_by()
        .values("project_id")
        .annotate(n=Count("reviewed_at", distinct=True))
    )
    checked = set(SpotCheckItem.objects.filter(project__in=projects).order_by().values_list("project_id", flat=True))
    lowered = _below_last_year(projects, heads)
    signals = {}
    for pk, head in heads.items():
        rate = head["rate"]
        budget_missing = rate is not None and rate < RATE_FLOOR and not (head["budget_reason"] or "").strip()
        signals[pk] = Signals(
            computed_total=head["total"] if head["total"] is not None else 0,
            reported_total=head["reported_total"],
            grade=head["grade"] or "",
            rate=rate,
            unevidenced_met=unevidenced[pk],
            below_last_year=lowered[pk],
            missing_reasons=missing[pk] + int(budget_missing),
            returns=returns[pk],
            checked_before=pk in checked,
        )
    return signals
