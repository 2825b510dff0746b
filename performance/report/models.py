"""The free-text sections of a self-evaluation report, as the user edited them (the figures are never stored)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from budgets.models import Department, Project, Unit


class ReportText(models.Model):
    """The edited sections (``content.SECTIONS`` keys → text) of one report: a project's, or a unit's or a
    department's year."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="report_text", verbose_name=_("项目")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="report_texts", verbose_name=_("单位")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_texts",
        verbose_name=_("部门"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    sections = models.JSONField(_("报告文字"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修改人"),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("自评报告文字")
        verbose_name_plural = _("自评报告文字")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(project__isnull=False, unit__isnull=True, department__isnull=True)
                    | Q(project__isnull=True, unit__isnull=False, department__isnull=True)
                    | Q(project__isnull=True, unit__isnull=True, department__isnull=False)
                ),
                name="report_text_one_scope",
            ),
            models.UniqueConstraint(
                fields=["unit", "year"], condition=Q(unit__isnull=False), name="report_text_unit_year"
            ),
            models.UniqueConstraint(
                fields=["department", "year"], condition=Q(department__isnull=False), name="report_text_department_year"
            ),
        ]

    def __str__(self):
        return f"{self.project or self.unit or self.department} {self.year}"
