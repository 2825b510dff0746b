"""Where a new declaration can start from: a registry of sources, each offering rows for the form.

Today: last year's targets of the same project (with last year's actuals shown beside them). The indicator
library (指标库) registers itself here as a second source: a label, whether it has anything for a
project, and the rows with what to show beside each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from budgets.models import Project

from ..carry_forward import same_project
from ..models import Indicator, ProjectGoal, result_of


@dataclass(frozen=True)
class Source:
    label: str
    available: Callable[[Project], bool]
    rows: Callable[[Project], tuple[list[Indicator], list[dict], str]]  # rows, what to show beside each, a goal


def _last_year(project: Project):
    return same_project(project, project.year - 1).first()


def _last_year_rows(project: Project) -> tuple[list[Indicator], list[dict], str]:
    previous = _last_year(project)
    if previous is None:
        return [], [], ""
    indicators = list(previous.indicators.in_order().select_related("result"))
    extras = []
    for indicator in indicators:
        result = result_of(indicator)
        actual = result.actual if result else ""
        extras.append({"last_target": indicator.target, "last_actual": actual or "—"})
    goal = ProjectGoal.objects.filter(project=previous).first()
    return indicators, extras, goal.text if goal else ""


SOURCES: dict[str, Source] = {
    "last-year": Source(
        label=_("上年绩效目标"),
        available=lambda project: _last_year(project) is not None,
        rows=_last_year_rows,
    ),
}


def source_rows(key: str, project: Project) -> tuple[list[Indicator], list[dict], str]:
    return SOURCES[key].rows(project)
