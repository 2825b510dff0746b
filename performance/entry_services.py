"""The self-evaluation entry page's services: score what is typed, save a draft, attach evidence.

Scoring what is typed uses ``performance.scoring`` exactly as a saved evaluation is scored, so the
messages beside each field are the ones that block submission. Saving refuses unreadable input
(``performance.actuals.read_actual`` errors) and a stale version (someone saved in between), writing
nothing in either case.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from budgets.models import FUND_SOURCES, STAGES, Project
from budgets.models import stage_total as budget_stage_total
from budgets.numbers import kept_amount

from .actuals import read_actual
from .evidence import check_evidence_file
from .models import ActualResult, Evaluation, Evidence, Indicator, evaluation_of, result_of, target_of
from .rights import EDITABLE_EVALUATION, is_unit_staff, require
from .scores.keep import kept_scores
from .scoring import (
    BudgetInput,
    EvaluationScore,
    RowInput,
    budget_reason_problem,
    row_reason_problem,
    score_evaluation,
)
from .services import rules_of

EDITABLE = EDITABLE_EVALUATION  # performance.rights decides; the entry page and this service read it
MONEY_KEYS = ("total", *FUND_SOURCES)
MONEY_FIELDS = tuple(f"{stage}_{key}" for stage in STAGES for key in MONEY_KEYS)
GENERAL = "__all__"
# A deviation reason is a paragraph of the 自评表 (a cell of column I): long enough for a cause and a measure.
REASON_MAX_LENGTH = 500
REASON_FIELDS = ("budget_deviation_reason", "deviation_reason")


@dataclass(frozen=True)
class ResultEntry:
    actual: str = ""
    tier: str = ""
    evaluator_score: Decimal | None = None
    deviation_reason: str = ""


@dataclass(frozen=True)
class EvaluationEntry:
    """What the entry page holds: the project's money (万元, by field name), texts, a ResultEntry per indicator id."""

    money: dict[str, Decimal | None] = field(default_factory=dict)
    goal_actual: str = ""
    budget_deviation_reason: str = ""
    results: dict[int, ResultEntry] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    label: str
    yours: str
    theirs: str


class StaleEntryError(ValidationError):
    """Someone saved the evaluation after this form was opened; ``changes`` lists what differs."""

    def __init__(self, message: str, *, changes: list[Change], current_version: int):
        super().__init__(message)
        self.changes = changes
        self.current_version = current_version


# --- reading -------------------------------------------------------------------------------------


def entry_from_forms(form, rows) -> EvaluationEntry:
    """The entry from (possibly partly invalid) bound forms: an invalid field counts as empty."""
    data = getattr(form, "cleaned_data", {})
    results = {}
    for row in rows:
        cleaned = getattr(row, "cleaned_data", {})
        results[row.indicator.pk] = ResultEntry(
            actual=cleaned.get("actual") or "",
            tier=cleaned.get("tier") or "",
            evaluator_score=cleaned.get("evaluator_score"),
            deviation_reason=cleaned.get("deviation_reason") or "",
        )
    return EvaluationEntry(
        money={name: data.get(name) for name in MONEY_FIELDS},
        goal_actual=data.get("goal_actual") or "",
        budget_deviation_reason=data.get("budget_deviation_reason") or "",
        results=results,
    )


def entry_from_project(*, project: Project, indicators: list[Indicator]) -> EvaluationEntry:
    """The entry as saved in the database."""
    evaluation = evaluation_of(project)
    results = {}
    for indicator in indicators:
        result = result_of(indicator)
        results[indicator.pk] = (
            ResultEntry(result.actual, result.tier, result.evaluator_score, result.deviation_reason)
            if result
            else ResultEntry()
        )
    return EvaluationEntry(
        money={name: getattr(project, name) for name in MONEY_FIELDS},
        goal_actual=evaluation.goal_actual if evaluation else "",
        budget_deviation_reason=evaluation.budget_deviation_reason if evaluation else "",
        results=results,
    )


