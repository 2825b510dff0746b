"""Writing the checked rows, one function per entity (departments and units, projects, goals and
self-evaluations, indicators with their results), in bulk with their history records, and the declarations'
states last (``move_targets``). Goals, self-evaluations, indicators and results are written ``BATCH`` rows at a
time and let go of once written: a province's file has 600,000 indicators.

Every change is judged as it is noted, with the right it needs (``Written``): the projects changed are kept, and
the changes refused with the cell that says each, for ``allowed`` to name before the transaction commits. Every
change also goes into the report's change list (sheet, row, column, old → new; a new project or indicator once,
not cell by cell), what a trial import shows before the user confirms. The evidence a file lists and the
self-evaluation's state are checked here, never written."""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from os import PathLike
from pathlib import Path

from budgets.models import Department, Project, Unit
from budgets.numbers import plain

from ..actuals import Tier
from ..declaration.models import TargetSet
from ..declaration.recorded import record_targets_status
from ..history import record_history
from ..models import (
    ActualResult,
    Evaluation,
    Evidence,
    Indicator,
    IndicatorCategory,
    IndicatorMonitoring,
    ProjectGoal,
    result_of,
)
from ..rights import target_set_of, targets_status
from ..scores.keep import listed
from .cells import Row
from .check import Known, Matches
from .columns import (
    EVALUATION_STATUS,
    EVALUATION_STATUS_WORDS,
    EVIDENCE,
    MONEY_COLUMNS,
    REPORTED_TOTAL,
    TARGETS_STATUS,
    TARGETS_STATUS_WORDS,
    TIER,
)
from .read import IndicatorRow, ProjectRow
from .report import ImportReport

BATCH = 2000  # rows per INSERT/UPDATE statement (Django lowers it to what the database accepts)
RESULT_FIELDS = ["actual", "tier", "evaluator_score", "reported_score", "deviation_reason"]
INDICATOR_WRITTEN = [
    "level1",
    "level2",
    "level1_as_written",
    "level2_as_written",
    "name",
    "description",
    "target",
    "target_kind",
    "target_parsed",
    "basis",
    "weight",
    "order",
]


def _changed_fields(obj, values: dict, old: dict | None = None) -> list[str]:
    """Set the values on ``obj``; the names of those that differed (their values before into ``old``)."""
    changed = []
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            setattr(obj, name, value)
            changed.append(name)
            if old is not None:
                old[name] = before
    return changed


