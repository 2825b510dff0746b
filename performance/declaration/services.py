"""Declaring targets, freezing the approved baseline, and adjusting it only on record.

``save_declaration`` writes a draft's goal and indicators; the flow's ``submit`` refuses a declaration
with a review 错误 or weights that do not sum (``declaration_problems``); ``approve`` copies the
indicators into the baseline. After that, ``request_adjustment`` turns a changed row set into an
``Adjustment`` whose approval (``apply_adjustment``) changes the indicators; the baseline stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.consistency import Severity
from budgets.models import Project

from ..library.context import CONTEXT, attach_contexts
from ..models import Indicator, IndicatorCategory, ProjectGoal
from ..review import review_project
from ..rights import require, target_set_of
from ..rules.services import version_of
from ..scores.keep import kept_scores
from ..scoring import RowInput, weight_problems
from ..targets import Target, is_cost, parse_target
from ..workflow.engine import record_transition
from .models import Adjustment, AdjustmentItem, BaselineIndicator, TargetSet

COMPARED = ("level1_id", "level2_id", "name", "description", "target", "basis", "weight")


@dataclass(frozen=True)
class DeclaredRow:
    """One indicator row as a declaration or an adjustment states it; ``indicator_id`` for an existing row."""

    level1: IndicatorCategory
    level2: IndicatorCategory
    name: str
    description: str = ""
    target: str = ""
    basis: str = ""
    weight: Decimal | None = None
    indicator_id: int | None = None

    def values(self, order: int) -> dict:
        return {
            "level1_id": self.level1.pk,
            "level2_id": self.level2.pk,
            "name": self.name.strip(),
            "description": self.description.strip(),
            "target": self.target.strip(),
            "basis": self.basis.strip(),
            "weight": self.weight,
            "order": order,
        }


def parse_row(row: DeclaredRow) -> Target:
    return parse_target(row.target, cost=is_cost(row.level1.name, row.level2.name))


def draft_indicators(project: Project, rows: list[DeclaredRow]) -> list[Indicator]:
    """The rows as unsaved indicators, their targets parsed, for the review and the weight check."""
    indicators = []
    for order, row in enumerate(rows, start=1):
        indicator = Indicator(project=project, level1=row.level1, level2=row.level2, **_texts(row, order))
        parsed = parse_row(row)
        indicator.target_kind, indicator.target_parsed = parsed.kind, parsed.as_json()
        if row.indicator_id:
            indicator.pk = row.indicator_id
        indicators.append(indicator)
    return indicators


def _texts(row: DeclaredRow, order: int) -> dict:
    values = row.values(order)
    del values["level1_id"], values["level2_id"]
    return values


def review_rows(project: Project, indicators: list[Indicator], *, viewer=None):
    """The target review (SPEC section 8) of these indicators as the project's rows; with a ``viewer``, the
    indicator library's rules too (last year's actuals and the peers that user may see)."""
    project.review_indicators = indicators
    if viewer is not None:
        attach_contexts([project], lambda _project: indicators, viewer=viewer)
    try:
        return review_project(project)
    finally:
        del project.review_indicators
        project.__dict__.pop(CONTEXT, None)


def declaration_problems(project: Project, indicators: list[Indicator] | None = None) -> list[str]:
    """What refuses submitting the targets: no indicators, a review 错误, weights that do not sum (or, where the
    project's rules refuse it, that depart from their first-level split)."""
    if indicators is None:
        indicators = list(project.indicators.in_order())
    if not indicators:
        return [_("尚未填写任何绩效指标。")]
    problems = [
        f"{finding.location}：{finding.message}"
        for finding in review_rows(project, indicators)
        if finding.severity == Severity.ERROR
    ]
    rows = [
        RowInput(
            group=indicator.level1.group,
            target=Target.from_json(indicator.target_parsed, text=indicator.target),
            actual="",
            weight=indicator.weight,
            name=indicator.name,
        )
        for indicator in indicators
    ]
    return problems + weight_problems(rows, version_of(project).rules())  # its department's rules of the year


def _stale(record, version: int | None) -> None:
    if version is not None and record.version != version:
        raise ValidationError(
            _("保存失败：您打开此页后，别人已保存了第 %(theirs)s 版（您打开的是第 %(yours)s 版），您的修改未保存。")
            % {"theirs": record.version, "yours": version}
        )


def _target_set_for_update(project: Project) -> TargetSet:
    target_set, _created = TargetSet.objects.get_or_create(project=project)
    return TargetSet.objects.select_for_update().get(pk=target_set.pk)


@transaction.atomic
@kept_scores()
def save_declaration(*, project: Project, goal: str, rows: list[DeclaredRow], by, version: int | None) -> TargetSet:
    """Save a draft (or returned) declaration: the goal and the indicators, in the rows' order."""
    require(by, "declare_targets", project)
    target_set = _target_set_for_update(project)
    _stale(target_set, version)
    reason = _("绩效目标申报保存")
    _write_goal(project, goal, by=by, reason=reason)
    _write_rows(project, rows, by=by, reason=reason)
    return record_transition(target_set, by=by, reason=reason)


def _write_goal(project: Project, text: str, *, by, reason: str) -> None:
    goal = ProjectGoal.objects.filter(project=project).first() or ProjectGoal(project=project)
    if goal.pk is not None and goal.text == text.strip():
        return
    goal.text = text.strip()
    goal._history_user, goal._change_reason = by, reason
    goal.save()


def _write_rows(project: Project, rows: list[DeclaredRow], *, by, reason: str) -> None:
    """Make the project's indicators these rows: update the listed ones, create new ones, delete the rest."""
    current = {indicator.pk: indicator for indicator in project.indicators.all()}
    kept = set()
    for order, row in enumerate(rows, start=1):
        values = row.values(order)
        indicator = current.get(row.indicator_id) if row.indicator_id else None
        if indicator is None:
            indicator = Indicator(project=project)
        elif all(getattr(indicator, name) == value for name, value in values.items()):
            kept.add(indicator.pk)
            continue
        for name, value in values.items():
            setattr(indicator, name, value)
        indicator._history_user, indicator._change_reason = by, reason
        indicator.full_clean(exclude=["project"])
        indicator.save()
        kept.add(indicator.pk)
    for pk, indicator in current.items():
        if pk not in kept:
            indicator._history_user, indicator._change_reason = by, reason
            indicator.delete()


# --- the baseline ----------------------------------------------------------------------------------


def freeze_baseline(target_set: TargetSet, *, by=None, reason: str = "") -> None:
    """Copy the project's goal and indicators, as approved, into the baseline (replacing any earlier one)."""
    project = target_set.project
    target_set.baseline.all().delete()
    BaselineIndicator.objects.bulk_create(
        BaselineIndicator(
            target_set=target_set,
            indicator=indicator,
            level1_id=indicator.level1_id,
            level2_id=indicator.level2_id,
            name=indicator.name,
            description=indicator.description,
            target=indicator.target,
            basis=indicator.basis,
            weight=indicator.weight,
            order=indicator.order,
        )
        for indicator in project.indicators.order_by("order", "id")
    )
    goal = ProjectGoal.objects.filter(project=project).first()
    target_set.baseline_goal = goal.text if goal else ""
    target_set.save(update_fields=["baseline_goal"])


@dataclass(frozen=True)
class BaselineDifference:
    """An indicator whose targets in force differ from the approved baseline (or that one of them lacks)."""

    name: str
    field: str  # 指标值, 分值, 三级指标 ... or 新增 / 删除
    baseline: str
    adjusted: str


LABELS = {
    "name": "三级指标",
    "description": "绩效指标描述",
    "target": "指标值",
    "basis": "指标值确定依据",
    "weight": "分值",
    "level1_id": "一级指标",
    "level2_id": "二级指标",
}


def baseline_targets(project: Project) -> dict[int, str]:
    """The approved target of each indicator (prefetch ``target_set__baseline`` for many projects)."""
    target_set = target_set_of(project)
    if target_set is None or not target_set.is_approved:
        return {}
    return {row.indicator_id: row.target for row in target_set.baseline.all() if row.indicator_id}


def shown_target(indicator: Indicator, baselines: dict[int, str]) -> str:
    """The target in force, with the approved one beside it where an adjustment changed it (the sheets)."""
    approved = baselines.get(indicator.pk)
    if approved is None or approved == indicator.target:
        return indicator.target
    return _("%(target)s\n（批复值：%(approved)s）") % {"target": indicator.target, "approved": approved}


def baseline_by_indicator(project: Project) -> dict[int, BaselineIndicator]:
    target_set = target_set_of(project)
    if target_set is None or not target_set.is_approved:
        return {}
    return {row.indicator_id: row for row in target_set.baseline.all() if row.indicator_id}


def baseline_differences(project: Project) -> list[BaselineDifference]:
    """Where the targets in force differ from the approved baseline, row by row."""
    target_set = target_set_of(project)
    if target_set is None or not target_set.is_approved:
        return []
    baseline = list(target_set.baseline.all())
    by_indicator = {row.indicator_id: row for row in baseline if row.indicator_id}
    found = []
    for indicator in project.indicators.order_by("order", "id"):
        row = by_indicator.pop(indicator.pk, None)
        if row is None:
            found.append(BaselineDifference(indicator.name, _("新增指标"), "—", indicator.target))
            continue
        for name in ("name", "target", "weight", "basis", "description"):
            before, now = getattr(row, name), getattr(indicator, name)
            if before != now:
                found.append(BaselineDifference(indicator.name, _(LABELS[name]), _shown(before), _shown(now)))
    found += [
        BaselineDifference(row.name, _("删除指标"), row.target, "—")
        for row in baseline
        if row.indicator_id is None or row.indicator_id in by_indicator
    ]
    return found


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)


