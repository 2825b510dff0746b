"""Who manages the library: finance (and superusers) every entry; a reviewer their departments' own entries."""

from budgets.models import Access
from budgets.permissions import _accesses, is_finance_bureau

from .models import LibraryEntry


def reviewed_department_ids(user) -> list[int]:
    accesses = _accesses(user) or []
    return sorted({a.department_id for a in accesses if a.role == Access.Role.REVIEWER})


def may_manage_library(user) -> bool:
    """The library page is for reviewers and finance."""
    return is_finance_bureau(user) or bool(reviewed_department_ids(user))


def may_edit_entry(user, entry: LibraryEntry) -> bool:
    if is_finance_bureau(user):
        return True
    return entry.department_id is not None and entry.department_id in reviewed_department_ids(user)