def shown(value) -> str:
    """A value as the change list shows it: a number as a person writes it, nothing as empty text."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


def _tier_shown(tier: str) -> str:
    return Tier.LABELS.get(tier or "", "")


def _note_fields(report: ImportReport, row: Row, changed, old: dict, obj, columns: dict, show=None) -> None:
    """Each changed field's cell in the change list: its column (``columns``: field → (right, column)), the value
    before and after."""
    show = show or {}
    for name in changed:
        if name in columns:
            text = show.get(name, shown)
            report.change(row.sheet, row.number, columns[name][1], text(old.get(name)), text(getattr(obj, name)))


# What a change needs (a right of ``performance.rights``), by the field it changes and the column that says it.
TARGETS, ACTUALS = "declare_targets", "enter_actuals"
PROJECT_FIELDS = {"code": (TARGETS, "项目编码"), "name": (TARGETS, "项目名称")} | {
    name: (ACTUALS, title) for name, title in MONEY_COLUMNS.items()
}
EVALUATION_FIELDS = {
    "goal_actual": (ACTUALS, "实际完成情况"),
    "reported_budget_score": (ACTUALS, "执行率得分(自评)"),
    "budget_deviation_reason": (ACTUALS, "执行偏差原因"),
    "reported_total": (ACTUALS, REPORTED_TOTAL),
}
# target_kind and target_parsed follow from 指标值, tier from 实际完成值 or 得分(自评): read again, not changed.
INDICATOR_FIELDS = {
    "level1_id": (TARGETS, "一级指标"),
    "level1_as_written": (TARGETS, "一级指标"),
    "level2_id": (TARGETS, "二级指标"),
    "level2_as_written": (TARGETS, "二级指标"),
    "name": (TARGETS, "三级指标"),
    "description": (TARGETS, "绩效指标描述"),
    "target": (TARGETS, "指标值"),
    "basis": (TARGETS, "指标值确定依据"),
    "weight": (TARGETS, "分值"),
    "order": (TARGETS, "三级指标"),
}
RESULT_COLUMNS = {
    "actual": (ACTUALS, "实际完成值"),
    "tier": (ACTUALS, TIER),
    "evaluator_score": (ACTUALS, "得分(自评)"),
    "reported_score": (ACTUALS, "得分(自评)"),
    "deviation_reason": (ACTUALS, "偏差原因分析及改进措施"),
}


def _result_columns(item: IndicatorRow) -> dict:
    """The columns that say a result's fields in this file: the tier in 完成档次 (an older file's in 实际完成值),
    the evaluator's score in 评价得分 (an older file's in 得分(自评))."""
    return RESULT_COLUMNS | {
        "tier": (ACTUALS, TIER if item.tier_given else "实际完成值"),
        "evaluator_score": (ACTUALS, item.evaluator_column),
    }


@dataclass(frozen=True, slots=True)
class Change:
    """A change the importing user may not make: its project, the right it needs, and where the file says it."""

    project: Project
    right: str  # TARGETS or ACTUALS
    row: Row
    column: str
    what: str = ""  # said where the cell cannot say it (an indicator the file no longer lists)


@dataclass
class Written:
    """What ``write_rows`` did: the projects changed by the right each change needs, the changes refused, and
    each key's project.

    ``judge`` (``allowed.Judge``) says why the user may not make a change needing a right to a project, or None.
    Each change is judged as it is noted: a province's file changes millions of cells, and only the refused
    ones are kept, each with its cell, for ``allowed.refuse_changes`` to name."""

    judge: Callable[[Project, str], str | None]
    changed: dict[str, set[int]] = field(default_factory=lambda: {TARGETS: set(), ACTUALS: set()})
    refused: list[Change] = field(default_factory=list)
    projects: dict[tuple, Project] = field(default_factory=dict)
    new_projects: set[int] = field(default_factory=set)
    renames: list[tuple[Row, str, Unit | None]] = field(default_factory=list)  # a unit, or None: its department

    def change(self, project: Project, right: str, row: Row, column: str, what: str = "") -> None:
        """A change of the project that needs ``right``, said by the row's cell under ``column``."""
        self.changed[right].add(project.pk)
        if self.judge(project, right) is not None:
            self.refused.append(Change(project, right, row, column, what))

    def note(self, project: Project, row: Row, names, columns: dict, what: str = "") -> None:
        """The changes of the fields ``names``, each needing the right and said by the column ``columns`` give."""
        for name in names:
            if name in columns:
                right, column = columns[name]
                self.change(project, right, row, column, what)

    @property
    def changed_projects(self) -> set[int]:
        return self.changed[TARGETS] | self.changed[ACTUALS]


@dataclass(frozen=True)
class Audit:
    """Who imports, and the change reason every history record of the import carries."""

    user: object
    reason: str
    when: datetime


def change_reason(file) -> str:
    """The change reason of the import's history records, naming the file where it has a name."""
    name = file if isinstance(file, str | PathLike) else getattr(file, "name", None)
    name = Path(name).name if isinstance(name, str | PathLike) else ""
    return f"导入绩效工作簿“{name}”" if name else "导入绩效工作簿"


def write_rows(
    report: ImportReport, projects: list[ProjectRow], matches: Matches, known: Known, audit: Audit, judge, say
) -> Written:
    """Write the checked rows; returns what changed, and the changes ``judge`` refuses (for the rights and the
    states)."""
    written = Written(judge)
    _write_units(report, projects, known, written)
    resolved = _write_projects(report, projects, matches, known, written)
    _write_goals_and_evaluations(report, projects, resolved, written, audit, say)
    project_of = {key: resolved[key] if key in resolved else matches.db_only[key] for key in matches.by_project}
    written.projects = resolved | project_of
    _write_indicators(report, projects, matches.by_project, project_of, written, audit, say)
    return written