# --- adjustments -----------------------------------------------------------------------------------


def adjustment_items(project: Project, rows: list[DeclaredRow]) -> list[AdjustmentItem]:
    """The changes that turn the project's indicators into ``rows`` (unsaved items, in the rows' order)."""
    current = {indicator.pk: indicator for indicator in project.indicators.order_by("order", "id")}
    items, listed = [], set()
    for order, row in enumerate(rows, start=1):
        values = row.values(order)
        indicator = current.get(row.indicator_id) if row.indicator_id else None
        if indicator is None:
            items.append(AdjustmentItem(action=AdjustmentItem.Action.ADD, **values))
            continue
        listed.add(indicator.pk)
        if indicator.order != order or any(getattr(indicator, name) != values[name] for name in COMPARED):
            # A row only moved is applied with the others but is no change by itself (_changes_something).
            items.append(
                AdjustmentItem(
                    action=AdjustmentItem.Action.CHANGE, indicator=indicator, before=_before(indicator), **values
                )
            )
    for pk, indicator in current.items():
        if pk not in listed:
            items.append(
                AdjustmentItem(
                    action=AdjustmentItem.Action.REMOVE,
                    indicator=indicator,
                    before=_before(indicator),
                    name=indicator.name,
                    order=indicator.order,
                )
            )
    return items


