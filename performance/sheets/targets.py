"""绩效目标表 in the seed's layout (SPEC section 14): unit code and name, 绩效目标, then the indicator rows
(一级指标 | 二级指标 | 三级指标 | 绩效指标描述 | 指标值 | 指标值确定依据), one sheet per project.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from budgets.models import Project

from ..declaration.services import baseline_targets, shown_target
from ..services import SCORING_INDICATORS, indicators_for_scoring
from .evaluation import CHUNK, _chunks, _runs, goal_text, level_names
from .layout import Grid, add_styles, in_official_language, sheet_title, write_grid

TARGET_WIDTHS = [12, 16, 20, 32, 16, 16]
TARGET_HEADERS = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]


def targets_grid(project: Project) -> Grid:
    """One project's 绩效目标表."""
    grid = Grid(TARGET_WIDTHS)
    indicators = list(getattr(project, SCORING_INDICATORS))
    grid.put(1, 1, _("%(name)s绩效目标表") % {"name": project.name}, "title", cols=6)
    # The seed's cell, glued as published (731001张家口市科协本级); pages show the unit spaced (Unit.__str__).
    grid.put(2, 1, f"{project.unit.code or ''}{project.unit.shown_name}", "subtitle", cols=3)
    grid.put(2, 4, _("%(year)s年度") % {"year": project.year}, "subtitle", cols=3)
    grid.put(3, 1, _("绩效目标"), "label")
    grid.put(3, 2, goal_text(project), "text", cols=5)
    grid.min_heights[3] = 36
    for col, header in enumerate(TARGET_HEADERS, start=1):
        grid.put(4, col, _(header), "label")
    first = 5
    names = [level_names(indicator) for indicator in indicators]
    baselines = baseline_targets(project)
    for start, length in _runs([n[0] for n in names]):
        grid.put(first + start, 1, names[start][0], "center", rows=length)
    for start, length in _runs(names):
        grid.put(first + start, 2, names[start][1], "center", rows=length)
    for i, indicator in enumerate(indicators):
        row = first + i
        grid.put(row, 3, indicator.name, "text")
        grid.put(row, 4, indicator.description, "text")
        grid.put(row, 5, shown_target(indicator, baselines), "center")
        grid.put(row, 6, indicator.basis, "center")
    return grid


@in_official_language
def write_targets_workbook(projects: QuerySet[Project] | Iterable[Project], out) -> int:
    """Write the 绩效目标表 of each project (a sheet each, in order) to ``out``; how many sheets."""
    ids = list(projects.values_list("pk", flat=True)) if isinstance(projects, QuerySet) else [p.pk for p in projects]
    wb = Workbook(write_only=True)
    add_styles(wb)
    taken: set[str] = set()
    lookup = Prefetch("indicators", queryset=indicators_for_scoring(), to_attr=SCORING_INDICATORS)
    for chunk in _chunks(ids, CHUNK):
        fetched = (
            Project.objects.filter(pk__in=chunk)
            .select_related("unit", "goal", "target_set")
            .prefetch_related(lookup, "target_set__baseline")
        )
        by_id = {project.pk: project for project in fetched}
        for pk in chunk:
            if pk not in by_id:
                continue
            ws = wb.create_sheet(sheet_title(by_id[pk].name, taken))
            write_grid(ws, targets_grid(by_id[pk]), landscape=False, title_rows="1:4")
            ws.close()
    if not taken:
        wb.create_sheet(_("绩效目标表"))
    wb.save(out)
    return len(taken)


@in_official_language
def targets_workbook_bytes(projects) -> bytes:
    buffer = BytesIO()
    write_targets_workbook(projects, buffer)
    return buffer.getvalue()
