"""Who may see and change rectification items, decided here and nowhere else.

The unit's staff respond and submit for acceptance; the department's reviewers and the finance bureau create
items (by hand or by confirming a proposal), accept them (验收) or return them, and confirm or dismiss the
proposals of a department's year. Everyone sees the items of the units they see (``budgets.permissions``).
"""

from __future__ import annotations

from django.db.models import QuerySet

from budgets.models import Department, Unit
from budgets.permissions import can_edit_unit, can_review_unit, is_finance_bureau, sees_everything, units_for

from .models import RectificationItem

Status = RectificationItem.Status
UNIT_WORKS_ON = frozenset({Status.PENDING, Status.IN_PROGRESS, Status.RETURNED})


def items_for(user) -> QuerySet[RectificationItem]:
    """The items of the units the user sees."""
    items = RectificationItem.objects.all()
    if sees_everything(user):
        return items
    return items.filter(unit__in=units_for(user))


def may_create_for(user, unit: Unit) -> bool:
    """Reviewers of the unit's department and the finance bureau create items (superusers too)."""
    return can_review_unit(user, unit) or is_finance_bureau(user)


def may_propose_for(user, department: Department) -> bool:
    """Reviewers of the department and the finance bureau see, confirm and dismiss its proposals."""
    return is_finance_bureau(user) or can_review_unit(user, Unit(department=department))


def may_respond(user, item: RectificationItem) -> bool:
    """The unit's staff write the response and attach files while the item is theirs to work on."""
    return can_edit_unit(user, item.unit) and item.status in UNIT_WORKS_ON


def may_submit(user, item: RectificationItem) -> bool:
    return can_edit_unit(user, item.unit)


def may_verify(user, item: RectificationItem) -> bool:
    """Accept (验收) or return a submitted item: the department's reviewers and the finance bureau."""
    return may_create_for(user, item.unit)
