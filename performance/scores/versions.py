"""The versions of department-years, under which the lists and the dashboard cache what they show.

What the project list and the dashboard show of a project (its name, unit and department, the states of its
targets and self-evaluation, its stored score) belongs to its department's year. Every write that can change
any of it gives that department-year a new token, in the same transaction (``touch``):

- a rescore (``store.rescore``): every change to indicators, results and money goes through it;
- a saved or deleted self-evaluation, declaration or project (the receivers in ``keep``);
- a renamed unit or department (every year of the department);
- the bulk writes of the imports, which name the projects they wrote.

A page reads the tokens of what it shows (``key``: one small query) and caches under them: a write anywhere
in what it shows is a new key, in every process, with nothing to invalidate.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from budgets.models import Project

from .models import DepartmentYearVersion

CHUNK = 2000


def touch(project_ids: Iterable[int]) -> None:
    """New tokens for the department-years of these projects."""
    ids = sorted(set(project_ids))
    pairs: set[tuple[int, int]] = set()
    for start in range(0, len(ids), CHUNK):
        pairs.update(
            Project.objects.filter(pk__in=ids[start : start + CHUNK])
            .values_list("unit__department_id", "year")
            .distinct()
            .order_by()
        )
    touch_years(pairs)


def touch_years(pairs: Iterable[tuple[int, int]]) -> None:
    """New tokens for these (department id, year) pairs: one upsert."""
    token = uuid.uuid4().hex
    rows = [DepartmentYearVersion(department_id=department, year=year, token=token) for department, year in pairs]
    if rows:
        DepartmentYearVersion.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["department", "year"], update_fields=["token"]
        )


def touch_departments(department_ids: Iterable[int]) -> None:
    """New tokens for every year of these departments (a unit or the department renamed)."""
    DepartmentYearVersion.objects.filter(department__in=list(department_ids)).update(token=uuid.uuid4().hex)


class Shown:
    """The versions of the department-years a user may see (read once: one small query), and the keys of the
    parts of pages cached under them.

    ``departments`` are the ids the user may see (None: all); ``parts`` is what else every part depends on
    (who sees what, the language, the code, the rules)."""

    def __init__(self, departments: Iterable[int] | None, parts: object):
        rows = DepartmentYearVersion.objects.order_by("department_id", "year")
        if departments is not None:
            rows = rows.filter(department__in=list(departments))
        self.tokens = list(rows.values_list("department_id", "year", "token"))
        self.parts = parts

    def key(self, kind: str, *, year: int | None = None, extra: object = ()) -> str:
        """The key of a part showing ``year`` (None: every year) of these departments; ``extra``: what else it
        depends on (the query). Any write to what it shows makes a new key."""
        tokens = self.tokens if year is None else [row for row in self.tokens if row[1] == year]
        digest = hashlib.sha256(repr((tokens, self.parts, extra)).encode()).hexdigest()
        return f"{kind}:{digest}"


def unversioned() -> QuerySet[Project]:
    """Projects whose department-year has no version: none should have (checked after every test)."""
    return Project.objects.exclude(
        Exists(DepartmentYearVersion.objects.filter(department=OuterRef("unit__department"), year=OuterRef("year")))
    )
