"""Snapshots of every budgets/performance row (without ids) and a flush that keeps the framework."""

from django.apps import apps
from django.db import models

from budgets.models import Access, Department, DepartmentBudget, GlossaryTerm, Project, Unit

# Not disclosed data: the indicator framework and the scoring rule sets (configuration, issue 19), and finance's
# tasks (load_demo issues one; a disclosure holds none).
FRAMEWORK = {
    "IndicatorCategory",
    "CategoryAlias",
    "RuleSet",
    "RuleVersion",
    "Task",
    "HistoricalTask",
    "Notification",
    "DepartmentFramework",
    "DepartmentFrameworkVersion",
    "LibraryEntry",  # the indicator library (its migration seeds it), its categories and the peer factors
    "ProjectCategory",
    "PeerFactor",
}
HISTORY_ONLY = {"history_id", "history_date", "history_change_reason", "history_user", "id"}
WHEN_SCORED = "scored_at"  # a stored score's time of computing (performance.scores)
VERSION_TOKEN = "token"  # a department-year's version: random on every write (performance.scores.versions)


def disclosure_models() -> list[type[models.Model]]:
    """Every model of the two apps except the indicator framework and user access."""
    found = []
    for label in ("budgets", "performance"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__ not in FRAMEWORK and model is not Access:
                found.append(model)
    return found


def _row(obj: models.Model, depth: int = 0) -> dict:
    values = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in HISTORY_ONLY or field.name in (WHEN_SCORED, VERSION_TOKEN):
            continue
        if isinstance(field, models.ForeignKey):
            target = getattr(obj, field.name, None)
            values[field.name] = None if target is None or depth > 3 else _row(target, depth + 1)
        else:
            values[field.name] = getattr(obj, field.attname)
    return values


def snapshot() -> dict[str, list]:
    """Each model's rows as dicts without ids (a foreign key as its target's row), in a stable order."""
    return {
        model.__name__: sorted((_row(obj) for obj in model.objects.all()), key=repr) for model in disclosure_models()
    }


def flush_disclosure_rows() -> None:
    """Delete the budgets/performance rows (not the framework, not users) so a disclosure can be re-imported."""
    for model in disclosure_models():
        if model.__name__.startswith("Historical"):
            model.objects.all().delete()
    DepartmentBudget.objects.all().delete()
    Project.objects.all().delete()
    Access.objects.all().delete()
    Unit.objects.all().delete()
    Department.objects.all().delete()
    GlossaryTerm.objects.all().delete()
    tracked = [model for model in disclosure_models() if not model.__name__.startswith("Historical")]
    for model in tracked:
        model.objects.all().delete()
    for model in disclosure_models():  # last: a deletion above writes its own history record
        if model.__name__.startswith("Historical"):
            model.objects.all().delete()
