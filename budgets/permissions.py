"""The one place that decides which units, departments and projects a user may see.

Every queryset, view, download, admin page and API call goes through these helpers.
Superusers and the finance bureau see everything; a reviewer sees the units of their
departments; unit staff see their own units; anyone else sees nothing.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import Access, Department, Project, Unit


def _accesses(user):
    if not user.is_authenticated or not user.is_active:
        return None
    cache = getattr(user, "_jixiao_accesses", None)
    if cache is None:
        cache = list(Access.objects.filter(user=user).select_related("unit"))  # with each unit's department id
        user._jixiao_accesses = cache
    return cache


def sees_everything(user) -> bool:
    accesses = _accesses(user)
    if accesses is None:
        return False
    return user.is_superuser or any(a.role == Access.Role.FINANCE for a in accesses)


def scope_of(user) -> tuple:
    """Which units the user sees, as a plain value: the same for users who see the same (a cache key's part)."""
    accesses = _accesses(user)
    if accesses is None:
        return ("nothing",)
    if sees_everything(user):
        return ("everything",)
    return (
        "units",
        tuple(sorted(a.unit_id for a in accesses if a.role == Access.Role.STAFF)),
        tuple(sorted(a.department_id for a in accesses if a.role == Access.Role.REVIEWER)),
    )


def department_ids_for(user) -> list[int] | None:
    """The ids of the departments whose units the user sees (some or all of them); None for every department.
    What ``departments_for`` gives, read from the user's accesses without a scan of the units."""
    accesses = _accesses(user)
    if accesses is None:
        return []
    if sees_everything(user):
        return None
    departments = {a.department_id for a in accesses if a.role == Access.Role.REVIEWER}
    departments.update(a.unit.department_id for a in accesses if a.role == Access.Role.STAFF and a.unit is not None)
    return sorted(departments)


def is_finance_bureau(user) -> bool:
    """Finance bureau staff (财政), or a superuser: they approve what departments submit."""
    accesses = _accesses(user)
    if accesses is None:
        return False
    return user.is_superuser or any(a.role == Access.Role.FINANCE for a in accesses)


def reviewed_department_ids(user) -> list[int]:
    """The departments the user reviews (审核人), from their accesses; finance's everything is not included."""
    accesses = _accesses(user)
    if accesses is None:
        return []
    return sorted(a.department_id for a in accesses if a.role == Access.Role.REVIEWER)


def _unit_filter(user, prefix: str = "") -> Q | None:
    """A filter on units the user may see, or None for everything; Q(pk__in=[]) for nothing."""
    accesses = _accesses(user)
    if accesses is None:
        return Q(pk__in=[])
    if sees_everything(user):
        return None
    unit_ids = [a.unit_id for a in accesses if a.role == Access.Role.STAFF]
    department_ids = [a.department_id for a in accesses if a.role == Access.Role.REVIEWER]
    if not unit_ids and not department_ids:
        return Q(pk__in=[])
    return Q(**{f"{prefix}pk__in": unit_ids}) | Q(**{f"{prefix}department__in": department_ids})


def units_for(user) -> QuerySet[Unit]:
    condition = _unit_filter(user)
    units = Unit.objects.all()
    if condition is None:
        return units
    if condition == Q(pk__in=[]):
        return units.none()
    return units.filter(condition)


def departments_for(user) -> QuerySet[Department]:
    """The departments whose units the user sees (some or all of them)."""
    ids = department_ids_for(user)
    return Department.objects.all() if ids is None else Department.objects.filter(pk__in=ids)


def projects_for(user) -> QuerySet[Project]:
    if sees_everything(user):
        return Project.objects.all()
    return Project.objects.filter(unit__in=units_for(user))


# Department, unit, then the unit's own order: how lists, workbooks and sheets put projects.
PROJECT_ORDER = ("unit__department__code", "unit__order", "order", "id")


def year_projects_for(user, year: int, *, unit: str = "", department: str = "") -> tuple[QuerySet[Project], str]:
    """The projects of ``year`` the user may see, in order, narrowed to one unit or one department
    (by code), with that unit's or department's name ("" for everything the user sees).

    A unit or department the user may not see raises its model's DoesNotExist, as if it did not exist.
    """
    projects = projects_for(user).filter(year=year)
    label = ""
    if unit:
        chosen = units_for(user).get(code=unit)
        projects, label = projects.filter(unit=chosen), chosen.name
    elif department:
        chosen = departments_for(user).get(code=department)
        projects, label = projects.filter(unit__department=chosen), chosen.name
    return projects.order_by(*PROJECT_ORDER), label


@dataclass(frozen=True)
class YearScopes:
    """The units and departments (code, name) whose projects of a year ``year_projects_for`` gives a user."""

    year: int
    departments: list[tuple[str, str]]
    units: list[tuple[str, str]]


def year_scopes_for(user, year: int, *, department: str = "", unit: str = "") -> YearScopes:
    """Every unit and department for which ``year_projects_for(user, year, unit=… | department=…)`` holds projects
    (so a download of its year's workbooks answers with a file, not a 404): the same visible projects, read
    in one query. Narrowed to one department or one unit (by code) when given."""
    projects = projects_for(user).filter(year=year)
    if unit:
        projects = projects.filter(unit__code=unit)
    elif department:
        projects = projects.filter(unit__department__code=department)
    rows = (
        projects.order_by("unit__department__code", "unit__order", "unit__code")
        .values_list("unit__department__code", "unit__department__name", "unit__code", "unit__short_name", "unit__name")
        .distinct()
    )
    departments: dict[str, str] = {}
    units: dict[str, str] = {}
    for department_code, department_name, unit_code, short_name, unit_name in rows:
        departments.setdefault(department_code, department_name)
        if unit_code:  # year_projects_for finds a unit by its code
            units.setdefault(unit_code, short_name or unit_name)  # the name a unit shows everywhere (Unit.__str__)
    return YearScopes(year, list(departments.items()), list(units.items()))


def can_edit_unit(user, unit: Unit) -> bool:
    """Unit staff enter data for their own units (superusers too)."""
    accesses = _accesses(user)
    if accesses is None:
        return False
    if user.is_superuser:
        return True
    return any(a.role == Access.Role.STAFF and a.unit_id == unit.pk for a in accesses)


def can_review_unit(user, unit: Unit) -> bool:
    """Reviewers review the units of their departments (superusers too)."""
    accesses = _accesses(user)
    if accesses is None:
        return False
    if user.is_superuser:
        return True
    return any(a.role == Access.Role.REVIEWER and a.department_id == unit.department_id for a in accesses)


def can_review_department(user, department: Department | int) -> bool:
    """Reviewers of the department (审核人; a department or its id), superusers too: they decide its
    self-evaluation's items and submit its year to finance."""
    accesses = _accesses(user)
    if accesses is None:
        return False
    if user.is_superuser:
        return True
    department_id = department if isinstance(department, int) else department.pk
    return any(a.role == Access.Role.REVIEWER and a.department_id == department_id for a in accesses)
