"""A complete POST of the self-evaluation entry page, for the tests that drive it."""

from budgets.models import Project
from performance.models import Evaluation


def entry_post(project: Project, values: dict) -> dict:
    """A full entry-form POST for ``project`` at its current version, with ``values`` in place."""
    evaluation = Evaluation.objects.get(project=project)
    data = {"version": str(evaluation.version), "goal_actual": "完成", "budget_deviation_reason": ""}
    for indicator in project.indicators.select_related("result"):
        saved = getattr(indicator, "result", None)  # what is saved now, so only ``values`` change
        prefix = f"ind-{indicator.pk}"
        data[f"{prefix}-actual"] = saved.actual if saved else ""
        data[f"{prefix}-tier"] = saved.tier if saved else ""
        data[f"{prefix}-evaluator_score"] = (
            "" if saved is None or saved.evaluator_score is None else saved.evaluator_score
        )
        data[f"{prefix}-deviation_reason"] = saved.deviation_reason if saved else ""
    data.update(values)
    return data