def entry_initial(entry: EvaluationEntry, *, version: int) -> dict:
    """Initial values for ``performance.forms.build_entry_forms``."""
    initial: dict = {
        "evaluation": {
            "version": version,
            "goal_actual": entry.goal_actual,
            "budget_deviation_reason": entry.budget_deviation_reason,
            **{name: entry.money.get(name) for name in MONEY_FIELDS},
        }
    }
    for pk, result in entry.results.items():
        initial[pk] = {
            "actual": result.actual,
            "tier": result.tier,
            "evaluator_score": result.evaluator_score,
            "deviation_reason": result.deviation_reason,
        }
    return initial


def stage_total(entry: EvaluationEntry, stage: str) -> Decimal | None:
    """A stage's total as given, else the sum of its fund sources given, else None (as Project.total)."""
    money = entry.money
    return budget_stage_total(money.get(f"{stage}_total"), *(money.get(f"{stage}_{s}") for s in FUND_SOURCES))


# --- scoring what is typed -----------------------------------------------------------------------


def score_entry(*, project: Project, indicators: list[Indicator], entry: EvaluationEntry) -> EvaluationScore:
    """Score the typed entry by SPEC section 6 without saving anything."""
    evaluation = evaluation_of(project)
    rows = []
    for indicator in indicators:
        typed = entry.results.get(indicator.pk, ResultEntry())
        result = result_of(indicator)
        rows.append(
            RowInput(
                group=indicator.level1.group,
                target=target_of(indicator),
                actual=typed.actual,
                tier=typed.tier,
                evaluator_score=typed.evaluator_score,
                weight=indicator.weight,
                reported_score=result.reported_score if result else None,
                deviation_reason=typed.deviation_reason,
                name=indicator.name,
            )
        )
    budget = BudgetInput(
        full_year=stage_total(entry, "full_year"),
        executed=stage_total(entry, "executed"),
        reported_score=evaluation.reported_budget_score if evaluation else None,
        deviation_reason=entry.budget_deviation_reason,
    )
    return score_evaluation(
        budget, rows, rules=rules_of(project), reported_total=evaluation.reported_total if evaluation else None
    )


def entry_messages(*, indicators: list[Indicator], entry: EvaluationEntry, score: EvaluationScore) -> dict:
    """Scoring's errors and problems by the field they belong to (``ind-<id>-actual``, ``budget`` ...; GENERAL)."""
    messages: dict[str, list[str]] = {}
    placed: set[str] = set()

    def put(key: str, text: str) -> None:
        messages.setdefault(key, []).append(text)
        placed.add(text)

    for indicator, row in zip(indicators, score.rows, strict=True):
        prefix = f"ind-{indicator.pk}"
        typed = entry.results.get(indicator.pk, ResultEntry())
        for error in row.errors:
            if row.actual.error or typed.evaluator_score is None:
                put(f"{prefix}-actual", error)
            else:
                put(f"{prefix}-evaluator_score", error)
        if row.reason_required and not typed.deviation_reason.strip():
            missing = row_reason_problem(row.name, below_weight=row.score < row.weight)
            if row.errors:  # the actual comes first; its reason is asked for once it is readable
                placed.add(missing)
            else:
                put(f"{prefix}-deviation_reason", missing)
    for error in score.budget.errors:
        put("budget", error)
    if score.budget.reason_required and not entry.budget_deviation_reason.strip():
        put("budget_deviation_reason", budget_reason_problem(score.rules))
    general = [problem for problem in score.problems if problem not in placed]
    if general:
        messages[GENERAL] = general
    return messages


