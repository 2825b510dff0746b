"""A department's year as submitted to the finance bureau (部门提交 → 财政审核), with its history."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from budgets.models import Department, Project

from ..reviewed import ReviewedDocument


class DepartmentYear(ReviewedDocument):
    """The self-evaluations of a department's year, submitted together to finance. A row exists once someone
    acted on the year; a year without one is not submitted (``DRAFT``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("未提交")
        SUBMITTED = "submitted", _("已提交财政")
        RETURNED = "returned", _("财政已退回")
        APPROVED = "approved", _("财政已审核")

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="submitted_years", verbose_name=_("部门")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    returned_projects = models.ManyToManyField(
        Project,
        blank=True,
        related_name="+",
        verbose_name=_("退回的项目"),
        help_text=_("财政最近一次退回时点名的项目。"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部门年度自评")
        verbose_name_plural = _("部门年度自评")
        ordering = ["-year", "department__code"]
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="department_year_unique")]
        indexes = [models.Index(fields=["status", "year"], name="department_year_status_idx")]

    def __str__(self):
        return f"{self.year} {self.department.name}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED


# What holds a department's year away from everyone but finance: submitted (finance's turn) or approved (locked).
HELD = frozenset({DepartmentYear.Status.SUBMITTED, DepartmentYear.Status.APPROVED})
