"""Keeping the stored scores right: every change that can alter a score rescores its projects in the same
transaction.

- Saves and deletes through the ORM (the admin, the forms, the workflow, ``save()`` anywhere) are caught by
  the receivers below: an indicator, its actual result, a project (its money), its self-evaluation (reopened,
  it is scored by its year's rules again) or a category of the framework (the scoring group and the cost
  rule follow its name).
- Bulk writes (``bulk_create``, ``bulk_update``, ``QuerySet.update``), which send no signal, name the projects
  they changed with ``changed(ids)``.
- A service that writes many rows wraps them in ``kept_scores()``: the projects changed inside are rescored
  once, at its end, inside its transaction. Outside such a block each change is rescored at once.

The same writes give the department-years they touch new versions (``versions``), so the lists and the dashboard
never serve what they cached before: every rescore does, and the receivers below add what changes a list but
not a score (a state, a name, a project deleted). Bulk writes of states name their projects with ``listed(ids)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from budgets.models import Department, Project, Unit

from ..declaration.models import TargetSet
from ..models import ActualResult, Evaluation, Indicator, IndicatorCategory
from . import versions
from .store import rescore

_pending: ContextVar[set[int] | None] = ContextVar("jixiao_scores_pending", default=None)
# Projects whose list rows changed but not their scores (a state): new versions at the end of the block.
_listed: ContextVar[set[int] | None] = ContextVar("jixiao_scores_listed", default=None)
# Projects and indicators being deleted: what goes with them (their indicators, their results) is deleted
# first, while they are still there, and needs no rescore of its own.
_deleting: ContextVar[frozenset[int]] = ContextVar("jixiao_scores_deleting", default=frozenset())
_deleting_indicators: ContextVar[frozenset[int]] = ContextVar("jixiao_scores_deleting_indicators", default=frozenset())


@contextmanager
def kept_scores() -> Iterator[None]:
    """Inside: changes are collected; at the end, in the same transaction, their projects are rescored once."""
    if _pending.get() is not None:  # an outer block rescores
        yield
        return
    token = _pending.set(set())
    listed_token = _listed.set(set())
    # Deletes start and end inside a block: a project or indicator still marked from a delete that failed
    # between its pre_delete and post_delete (the thread lives on) is forgotten here.
    _deleting.set(frozenset())
    _deleting_indicators.set(frozenset())
    try:
        with transaction.atomic():
            yield
            pending = _pending.get()
            if pending:
                rescore(pending)  # new versions for them too
            unscored = _listed.get() - pending
            if unscored:
                versions.touch(unscored)
    finally:
        _pending.reset(token)
        _listed.reset(listed_token)


def changed(project_ids: Iterable[int]) -> None:
    """These projects' scores may have changed: rescore them now, or at the end of the enclosing ``kept_scores``."""
    project_ids = set(project_ids) - _deleting.get()
    if not project_ids:
        return
    pending = _pending.get()
    if pending is None:
        rescore(project_ids)
    else:
        pending.update(project_ids)


def listed(project_ids: Iterable[int]) -> None:
    """These projects' rows in the lists may have changed (not their scores): new versions for their
    department-years now, or at the end of the enclosing ``kept_scores``."""
    project_ids = set(project_ids)
    if not project_ids:
        return
    pending = _listed.get()
    if pending is None:
        versions.touch(project_ids)
    else:
        pending.update(project_ids)


@receiver(post_save, sender=Indicator, dispatch_uid="scores-indicator")
def _indicator_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        changed([instance.project_id])


@receiver(pre_delete, sender=Indicator, dispatch_uid="scores-indicator-deleting")
def _indicator_deleting(sender, instance, **kwargs):
    _deleting_indicators.set(_deleting_indicators.get() | {instance.pk})


@receiver(post_delete, sender=Indicator, dispatch_uid="scores-indicator-deleted")
def _indicator_deleted(sender, instance, **kwargs):
    _deleting_indicators.set(_deleting_indicators.get() - {instance.pk})
    changed([instance.project_id])  # its rows are gone by now: the project is scored without it


@receiver([post_save, post_delete], sender=ActualResult, dispatch_uid="scores-result")
def _result_changed(sender, instance, raw=False, **kwargs):
    if raw or instance.indicator_id in _deleting_indicators.get():
        return
    if ActualResult.indicator.is_cached(instance):
        project_id = instance.indicator.project_id
    else:
        project_id = Indicator.objects.filter(pk=instance.indicator_id).values_list("project_id", flat=True).first()
    if project_id is not None:
        changed([project_id])


@receiver(pre_delete, sender=Project, dispatch_uid="scores-project-deleting")
def _project_deleting(sender, instance, **kwargs):
    _deleting.set(_deleting.get() | {instance.pk})


@receiver(post_delete, sender=Project, dispatch_uid="scores-project-deleted")
def _project_deleted(sender, instance, **kwargs):
    _deleting.set(_deleting.get() - {instance.pk})
    department = Unit.objects.filter(pk=instance.unit_id).values_list("department_id", flat=True).first()
    if department is not None:  # None: its unit goes too, and the department's versions with it or after
        versions.touch_years([(department, instance.year)])


@receiver(pre_save, sender=Project, dispatch_uid="versions-project-moving")
def _project_moving(sender, instance, raw=False, update_fields=None, **kwargs):
    """A project moved to another unit (of another department) or year leaves the old department-year's pages:
    they change too."""
    moving = update_fields is None or {"unit", "unit_id", "year"} & set(update_fields)
    if not raw and instance.pk is not None and moving:
        instance._jixiao_was_in = (
            Project.objects.filter(pk=instance.pk).values_list("unit__department_id", "year").first()
        )


@receiver(post_save, sender=Project, dispatch_uid="scores-project")
def _project_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        changed([instance.pk])
        was_in = getattr(instance, "_jixiao_was_in", None)
        if was_in is not None:
            versions.touch_years([was_in])


@receiver(post_save, sender=Evaluation, dispatch_uid="scores-evaluation")
def _evaluation_changed(sender, instance, raw=False, **kwargs):
    """An approved self-evaluation keeps the rules it was scored by; reopened, it is scored by its year's rules."""
    if not raw:
        changed([instance.project_id])


@receiver(post_save, sender=IndicatorCategory, dispatch_uid="scores-category")
def _category_changed(sender, instance, raw=False, created=False, **kwargs):
    if raw or created:
        return
    uses = Indicator.objects.filter(level1=instance) | Indicator.objects.filter(level2=instance)
    changed(uses.values_list("project_id", flat=True).distinct())


@receiver([post_save, post_delete], sender=Evaluation, dispatch_uid="versions-evaluation")
@receiver([post_save, post_delete], sender=TargetSet, dispatch_uid="versions-target-set")
def _state_changed(sender, instance, raw=False, **kwargs):
    if not raw and instance.project_id not in _deleting.get():
        listed([instance.project_id])


@receiver(pre_save, sender=Unit, dispatch_uid="versions-unit-moving")
def _unit_moving(sender, instance, raw=False, **kwargs):
    """A unit moved to another department leaves the old one's pages: they change too."""
    if not raw and instance.pk is not None:
        instance._jixiao_was_in = Unit.objects.filter(pk=instance.pk).values_list("department_id", flat=True).first()


@receiver([post_save, post_delete], sender=Unit, dispatch_uid="versions-unit")
def _unit_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        versions.touch_departments({instance.department_id, getattr(instance, "_jixiao_was_in", None)} - {None})


@receiver(post_save, sender=Department, dispatch_uid="versions-department")
def _department_changed(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        versions.touch_departments([instance.pk])