def unreadable_entry_errors(*, indicators: list[Indicator], entry: EvaluationEntry) -> dict[str, list[str]]:
    """What a draft refuses: actual values that cannot be read (wrong unit, negative, text for a number) and
    reasons longer than ``REASON_MAX_LENGTH``, by the field's key on the entry page."""
    errors = {}
    for indicator in indicators:
        typed = entry.results.get(indicator.pk, ResultEntry())
        actual = read_actual(typed.actual, target_of(indicator), tier=typed.tier)
        if actual.error:
            errors[f"ind-{indicator.pk}-actual"] = [actual.error]
        if len(typed.deviation_reason.strip()) > REASON_MAX_LENGTH:
            errors[f"ind-{indicator.pk}-deviation_reason"] = [reason_too_long(typed.deviation_reason)]
    if len(entry.budget_deviation_reason.strip()) > REASON_MAX_LENGTH:
        errors["budget_deviation_reason"] = [reason_too_long(entry.budget_deviation_reason)]
    return errors


def reason_too_long(text: str) -> str:
    return _("原因最多 %(limit)s 字，现有 %(count)s 字，请精简。") % {
        "limit": REASON_MAX_LENGTH,
        "count": len(text.strip()),
    }


def money_total_errors(entry: EvaluationEntry) -> dict[str, list[str]]:
    """A stage's total that disagrees with the sum of its fund sources given, on the total's field."""
    errors = {}
    for stage in STAGES:
        known = [entry.money.get(f"{stage}_{s}") for s in FUND_SOURCES]
        known = [value for value in known if value is not None]
        total = entry.money.get(f"{stage}_total")
        if known and total is not None and sum(known, Decimal("0")) != total:
            labels = {"initial": _("年初预算数"), "full_year": _("全年预算数"), "executed": _("全年执行数")}
            errors[f"{stage}_total"] = [
                _("%(stage)s %(total)s 与各资金来源之和 %(sum)s 不一致。")
                % {"stage": labels[stage], "total": _plain(total), "sum": _plain(sum(known, Decimal("0")))}
            ]
    return errors


