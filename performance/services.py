"""Scoring projects from the database (SPEC section 6): scores are computed on demand, never stored.

``score_project`` builds the plain inputs of ``performance.scoring`` from a project's indicators, their
results, the project's money and its self-evaluation; ``score_projects`` does the same for many projects
in a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from budgets.models import Project

from .models import ActualResult, Evaluation, Indicator
from .scoring import BudgetInput, EvaluationScore, RowInput, Rules, score_evaluation
from .targets import Target, parse_target

SCORING_INDICATORS = "scoring_indicators"


def scoring_rules() -> Rules:
    """The optional department rules switched on in settings.JIXIAO_SCORING (all off by default)."""
    config = getattr(settings, "JIXIAO_SCORING", {}) or {}
    return Rules(
        overshoot_penalty=bool(config.get("OVERSHOOT_PENALTY", False)),
        execution_rate_caps=bool(config.get("EXECUTION_RATE_CAPS", False)),
    )


def indicators_for_scoring() -> QuerySet[Indicator]:
    """Indicators with everything scoring reads, in the project's order."""
    return Indicator.objects.select_related("level1", "level2", "result").order_by("order", "id")


def _is_cost(indicator: Indicator) -> bool:
    return "成本" in indicator.level1.name or "成本" in indicator.level2.name


def _target(indicator: Indicator) -> Target:
    """The target as ``Indicator.save`` stored it, parsed again only when the stored parse is not of this text."""
    stored = indicator.target_parsed
    if stored and stored.get("text") == indicator.target:
        return Target.from_json(stored)
    return parse_target(indicator.target, cost=_is_cost(indicator))


def _row_input(indicator: Indicator) -> RowInput:
    try:
        result = indicator.result
    except ActualResult.DoesNotExist:
        result = None
    return RowInput(
        group=indicator.level1.group,
        target=_target(indicator),
        actual=result.actual if result else "",
        tier=result.tier if result else "",
        evaluator_score=result.evaluator_score if result else None,
        weight=indicator.weight,
        reported_score=result.reported_score if result else None,
        deviation_reason=result.deviation_reason if result else "",
        name=indicator.name,
    )


def _evaluation(project: Project) -> Evaluation | None:
    try:
        return project.evaluation
    except Evaluation.DoesNotExist:
        return None


def score_project(project: Project, *, rules: Rules | None = None) -> EvaluationScore:
    """Score one project's self-evaluation from its indicators, results and money."""
    if hasattr(project, SCORING_INDICATORS):
        indicators = getattr(project, SCORING_INDICATORS)
    elif "indicators" in getattr(project, "_prefetched_objects_cache", {}):
        indicators = project.indicators.all()
    else:
        indicators = indicators_for_scoring().filter(project=project)
    evaluation = _evaluation(project)
    budget = BudgetInput(
        full_year=project.total("full_year"),
        executed=project.total("executed"),
        reported_score=evaluation.reported_budget_score if evaluation else None,
        deviation_reason=evaluation.budget_deviation_reason if evaluation else "",
    )
    return score_evaluation(
        budget,
        [_row_input(indicator) for indicator in indicators],
        rules=rules if rules is not None else scoring_rules(),
        reported_total=evaluation.reported_total if evaluation else None,
    )


def score_projects(projects: QuerySet[Project] | Iterable[Project]) -> dict[int, EvaluationScore]:
    """Score many projects in a constant number of queries: {project id: score}.

    The indicators are prefetched under their own name, so a queryset that already prefetches
    ``indicators`` its own way is accepted as it is.
    """
    lookup = Prefetch("indicators", queryset=indicators_for_scoring(), to_attr=SCORING_INDICATORS)
    if isinstance(projects, QuerySet):
        projects = projects.select_related("evaluation").prefetch_related(lookup)
    else:
        projects = list(projects)
        prefetch_related_objects(projects, "evaluation", lookup)
    rules = scoring_rules()
    return {project.pk: score_project(project, rules=rules) for project in projects}