def _write_units(report: ImportReport, projects: list[ProjectRow], known: Known, written: Written) -> None:
    """The departments and units of the 项目 sheet: created, or renamed (a rename noted for the rights)."""
    departments, units = known.departments, known.units
    new_units = []
    for p in projects:
        department = departments.get(p.department_code)
        if department is None:
            department = Department.objects.create(code=p.department_code, name=p.department_name)
            departments[p.department_code] = department
            report.add("部门", "created")
            report.change(p.row.sheet, p.row.number, "主管部门", "", f"新建部门“{p.department_name}”")
        elif changed := _changed_fields(department, {"name": p.department_name}, old := {}):
            department.save(update_fields=["name"])
            report.add("部门", "updated")
            written.renames.append((p.row, "主管部门", None))
            _note_fields(report, p.row, changed, old, department, {"name": (TARGETS, "主管部门")})
        unit = units.get(p.unit_code)
        if unit is None:
            unit = Unit(department=department, code=p.unit_code, name=p.unit_name)  # the code is trimmed, not empty
            units[p.unit_code] = unit
            new_units.append(unit)
            report.add("单位", "created")
            report.change(p.row.sheet, p.row.number, "单位名称", "", f"新建单位“{p.unit_code} {p.unit_name}”")
        elif p.unit_name not in (unit.name, unit.short_name) and (
            changed := _changed_fields(unit, {"name": p.unit_name}, old := {})
        ):
            # A unit is found by its code; its short name (张家口市科协本级 for 张家口市科学技术协会) is no rename.
            unit.save(update_fields=["name"])
            report.add("单位", "updated")
            written.renames.append((p.row, "单位名称", unit))
            _note_fields(report, p.row, changed, old, unit, {"name": (TARGETS, "单位名称")})
    Unit.objects.bulk_create(new_units, batch_size=BATCH)


def _write_projects(
    report: ImportReport, projects: list[ProjectRow], matches: Matches, known: Known, written: Written
) -> dict[tuple, Project]:
    """The projects and their money, created or changed; each file key's project."""
    resolved: dict[tuple, Project] = {}
    new_projects, changed_projects = [], []
    for p in projects:
        values = {"code": p.code, "name": p.name, **p.money}
        project = matches.find(p.key)
        if project is None:
            project = Project(unit=known.units[p.unit_code], year=p.year, **values)
            # A new project has no declaration and no self-evaluation yet: nothing to look up (rights).
            project._state.fields_cache.update(target_set=None, evaluation=None)
            new_projects.append(project)
        elif changed := _changed_fields(project, values, old := {}):
            changed_projects.append(project)
            written.note(project, p.row, changed, PROJECT_FIELDS)
            _note_fields(report, p.row, changed, old, project, PROJECT_FIELDS)
        else:
            report.add("项目", "unchanged")
        resolved[p.key] = project
    Project.objects.bulk_create(new_projects, batch_size=BATCH)
    Project.objects.bulk_update(changed_projects, ["code", "name", *MONEY_COLUMNS], batch_size=BATCH)
    listed(project.pk for project in changed_projects)  # renamed: the lists show it (bulk writes send no signal)
    report.add("项目", "created", len(new_projects))
    report.add("项目", "updated", len(changed_projects))
    written.new_projects = {project.pk for project in new_projects}
    for p in projects:
        project = resolved[p.key]
        if project.pk in written.new_projects:
            written.change(project, TARGETS, p.row, "项目名称", "新建项目")
            report.change(p.row.sheet, p.row.number, "项目名称", "", f"新建项目“{p.name}”")
            written.note(project, p.row, [name for name in MONEY_COLUMNS if p.money[name] is not None], PROJECT_FIELDS)
    return resolved


