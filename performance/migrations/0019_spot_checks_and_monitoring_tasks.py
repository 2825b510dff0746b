"""Spot-check differences as a rectification source (issue 17), and monitoring rounds answering finance's
monitoring tasks (issue 16): a round gets the task it answers (each existing round the year's 第1次 monitoring
task covering its department, created where finance issued none), and a department may have one round per task
rather than one per year."""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def link_rounds_to_tasks(apps, schema_editor):
    """Each existing round answers a monitoring task of its year, round 1: one finance issued that covers its
    department (an open one first), else one created per year for the departments that have a round."""
    MonitoringRound = apps.get_model("performance", "MonitoringRound")
    Task = apps.get_model("performance", "Task")
    created = {}
    for monitoring_round in MonitoringRound.objects.filter(task__isnull=True).order_by("year", "id"):
        issued = (
            Task.objects.filter(kind="monitoring", year=monitoring_round.year, round_number=1)
            .filter(models.Q(all_departments=True) | models.Q(departments=monitoring_round.department_id))
            .order_by(models.Case(models.When(status="open", then=0), default=1), "id")
            .first()
        )
        task = issued or created.get(monitoring_round.year)
        if task is None:
            task = Task.objects.create(
                kind="monitoring",
                year=monitoring_round.year,
                round_number=1,
                deadline=monitoring_round.cut_off + datetime.timedelta(days=31),
                note="由已发起的运行监控生成。",
                all_departments=False,
                status="closed",
            )
            created[monitoring_round.year] = task
        if task.pk == getattr(created.get(monitoring_round.year), "pk", None):
            task.departments.add(monitoring_round.department_id)
            if monitoring_round.status == "open" and task.status != "open":
                task.status = "open"
                task.save(update_fields=["status"])
        monitoring_round.task = task
        monitoring_round.save(update_fields=["task"])
    if schema_editor.connection.vendor == "postgresql":
        # The rows' deferred foreign-key checks must run before the column is altered in this transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('budgets', '0002_project_name_pinyin'),
        ('performance', '0018_department_years'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='dismissedproposal',
            name='source',
            field=models.CharField(choices=[('manual', '人工创建'), ('score', '指标得分低于分值'), ('review', '目标审核错误'), ('monitoring', '运行监控红灯'), ('spotcheck', '抽查复核差异')], max_length=16, verbose_name='来源'),
        ),
        migrations.AlterField(
            model_name='historicalrectificationitem',
            name='source',
            field=models.CharField(choices=[('manual', '人工创建'), ('score', '指标得分低于分值'), ('review', '目标审核错误'), ('monitoring', '运行监控红灯'), ('spotcheck', '抽查复核差异')], default='manual', max_length=16, verbose_name='来源'),
        ),
        migrations.AlterField(
            model_name='rectificationitem',
            name='source',
            field=models.CharField(choices=[('manual', '人工创建'), ('score', '指标得分低于分值'), ('review', '目标审核错误'), ('monitoring', '运行监控红灯'), ('spotcheck', '抽查复核差异')], default='manual', max_length=16, verbose_name='来源'),
        ),
        migrations.AlterModelOptions(
            name='monitoringround',
            options={'ordering': ['department', '-year', 'cut_off', 'id'], 'verbose_name': '绩效运行监控批次', 'verbose_name_plural': '绩效运行监控批次'},
        ),
        migrations.RemoveConstraint(
            model_name='monitoringround',
            name='monitoring_round_unique_year',
        ),
        migrations.AddField(
            model_name='historicalmonitoringround',
            name='task',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='performance.task', verbose_name='监控任务', limit_choices_to={'kind': 'monitoring'}),
        ),
        migrations.AddField(
            model_name='monitoringround',
            name='task',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='monitoring_rounds', to='performance.task', verbose_name='监控任务', limit_choices_to={'kind': 'monitoring'}),
        ),
        migrations.RunPython(link_rounds_to_tasks, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='monitoringround',
            name='task',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='monitoring_rounds', to='performance.task', verbose_name='监控任务', limit_choices_to={'kind': 'monitoring'}),
        ),
        migrations.AlterField(
            model_name='historicalmonitoringround',
            name='year',
            field=models.PositiveSmallIntegerField(help_text='即监控任务的年度。', verbose_name='年度'),
        ),
        migrations.AlterField(
            model_name='monitoringround',
            name='year',
            field=models.PositiveSmallIntegerField(help_text='即监控任务的年度。', verbose_name='年度'),
        ),
        migrations.AddConstraint(
            model_name='monitoringround',
            constraint=models.UniqueConstraint(fields=('department', 'task'), name='monitoring_round_unique_task'),
        ),
    ]
