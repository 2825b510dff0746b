"""Importing the flat interchange workbook (SPEC section 11).

``import_workbook`` reads both sheets, checks every row and cell first and refuses the whole file
with every problem found (sheet, row, column and a Chinese sentence); only a clean file is written,
in one transaction. Importing the same file twice changes nothing.

What the file may change is decided by ``performance.rights``, after the rows are written and
before the transaction commits: every change is noted with its sheet, row and column, and a change to a
project's targets (年度总体目标, the indicators' texts, values and weights, indicators added or removed)
needs ``declare_targets``, a change to its actuals (实际完成值, 得分, the reasons, the money columns)
``enter_actuals``, as the project stood before the import. Rows that change nothing may stay in the
file whatever the project's state. Without a user (the command without ``--user``) the import has a
superuser's rights, still bound by the states: approved targets change only by adjustment, and the
actuals of a submitted or approved self-evaluation not at all. The optional column 目标状态 states the
declaration's state (``allowed.targets_moves``); 自评状态 states the self-evaluation's, which an import never
changes (a file that says another is refused), and 佐证材料 names evidence files the system must hold (none is
deleted). The report lists every change (``ImportReport.changes``), in the workbook's order.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import DatabaseError, OperationalError, transaction
from django.utils import timezone

from budgets.models import Project, Unit

from ..models import ActualResult, Evaluation, Indicator, IndicatorScore, ProjectGoal, ProjectScore
from ..planner import ANALYZE_AFTER_ROWS, analyze
from ..scores.keep import changed as scores_changed
from ..scores.keep import kept_scores
from .allowed import Bootstrap, Judge, refuse_changes, targets_moves
from .check import check_projects, check_scope, check_weights, known_of, match_rows, position, refuse_if
from .read import read_rows
from .report import ImportErrors, ImportReport, WorkbookProblem
from .write import Audit, change_reason, move_targets, write_rows


def import_workbook(
    *,
    file,
    dry_run: bool = False,
    user=None,
    progress: Callable[[str], None] | None = None,
    file_name: str | None = None,
) -> ImportReport:
    """Import the flat workbook of SPEC section 11, all or nothing; ``dry_run`` writes nothing.

    ``file_name`` is the name the history records give the file (the user's name for an upload
    stored under another); by default the file's own name.

    ``progress`` is told what is going on in a sentence, with row counts every ``read.PROGRESS_ROWS`` rows.
    """
    started = time.monotonic()
    say = progress or (lambda message: None)
    report = ImportReport(dry_run=dry_run)
    projects, items, problems = read_rows(file, report, say)  # every row's problems are noted in ``problems``
    say(f"读取完成：项目表{report.project_rows}行，指标表{report.indicator_rows}行，正在校验……")

    known = known_of(projects, items)
    check_projects(projects, known.units, known.departments)
    check_scope(user, projects, items, known.units)
    matches = match_rows(projects, items, known.projects)
    for group in matches.by_project.values():
        check_weights(group[0].project_name or group[0].project_code, group, report.notes)
    refuse_if(problems)

    say("校验通过，正在写入……")
    actor = user if user is not None else Bootstrap()
    try:
        with transaction.atomic():
            with kept_scores():  # the stored scores of the projects changed, in the same transaction
                audit = Audit(user=user, reason=change_reason(file_name or file), when=timezone.now())
                # Rows that change nothing may stay in the file whatever the project's state; each change is
                # judged against the rights and the states as they stood before the import.
                written = write_rows(report, projects, matches, known, audit, Judge(actor), say)
                refuse_changes(actor, written)
                moves = targets_moves(actor, projects, matches.by_project, written)
                refuse_if(problems)  # raised inside the transaction: everything written is rolled back
                move_targets(moves, audit, report, _rows_of(projects, matches.by_project, written))
                report.changes.sort(key=position)
                if not dry_run:
                    say("正在计算得分……")
                    scores_changed(written.changed_projects)
            if dry_run:
                transaction.set_rollback(True)
    except DatabaseError as error:  # a rule the checks missed, a dropped connection: still all or nothing
        cause = "与数据库的连接中断，请重新导入" if isinstance(error, OperationalError) else str(error)
        raise ImportErrors(
            [WorkbookProblem("文件", None, "", f"写入数据库时出错，未导入任何数据（{cause}）")]
        ) from error
    if not dry_run and report.indicator_rows + report.project_rows >= ANALYZE_AFTER_ROWS:
        analyze([Unit, Project, ProjectGoal, Evaluation, Indicator, ActualResult, ProjectScore, IndicatorScore])
    report.seconds = time.monotonic() - started
    return report


def _rows_of(projects, by_project: dict, written) -> dict:
    """Each project's row in the file, by project id: its 项目 row, else its first 指标 row."""
    rows = {written.projects[p.key].pk: p.row for p in projects}
    for key, group in by_project.items():
        rows.setdefault(written.projects[key].pk, group[0].row)
    return rows