def _write_goals_and_evaluations(
    report: ImportReport, projects: list[ProjectRow], resolved: dict, written: Written, audit: Audit, say
) -> None:
    """The 项目 sheet's goal and self-evaluation text, and the unit's own budget score, BATCH projects at a time.
    Each is created by its project's id: a project does not keep its new goal and self-evaluation (rights read
    the self-evaluation as it stood before the import, and a new one is editable, as none is)."""
    goal_column = {"goal": (TARGETS, "年度总体目标")}
    fresh = 0  # new projects whose file says a state other than a draft
    for start in range(0, len(projects), BATCH):
        batch = projects[start : start + BATCH]
        ids = [resolved[p.key].pk for p in batch if resolved[p.key].pk not in written.new_projects]
        goals = {g.project_id: g for g in ProjectGoal.objects.filter(project_id__in=ids)}
        evaluations = {e.project_id: e for e in Evaluation.objects.filter(project_id__in=ids)}
        evidence = _evidence_names(ids, indicators=False) if any(p.evidence is not None for p in batch) else {}
        new_goals, changed_goals, new_evaluations, changed_evaluations = [], [], [], []
        for p in batch:
            project = resolved[p.key]
            new_project = project.pk in written.new_projects  # listed once as a new project, not cell by cell
            goal = goals.get(project.pk)
            if goal is None:
                if p.goal:
                    new_goals.append(ProjectGoal(project_id=project.pk, text=p.goal))
                    written.note(project, p.row, ["goal"], goal_column)
                    if not new_project:
                        report.change(p.row.sheet, p.row.number, "年度总体目标", "", p.goal)
            elif changed := _changed_fields(goal, {"text": p.goal}, old := {}):
                changed_goals.append(goal)
                written.note(project, p.row, ["goal"], goal_column)
                _note_fields(report, p.row, changed, old, goal, {"text": goal_column["goal"]})
            else:
                report.add("绩效目标", "unchanged")
            # 总分(自评) is kept where the file has no such column (older files).
            values = {name: getattr(p, name) for name in EVALUATION_FIELDS}
            if not p.has_reported_total:
                del values["reported_total"]
            evaluation = evaluations.get(project.pk)
            if new_project:
                fresh += p.evaluation_status not in (None, Evaluation.Status.DRAFT)
            else:
                _check_status(p, evaluation)
            if p.evidence is not None:
                _check_evidence(report, p.row, p.evidence, evidence.get(project.pk, ()))
            if evaluation is None:
                new_evaluations.append(Evaluation(project_id=project.pk, **values))
                filled = [k for k, v in values.items() if v not in ("", None)]
                written.note(project, p.row, filled, EVALUATION_FIELDS)
                if not new_project:
                    _note_fields(report, p.row, filled, {}, new_evaluations[-1], EVALUATION_FIELDS)
            elif changed := _changed_fields(evaluation, values, old := {}):
                evaluation.version += 1
                changed_evaluations.append(evaluation)
                written.note(project, p.row, changed, EVALUATION_FIELDS)
                _note_fields(report, p.row, changed, old, evaluation, EVALUATION_FIELDS)
            else:
                report.add("绩效自评", "unchanged")
        _save(report, "绩效目标", ProjectGoal, new_goals, changed_goals, ["text"], audit)
        fields = [*EVALUATION_FIELDS, "version"]
        _save(report, "绩效自评", Evaluation, new_evaluations, changed_evaluations, fields, audit)
        say(f"正在写入绩效目标和绩效自评：{start + len(batch)}/{len(projects)}……")
    if fresh:
        report.notes.append(f"{fresh}个新建项目的自评状态按“草稿”导入（导入不设置自评状态，文件中的自评状态未采用）")


def _check_status(p: ProjectRow, evaluation: Evaluation | None) -> None:
    """自评状态 is read only: a file may say the state the self-evaluation is in, never another."""
    current = evaluation.status if evaluation is not None else Evaluation.Status.DRAFT
    if p.evaluation_status is None or p.evaluation_status == current:
        return
    p.row.error(
        EVALUATION_STATUS,
        f"项目“{p.name}”的自评状态为“{EVALUATION_STATUS_WORDS[current]}”，文件中为“{EVALUATION_STATUS_WORDS[p.evaluation_status]}”："
        "导入不能改变自评状态，请在系统中提交、退回、审核或重新打开",
    )


def _evidence_names(project_ids: list[int], *, indicators: bool) -> dict[int, list[str]]:
    """The names of the evidence files held, by project id (``indicators``: by indicator id instead)."""
    held: dict[int, list[str]] = defaultdict(list)
    files = Evidence.objects.filter(project_id__in=project_ids, indicator__isnull=not indicators)
    owner_field = "indicator_id" if indicators else "project_id"
    for owner, name in files.order_by("uploaded_at", "id").values_list(owner_field, "original_name"):
        held[owner].append(name)
    return held


