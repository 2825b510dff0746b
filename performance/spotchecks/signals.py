"""The risk signals of many projects at once (``risk.Signals``), read in a constant number of queries (seven,
whatever the number of projects): the stored scores, the evaluation, rows and their evidence, last year's
indicators of the same units, the evaluation's history and earlier spot checks."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Exists, F, OuterRef, QuerySet

from budgets.models import Project

from ..models import Evaluation, Evidence, Indicator
from ..scores.models import IndicatorScore
from ..targets import Kind, Target
from .models import SpotCheckItem
from .risk import RATE_FLOOR, Signals, below_last_actual


def _per_project(rows) -> Counter:
    return Counter({row["project_id"]: row["n"] for row in rows})


def _below_last_year(ids, heads: dict[int, dict]) -> Counter:
    """Per project, its at-least targets below last year's actual of the same indicator (same unit, same project
    by code or else by name, same 一级, 二级 and name: ``carry_forward``'s matching)."""
    now = list(
        Indicator.objects.filter(project_id__in=ids, target_kind=Kind.QUANTITATIVE).values(
            "project_id", "level1_id", "level2_id", "name", "target", "target_parsed"
        )
    )
    if not now:
        return Counter()
    units = {head["unit_id"] for head in heads.values()}
    years = {head["year"] - 1 for head in heads.values()}
    last = {}
    for row in Indicator.objects.filter(
        project__unit_id__in=units, project__year__in=years, target_kind=Kind.QUANTITATIVE, result__isnull=False
    ).values(
        "project__unit_id",
        "project__year",
        "project__code",
        "project__name",
        "level1_id",
        "level2_id",
        "name",
        "target",
        "target_parsed",
        "result__actual",
    ):
        key = (row["level1_id"], row["level2_id"], row["name"].strip())
        place = (row["project__unit_id"], row["project__year"])
        last[(*place, "code", row["project__code"], *key)] = row
        last[(*place, "name", row["project__name"], *key)] = row
    found = Counter()
    for row in now:
        head = heads[row["project_id"]]
        by = ("code", head["code"]) if head["code"] else ("name", head["name"])
        key = (row["level1_id"], row["level2_id"], row["name"].strip())
        before = last.get((head["unit_id"], head["year"] - 1, *by, *key))
        if before is None:
            continue
        target = Target.from_json(row["target_parsed"], text=row["target"])
        last_target = Target.from_json(before["target_parsed"], text=before["target"])
        if below_last_actual(target, last_target, before["result__actual"]):
            found[row["project_id"]] += 1
    return found


def signals_for(projects: QuerySet[Project]) -> dict[int, Signals]:
    """Every project's signals (project id → ``Signals``)."""
    heads = {
        row["pk"]: row
        for row in projects.values(
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
    ids = list(heads)
    unevidenced = _per_project(
        Indicator.objects.filter(project_id__in=ids, target_kind=Kind.QUALITATIVE, result__tier="met")
        .filter(~Exists(Evidence.objects.filter(indicator=OuterRef("pk"))))
        .values("project_id")
        .annotate(n=Count("pk"))
    )
    missing = _per_project(
        IndicatorScore.objects.filter(indicator__project_id__in=ids, score__lt=F("weight"))
        .filter(indicator__result__isnull=False, indicator__result__deviation_reason="")
        .values(project_id=F("indicator__project_id"))
        .annotate(n=Count("pk"))
    )
    returns = _per_project(
        Evaluation.history.filter(project_id__in=ids, status=Evaluation.Status.RETURNED, reviewed_at__isnull=False)
        .values("project_id")
        .annotate(n=Count("reviewed_at", distinct=True))
    )
    checked = set(SpotCheckItem.objects.filter(project_id__in=ids).values_list("project_id", flat=True))
    below = _below_last_year(ids, heads)
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
            below_last_year=below[pk],
            missing_reasons=missing[pk] + int(budget_missing),
            returns=returns[pk],
            checked_before=pk in checked,
        )
    return signals
