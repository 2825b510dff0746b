"""Approving a year's submitted targets at once (``approve_targets`` command, SPEC section 17): all or none."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from budgets.models import Project
from budgets.permissions import year_projects_for

from ..rights import refusal
from .flows import approve_targets
from .models import TargetSet


class ApprovalRefused(PermissionDenied):
    """The user may not approve some of the targets; ``refused`` names each project and why. Nothing approved."""

    def __init__(self, refused: list[str]):
        self.refused = refused
        super().__init__("；".join(refused))


@transaction.atomic
def approve_submitted_targets(*, year: int, by, unit: str = "") -> list[Project]:
    """Approve the submitted targets of the year's projects that ``by`` sees (one unit's, by code, with
    ``unit``), through the flow (the baseline frozen); the projects approved, in order. Refuses them all
    (``ApprovalRefused``) when ``by`` may not approve any one of them; a unit ``by`` may not see raises
    ``Unit.DoesNotExist``."""
    projects, _label = year_projects_for(by, year, unit=unit)
    submitted = list(projects.filter(target_set__status=TargetSet.Status.SUBMITTED).select_related("unit"))
    refused = []
    for project in submitted:
        reason = refusal(by, "approve_targets", project)
        if reason is not None:
            refused.append(f"{project.unit.code} {project.name}：{reason}")
    if refused:
        raise ApprovalRefused(refused)
    for project in submitted:
        approve_targets(project=project, by=by)
    return submitted