def _check_evidence(report: ImportReport, row: Row, listed: tuple[str, ...], held) -> None:
    """The evidence a 佐证材料 cell lists is a reference: each name must be a file the system holds for that project or
    indicator (an import uploads no file), and one left out is not deleted (said in the report)."""
    for name in dict.fromkeys(listed):
        if name not in held:
            row.error(EVIDENCE, f"佐证材料“{name}”不在系统中：导入不能上传文件，请在填报页上传后再导入，或删去此名称")
    kept = [name for name in dict.fromkeys(held) if name not in listed]
    if kept:
        report.notes.append(
            f"{row.sheet}表第{row.number}行：文件未列出的佐证材料“{'”“'.join(kept)}”仍保留（导入不删除佐证材料）"
        )


def _write_indicators(
    report: ImportReport,
    projects: list[ProjectRow],
    by_project: dict[tuple, list[IndicatorRow]],
    project_of: dict[tuple, Project],
    written: Written,
    audit: Audit,
    say,
) -> None:
    """The file's rows are each project's full list, in order: an indicator is matched by its categories and
    name, else created; those the file no longer lists are deleted. Each indicator's result is written with it,
    BATCH rows at a time (``IndicatorBatch``), the projects' current indicators read a batch of projects at a
    time."""
    project_rows = {p.key: p.row for p in projects}
    batch = IndicatorBatch(report, written, audit, say, total=sum(len(group) for group in by_project.values()))
    categories = dict(IndicatorCategory.objects.values_list("pk", "name"))
    for keys in _batches_of_projects(by_project):
        current = _current_indicators([project_of[key] for key in keys], written.new_projects)
        evidence = {}
        if any(item.evidence is not None for key in keys for item in by_project[key]):
            evidence = _evidence_names([project_of[key].pk for key in keys], indicators=True)
        for key in keys:
            group, project = by_project[key], project_of[key]
            pool: dict[tuple, deque] = defaultdict(deque)
            for indicator in current.pop(project.pk, []):
                pool[(indicator.level1_id, indicator.level2_id, indicator.name)].append(indicator)
            for order, item in enumerate(group, start=1):
                values = _indicator_values(item, order)
                matches = pool.get((item.level1.pk, item.level2.pk, item.name))
                if matches:
                    indicator = matches.popleft()
                    if changed := _changed_fields(indicator, values, old := {}):
                        batch.changed.append(indicator)
                        written.note(project, item.row, changed, INDICATOR_FIELDS)
                        _note_indicator(report, item.row, indicator, old, categories)
                    else:
                        report.add("绩效指标", "unchanged")
                    if item.evidence is not None:
                        _check_evidence(report, item.row, item.evidence, evidence.get(indicator.pk, ()))
                    batch.add(indicator, item, project, new=False)
                else:
                    indicator = Indicator(project=project, **values)
                    batch.new.append(indicator)
                    written.change(project, TARGETS, item.row, "三级指标", "新增指标")
                    if project.pk not in written.new_projects:
                        report.change(item.row.sheet, item.row.number, "三级指标", "", f"新增指标“{item.name}”")
                    if item.evidence:
                        _check_evidence(report, item.row, item.evidence, ())
                    batch.add(indicator, item, project, new=True)
            for rest in pool.values():
                batch.gone.extend(rest)
                for indicator in rest:  # named on the project's row, or its first indicator row where it has none
                    row = project_rows.get(key, group[0].row)
                    written.change(project, TARGETS, row, "项目名称", f"删除了指标“{indicator.name}”")
                    report.change(row.sheet, row.number, "三级指标", indicator.name, "（删除此指标）")
    batch.write()
    batch.note_gone()


def _note_indicator(report: ImportReport, row: Row, indicator: Indicator, old: dict, categories: dict) -> None:
    """An indicator's changed cells in the change list; a category as the file writes it (its name as written, or
    the standard one), its place among the project's indicators as 第N项."""
    before = copy(indicator)
    for name, value in old.items():
        setattr(before, name, value)
    for level in ("level1", "level2"):
        if {f"{level}_id", f"{level}_as_written"} & old.keys():
            was = getattr(before, f"{level}_as_written") or categories.get(getattr(before, f"{level}_id"), "")
            now = getattr(indicator, f"{level}_as_written") or categories.get(getattr(indicator, f"{level}_id"), "")
            if was != now:
                report.change(row.sheet, row.number, INDICATOR_FIELDS[f"{level}_id"][1], was, now)
    rest = [name for name in old if name not in ("level1_id", "level1_as_written", "level2_id", "level2_as_written")]
    if "order" in rest:
        report.change(row.sheet, row.number, "三级指标（顺序）", f"第{old['order']}项", f"第{indicator.order}项")
        rest.remove("order")
    _note_fields(report, row, rest, old, indicator, INDICATOR_FIELDS)


