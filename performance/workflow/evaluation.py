"""The self-evaluation's flow (SPEC section 7): its unit's staff submit it, complete; a reviewer of its
department returns, approves or reopens it; finance returns an approved one when it returns the department's year
(``performance.approval``)."""

from django.utils.translation import gettext_lazy as _

from ..models import Evaluation
from ..rights import may
from ..services import score_project
from ..tasks.notifications import notify_evaluation
from .engine import Flow, Transition, run
from .review_cycle import review_cycle

EVALUATION = Flow(
    model=Evaluation,
    related=("project__unit",),
    transitions={
        **review_cycle(
            submit=lambda user, evaluation: may(user, "submit_evaluation", evaluation.project),
            review=lambda user, evaluation: may(user, "review_evaluation", evaluation.project),
            requires=lambda evaluation: score_project(evaluation.project).problems,
            reopen_missing=_("重新打开已审核的自评必须填写原因。"),
        ),
        "finance_return": Transition(
            "finance_return",
            _("财政退回"),
            frozenset({Evaluation.Status.APPROVED}),
            Evaluation.Status.RETURNED,
            lambda user, evaluation: may(user, "finance_return_evaluation", evaluation.project),
            _("财政退回：%(reason)s"),
            reason_missing=_("退回时必须填写退回原因。"),
            stamp="reviewed",
            reason_field="return_reason",
        ),
    },
    notify=notify_evaluation,
)


def submit_evaluation(*, evaluation: Evaluation, by) -> Evaluation:
    """Submit a self-evaluation for review, refusing one that is incomplete."""
    return run(EVALUATION, evaluation, "submit", by=by)


def return_evaluation(*, evaluation: Evaluation, by, reason: str) -> Evaluation:
    """Send a submitted self-evaluation back to its unit, with the reviewer's reason."""
    return run(EVALUATION, evaluation, "return", by=by, reason=reason)


def approve_evaluation(*, evaluation: Evaluation, by) -> Evaluation:
    """Approve a submitted self-evaluation; its data is locked from then on."""
    return run(EVALUATION, evaluation, "approve", by=by)


def reopen_evaluation(*, evaluation: Evaluation, by, reason: str) -> Evaluation:
    """Reopen an approved self-evaluation for editing: a reviewer only, with a recorded reason."""
    return run(EVALUATION, evaluation, "reopen", by=by, reason=reason)


def finance_return_evaluation(*, evaluation: Evaluation, by, reason: str) -> Evaluation:
    """Send an approved self-evaluation back to its unit as finance returns its department's year, with the reason."""
    return run(EVALUATION, evaluation, "finance_return", by=by, reason=reason)
