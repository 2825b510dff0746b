"""Targets whose state comes from elsewhere: a workbook that says 已申报 or 已批复, the published disclosure
that ``load_demo`` loads as approved.

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
from .flows import TARGETS, approve_targets
from .models import TargetSet
from .services import freeze_baseline

Status = TargetSet.Status


@transaction.atomic
def record_targets_status(*, project: Project, status: str, by, reason: str) -> TargetSet:
    """Move the project's declaration to ``status`` as a workbook or the disclosure states it; ``by`` None
    for a bootstrapping load. The caller has checked the rights (``performance.rights``)."""
    now = timezone.now()
    target_set = TargetSet.objects.select_for_update().filter(project=project).first()
    if target_set is None:  # declared by this file: one record, with who and why, in the state it says
        first = Status.SUBMITTED if status == Status.APPROVED else status
        target_set = TargetSet(project=project, status=first)
        if first == Status.SUBMITTED:
            target_set.submitted_by, target_set.submitted_at = by, now
        target_set._history_user, target_set._change_reason = by, reason
        target_set.save()
    if target_set.status == status:
        return target_set
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