def _plain(value: Decimal) -> str:
    """An amount without trailing zeros (12.5000 → 12.5)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def entry_keeping_saved(posted: EvaluationEntry, saved: EvaluationEntry, bad: set[str]) -> EvaluationEntry:
    """What a draft saves of a partly wrong entry page: every field as typed, except

    - a wrong field (its key on the page in ``bad``: ``goal_actual``, ``executed_fiscal``, ``ind-7-actual``)
      keeps its saved value, and a stage whose total is wrong (``executed_total``) keeps all four amounts;
    - an amount shown with 2 places and sent back unchanged (12.35 of a saved 12.3456) keeps its 4 places.
    """
    money = dict(posted.money)
    for name in MONEY_FIELDS:
        money[name] = kept_amount(money.get(name), saved.money.get(name))
    for name in MONEY_FIELDS:
        if name in bad:
            money[name] = saved.money.get(name)
    for stage in STAGES:
        if f"{stage}_total" in bad:
            money.update({f"{stage}_{key}": saved.money.get(f"{stage}_{key}") for key in MONEY_KEYS})
    results = {}
    for pk, typed in posted.results.items():
        was = saved.results.get(pk, ResultEntry())
        results[pk] = ResultEntry(
            **{
                name: getattr(was if f"ind-{pk}-{name}" in bad else typed, name)
                for name in ("actual", "tier", "evaluator_score", "deviation_reason")
            }
        )
    return EvaluationEntry(
        money=money,
        goal_actual=saved.goal_actual if "goal_actual" in bad else posted.goal_actual,
        budget_deviation_reason=(
            saved.budget_deviation_reason if "budget_deviation_reason" in bad else posted.budget_deviation_reason
        ),
        results=results,
    )


# --- saving --------------------------------------------------------------------------------------


def save_evaluation_entry(
    *,
    project: Project,
    data: EvaluationEntry,
    by,
    version: int,
    evidence: list[tuple[Indicator | None, object]] = (),
    remove: Iterable[int] = (),
) -> Evaluation:
    """Save the entry page as a draft (partial data allowed); refuse a stale version or unreadable input.

    ``evidence`` are files to add ((indicator or None for the project, file)); ``remove`` the ids of the
    project's evidence files to delete (a file chosen for the same place replaces them), each recorded in
    the history.

    All or nothing, files included: when anything fails after an evidence file was stored (the next
    file finds the disk full, a check refuses the entry, the commit fails), the rows are rolled back
    and the files stored by this save are deleted again, so no file is left without its row.
    """
    stored: list[str] = []
    try:
        with transaction.atomic(), kept_scores():
            return _save_evaluation_entry(
                project=project, data=data, by=by, version=version, evidence=evidence, remove=remove, stored=stored
            )
    except BaseException:
        storage = Evidence._meta.get_field("file").storage
        for name in stored:
            storage.delete(name)
        raise


def _save_evaluation_entry(*, project, data, by, version, evidence, remove, stored: list[str]) -> Evaluation:
    if not is_unit_staff(by, project):
        raise PermissionDenied
    Evaluation.objects.get_or_create(project=project)
    evaluation = Evaluation.objects.select_for_update().get(project=project)
    if evaluation.status not in EDITABLE:
        raise ValidationError(_("自评状态为“%(status)s”，不能修改。") % {"status": evaluation.get_status_display()})
    project = Project.objects.select_for_update().get(pk=project.pk)
    indicators = list(Indicator.objects.filter(project=project).in_order().select_related("result"))
    if evaluation.version != version:
        raise StaleEntryError(
            _("保存失败：您打开此页后，别人已保存了第 %(theirs)s 版（您打开的是第 %(yours)s 版），您的修改未保存。")
            % {"theirs": evaluation.version, "yours": version},
            changes=entry_changes(project=project, indicators=indicators, posted=data),
            current_version=evaluation.version,
        )
    errors = unreadable_entry_errors(indicators=indicators, entry=data)
    if errors:
        raise ValidationError(errors)

    money = {name: data.money.get(name) for name in MONEY_FIELDS}
    money.update({f"{stage}_total": stage_total(data, stage) for stage in STAGES})
    if any(getattr(project, name) != value for name, value in money.items()):
        for name, value in money.items():
            setattr(project, name, value)
        project.save(update_fields=list(money))

    reason = _("填报保存")
    for indicator in indicators:
        _save_result(indicator, data.results.get(indicator.pk, ResultEntry()), by=by, reason=reason)
    _remove_evidence(project=project, ids=remove, replaced_by=evidence, by=by)
    for indicator, file in evidence:
        stored.append(add_evidence(project=project, indicator=indicator, file=file, by=by).file.name)

    evaluation.goal_actual = data.goal_actual
    evaluation.budget_deviation_reason = data.budget_deviation_reason
    evaluation.version += 1
    evaluation._history_user = by
    evaluation._change_reason = reason
    evaluation.full_clean()
    evaluation.save()
    return evaluation


def _save_result(indicator: Indicator, typed: ResultEntry, *, by, reason: str) -> None:
    result = result_of(indicator)
    values = {
        "actual": typed.actual.strip(),
        "tier": typed.tier,
        "evaluator_score": typed.evaluator_score,
        "deviation_reason": typed.deviation_reason.strip(),
    }
    if result is None:
        if not any(value not in ("", None) for value in values.values()):
            return
        result = ActualResult(indicator=indicator)
    elif all(getattr(result, name) == value for name, value in values.items()):
        return
    for name, value in values.items():
        setattr(result, name, value)
    result._history_user = by
    result._change_reason = reason
    result.full_clean(exclude=["indicator"])
    result.save()


def entry_changes(*, project: Project, indicators: list[Indicator], posted: EvaluationEntry) -> list[Change]:
    """Each field where the posted entry differs from what is saved now: (label, yours, theirs)."""
    current = entry_from_project(project=project, indicators=indicators)
    changes = []

    def compare(label: str, yours, theirs) -> None:
        yours = "" if yours is None else str(yours).strip()
        theirs = "" if theirs is None else str(theirs).strip()
        if _same(yours, theirs):
            return
        changes.append(Change(label, yours or "（空）", theirs or "（空）"))

    stages = {"initial": _("年初预算数"), "full_year": _("全年预算数"), "executed": _("全年执行数")}
    sources = {"fiscal": _("财政拨款"), "carryover": _("上年结转"), "other": _("其他资金")}
    for stage, title in stages.items():
        compare(title, stage_total(posted, stage), stage_total(current, stage))
        for source, name in sources.items():
            key = f"{stage}_{source}"
            compare(f"{title}-{name}", posted.money.get(key), current.money.get(key))
    compare(_("实际完成情况"), posted.goal_actual, current.goal_actual)
    compare(_("执行偏差原因"), posted.budget_deviation_reason, current.budget_deviation_reason)
    tiers = dict(ActualResult.Tier.choices)
    for indicator in indicators:
        yours = posted.results.get(indicator.pk, ResultEntry())
        theirs = current.results.get(indicator.pk, ResultEntry())
        compare(f"{indicator.name} · {_('实际完成值')}", yours.actual, theirs.actual)
        compare(f"{indicator.name} · {_('完成档次')}", tiers.get(yours.tier, ""), tiers.get(theirs.tier, ""))
        compare(f"{indicator.name} · {_('评价得分')}", yours.evaluator_score, theirs.evaluator_score)
        compare(f"{indicator.name} · {_('偏差原因')}", yours.deviation_reason, theirs.deviation_reason)
    return changes


def _same(a: str, b: str) -> bool:
    try:
        return Decimal(a) == Decimal(b)
    except ArithmeticError:
        return a == b


def _remove_evidence(*, project: Project, ids: Iterable[int], replaced_by, by) -> None:
    """Delete the project's evidence files ``ids`` (others are ignored), recorded in the history as removed or,
    where a new file is added for the same indicator (or the project), replaced; their files go once committed."""
    places = {indicator.pk if indicator else None for indicator, _file in replaced_by}
    storage = Evidence._meta.get_field("file").storage
    for evidence in Evidence.objects.filter(project=project, pk__in=list(ids)):
        name = evidence.file.name
        evidence._history_user = by
        evidence._change_reason = _("替换佐证材料") if evidence.indicator_id in places else _("删除佐证材料")
        evidence.delete()
        transaction.on_commit(partial(storage.delete, name))


def attach_evidence(*, project: Project, evidence: list[tuple[Indicator | None, object]], by) -> list[Evidence]:
    """Add evidence files alone, while the evaluation is editable: a file chosen on a page whose other fields
    could not be saved (someone saved in between) is kept, as adding a file changes nothing anyone typed."""
    require(by, "enter_actuals", project)
    stored: list[str] = []
    try:
        with transaction.atomic():
            added = []
            for indicator, file in evidence:
                added.append(add_evidence(project=project, indicator=indicator, file=file, by=by))
                stored.append(added[-1].file.name)
            return added
    except BaseException:
        storage = Evidence._meta.get_field("file").storage
        for name in stored:
            storage.delete(name)
        raise


def add_evidence(*, project: Project, file, by, indicator: Indicator | None = None) -> Evidence:
    """Store an evidence file (already checked by performance.evidence) under MEDIA_ROOT/evidence/."""
    kind = getattr(file, "evidence_type", None) or check_evidence_file(file)
    evidence = Evidence(
        project=project,
        indicator=indicator,
        original_name=(getattr(file, "name", "") or "evidence")[-255:],
        content_type=kind.content_type,
        size=file.size,
        uploaded_by=by,
    )
    try:
        evidence.file.save(f"evidence{kind.extension}", file, save=False)
    except OSError as error:  # disk full, storage not writable: the caller's transaction writes nothing
        reason = _("服务器磁盘已满") if error.errno == errno.ENOSPC else _("服务器存储不可写")
        raise ValidationError(
            _("佐证材料“%(name)s”未能保存（%(reason)s），本次填报未保存，请联系管理员后重试。")
            % {"name": evidence.original_name, "reason": reason}
        ) from error
    evidence._history_user = by
    try:
        evidence.save()
    except BaseException:
        evidence.file.delete(save=False)  # the row was not written: neither is its file
        raise
    return evidence
