"""Finance's spot-check draw runs as a background job (抽取抽查样本)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0019_spot_checks_and_monitoring_tasks"),
    ]

    operations = [
        migrations.AlterField(
            model_name="job",
            name="kind",
            field=models.CharField(
                choices=[
                    ("check_workbook", "试导入绩效工作簿"),
                    ("import_workbook", "导入绩效工作簿"),
                    ("export_workbook", "导出绩效工作簿"),
                    ("export_sheets", "导出自评表工作簿"),
                    ("export_targets", "导出绩效目标表"),
                    ("draw_sample", "抽取抽查样本"),
                ],
                max_length=32,
                verbose_name="类型",
            ),
        ),
    ]
