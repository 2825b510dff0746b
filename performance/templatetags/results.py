"""Last year's results application opinion on the same project: shown on next year's project page and its
declaration once the project is carried forward (``performance.carry_forward``)."""

from django import template

from ..carry_forward import same_project
from ..results.models import ResultOpinion

register = template.Library()


@register.inclusion_tag("performance/_result_opinion.html", takes_context=True)
def result_opinion_before(context, project):
    """The opinion recorded on ``project``'s same project of the year before. That project is of the same unit
    (``same_project``), which whoever sees this project's page sees too; without one, no opinion is looked for
    (a filter by every project the user sees took 5 ms on each view of a project page at 5,000 projects)."""
    earlier = list(same_project(project, project.year - 1).values_list("pk", flat=True)[:1])
    if not earlier:
        return {"result_opinion": None}
    opinion = ResultOpinion.objects.filter(project_id=earlier[0]).select_related("project", "rule_version").first()
    return {"result_opinion": opinion}


@register.filter
def json_percent(rate) -> str:
    """A rate as the evaluation JSON writes it ("0.8620") as the report prints it ("86.20%"); None → "—"."""
    from ..report.document import percent

    return percent(rate)
