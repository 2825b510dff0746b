"""Scoring projects from the database (SPEC section 6). What the list and the dashboard show of a score is
stored by ``performance.scores`` (which computes it here); the pages, sheets and API that lay out a score's
rows, reasons and problems compute it here on demand.

``score_project`` builds the plain inputs of ``performance.scoring`` from one project's indicators, their
results, the project's money and its self-evaluation (the project page, the API, the workflow).
``score_projects`` scores many: a queryset (the exports, the API, the workbook uploads) is scored from
plain rows, two ``values_list`` queries and no model instances; a list of project instances gets its
indicators loaded onto it (``SCORING_INDICATORS``) for callers that lay them out (the 自评表). Both paths
build the scorer's inputs with the same helpers, so they give the same scores.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from budgets.models import FUND_SOURCES, Project, stage_total

from .models import Indicator, evaluation_of, result_of
from .rules.services import HEAD_FIELDS, Head, rules_by_version, versions_for, versions_for_heads
from .scoring import BudgetInput, EvaluationScore, RowInput, Rules, score_evaluation
from .targets import Target, is_cost, parse_target

SCORING_INDICATORS = "scoring_indicators"
# The fields the fast path reads, in the order of the helpers' arguments below.
BUDGET_FIELDS = [f"{stage}_{part}" for stage in ("full_year", "executed") for part in ("total", *FUND_SOURCES)]
EVALUATION_FIELDS = ["reported_budget_score", "budget_deviation_reason", "reported_total"]
INDICATOR_FIELDS = ["level1__group", "level1__name", "level2__name", "target", "target_parsed", "weight", "name"]
RESULT_FIELDS = ["actual", "tier", "evaluator_score", "reported_score", "deviation_reason"]
ITERATOR_CHUNK = 2000


def rules_of(project: Project) -> Rules:
    """The rules that score ``project`` (performance.rules.services: its department's choice for its year, or
    the rules its approved self-evaluation was scored by)."""
    return versions_for(Project.objects.filter(pk=project.pk))[project.pk].rules()


def indicators_for_scoring() -> QuerySet[Indicator]:
    """Indicators with everything scoring reads, in the project's order."""
    return Indicator.objects.in_order().select_related("result")


# --- the scorer's inputs from plain values (shared by both paths) ------------------------------------


def _target(text: str, stored: dict | None, level1_name: str, level2_name: str) -> Target:
    """The target as ``Indicator.save`` stored it, parsed again only when the stored parse is not of this text."""
    if stored and stored.get("text") == text:
        return Target.from_json(stored)
    return parse_target(text, cost=is_cost(level1_name, level2_name))


def _row_input(
    group: str,
    level1_name: str,
    level2_name: str,
    target: str,
    target_parsed: dict | None,
    weight: Decimal | None,
    name: str,
    actual: str | None,
    tier: str | None,
    evaluator_score: Decimal | None,
    reported_score: Decimal | None,
    deviation_reason: str | None,
) -> RowInput:
    """One indicator row; the result's values are all None when the indicator has no result yet."""
    return RowInput(
        group=group,
        target=_target(target, target_parsed, level1_name, level2_name),
        actual=actual or "",
        tier=tier or "",
        evaluator_score=evaluator_score,
        weight=weight,
        reported_score=reported_score,
        deviation_reason=deviation_reason or "",
        name=name,
    )


def _budget_input(
    full_year: Decimal | None,
    executed: Decimal | None,
    reported_budget_score: Decimal | None,
    budget_deviation_reason: str | None,
) -> BudgetInput:
    return BudgetInput(
        full_year=full_year,
        executed=executed,
        reported_score=reported_budget_score,
        deviation_reason=budget_deviation_reason or "",
    )


# --- one project, from its model instances -----------------------------------------------------------


def _indicator_values(indicator: Indicator) -> tuple:
    """An indicator as the plain values the fast path reads (``INDICATOR_FIELDS`` + ``RESULT_FIELDS``)."""
    result = result_of(indicator)
    values = (
        indicator.level1.group,
        indicator.level1.name,
        indicator.level2.name,
        indicator.target,
        indicator.target_parsed,
        indicator.weight,
        indicator.name,
    )
    if result is None:
        return (*values, None, None, None, None, None)
    return (*values, result.actual, result.tier, result.evaluator_score, result.reported_score, result.deviation_reason)


