"""What the import's changes are allowed (``performance.rights``), each judged as it is written (``Judge``) and
the refused ones named before the transaction commits: a change to a project's targets needs
``declare_targets``, a change to its actuals ``enter_actuals``, as the project stood before the import; a
unit's name is its staff's to change, a department's a superuser's. The optional column 目标状态 states the
declaration's state (``targets_moves``).
"""

from __future__ import annotations

from budgets.models import Project
from budgets.permissions import can_edit_unit

from ..declaration.models import TargetSet
from ..models import Evaluation, evaluation_of
from ..rights import may, refusal, target_set_of, targets_status
from .columns import TARGETS_STATUS, TARGETS_STATUS_WORDS
from .read import ProjectRow
from .write import TARGETS, Written


class Bootstrap:
    """Who imports without a user (the command without ``--user``, loading an empty database): a superuser's
    rights, still bound by the states (``performance.rights``). ``budgets.permissions`` reads a user's
    accesses from ``_jixiao_accesses``: a superuser needs none."""

    is_authenticated = is_active = is_superuser = True
    _jixiao_accesses = ()


LOCKED_TARGETS = (
    "项目“{}”的绩效自评已审核（已锁定），不能修改其绩效目标；如需修改请先由审核人重新打开（未改动的行可以留在文件中）"
)


class Judge:
    """Why the user may not make a change needing a right (TARGETS or ACTUALS) to a project, in the sentence of
    ``performance.rights``; None where they may. Asked once for each project and right, of the project as it
    stood before the import: the rows written read the self-evaluation and the declaration into other
    instances, and a new project's new self-evaluation is editable, as its having none was."""

    def __init__(self, actor):
        self.actor = actor
        self.reasons: dict[tuple[int, str], str | None] = {}

    def __call__(self, project: Project, right: str) -> str | None:
        key = (project.pk, right)
        if key not in self.reasons:
            reason = refusal(self.actor, right, project)
            if reason is None and right == TARGETS and _is_locked(project):
                reason = LOCKED_TARGETS.format(project.name)
            self.reasons[key] = reason
        return self.reasons[key]


def refuse_changes(actor, written: Written) -> None:
    """Name every change the user may not make by sheet, row and column, with the sentence of
    ``performance.rights`` (``Judge``): targets need ``declare_targets`` (not approved: that takes an
    adjustment; not under review), actuals ``enter_actuals`` (a self-evaluation not submitted or approved)."""
    for row, column, unit in written.renames:  # a department's name is the bureau's, a unit's its staff's
        if unit is None and not actor.is_superuser:
            row.error(column, "只有系统管理员可以修改主管部门的名称")
        elif unit is not None and not can_edit_unit(actor, unit):
            row.error(column, f"您无权修改单位{unit.code}的名称（只有该单位的填报人可以）")
    said = set()
    for change in written.refused:
        reason = written.judge(change.project, change.right)
        message = f"{change.what}：{reason}" if change.what else reason
        place = (change.row.sheet, change.row.number, change.column, message)
        if place not in said:
            said.add(place)
            change.row.error(change.column, message)


def targets_moves(actor, projects: list[ProjectRow], by_project: dict, written: Written) -> list[tuple]:
    """The state each project's declaration moves to, checked (problems on the 目标状态 cell).

    Where 目标状态 is empty (or the file has no such column), a file that lists a project's indicators
    declares them: its targets become 已申报 when the import created or changed them, or when the project had
    no declaration yet; an unchanged draft stays a draft, and approved or submitted targets stay as they
    are. A state the file does say is made, by the rights it takes: 编制中 or 已申报 from an editable draft
    are the unit's (``declare_targets``); 已退回, 已批复, or taking back a submitted declaration are a
    reviewer's or finance's (``approve_targets``), and 已批复 approves through the flow, freezing the
    baseline. Approved targets change only by adjustment: a file that says another state for them is
    refused.
    """
    changed = written.changed[TARGETS]
    rows: list[tuple[Project, ProjectRow | None, bool]] = [
        (written.projects[p.key], p, p.key in by_project) for p in projects
    ]
    rows += [(written.projects[key], None, True) for key in by_project if key[0] == "db"]
    Status = TargetSet.Status
    moves = []
    for project, p, has_rows in rows:
        current, declared = targets_status(project), target_set_of(project) is not None
        wanted = p.targets_status if p is not None else None
        if wanted is None:
            if not has_rows or current in (Status.SUBMITTED, Status.APPROVED):
                continue
            if declared and project.pk not in changed:
                continue  # an unchanged draft (or returned declaration) is not submitted behind the unit's back
            if may(actor, TARGETS, project):  # otherwise its changes are refused already
                moves.append((project, Status.SUBMITTED))
            continue
        if wanted == current:
            if not declared and may(actor, TARGETS, project):  # recorded: a later file without the column keeps it
                moves.append((project, wanted))
            continue
        word = TARGETS_STATUS_WORDS[wanted]
        if current == Status.APPROVED:
            p.row.error(
                TARGETS_STATUS,
                f"项目“{project.name}”的绩效目标已批复，不能改为“{word}”；批复后的目标只能通过调整申请修改",
            )
            continue
        editable = current in (Status.DRAFT, Status.RETURNED)
        right = TARGETS if editable and wanted in (Status.DRAFT, Status.SUBMITTED) else "approve_targets"
        reason = refusal(actor, right, project)
        if reason is not None:
            p.row.error(TARGETS_STATUS, f"目标状态“{word}”：{reason}")
            continue
        moves.append((project, wanted))
    return moves


def _is_locked(project: Project) -> bool:
    evaluation = evaluation_of(project)
    return evaluation is not None and evaluation.status == Evaluation.Status.APPROVED
