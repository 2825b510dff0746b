"""What the library's review rules compare a target with, for a batch of projects in a constant number of queries:
the library entry of each indicator (by name or alias), last year's target and actual of the same indicator in
the same project, the median of the peers' targets, and the factor the reviewer set.

Peers are the other projects of the same year and the year before: those ``viewer`` may see when a user is
given, else the projects of the same department (what its reviewer sees)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from budgets.models import Project, Unit
from budgets.permissions import projects_for

from .figures import (
    LastYear,
    PeerFigures,
    figures_of,
    last_year_figures,
    library_index,
    peer_rows,
    previous_projects,
    without,
)
from .models import LibraryEntry, PeerFactor
from .names import AliasIndex

CONTEXT = "library_context"


@dataclass
class LibraryContext:
    index: AliasIndex
    entries: dict[str, LibraryEntry]
    last_year: dict[str, LastYear] = field(default_factory=dict)
    peers: PeerFigures = field(default_factory=lambda: PeerFigures({}, {}))
    factor: Decimal = PeerFactor.DEFAULT

    def key(self, name: str) -> str:
        return self.index.key(name)


def attach_contexts(projects: list, indicators_of, *, viewer=None) -> None:
    """Set ``library_context`` on each project; ``indicators_of(project)`` gives the indicators reviewed."""
    if not projects:
        return
    entries = list(LibraryEntry.objects.select_related("level2"))
    index = library_index(entries)
    by_key: dict[str, LibraryEntry] = {}
    for entry in entries:
        by_key.setdefault(index.key(entry.name), entry)
    previous = previous_projects(projects)
    last = last_year_figures(list(previous.values()), index)
    factors = {f.department_id: f.factor for f in PeerFactor.objects.all()}
    units = {key: entry.unit for key, entry in by_key.items() if entry.unit}

    wanted = {index.key(ind.name) for project in projects for ind in indicators_of(project)}
    raw_keys = {raw: key for key in wanted for raw in index.keys_for(key)}
    years = sorted({y for p in projects for y in (p.year - 1, p.year)})
    department_of = dict(Unit.objects.filter(pk__in={p.unit_id for p in projects}).values_list("pk", "department_id"))
    group = () if viewer is not None else ("project__unit__department_id",)
    if viewer is not None:
        scope = projects_for(viewer)
    else:
        scope = Project.objects.filter(unit__department__in=set(department_of.values()))
    grouped: dict = defaultdict(list)
    for row in peer_rows(projects=scope, years=years, raw_keys=raw_keys, group_by=(*group, "project__year")):
        *head, year, raw, target, actual, n = row
        grouped[(head[0] if head else None, year)].append((raw, target, actual, n))
    own: dict = defaultdict(list)
    mine = [p.pk for p in projects] + [p.pk for p in previous.values()]
    for row in peer_rows(projects=mine, years=years, raw_keys=raw_keys, group_by=("project_id",)):
        own[row[0]].append(row[1:])
    for project in projects:
        department = None if viewer is not None else department_of[project.unit_id]
        rows = grouped[(department, project.year - 1)] + grouped[(department, project.year)]
        rows = without(rows, own.get(project.pk, []) + own.get(getattr(previous.get(project.pk), "pk", None), []))
        setattr(
            project,
            CONTEXT,
            LibraryContext(
                index=index,
                entries=by_key,
                last_year=last.get(previous[project.pk].pk, {}) if project.pk in previous else {},
                peers=figures_of(rows, keys=raw_keys, units=units),
                factor=factors.get(department_of[project.unit_id], PeerFactor.DEFAULT),
            ),
        )
