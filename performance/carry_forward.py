"""Carry forward: start next year's targets from this year's project, and read last year's actuals beside them.

``carry_forward_project`` copies a project (same unit, name and code, no money: the new year's budget is
not known yet), its goal and its indicators (categories, names, descriptions, targets, bases, weights)
into another year. ``carried_actuals`` finds last year's project of the same unit (by code, else by name)
and, for each indicator that carries over (same level 1, level 2 and name, spacing and width aside), last year's
target and actual.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from budgets.models import Project
from budgets.permissions import can_edit_unit

from .library.names import name_key
from .models import Indicator, ProjectGoal, goal_of, result_of
from .scores.keep import kept_scores

INDICATOR_FIELDS = (
    "level1",
    "level2",
    "level1_as_written",
    "level2_as_written",
    "name",
    "description",
    "target",
    "basis",
    "weight",
    "order",
)


def same_project(project: Project, year: int):
    """The unit's project of ``year`` that is this project: same code, or same name where there is no code."""
    projects = Project.objects.filter(unit_id=project.unit_id, year=year)
    if project.code:
        return projects.filter(code=project.code)
    return projects.filter(name=project.name)


@transaction.atomic
@kept_scores()
def carry_forward_project(*, project: Project, to_year: int, by) -> Project:
    """Copy a project with its goal and indicators into ``to_year``; refuse when it is there already."""
    if not can_edit_unit(by, project.unit):
        raise PermissionDenied
    if to_year <= project.year:
        raise ValidationError(_("只能结转到以后的年度（%(year)s 年之后）。") % {"year": project.year})
    if (
        same_project(project, to_year).exists()
        or Project.objects.filter(unit_id=project.unit_id, year=to_year, name=project.name).exists()
    ):
        raise ValidationError(
            _("%(year)s 年已有项目“%(name)s”，不能重复结转。") % {"year": to_year, "name": project.name}
        )
    copy = Project(unit=project.unit, year=to_year, code=project.code, name=project.name, order=project.order)
    copy.full_clean()
    copy.save()
    goal = goal_of(project)
    if goal is not None:
        new_goal = ProjectGoal(project=copy, text=goal.text)
        new_goal._history_user = by
        new_goal.save()
    reason = _("从 %(year)s 年结转") % {"year": project.year}
    for indicator in Indicator.objects.filter(project=project).order_by("order", "id"):
        new = Indicator(project=copy, **{name: getattr(indicator, name) for name in INDICATOR_FIELDS})
        new._history_user = by
        new._change_reason = reason
        new.save()
    return copy


@dataclass(frozen=True)
class CarriedActual:
    indicator: Indicator  # this year's
    last_target: str
    last_actual: str


def indicator_key(indicator: Indicator) -> tuple:
    """The same indicator in both years: same categories, and names that differ at most in spacing, width or
    punctuation (the indicator library's name key)."""
    return (indicator.level1_id, indicator.level2_id, name_key(indicator.name))


def carried_actuals(project: Project) -> tuple[Project | None, list[CarriedActual]]:
    """Last year's project and, for each of this year's indicators that carries over, last year's target and actual."""
    previous = same_project(project, project.year - 1).first()
    if previous is None:
        return None, []
    last = {
        indicator_key(indicator): indicator
        for indicator in Indicator.objects.filter(project=previous).select_related("result")
    }
    carried = []
    for indicator in Indicator.objects.filter(project=project).order_by("order", "id"):
        before = last.get(indicator_key(indicator))
        if before is None:
            continue
        result = result_of(before)
        actual = result.actual if result else ""
        carried.append(CarriedActual(indicator, before.target, actual))
    return previous, carried