def score_project(project: Project, *, rules: Rules | None = None) -> EvaluationScore:
    """Score one project's self-evaluation from its indicators, results and money."""
    if hasattr(project, SCORING_INDICATORS):
        indicators = getattr(project, SCORING_INDICATORS)
    elif "indicators" in getattr(project, "_prefetched_objects_cache", {}):
        indicators = project.indicators.all()
    else:
        indicators = indicators_for_scoring().filter(project=project)
    evaluation = evaluation_of(project)
    budget = _budget_input(
        project.total("full_year"),
        project.total("executed"),
        evaluation.reported_budget_score if evaluation else None,
        evaluation.budget_deviation_reason if evaluation else None,
    )
    return score_evaluation(
        budget,
        [_row_input(*_indicator_values(indicator)) for indicator in indicators],
        rules=rules if rules is not None else rules_of(project),
        reported_total=evaluation.reported_total if evaluation else None,
    )


# --- many projects -----------------------------------------------------------------------------------


def score_project_rows(
    projects: QuerySet[Project],
    *,
    indicator_ids: dict[int, list[int]] | None = None,
    versions: dict[int, int] | None = None,
    rules: dict[int, Rules] | None = None,
) -> dict[int, EvaluationScore]:
    """Score a queryset's projects from plain rows; ``indicator_ids``, when given, is filled with each project's
    indicator ids in the order of its score's rows (``performance.scores`` stores each row's score), and
    ``versions`` with the id of the rule set version that scored each. ``rules`` scores projects by other
    rules than their own (the preview of a change of rules)."""
    return _score_rows(projects, indicator_ids, versions, rules)


def _score_rows(
    projects: QuerySet[Project],
    indicator_ids: dict[int, list[int]] | None = None,
    versions: dict[int, int] | None = None,
    rules: dict[int, Rules] | None = None,
) -> dict[int, EvaluationScore]:
    """Score a queryset's projects from two set-based queries of plain rows, one project at a time."""
    projects = projects.prefetch_related(None)
    evaluation = [f"evaluation__{name}" for name in EVALUATION_FIELDS]
    heads = {row[0]: row[1:] for row in projects.values_list("pk", *BUDGET_FIELDS, *evaluation, *HEAD_FIELDS)}
    chosen = versions_for_heads({pk: Head(*head[11:]) for pk, head in heads.items()})
    by_version = rules_by_version(chosen.values())
    if versions is not None:
        versions.update({pk: version.pk for pk, version in chosen.items()})
    rules_of_project = {pk: by_version[version.pk] for pk, version in chosen.items()}
    if rules:
        rules_of_project.update(rules)
    columns = ["project_id", "id", *INDICATOR_FIELDS, *[f"result__{name}" for name in RESULT_FIELDS]]
    indicators = (
        Indicator.objects.filter(project__in=projects.values("pk"))
        .order_by("project_id", "order", "id")
        .values_list(*columns)
        .iterator(chunk_size=ITERATOR_CHUNK)
    )

    scores: dict[int, EvaluationScore] = {}

    def score(pk: int, rows: list[RowInput]) -> None:
        head = heads[pk]
        budget = _budget_input(stage_total(*head[0:4]), stage_total(*head[4:8]), head[8], head[9])
        scores[pk] = score_evaluation(budget, rows, rules=rules_of_project[pk], reported_total=head[10])

    current, rows, ids = None, [], []
    for values in indicators:
        if values[0] != current:
            if current is not None:
                score(current, rows)
            current, rows, ids = values[0], [], []
            if indicator_ids is not None:
                indicator_ids[current] = ids
        ids.append(values[1])
        rows.append(_row_input(*values[2:]))
    if current is not None:
        score(current, rows)
    for pk in heads.keys() - scores.keys():  # projects without indicators
        score(pk, [])
    return {pk: scores[pk] for pk in heads}  # in the queryset's order


def score_projects(projects: QuerySet[Project] | Iterable[Project]) -> dict[int, EvaluationScore]:
    """Score many projects in a constant number of queries: {project id: score}.

    A queryset is scored from plain rows (no model instances; its select_related and prefetches are not
    needed and are ignored). A list of projects gets its indicators prefetched onto each project under
    ``SCORING_INDICATORS`` (the 自评表 lays them out) and is scored from them.
    """
    if isinstance(projects, QuerySet):
        return _score_rows(projects)
    projects = list(projects)
    lookup = Prefetch("indicators", queryset=indicators_for_scoring(), to_attr=SCORING_INDICATORS)
    prefetch_related_objects(projects, "evaluation", lookup)
    chosen = versions_for(Project.objects.filter(pk__in=[project.pk for project in projects]))
    by_version = rules_by_version(chosen.values())
    return {project.pk: score_project(project, rules=by_version[chosen[project.pk].pk]) for project in projects}
