"""Who may edit a report's texts, and keeping their edits."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from budgets.models import Unit
from budgets.permissions import can_edit_unit, can_review_unit, is_finance_bureau

from .content import SECTIONS, TEXT_LENGTH, Scope
from .models import ReportText


def may_edit(user, scope: Scope) -> bool:
    """A project's or a unit's report: the unit's staff, its department's reviewers and finance; a department's:
    its reviewers and finance."""
    if is_finance_bureau(user):
        return True
    if scope.department is not None:
        return can_review_unit(user, Unit(department=scope.department))
    unit = scope.project.unit if scope.project is not None else scope.unit
    return can_edit_unit(user, unit) or can_review_unit(user, unit)


@transaction.atomic
def save_texts(*, scope: Scope, texts: dict[str, str], by) -> ReportText:
    """Keep the edited sections of ``scope``'s report (the figures are never stored: they come from the data)."""
    if not may_edit(by, scope):
        raise PermissionDenied
    keys = {key for key, _title in SECTIONS}
    too_long = [key for key, value in texts.items() if len(value) > TEXT_LENGTH]
    if too_long:
        raise ValidationError(_("每部分文字不超过 %(n)s 字。") % {"n": TEXT_LENGTH})
    record = scope.stored() or scope.new_text()
    record.sections = {key: texts[key].strip() for key in keys if key in texts}
    record.updated_by = by
    record._history_user = by
    record.full_clean()
    record.save()
    return record
