"""Targets whose state comes from elsewhere: a workbook that says 已申报 or 已批复, the published disclosure
that ``load_demo`` loads as approved (issue 14).

Such targets were declared and reviewed outside the app's forms, so they are recorded as they stand: the
declaration is marked submitted without the form's review (``declaration_problems``; the seed's own
targets have findings), and approval goes through the flow, which checks who approves and freezes the
baseline. Without a user (the import command without ``--user``, ``load_demo``) nobody can be checked or
named: the same transition is recorded with no user, and the baseline frozen the same way.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from budgets.models import Project

from ..workflow.engine import record_transition
from .flows import TARGETS, approve_targets, target_set_for
from .models import TargetSet
from .services import freeze_baseline

Status = TargetSet.Status


@transaction.atomic
def record_targets_status(*, project: Project, status: str, by, reason: str) -> TargetSet:
    """Move the project's declaration to ``status`` as a workbook or the disclosure states it; ``by`` None
    for a bootstrapping load. The caller has checked the rights (``performance.rights``)."""
    target_set = TargetSet.objects.select_for_update().get(pk=target_set_for(project).pk)
    if target_set.status == status:
        return target_set
    now = timezone.now()
    if status == Status.APPROVED:
        if target_set.status != Status.SUBMITTED:
            record_transition(
                target_set, by=by, reason=reason, status=Status.SUBMITTED, submitted_by=by, submitted_at=now
            )
        if by is not None:
            return approve_targets(project=project, by=by)  # the flow: rights, state, the baseline frozen
        approve = TARGETS.transitions["approve"]
        record_transition(
            target_set,
            by=None,
            reason=f"{reason}：{approve.history}",
            status=Status.APPROVED,
            reviewed_by=None,
            reviewed_at=now,
        )
        freeze_baseline(target_set)
        return target_set
    if status == Status.SUBMITTED:
        return record_transition(target_set, by=by, reason=reason, status=status, submitted_by=by, submitted_at=now)
    return record_transition(target_set, by=by, reason=reason, status=status)
