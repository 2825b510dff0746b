"""The flows of declared targets and of adjustments on the one workflow engine.

Targets: 编制中 draft → 已申报 submitted → 已退回 returned (with a reason, back to editing) or 已批复
approved, which freezes the baseline. The unit's staff submit; a reviewer of the department or the finance
bureau returns or approves. Adjustments: 待审批 submitted → 已批准 approved (applied to the indicators) or
未批准 refused (with a reason), decided by the same people.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..rights import may
from ..workflow.engine import Flow, Transition, run
from .models import Adjustment, TargetSet
from .services import apply_adjustment, declaration_problems, freeze_baseline

Status = TargetSet.Status
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


def _approvers(user, record) -> bool:
    return may(user, "approve_targets", record.project)


TARGETS = Flow(
    model=TargetSet,
    related=("project__unit",),
    transitions={
        "submit": Transition(
            "submit",
            _("申报"),
            EDITABLE,
            Status.SUBMITTED,
            lambda user, target_set: may(user, "submit_targets", target_set.project),
            _("申报绩效目标"),
            requires=lambda target_set: declaration_problems(target_set.project),
            stamp="submitted",
        ),
        "return": Transition(
            "return",
            _("退回"),
            frozenset({Status.SUBMITTED}),
            Status.RETURNED,
            _approvers,
            _("退回绩效目标：%(reason)s"),
            reason_missing=_("退回时必须填写退回原因。"),
            stamp="reviewed",
            reason_field="return_reason",
        ),
        "approve": Transition(
            "approve",
            _("批复"),
            frozenset({Status.SUBMITTED}),
            Status.APPROVED,
            _approvers,
            _("批复绩效目标"),
            stamp="reviewed",
            after=freeze_baseline,
        ),
    },
)

ADJUSTMENT = Flow(
    model=Adjustment,
    related=("project__unit",),
    transitions={
        "approve": Transition(
            "approve",
            _("批准"),
            frozenset({Adjustment.Status.SUBMITTED}),
            Adjustment.Status.APPROVED,
            lambda user, adjustment: may(user, "decide_adjustment", adjustment.project),
            _("批准调整"),
            stamp="reviewed",
            after=apply_adjustment,
        ),
        "refuse": Transition(
            "refuse",
            _("不予批准"),
            frozenset({Adjustment.Status.SUBMITTED}),
            Adjustment.Status.REFUSED,
            lambda user, adjustment: may(user, "decide_adjustment", adjustment.project),
            _("不予批准调整：%(reason)s"),
            reason_missing=_("不予批准时必须填写原因。"),
            stamp="reviewed",
            reason_field="return_reason",
        ),
    },
)


def target_set_for(project) -> TargetSet:
    """The project's declaration, created as a draft where it has none."""
    target_set, _created = TargetSet.objects.get_or_create(project=project)
    return target_set


@transaction.atomic
def submit_targets(*, project, by) -> TargetSet:
    return run(TARGETS, target_set_for(project), "submit", by=by)


@transaction.atomic
def return_targets(*, project, by, reason: str) -> TargetSet:
    return run(TARGETS, target_set_for(project), "return", by=by, reason=reason)


@transaction.atomic
def approve_targets(*, project, by) -> TargetSet:
    return run(TARGETS, target_set_for(project), "approve", by=by)


def approve_adjustment(*, adjustment: Adjustment, by) -> Adjustment:
    return run(ADJUSTMENT, adjustment, "approve", by=by)


def refuse_adjustment(*, adjustment: Adjustment, by, reason: str) -> Adjustment:
    return run(ADJUSTMENT, adjustment, "refuse", by=by, reason=reason)
