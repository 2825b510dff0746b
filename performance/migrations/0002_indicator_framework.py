"""Seed the standard indicator framework (SPEC section 3) and the known name variants."""

from django.db import migrations

# (level-1 name, scoring group, scheme, [level-2 names])
FRAMEWORK = [
    ("产出指标", "output", "both", ["数量指标", "质量指标", "时效指标", "成本指标"]),
    ("效益指标", "effect", "both", ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"]),
    ("满意度指标", "satisfaction", "both", ["服务对象满意度指标"]),
    ("成本指标", "output", "2021", ["经济成本指标", "社会成本指标", "生态环境成本指标"]),
]

# (variant, level, level-1 it appears under, standard level-1, standard level-2 or None)
ALIASES = [
    ("效果指标", 1, "", "效益指标", None),
    ("环境效益指标", 2, "效益指标", "效益指标", "生态效益指标"),
    ("社会公众或服务对象满意度指标", 2, "效益指标", "满意度指标", "服务对象满意度指标"),
    ("社会公众或服务对象满意度指标", 2, "满意度指标", "满意度指标", "服务对象满意度指标"),
    ("经济成本指标", 2, "产出指标", "产出指标", "成本指标"),
]


def load(apps, schema_editor):
    Category = apps.get_model("performance", "IndicatorCategory")
    Alias = apps.get_model("performance", "CategoryAlias")
    for order, (name, group, scheme, children) in enumerate(FRAMEWORK, start=1):
        level1, _ = Category.objects.update_or_create(
            level=1, name=name, defaults={"group": group, "scheme": scheme, "order": order}
        )
        for child_order, child in enumerate(children, start=1):
            Category.objects.update_or_create(
                level=2, parent=level1, name=child, defaults={"scheme": scheme, "order": child_order}
            )
    for variant, level, under, standard1, standard2 in ALIASES:
        level1 = Category.objects.get(level=1, name=standard1)
        target = level1 if standard2 is None else Category.objects.get(level=2, parent=level1, name=standard2)
        Alias.objects.update_or_create(
            name=variant, level=level, parent_name=under, defaults={"category": target}
        )


class Migration(migrations.Migration):
    dependencies = [("performance", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
