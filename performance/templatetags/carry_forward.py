"""``{% carried_forward project %}``: on the project page, last year's actuals beside this year's targets,
the button to carry the project into next year, and the link to its monitoring (a constant number of queries).
"""

from django import template
from django.urls import reverse

from budgets.permissions import can_edit_unit

from ..carry_forward import carried_actuals, same_project
from ..models import MonitoringRound

register = template.Library()


@register.inclusion_tag("performance/_carried_forward.html", takes_context=True)
def carried_forward(context, project):
    user = context["request"].user
    previous, carried = carried_actuals(project)
    next_year = project.year + 1
    can_carry = can_edit_unit(user, project.unit) and not same_project(project, next_year).exists()
    has_round = MonitoringRound.objects.filter(department_id=project.unit.department_id, year=project.year).exists()
    return {
        "project": project,
        "previous": previous,
        "carried": carried,
        "next_year": next_year,
        "carry_url": reverse("performance:project-carry-forward", args=[project.pk]) if can_carry else None,
        "monitoring_url": reverse("performance:monitoring-edit", args=[project.pk]) if has_round else None,
        "csrf_token": context.get("csrf_token"),
    }
