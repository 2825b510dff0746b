"""What the declaration form offers for a project: the library's entries for its categories (共性 for every
project), each with this project's target and actual of last year and the spread of the targets and actuals
of the same indicator across the other projects the user may see. A constant number of queries."""

from __future__ import annotations

from collections import defaultdict

from django.core.cache import cache as shared_cache

from budgets.models import Project
from budgets.numbers import plain
from budgets.permissions import department_ids_for, projects_for, scope_of

from ..page_cache import PAGE_CACHE_SECONDS, context_version
from ..scores.versions import Shown
from .figures import figures_of, last_year_figures, library_index, peer_rows, previous_projects, without
from .models import LibraryEntry, ProjectCategory


def library_entries() -> list[LibraryEntry]:
    """Every entry with its categories and levels (three queries)."""
    return list(LibraryEntry.objects.select_related("level1", "level2").prefetch_related("categories"))


def categories_of(project: Project) -> list[ProjectCategory]:
    return [category for category in ProjectCategory.objects.all() if category.fits(project)]


def entries_for(project: Project, entries: list[LibraryEntry]) -> list[LibraryEntry]:
    """The 共性 entries and the 个性 entries of the project's categories (a department's own: its department's)."""
    mine = {category.pk for category in categories_of_cached(project, entries)}
    department = project.unit.department_id
    return [
        entry
        for entry in entries
        if (entry.common or any(c.pk in mine for c in entry.categories.all()))
        and (entry.department_id is None or entry.department_id == department)
    ]


def example_target(entry: LibraryEntry, project: Project) -> str:
    text = entry.example_target.replace("{year}", str(project.year))
    if not text and entry.target_kind == LibraryEntry.TargetKind.AT_MOST and entry.unit == "万元":
        budget = project.total("full_year") or project.total("initial")
        text = f"≤{plain(budget)}万元" if budget is not None else ""
    return text


def suggestions_for(project: Project, user) -> dict:
    """The JSON the declaration form reads (see the module text)."""
    everything = library_entries()
    index = library_index(everything)
    offered = entries_for(project, everything)
    canonical = {entry.pk: index.key(entry.name) for entry in offered}
    wanted = set(canonical.values())
    raw_keys = {raw: key for key in wanted for raw in index.keys_for(key)}
    previous = previous_projects([project]).get(project.pk)
    last = last_year_figures([previous], index).get(previous.pk, {}) if previous else {}
    peers = figures_of(
        _peer_rows(project, previous, user, raw_keys), keys=raw_keys, units={canonical[e.pk]: e.unit for e in offered}
    )
    items = []
    for entry in offered:
        key = canonical[entry.pk]
        before = last.get(key)
        target_spread, actual_spread = peers.target_spread(key), peers.actual_spread(key)
        items.append(
            {
                "id": entry.pk,
                "level1": entry.level1_id,
                "level2": entry.level2_id,
                "level1_name": entry.level1.name,
                "level2_name": entry.level2.name,
                "name": entry.name,
                "description": entry.description,
                "kind": entry.get_target_kind_display(),
                "unit": entry.unit,
                "target": example_target(entry, project),
                "basis": entry.basis,
                "common": entry.common,
                "last_year": None if before is None else {"target": before.target, "actual": before.actual},
                "peers": {
                    "target": target_spread.as_dict(entry.unit) if target_spread else None,
                    "actual": actual_spread.as_dict(entry.unit) if actual_spread else None,
                },
            }
        )
    categories = [c.name for c in categories_of_cached(project, everything)]
    return {"project": project.pk, "categories": categories, "entries": items}


def _peer_rows(project: Project, previous: Project | None, user, raw_keys: dict[str, str]) -> list[tuple]:
    """The grouped rows of every project the user may see in the project's year and the year before, less this
    project's own rows and last year's (one small query).

    Each indicator's rows are cached under the versions of the department-years the user sees (any write to an
    indicator or a result is a new key), so projects of other categories share them; those not cached are read
    in one query. Three queries when any is missing, two when all are cached."""
    years = [project.year - 1, project.year]
    shown = Shown(department_ids_for(user), (scope_of(user), context_version()))
    raws: dict[str, list[str]] = defaultdict(list)
    for raw, key in raw_keys.items():
        raws[key].append(raw)
    names = {key: shown.key("library-peers", extra=(years, key, sorted(found))) for key, found in raws.items()}
    stored = shared_cache.get_many(list(names.values()))
    missing = [key for key, name in names.items() if name not in stored]
    if missing:
        wanted = {raw: key for key in missing for raw in raws[key]}
        fresh: dict[str, list[tuple]] = {key: [] for key in missing}
        for row in peer_rows(projects=projects_for(user), years=years, raw_keys=wanted):
            fresh[wanted[row[0]]].append(tuple(row))
        shared_cache.set_many({names[key]: rows for key, rows in fresh.items()}, PAGE_CACHE_SECONDS)
        stored.update({names[key]: rows for key, rows in fresh.items()})
    rows = [row for name in names.values() for row in stored[name]]
    own = [p.pk for p in (project, previous) if p is not None]
    return without(rows, list(peer_rows(projects=own, years=years, raw_keys=raw_keys)))


def categories_of_cached(project: Project, entries: list[LibraryEntry]) -> list[ProjectCategory]:
    """The project's categories from the entries' prefetched ones (no query)."""
    seen = {c.pk: c for entry in entries for c in entry.categories.all()}
    return sorted((c for c in seen.values() if c.fits(project)), key=lambda c: (c.order, c.name))
