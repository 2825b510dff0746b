"""A project's change history (SPEC section 7): who changed what, when, old → new, and why.

Reads the django-simple-history records of the project's Evaluation, ProjectGoal, Indicators,
their ActualResults and its evidence files in a constant number of queries, and diffs each record against the one
before it in memory (``diff_against``).

``record_history`` writes the records of rows changed in bulk (the workbook import): copied from
the saved rows inside the database, a few statements whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgets.models import Project

from .models import (
    ActualResult,
    Adjustment,
    Evaluation,
    Evidence,
    Indicator,
    IndicatorCategory,
    ProjectGoal,
    TargetSet,
)

HIDDEN_FIELDS = {
    "id",
    "project",
    "indicator",
    "version",
    "target_kind",
    "target_parsed",
    "order",
    "submitted_by",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
    "level1_as_written",
    "level2_as_written",
    "baseline_goal",
}
KINDS = {"+": gettext_lazy("新建"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}
LIMIT = 300
HISTORY_BATCH = 500  # primary keys per statement (SQLite allows 999 parameters in older builds)


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    subject: str
    kind: str
    reason: str
    changes: list[Change] = field(default_factory=list)
    deleted: bool = False


def _display(model, name: str, value, categories: dict[int, str]) -> str:
    if value is None or value == "":
        return ""
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.choices).get(value, value))
    if name in ("level1", "level2"):
        return categories.get(value, str(value))
    return str(value)


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _entries(model, records, subject_of, categories) -> list[HistoryEntry]:
    """One entry per record that created, deleted or changed something shown."""
    entries = []
    previous: dict[int, object] = {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        changes = []
        if record.history_type == "~" and before is not None:
            delta = record.diff_against(before, excluded_fields=HIDDEN_FIELDS)
            changes = [
                Change(
                    _label(model, change.field),
                    _display(model, change.field, change.old, categories),
                    _display(model, change.field, change.new, categories),
                )
                for change in delta.changes
            ]
        else:  # created, deleted, or changed with no record before it (written around the history): its values
            values = {name: getattr(record, model._meta.get_field(name).attname) for name in _shown_on_create(model)}
            shown = [(_label(model, name), _display(model, name, value, categories)) for name, value in values.items()]
            if record.history_type == "-":  # what was deleted, struck through
                changes = [Change(label, text, "") for label, text in shown if text]
            else:
                changes = [Change(label, "", text) for label, text in shown if text]
        if not changes and (record.history_type == "~" or not record.history_change_reason):
            continue  # a save that changed nothing shown (its reason alone would make an empty row)
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=(user.get_full_name() or user.get_username()) if user else _("系统"),
                subject=subject_of(record),
                kind=str(KINDS.get(record.history_type, record.history_type)),
                reason=record.history_change_reason or "",
                changes=changes,
                deleted=record.history_type == "-",
            )
        )
    return entries


def _shown_on_create(model) -> list[str]:
    return {
        Evaluation: ["status"],
        ProjectGoal: ["text"],
        Indicator: ["level1", "level2", "name", "target", "weight"],
        ActualResult: ["actual", "tier", "evaluator_score", "deviation_reason"],
        TargetSet: ["status"],
        Adjustment: ["status", "reason"],
        Evidence: ["original_name"],
    }[model]


def project_history(project: Project, *, limit: int = LIMIT) -> list[HistoryEntry]:
    """The project's history, newest first (at most ``limit`` entries)."""
    order = ("history_date", "history_id")
    evaluations = list(Evaluation.history.filter(project_id=project.pk).select_related("history_user").order_by(*order))
    goals = list(ProjectGoal.history.filter(project_id=project.pk).select_related("history_user").order_by(*order))
    target_sets = list(TargetSet.history.filter(project_id=project.pk).select_related("history_user").order_by(*order))
    adjustments = list(Adjustment.history.filter(project_id=project.pk).select_related("history_user").order_by(*order))
    evidence = list(Evidence.history.filter(project_id=project.pk).select_related("history_user").order_by(*order))
    indicators = list(Indicator.history.filter(project_id=project.pk).select_related("history_user").order_by(*order))
    indicator_ids = {record.id for record in indicators}
    results = list(
        ActualResult.history.filter(indicator_id__in=indicator_ids).select_related("history_user").order_by(*order)
        if indicator_ids
        else []
    )
    categories = {}
    if indicators:
        categories = dict(IndicatorCategory.objects.filter(level__in=[1, 2]).values_list("pk", "name"))
    indicator_names = {record.id: record.name for record in indicators}
    entries = [
        *_entries(Evaluation, evaluations, lambda r: _("自评状态与说明"), categories),
        *_entries(ProjectGoal, goals, lambda r: _("年度总体目标"), categories),
        *_entries(TargetSet, target_sets, lambda r: _("绩效目标申报"), categories),
        *_entries(Adjustment, adjustments, lambda r: _("调整申请第%(n)s号") % {"n": r.id}, categories),
        *_entries(Indicator, indicators, lambda r: _("指标“%(name)s”") % {"name": r.name}, categories),
        *_entries(Evidence, evidence, lambda r: _("佐证材料“%(name)s”") % {"name": r.original_name}, categories),
        *_entries(
            ActualResult,
            results,
            lambda r: _("实际完成值“%(name)s”") % {"name": indicator_names.get(r.indicator_id, "")},
            categories,
        ),
    ]
    # Newest first; records of one object at the same instant keep their recorded order, reversed.
    ordered = sorted(enumerate(entries), key=lambda pair: (pair[1].when, pair[0]), reverse=True)
    return [entry for _index, entry in ordered[:limit]]


# --- writing records of rows changed in bulk ----------------------------------------------------------


def record_history(
    model, pks: Sequence[int], *, history_type: str, user=None, reason: str = "", when: datetime | None = None
) -> None:
    """Write the django-simple-history record ("+" created, "~" changed) of each of ``model``'s rows ``pks``.

    The same records ``bulk_create_with_history`` / ``bulk_update_with_history`` write (every tracked field,
    ``history_user``, ``history_change_reason``, ``history_date``), but copied from the saved rows by the
    database (INSERT ... SELECT), so 60,000 rows cost a few statements instead of 60,000 model instances.
    """
    history = model.history.model
    names = [f.attname for f in history.tracked_fields]
    quote = connection.ops.quote_name
    source = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    target = ", ".join(quote(history._meta.get_field(name).column) for name in names)
    extra = ", ".join(quote(name) for name in ("history_date", "history_change_reason", "history_type"))
    user_column = quote(history._meta.get_field("history_user").column)
    date = history._meta.get_field("history_date").get_db_prep_value(when or timezone.now(), connection)
    head = [date, reason, history_type, user.pk if user is not None else None]
    with connection.cursor() as cursor:
        for start in range(0, len(pks), HISTORY_BATCH):
            chunk = list(pks[start : start + HISTORY_BATCH])
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({target}, {extra}, {user_column})"  # noqa: S608 - names from the models' _meta
                f" SELECT {source}, %s, %s, %s, %s FROM {quote(model._meta.db_table)}"
                f" WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(chunk))})",
                [*head, *chunk],
            )
