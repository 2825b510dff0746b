"""The self-evaluation workflow of SPEC section 7: draft → submitted → returned / approved.

Each transition is one service: it checks who may do it and from which state, then records it.
Every change lands in the evaluation's history (django-simple-history) with who and when.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.permissions import can_edit_unit, can_review_unit

from .models import Evaluation
from .services import score_project

Status = Evaluation.Status


def _lock(evaluation: Evaluation) -> Evaluation:
    """Re-read the evaluation under a row lock so two transitions cannot interleave."""
    return Evaluation.objects.select_for_update().select_related("project__unit").get(pk=evaluation.pk)


def _require(evaluation: Evaluation, allowed: set[str], action: str) -> None:
    if evaluation.status not in allowed:
        raise ValidationError(
            _("当前状态为“%(status)s”，不能%(action)s。")
            % {"status": evaluation.get_status_display(), "action": action}
        )


def _record(evaluation: Evaluation, by, reason: str, fields: list[str]) -> Evaluation:
    evaluation.version += 1
    evaluation._change_reason = reason
    evaluation._history_user = by
    evaluation.save(update_fields=[*fields, "version"])
    return evaluation


@transaction.atomic
def submit_evaluation(*, evaluation: Evaluation, by) -> Evaluation:
    """Submit a self-evaluation for review, refusing one that is incomplete."""
    evaluation = _lock(evaluation)
    if not can_edit_unit(by, evaluation.project.unit):
        raise PermissionDenied
    _require(evaluation, {Status.DRAFT, Status.RETURNED}, _("提交"))
    problems = score_project(evaluation.project).problems
    if problems:
        raise ValidationError(problems)
    evaluation.status = Status.SUBMITTED
    evaluation.submitted_by, evaluation.submitted_at = by, timezone.now()
    return _record(evaluation, by, _("提交审核"), ["status", "submitted_by", "submitted_at"])


@transaction.atomic
def return_evaluation(*, evaluation: Evaluation, by, reason: str) -> Evaluation:
    """Send a submitted self-evaluation back to its unit, with the reviewer's reason."""
    evaluation = _lock(evaluation)
    if not can_review_unit(by, evaluation.project.unit):
        raise PermissionDenied
    _require(evaluation, {Status.SUBMITTED}, _("退回"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回时必须填写退回原因。")})
    evaluation.status = Status.RETURNED
    evaluation.return_reason = reason
    evaluation.reviewed_by, evaluation.reviewed_at = by, timezone.now()
    return _record(
        evaluation,
        by,
        _("退回：%(reason)s") % {"reason": reason},
        ["status", "return_reason", "reviewed_by", "reviewed_at"],
    )


@transaction.atomic
def approve_evaluation(*, evaluation: Evaluation, by) -> Evaluation:
    """Approve a submitted self-evaluation; its data is locked from then on."""
    evaluation = _lock(evaluation)
    if not can_review_unit(by, evaluation.project.unit):
        raise PermissionDenied
    _require(evaluation, {Status.SUBMITTED}, _("审核通过"))
    evaluation.status = Status.APPROVED
    evaluation.reviewed_by, evaluation.reviewed_at = by, timezone.now()
    return _record(evaluation, by, _("审核通过"), ["status", "reviewed_by", "reviewed_at"])


@transaction.atomic
def reopen_evaluation(*, evaluation: Evaluation, by, reason: str) -> Evaluation:
    """Reopen an approved self-evaluation for editing: a reviewer only, with a recorded reason."""
    evaluation = _lock(evaluation)
    if not can_review_unit(by, evaluation.project.unit):
        raise PermissionDenied
    _require(evaluation, {Status.APPROVED}, _("重新打开"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("重新打开已审核的自评必须填写原因。")})
    evaluation.status = Status.RETURNED
    evaluation.return_reason = reason
    evaluation.reviewed_by, evaluation.reviewed_at = by, timezone.now()
    return _record(
        evaluation,
        by,
        _("重新打开：%(reason)s") % {"reason": reason},
        ["status", "return_reason", "reviewed_by", "reviewed_at"],
    )
