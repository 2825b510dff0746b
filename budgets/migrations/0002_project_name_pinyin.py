"""Projects get a pinyin sort key of their name (``budgets.pinyin``), filled here for the projects already stored."""

from django.db import migrations, models

from budgets.pinyin import pinyin_key

BATCH = 2000


def fill_name_pinyin(apps, schema_editor):
    Project = apps.get_model("budgets", "Project")
    batch = []
    for project in Project.objects.only("id", "name").order_by("id").iterator(chunk_size=BATCH):
        project.name_pinyin = pinyin_key(project.name)
        batch.append(project)
        if len(batch) == BATCH:
            Project.objects.bulk_update(batch, ["name_pinyin"])
            batch = []
    Project.objects.bulk_update(batch, ["name_pinyin"])


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="name_pinyin",
            field=models.CharField(blank=True, editable=False, max_length=255, verbose_name="项目名称拼音"),
        ),
        migrations.RunPython(fill_name_pinyin, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["name_pinyin", "name", "id"], name="project_name_pinyin_idx"),
        ),
    ]
