"""The self-evaluation workflow of SPEC section 7: draft → submitted → returned / approved.

Each transition is one service: it checks who may do it and from which state, then records it.
Every change lands in the record's history (django-simple-history) with who, when and why.
The helpers below are shared with the monitoring workflow (performance.monitoring), whose
records move through the same states.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.permissions import can_edit_unit, can_review_unit

from .models import Evaluation
from .services import score_project

Status = Evaluation.Status


def require_status(record, allowed: set[str], action: str) -> None:
    """Refuse a transition from a state it does not start from."""
    if record.status not in allowed:
        raise ValidationError(
            _("当前状态为“%(status)s”，不能%(action)s。") % {"status": record.get_status_display(), "action": action}
        )


def required_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason


def record_transition(record, *, by, reason: str, **changes):
    """Apply ``changes``, bump the version (so open forms see they are stale) and record who and why."""
    for name, value in changes.items():
        setattr(record, name, value)
    record.version += 1
    record._change_reason = reason
    record._history_user = by
    record.save(update_fields=[*changes, "version"])
    return record


def mark_submitted(record, *, by):
    return record_transition(
        record, by=by, reason=_("提交审核"), status=Status.SUBMITTED, submitted_by=by, submitted_at=timezone.now()
    )


def mark_returned(record, *, by, reason: str, missing: str, label: str):
    reason = required_reason(reason, missing)
    return record_transition(
        record,
        by=by,
        reason=label % {"reason": reason},
        status=Status.RETURNED,
        return_reason=reason,
        reviewed_by=by,
        reviewed_at=timezone.now(),
    )


def mark_approved(record, *, by):
    return record_transition(
        record, by=by, reason=_("审核通过"), status=Status.APPROVED, reviewed_by=by, reviewed_at=timezone.now()
    )


def _lock(evaluation: Evaluation) -> Evaluation:
    """Re-read the evaluation under a row lock so two transitions cannot interleave."""
    return Evaluation.objects.select_for_update().select_related("project__unit").get(pk=evaluation.pk)


@transaction.atomic
def submit_evaluation(*, evaluation: Evaluation, by) -> Evaluation:
    """Submit a self-evaluation for review, refusing one that is incomplete."""
    evaluation = _lock(evaluation)
    if not can_edit_unit(by, evaluation.project.unit):
        raise PermissionDenied
    require_status(evaluation, {Status.DRAFT, Status.RETURNED}, _("提交"))
    problems = score_project(evaluation.project).problems
    if problems:
        raise ValidationError(problems)
    return mark_submitted(evaluation, by=by)


@transaction.atomic
def return_evaluation(*, evaluation: Evaluation, by, reason: str) -> Evaluation:
    """Send a submitted self-evaluation back to its unit, with the reviewer's reason."""
    evaluation = _lock(evaluation)
    if not can_review_unit(by, evaluation.project.unit):
        raise PermissionDenied
    require_status(evaluation, {Status.SUBMITTED}, _("退回"))
    return mark_returned(
        evaluation, by=by, reason=reason, missing=_("退回时必须填写退回原因。"), label=_("退回：%(reason)s")
    )


@transaction.atomic
def approve_evaluation(*, evaluation: Evaluation, by) -> Evaluation:
    """Approve a submitted self-evaluation; its data is locked from then on."""
    evaluation = _lock(evaluation)
    if not can_review_unit(by, evaluation.project.unit):
        raise PermissionDenied
    require_status(evaluation, {Status.SUBMITTED}, _("审核通过"))
    return mark_approved(evaluation, by=by)


@transaction.atomic
def reopen_evaluation(*, evaluation: Evaluation, by, reason: str) -> Evaluation:
    """Reopen an approved self-evaluation for editing: a reviewer only, with a recorded reason."""
    evaluation = _lock(evaluation)
    if not can_review_unit(by, evaluation.project.unit):
        raise PermissionDenied
    require_status(evaluation, {Status.APPROVED}, _("重新打开"))
    return mark_returned(
        evaluation,
        by=by,
        reason=reason,
        missing=_("重新打开已审核的自评必须填写原因。"),
        label=_("重新打开：%(reason)s"),
    )
