"""Targets written as counties' tables print them (issue 19, point 6) read again: ``≧ ≦ ═`` comparators and
compound units (``元/人*月``, ``人·次``) were stored as qualitative. Only their stored parse changes; the
stored scores follow with ``python manage.py rescore``."""

from django.db import migrations
from django.db.models import Q

SIGNS = "≧≦═*＊·・･•∙⋅×"


def reparse(apps, schema_editor):
    from performance.targets import is_cost, parse_target

    Indicator = apps.get_model("performance", "Indicator")
    query = None
    for sign in SIGNS:
        condition = Q(target__contains=sign)
        query = condition if query is None else query | condition
    changed = []
    for indicator in Indicator.objects.filter(query).select_related("level1", "level2").iterator(chunk_size=2000):
        parsed = parse_target(indicator.target, cost=is_cost(indicator.level1.name, indicator.level2.name))
        if indicator.target_parsed != parsed.as_json() or indicator.target_kind != parsed.kind:
            indicator.target_kind, indicator.target_parsed = parsed.kind, parsed.as_json()
            changed.append(indicator)
    Indicator.objects.bulk_update(changed, ["target_kind", "target_parsed"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("performance", "0008_department_year_versions")]

    operations = [migrations.RunPython(reparse, migrations.RunPython.noop)]