def _batches_of_projects(by_project: dict[tuple, list[IndicatorRow]]) -> Iterator[list[tuple]]:
    """The projects' keys, about BATCH indicator rows' worth at a time."""
    keys, rows = [], 0
    for key, group in by_project.items():
        keys.append(key)
        rows += len(group)
        if rows >= BATCH:
            yield keys
            keys, rows = [], 0
    if keys:
        yield keys


def _current_indicators(projects: list[Project], new_projects: set[int]) -> dict[int, list[Indicator]]:
    """The projects' indicators in the database, with their results, in order, by project id."""
    current: dict[int, list[Indicator]] = defaultdict(list)
    ids = [project.pk for project in projects if project.pk not in new_projects]
    indicators = Indicator.objects.filter(project_id__in=ids).select_related("result", "project")
    for indicator in indicators.order_by("project_id", "order", "id"):
        current[indicator.project_id].append(indicator)
    return current


class IndicatorBatch:
    """Indicators matched or created, and deleted, written BATCH rows at a time with their results and history
    records, then let go of: only the counts and the first deleted indicators' names (for the report) stay."""

    def __init__(self, report: ImportReport, written: Written, audit: Audit, say, *, total: int):
        self.report, self.written, self.audit, self.say, self.total = report, written, audit, say, total
        self.done = 0
        self.rows: list[tuple[Indicator, IndicatorRow, Project, bool]] = []
        self.new: list[Indicator] = []
        self.changed: list[Indicator] = []
        self.gone: list[Indicator] = []
        self.gone_count = 0
        self.gone_names: list[str] = []  # the first GONE_NAMED, for the report's note

    def add(self, indicator: Indicator, item: IndicatorRow, project: Project, *, new: bool) -> None:
        self.rows.append((indicator, item, project, new))
        if len(self.rows) >= BATCH:
            self.write()

    def write(self) -> None:
        if self.gone:
            self.gone_count += len(self.gone)
            named = self.gone[: GONE_NAMED - len(self.gone_names)]
            self.gone_names += [f"{indicator.project.name}/{indicator.name}" for indicator in named]
            _delete_indicators([ind.pk for ind in self.gone], self.audit)
            self.report.add("绩效指标", "deleted", len(self.gone))
        _save(self.report, "绩效指标", Indicator, self.new, self.changed, INDICATOR_WRITTEN, self.audit)
        _write_results(self.report, self.rows, self.written, self.audit)
        if self.rows:
            self.done += len(self.rows)
            self.say(f"正在写入绩效指标：{self.done}/{self.total}……")
        self.rows, self.new, self.changed, self.gone = [], [], [], []

    def note_gone(self) -> None:
        if self.gone_count:
            self.report.notes.append(
                "删除了文件中不再列出的指标："
                + "；".join(self.gone_names)
                + ("……" if self.gone_count > GONE_NAMED else "")
            )


GONE_NAMED = 20  # deleted indicators named in the report


def _indicator_values(item: IndicatorRow, order: int) -> dict:
    return {
        "level1_id": item.level1.pk,
        "level2_id": item.level2.pk,
        "level1_as_written": item.level1_as_written if item.level1_as_written != item.level1.name else "",
        "level2_as_written": item.level2_as_written if item.level2_as_written != item.level2.name else "",
        "name": item.name,
        "description": item.description,
        "target": item.target,
        "target_kind": item.target_parsed.kind,
        "target_parsed": item.target_parsed.as_json(),
        "basis": item.basis,
        "weight": item.weight,
        "order": order,
    }


