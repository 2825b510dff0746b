"""The review cycle that self-evaluations and monitoring entries share: draft → submitted → returned (with a
reason, back to editing) or approved (locked); an approved one is reopened by a reviewer with a reason."""

from django.utils.translation import gettext_lazy as _

from .engine import Transition

DRAFT, SUBMITTED, RETURNED, APPROVED = "draft", "submitted", "returned", "approved"
EDITABLE = frozenset({DRAFT, RETURNED})


def review_cycle(*, submit, review, requires, reopen_missing) -> dict[str, Transition]:
    """The four transitions, with who may submit (``submit``) and review (``review``), what submitting
    requires, and the sentence asking for a reason to reopen."""
    return {
        "submit": Transition(
            "submit", _("提交"), EDITABLE, SUBMITTED, submit, _("提交审核"), requires=requires, stamp="submitted"
        ),
        "return": Transition(
            "return",
            _("退回"),
            frozenset({SUBMITTED}),
            RETURNED,
            review,
            _("退回：%(reason)s"),
            reason_missing=_("退回时必须填写退回原因。"),
            stamp="reviewed",
            reason_field="return_reason",
        ),
        "approve": Transition(
            "approve", _("审核通过"), frozenset({SUBMITTED}), APPROVED, review, _("审核通过"), stamp="reviewed"
        ),
        "reopen": Transition(
            "reopen",
            _("重新打开"),
            frozenset({APPROVED}),
            RETURNED,
            review,
            _("重新打开：%(reason)s"),
            reason_missing=reopen_missing,
            stamp="reviewed",
            reason_field="return_reason",
        ),
    }
