"""Approving or returning many submitted self-evaluations at once (the review list, issue 16 item 6).

Each one goes through the self-evaluation's flow on the engine, in its own transaction: one that another reviewer
moved meanwhile, or that this user may not review, is refused and named with its sentence, and the others are done.
Each is a document of its own (its own version, its own unit told), so one stale row does not hold up the rest; a
return without a reason is an input error instead, refused for the whole request before anything is done.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from ..models import Evaluation
from ..workflow.evaluation import approve_evaluation, return_evaluation

APPROVE, RETURN = "approve", "return"


@dataclass
class BulkResult:
    done: list[Evaluation] = field(default_factory=list)
    refused: list[tuple[Evaluation, str]] = field(default_factory=list)


def reasons_missing(evaluations: list[Evaluation], *, common: str, reasons: dict[int, str]) -> list[str]:
    """The projects returned without a reason (their own or the one for all), named."""
    return [e.project.name for e in evaluations if not (reasons.get(e.pk, "").strip() or common.strip())]


def review_in_bulk(*, evaluations: list[Evaluation], action: str, by, common: str = "", reasons=None) -> BulkResult:
    """Approve or return each of ``evaluations`` as ``by``; a return records each one's own reason, else the one for
    all. Refused ones are reported with the sentence the engine gave, the rest are done."""
    reasons = reasons or {}
    if action == RETURN:
        missing = reasons_missing(evaluations, common=common, reasons=reasons)
        if missing:
            raise ValidationError(
                _("退回时必须填写退回原因（可填写统一原因，或逐项填写）：%(names)s") % {"names": "、".join(missing)}
            )
    result = BulkResult()
    for evaluation in evaluations:
        try:
            if action == APPROVE:
                approve_evaluation(evaluation=evaluation, by=by)
            else:
                reason = reasons.get(evaluation.pk, "").strip() or common.strip()
                return_evaluation(evaluation=evaluation, by=by, reason=reason)
        except ValidationError as error:
            result.refused.append((evaluation, " ".join(error.messages)))
        except PermissionDenied:
            result.refused.append((evaluation, _("您无权审核此项目。")))
        else:
            result.done.append(evaluation)
    return result