def _before(indicator: Indicator) -> dict:
    return {
        "level1": indicator.level1.name,
        "level2": indicator.level2.name,
        "name": indicator.name,
        "description": indicator.description,
        "target": indicator.target,
        "basis": indicator.basis,
        "weight": None if indicator.weight is None else f"{indicator.weight:.2f}",
        "order": indicator.order,
    }


def _changes_something(item: AdjustmentItem) -> bool:
    if item.action != AdjustmentItem.Action.CHANGE:
        return True
    indicator = item.indicator
    return any(getattr(indicator, name) != getattr(item, name) for name in COMPARED)


@transaction.atomic
def request_adjustment(*, project: Project, rows: list[DeclaredRow], reason: str, by) -> Adjustment:
    """Ask for the approved targets to become ``rows``, with a reason; scoring stays on the targets in
    force until a reviewer or finance approves it."""
    require(by, "request_adjustment", project)
    _target_set_for_update(project)  # one request at a time per project
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("申请调整必须填写调整理由。")})
    if Adjustment.objects.filter(project=project, status=Adjustment.Status.SUBMITTED).exists():
        raise ValidationError(_("该项目已有一项待审批的调整申请，请等待审批后再申请。"))
    items = adjustment_items(project, rows)
    if not any(_changes_something(item) for item in items):
        raise ValidationError(_("调整后的指标与现行指标相同，没有需要调整的内容。"))
    problems = declaration_problems(project, draft_indicators(project, rows))
    if problems:
        raise ValidationError(problems)
    adjustment = Adjustment(project=project, reason=reason, submitted_by=by, submitted_at=timezone.now())
    adjustment._history_user, adjustment._change_reason = by, _("申请调整：%(reason)s") % {"reason": reason}
    try:
        with transaction.atomic():
            adjustment.save()
    except IntegrityError as error:  # another request landed between the check and the insert
        raise ValidationError(_("该项目已有一项待审批的调整申请，请等待审批后再申请。")) from error
    for item in items:
        item.adjustment = adjustment
    AdjustmentItem.objects.bulk_create(items)
    return adjustment


@kept_scores()
def apply_adjustment(adjustment: Adjustment, *, by, reason: str = "") -> None:
    """Apply an approved adjustment's items to the project's indicators; the baseline stays as approved."""
    label = _("调整申请第%(n)s号批准：%(reason)s") % {"n": adjustment.pk, "reason": adjustment.reason}
    for item in adjustment.items.select_related("indicator"):
        if item.action == AdjustmentItem.Action.REMOVE:
            if item.indicator is not None:
                item.indicator._history_user, item.indicator._change_reason = by, label
                item.indicator.delete()
            continue
        indicator = item.indicator if item.action == AdjustmentItem.Action.CHANGE else None
        if indicator is None:
            indicator = Indicator(project=adjustment.project)
        for name in ("level1_id", "level2_id", "name", "description", "target", "basis", "weight", "order"):
            setattr(indicator, name, getattr(item, name))
        indicator._history_user, indicator._change_reason = by, label
        indicator.save()
        if item.indicator_id != indicator.pk:
            item.indicator = indicator
            item.save(update_fields=["indicator"])
    target_set = TargetSet.objects.get(project=adjustment.project)
    record_transition(target_set, by=by, reason=label)


def pending_adjustment(project: Project) -> Adjustment | None:
    return Adjustment.objects.filter(project=project, status=Adjustment.Status.SUBMITTED).first()
