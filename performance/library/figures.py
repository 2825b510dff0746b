"""Last year's and peers' figures of library indicators: what the declaration form shows beside a suggestion and
what the review rules compare a target with. Every function reads in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.db.models import Count, Q

from budgets.models import Project
from budgets.numbers import plain

from ..actuals import ActualKind, read_actual
from ..models import Indicator
from ..targets import Kind, Target, parse_target, unit_factor
from .models import LibraryEntry
from .names import AliasIndex


@lru_cache(maxsize=4096)
def _target(text: str) -> Target:
    return parse_target(text)


@lru_cache(maxsize=8192)
def _actual_value(text: str, target_text: str) -> tuple[Decimal, str] | None:
    target = _target(target_text)
    if target.kind != Kind.QUANTITATIVE:
        return None
    actual = read_actual(text, target)
    if actual.kind != ActualKind.NUMBER or actual.error or actual.value is None:
        return None
    return actual.value, target.unit


def target_number(text: str) -> tuple[Decimal, str] | None:
    """A quantitative target's number and unit (a range: its low end); None for dates, words and '/'."""
    target = _target(text)
    if target.kind != Kind.QUANTITATIVE or target.value is None:
        return None
    return target.value, target.unit


def in_unit(number: tuple[Decimal, str] | None, unit: str) -> Decimal | None:
    """The number in ``unit`` (人 and 万人 convert; 次 and 万元 do not: None)."""
    if number is None:
        return None
    factor = unit_factor(number[1], unit)
    return None if factor is None else number[0] * factor


@dataclass(frozen=True)
class Spread:
    count: int
    low: Decimal
    median: Decimal
    high: Decimal

    def as_dict(self, unit: str) -> dict:
        return {
            "count": self.count,
            "min": plain(self.low) + unit,
            "median": plain(self.median) + unit,
            "max": plain(self.high) + unit,
        }


def spread(counted: list[tuple[Decimal, int]]) -> Spread | None:
    """Min, median and max of values each seen ``n`` times (the median of an even count: the two middles' mean)."""
    counted = sorted((value, n) for value, n in counted if n > 0)
    total = sum(n for _value, n in counted)
    if not total:
        return None

    def at(position: int) -> Decimal:
        seen = 0
        for value, n in counted:
            seen += n
            if position < seen:
                return value
        return counted[-1][0]

    middle = at(total // 2) if total % 2 else (at(total // 2 - 1) + at(total // 2)) / 2
    return Spread(total, counted[0][0], middle.quantize(Decimal("0.01")).normalize(), counted[-1][0])


@dataclass
class PeerFigures:
    """Per canonical name key: the peers' targets and actuals (value, times seen), in the unit of the key."""

    targets: dict[str, list[tuple[Decimal, int]]]
    actuals: dict[str, list[tuple[Decimal, int]]]

    def target_spread(self, key: str) -> Spread | None:
        return spread(self.targets.get(key, []))

    def actual_spread(self, key: str) -> Spread | None:
        return spread(self.actuals.get(key, []))


def library_index(entries: list[LibraryEntry]) -> AliasIndex:
    return AliasIndex({entry.name: entry.alias_list() for entry in entries})


def peer_rows(*, projects, years: list[int], raw_keys, group_by: tuple[str, ...] = ()):
    """(group..., name_key, target, actual, n) of the indicators named by ``raw_keys`` of ``projects`` (None: every
    project) in ``years``; one query, grouped by the texts so its rows do not grow with the data."""
    rows = Indicator.objects.filter(name_key__in=list(raw_keys), project__year__in=years)
    if projects is not None:
        rows = rows.filter(project__in=projects)
    return rows.values_list(*group_by, "name_key", "target", "result__actual").annotate(n=Count("id")).order_by()


def figures_of(rows, *, keys: dict[str, str], units: dict[str, str]) -> PeerFigures:
    """Peer figures from (name_key, target, actual, n) rows; ``keys`` maps raw keys to canonical ones, ``units``
    gives each canonical key's unit (else the unit seen most)."""
    numbers: dict[str, list[tuple[tuple[Decimal, str], tuple[Decimal, str] | None, int]]] = defaultdict(list)
    for raw, target, actual, n in rows:
        number = target_number(target)
        if number is None or raw not in keys:
            continue
        done = _actual_value(actual, target) if actual else None
        numbers[keys[raw]].append((number, done, n))
    targets: dict[str, list] = {}
    actuals: dict[str, list] = {}
    for key, seen in numbers.items():
        unit = units.get(key) or _most_seen_unit(seen)
        targets[key] = _counted((in_unit(number, unit), n) for number, _done, n in seen)
        actuals[key] = _counted((in_unit(done, unit), n) for _number, done, n in seen)
    return PeerFigures(targets, actuals)


def _most_seen_unit(seen) -> str:
    units: dict[str, int] = defaultdict(int)
    for (_value, unit), _done, n in seen:
        units[unit] += n
    return max(units.items(), key=lambda item: item[1])[0]


def _counted(pairs) -> list[tuple[Decimal, int]]:
    merged: dict[Decimal, int] = defaultdict(int)
    for value, n in pairs:
        if value is not None:
            merged[value] += n
    return list(merged.items())


@dataclass(frozen=True)
class LastYear:
    target: str
    actual: str


def previous_projects(projects: list[Project]) -> dict[int, Project]:
    """Each project's project of the year before (same unit; same code, or same name where there is none): one
    query for them all."""
    if not projects:
        return {}
    wanted = Q()
    for project in projects:
        same = Q(code=project.code) if project.code else Q(name=project.name)
        wanted |= Q(unit_id=project.unit_id, year=project.year - 1) & same
    found = {}
    for previous in Project.objects.filter(wanted):
        found[(previous.unit_id, previous.year, previous.code or previous.name)] = previous
        found.setdefault((previous.unit_id, previous.year, previous.name), previous)
    return {
        project.pk: found.get((project.unit_id, project.year - 1, project.code or project.name))
        for project in projects
        if found.get((project.unit_id, project.year - 1, project.code or project.name))
    }


def last_year_figures(previous: list[Project], index: AliasIndex) -> dict[int, dict[str, LastYear]]:
    """For each of these (last year's) projects, its indicators' targets and actuals by canonical name key."""
    figures: dict[int, dict[str, LastYear]] = defaultdict(dict)
    rows = Indicator.objects.filter(project__in=[p.pk for p in previous]).values_list(
        "project_id", "name", "target", "result__actual"
    )
    for project_id, name, target, actual in rows.order_by("project_id", "order", "id"):
        figures[project_id].setdefault(index.key(name), LastYear(target, actual or ""))
    return figures


def without(rows: list[tuple], mine: list[tuple]) -> list[tuple]:
    """Grouped (name_key, target, actual, n) rows less a project's own (it is no peer of itself)."""
    counts: dict = defaultdict(int)
    for raw, target, actual, n in rows:
        counts[(raw, target, actual)] += n
    for raw, target, actual, n in mine:
        counts[(raw, target, actual)] -= n
    return [(*key, n) for key, n in counts.items() if n > 0]
