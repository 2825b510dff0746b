"""One engine for the workflow of every document: self-evaluations, monitoring entries, declared targets and
their adjustments (SPEC section 7).

A kind of document declares its states and its transitions as a ``Flow`` beside its own rules
(``performance.workflow.evaluation``, ``performance.monitoring``, ``performance.declaration.flows``). Each
``Transition`` says from which states it starts, where it goes, who may make it (a rights predicate of
``performance.rights``), what it requires, whether it needs a reason, and what it does besides. ``run``
makes a transition: it re-reads the record under a row lock (so two transitions cannot interleave),
checks all of that, applies it, bumps the version (so open forms see they are stale) and writes the
history record with who and why (django-simple-history).

Why not django-fsm-2: its transitions are model methods that change the state in memory and leave the
save, the row lock, the reason, the version and the history to every caller; here those are the
transition, and the states stay plain ``CharField`` choices that the admin, the imports and the
exports already read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

Rights = Callable[[object, models.Model], bool]


@dataclass(frozen=True)
class Transition:
    """One move of a document from some states to another."""

    name: str
    action: str  # the verb users read: 提交, 退回, 审核通过 ...
    sources: frozenset[str]
    target: str
    allowed: Rights  # (user, record) → may this user make it
    history: str  # the change reason recorded; ``%(reason)s`` is the user's reason
    requires: Callable[[models.Model], list[str]] | None = None  # problems that refuse it
    reason_missing: str = ""  # non-empty: a reason is required, and this says so when it is missing
    stamp: str = ""  # "submitted" or "reviewed": who and when are recorded on the record
    reason_field: str = ""  # where the reason is kept on the record (return_reason)
    after: Callable[..., None] | None = None  # (record, by=, reason=) inside the same transaction


@dataclass(frozen=True)
class Flow:
    """A kind of document: its model, the relations a transition reads, its transitions and a guard that
        every transition passes (a monitoring round must be open), and whom each transition notifies (the inbox,
    ``performance.tasks.notifications``)."""

    model: type[models.Model]
    transitions: dict[str, Transition]
    related: tuple[str, ...] = ()
    guard: Callable[[models.Model], None] | None = None
    notify: Callable[..., None] | None = None  # (record, transition=name, by=, reason=): tells who acts next

    def available(self, record, user) -> list[Transition]:
        """The transitions this user may make on the record as it stands (for the buttons a page shows)."""
        if record is None:
            return []
        return [t for t in self.transitions.values() if record.status in t.sources and t.allowed(user, record)]

    def can(self, record, user, name: str) -> bool:
        transition = self.transitions[name]
        return record is not None and record.status in transition.sources and transition.allowed(user, record)


def require_status(record, allowed, action: str) -> None:
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


@transaction.atomic
def run(flow: Flow, record, name: str, *, by, reason: str = ""):
    """Make the transition ``name`` on ``record`` as user ``by``; PermissionDenied or ValidationError refuse it."""
    transition = flow.transitions[name]
    record = flow.model.objects.select_for_update().select_related(*flow.related).get(pk=record.pk)
    if not transition.allowed(by, record):
        raise PermissionDenied
    require_status(record, transition.sources, transition.action)
    if flow.guard is not None:
        flow.guard(record)
    if transition.reason_missing:
        reason = required_reason(reason, transition.reason_missing)
    if transition.requires is not None:
        problems = transition.requires(record)
        if problems:
            raise ValidationError(problems)
    changes = {"status": transition.target}
    now = timezone.now()
    if transition.stamp == "submitted":
        changes.update(submitted_by=by, submitted_at=now)
    elif transition.stamp == "reviewed":
        changes.update(reviewed_by=by, reviewed_at=now)
    if transition.reason_field:
        changes[transition.reason_field] = reason
    record_transition(record, by=by, reason=transition.history % {"reason": reason}, **changes)
    if transition.after is not None:
        transition.after(record, by=by, reason=reason)
    if flow.notify is not None:
        flow.notify(record, transition=name, by=by, reason=reason)
    return record