def _write_results(report: ImportReport, rows: list, written: Written, audit: Audit) -> None:
    """Each indicator's actual result: created where the file fills one in, or changed."""
    new_results, changed_results = [], []
    show = {"tier": _tier_shown}
    for indicator, item, project, new in rows:
        values = {name: getattr(item, name) for name in RESULT_FIELDS}
        result = None if new else result_of(indicator)
        if result is None:
            if filled := [name for name, value in values.items() if value not in ("", None)]:
                new_results.append(ActualResult(indicator=indicator, **values))
                columns = _result_columns(item)
                written.note(project, item.row, filled, columns)
                if not new:  # a new indicator is one change of the list, its cells with it
                    _note_fields(report, item.row, filled, {}, new_results[-1], columns, show)
                changed = filled
            else:
                changed = []
        elif changed := _changed_fields(result, values, old := {}):
            changed_results.append(result)
            columns = _result_columns(item)
            written.note(project, item.row, changed, columns)
            _note_fields(report, item.row, changed, old, result, columns, show)
        else:
            report.add("实际完成值", "unchanged")
        if item.band_problem and {"evaluator_score", "tier"} & set(changed):
            item.row.error(item.evaluator_column, item.band_problem)
    _save(report, "实际完成值", ActualResult, new_results, changed_results, RESULT_FIELDS, audit)


def _delete_indicators(ids: list[int], audit: Audit) -> None:
    """Delete the indicators (their results and monitoring rows cascade); simple_history's signals record
    each deletion, and those records are then given the import's user and reason."""
    Indicator.objects.filter(pk__in=ids).delete()
    for model, lookup in (
        (Indicator, "id__in"),
        (ActualResult, "indicator_id__in"),
        (IndicatorMonitoring, "indicator_id__in"),
    ):
        model.history.filter(history_type="-", **{lookup: ids}).update(
            history_user=audit.user, history_change_reason=audit.reason
        )


def _save(report: ImportReport, kind: str, model, new: list, changed: list, fields: list[str], audit: Audit) -> None:
    """Create and update the rows, each with its history record (the import's user and reason)."""
    who = {"user": audit.user, "reason": audit.reason, "when": audit.when}
    model.objects.bulk_create(new, batch_size=BATCH)
    record_history(model, [obj.pk for obj in new], history_type="+", **who)
    model.objects.bulk_update(changed, fields, batch_size=BATCH)
    record_history(model, [obj.pk for obj in changed], history_type="~", **who)
    report.add(kind, "created", len(new))
    report.add(kind, "updated", len(changed))


def move_targets(moves: list[tuple[Project, str]], audit: Audit, report: ImportReport, rows: dict[int, Row]) -> None:
    """Give the declarations their states: in bulk, with their history records, except approvals, which go
    through the flow one project at a time (the approver checked again, the baseline frozen). Each state that
    changes is in the change list, on the project's row (``rows``, by project id)."""
    new, changed = [], []
    for project, status in moves:
        before = targets_status(project)
        if before != status and project.pk in rows:
            row = rows[project.pk]
            words = TARGETS_STATUS_WORDS[before], TARGETS_STATUS_WORDS[status]
            report.change(row.sheet, row.number, TARGETS_STATUS, *words)
        if status == TargetSet.Status.APPROVED:
            record_targets_status(project=project, status=status, by=audit.user, reason=audit.reason)
            continue
        target_set = target_set_of(project) or TargetSet(project=project)
        target_set.status, target_set.version = status, target_set.version + 1
        if status == TargetSet.Status.SUBMITTED:
            target_set.submitted_by, target_set.submitted_at = audit.user, audit.when
        (changed if target_set.pk else new).append(target_set)
    who = {"user": audit.user, "reason": audit.reason, "when": audit.when}
    TargetSet.objects.bulk_create(new, batch_size=BATCH)
    record_history(TargetSet, [target_set.pk for target_set in new], history_type="+", **who)
    fields = ["status", "version", "submitted_by", "submitted_at"]
    TargetSet.objects.bulk_update(changed, fields, batch_size=BATCH)
    record_history(TargetSet, [target_set.pk for target_set in changed], history_type="~", **who)
    listed(target_set.project_id for target_set in [*new, *changed])  # the lists show the state
    for status, n in Counter(status for _project, status in moves).items():
        report.notes.append(f"绩效目标{TARGETS_STATUS_WORDS[status]}：{n}个项目")
