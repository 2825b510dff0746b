"""A rectification item's flow on the one workflow engine (``performance.workflow.engine``).

待整改 pending → 整改中 in progress (the unit starts work: saving its response does it) → 待验收 submitted (the unit
submits its response for acceptance) → 已完成 done (a reviewer or finance accepts it, 验收, and is recorded as the
verifier) or 退回 returned (with a reason; the unit works on it again and resubmits).
"""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..workflow.engine import Flow, Transition
from .models import RectificationItem
from .rights import UNIT_WORKS_ON, may_respond, may_submit, may_verify

Status = RectificationItem.Status


def response_problems(item: RectificationItem) -> list[str]:
    """What keeps an item from being submitted for acceptance."""
    if not item.response.strip():
        return [gettext("提交验收前请填写整改情况。")]
    return []


def _verified(item: RectificationItem, *, by, reason: str) -> None:
    """Record the verifier; the transition's own history row already names them as its user."""
    item.verified_by, item.verified_at = by, timezone.now()
    RectificationItem.objects.filter(pk=item.pk).update(verified_by=by, verified_at=item.verified_at)


RECTIFICATION = Flow(
    model=RectificationItem,
    related=("unit",),
    transitions={
        "start": Transition(
            "start",
            _("开始整改"),
            frozenset({Status.PENDING, Status.RETURNED}),
            Status.IN_PROGRESS,
            may_respond,
            _("开始整改"),
        ),
        "submit": Transition(
            "submit",
            _("提交验收"),
            UNIT_WORKS_ON,
            Status.SUBMITTED,
            may_submit,
            _("提交整改情况，申请验收"),
            requires=response_problems,
            stamp="submitted",
        ),
        "accept": Transition(
            "accept",
            _("验收通过"),
            frozenset({Status.SUBMITTED}),
            Status.DONE,
            may_verify,
            _("整改验收通过"),
            stamp="reviewed",
            after=_verified,
        ),
        "return": Transition(
            "return",
            _("退回"),
            frozenset({Status.SUBMITTED}),
            Status.RETURNED,
            may_verify,
            _("退回整改：%(reason)s"),
            reason_missing=_("退回时必须填写退回原因。"),
            stamp="reviewed",
            reason_field="return_reason",
        ),
    },
)
