"""Last year's results application opinion on the same project: shown on next year's project page and its
declaration once the project is carried forward (``performance.carry_forward``)."""

from django import template

from budgets.permissions import projects_for

from ..carry_forward import same_project
from ..results.models import ResultOpinion

register = template.Library()


@register.inclusion_tag("performance/_result_opinion.html", takes_context=True)
def result_opinion_before(context, project):
    """The opinion recorded on ``project``'s same project of the year before, if the user sees it."""
    earlier = same_project(project, project.year - 1).filter(pk__in=projects_for(context["request"].user))
    opinion = ResultOpinion.objects.filter(project__in=earlier).select_related("project", "rule_version").first()
    return {"result_opinion": opinion}


@register.filter
def json_percent(rate) -> str:
    """A rate as the evaluation JSON writes it ("0.8620") as the report prints it ("86.20%"); None → "—"."""
    from ..report.document import percent

    return percent(rate)
