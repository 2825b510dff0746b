"""The app's URL list, read from the URL configuration: the access walk (tests/test_access.py) and the
accessibility walk (tests/test_accessibility_browser.py) both go through it, so a page added later is
walked by both. A pattern whose arguments the walker does not know fails until it is taught them here.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

NAMESPACES = {"budgets", "performance", "api"}


def walk(patterns=None, namespace=""):
    """(namespaced name, pattern's converter names) for every named URL of our apps."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name and namespace in NAMESPACES:
            yield f"{namespace}:{entry.name}", sorted(entry.pattern.converters)


def url_for(name, converters, world) -> str:
    """The URL of ``name`` filled from ``world``: its project, evidence, job, adjustment, rectification item (and its
    file), task, spot check and sampled project, and department (year 2021); a rule set's pages, the first rule set."""
    if converters == []:
        return reverse(name) + "?year=2021"
    if converters == ["pk"]:
        if name == "performance:evidence-download":
            pk = world["evidence"].pk
        elif name.startswith("performance:job-"):
            pk = world["job"].pk
        elif name.startswith("performance:adjustment-") and name != "performance:adjustment-create":
            pk = world["adjustment"].pk
        elif name == "performance:rectification-evidence":
            pk = world["rectification_evidence"].pk
        elif name.startswith("performance:rectification-"):
            pk = world["rectification"].pk
        elif name.startswith("performance:task-"):  # a task: the world's, else the first (0: none, a 404)
            from performance.tasks.models import Task

            task = world.get("task") or Task.objects.order_by("pk").first()
            pk = task.pk if task else 0
        elif name == "performance:spotcheck-item":  # a sampled project: the world's, else the first (0: none, a 404)
            from performance.spotchecks.models import SpotCheckItem

            item = world.get("spotcheck_item") or SpotCheckItem.objects.order_by("pk").first()
            pk = item.pk if item else 0
        elif name.startswith("performance:spotcheck-"):  # a spot check: the world's, else the first
            from performance.spotchecks.models import SpotCheck

            check = world.get("spotcheck") or SpotCheck.objects.order_by("pk").first()
            pk = check.pk if check else 0
        elif name == "performance:library-entry-edit":  # a library entry: the first seeded (the migration's)
            from performance.library.models import LibraryEntry

            entry = LibraryEntry.objects.order_by("pk").first()  # none in a flushed database: 0, a 404
            pk = entry.pk if entry else 0
        elif name.startswith("performance:rules-"):  # a rule set: the shipped 10号 (the migration's)
            from performance.rules.models import RuleSet

            pk = RuleSet.objects.order_by("pk").first().pk
        elif name.startswith("performance:framework-"):  # a department framework: the first shipped
            from performance.department.models import DepartmentFramework

            pk = DepartmentFramework.objects.order_by("pk").first().pk
        else:
            pk = world["project"].pk
        return reverse(name, kwargs={"pk": pk})
    if converters == ["code"]:  # the library's peer factor of the world's department
        return reverse(name, kwargs={"code": world["department"].code})
    if converters == ["code", "year"]:
        return reverse(name, kwargs={"code": world["department"].code, "year": 2021})
    pytest.fail(f"the URL walk does not know how to fill {name} {converters}: teach it in tests/url_walk.py")
