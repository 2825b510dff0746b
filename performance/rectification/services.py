"""Creating rectification items, the unit's response and its files, and handling proposals."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from budgets.models import Department, Project, Unit

from ..evidence import check_evidence_file
from ..workflow.engine import record_transition, run
from .flows import RECTIFICATION
from .models import DismissedProposal, RectificationEvidence, RectificationItem, Source
from .proposals import proposals_for
from .rights import may_create_for, may_propose_for, may_respond

Status = RectificationItem.Status


@transaction.atomic
def create_item(
    *,
    unit: Unit,
    project: Project | None,
    year: int,
    problem: str,
    measures: str,
    due_date: datetime.date,
    by,
    source: str = Source.MANUAL,
    source_key: str = "",
) -> RectificationItem:
    """A new item 待整改 for the unit; only the department's reviewers and finance create items."""
    if not may_create_for(by, unit):
        raise PermissionDenied
    if project is not None and project.unit_id != unit.pk:
        raise ValidationError(
            {"project": _("项目“%(name)s”不属于单位%(unit)s。") % {"name": project.name, "unit": unit}}
        )
    item = RectificationItem(
        unit=unit,
        project=project,
        year=year,
        problem=(problem or "").strip(),
        measures=(measures or "").strip(),
        due_date=due_date,
        source=source,
        source_key=source_key,
        created_by=by,
    )
    item.full_clean()
    item._history_user = by
    item._change_reason = _("创建整改事项")
    item.save()
    return item


@transaction.atomic
def save_response(*, item: RectificationItem, response: str, files=(), by) -> RectificationItem:
    """Save the unit's response and attach its files (each checked as evidence is); the item is then 整改中.

    A file refused refuses the whole save: nothing is kept, and the message names the file.
    """
    item = RectificationItem.objects.select_for_update().select_related("unit").get(pk=item.pk)
    if not may_respond(by, item):
        raise PermissionDenied
    checked = []
    for file in files:
        checked.append((file, check_evidence_file(file)))
    if item.status in (Status.PENDING, Status.RETURNED):
        item = run(RECTIFICATION, item, "start", by=by)
    if item.response != response.strip():
        record_transition(item, by=by, reason=_("保存整改情况"), response=response.strip())
    for file, found in checked:
        evidence = RectificationEvidence(
            item=item,
            original_name=file.name[:255],
            content_type=found.content_type,
            size=file.size,
            uploaded_by=by,
        )
        evidence.file.save(file.name, file, save=False)
        evidence._history_user = by
        evidence.save()
    return item


def submit_item(*, item: RectificationItem, by) -> RectificationItem:
    return run(RECTIFICATION, item, "submit", by=by)


def accept_item(*, item: RectificationItem, by) -> RectificationItem:
    return run(RECTIFICATION, item, "accept", by=by)


def return_item(*, item: RectificationItem, by, reason: str) -> RectificationItem:
    return run(RECTIFICATION, item, "return", by=by, reason=reason)


def _proposal(department: Department, year: int, key: str):
    for proposal in proposals_for(department, year):
        if proposal.key == key:
            return proposal
    raise ValidationError(_("该建议已被确认或不予整改，或问题已不存在；请刷新页面。"))


@transaction.atomic
def confirm_proposal(
    *, department: Department, year: int, key: str, measures: str, due_date: datetime.date, by
) -> RectificationItem:
    """Turn a proposal into an item 待整改 for its unit (the measures as the confirmer wrote them)."""
    if not may_propose_for(by, department):
        raise PermissionDenied
    proposal = _proposal(department, year, key)
    return create_item(
        unit=proposal.unit,
        project=proposal.project,
        year=year,
        problem=proposal.problem,
        measures=measures or proposal.measures,
        due_date=due_date,
        by=by,
        source=proposal.source,
        source_key=proposal.key,
    )


@transaction.atomic
def dismiss_proposal(*, department: Department, year: int, key: str, reason: str, by) -> DismissedProposal:
    """Record that a proposal needs no rectification, and why; it is not proposed again."""
    if not may_propose_for(by, department):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("不予整改时必须填写理由。")})
    proposal = _proposal(department, year, key)
    dismissed = DismissedProposal(
        department=department,
        year=year,
        source=proposal.source,
        source_key=proposal.key,
        problem=proposal.problem,
        reason=reason,
        dismissed_by=by,
    )
    dismissed.full_clean()
    dismissed.save()
    return dismissed
