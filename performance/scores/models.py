"""The stored scores: one row per project, one per indicator, written only by ``performance.scores.store``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from budgets.models import Project


class ProjectScore(models.Model):
    """A project's self-evaluation score as ``performance.services.score_projects`` computes it.

    ``grade`` is "" while nothing has been entered (未填报); ``total`` is still the computed figure then.
    ``complete``: every actual entered (``store.all_entered``): only these count in averages.
    """

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, primary_key=True, related_name="stored_score", verbose_name=_("项目")
    )
    started = models.BooleanField(_("已填报"), default=False)
    complete = models.BooleanField(_("已全部填报"), default=False)
    rate = models.DecimalField(_("预算执行率"), max_digits=20, decimal_places=4, null=True, blank=True)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, default=0)
    grade = models.CharField(_("等级"), max_length=1, blank=True)
    rule_version = models.ForeignKey(
        "performance.RuleVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scores",
        verbose_name=_("评分规则版本"),
    )
    scored_at = models.DateTimeField(_("计分时间"), auto_now=True)

    class Meta:
        verbose_name = _("项目得分")
        verbose_name_plural = _("项目得分")
        indexes = [
            models.Index(fields=["total"], name="project_score_total_idx"),
            models.Index(fields=["grade", "total"], name="project_score_grade_idx"),
            models.Index(fields=["rate"], name="project_score_rate_idx"),
        ]

    def __str__(self):
        return f"{self.project_id}: {self.total} {self.grade}"


class IndicatorScore(models.Model):
    """An indicator row's weight and score in its project's self-evaluation."""

    indicator = models.OneToOneField(
        "performance.Indicator",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="stored_score",
        verbose_name=_("绩效指标"),
    )
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")

    def __str__(self):
        return f"{self.indicator_id}: {self.score}/{self.weight}"


class DepartmentYearVersion(models.Model):
    """The version of what the lists and the dashboard show of a department's year: a new random token whenever
    any of it may have changed (a score, a state, a name, a project added or removed).

    Pages cache what they show under the tokens of the department-years they show (``performance.scores.versions``),
    so nothing is invalidated and a cached part never outlives its data, in any process. A token, not a counter:
    a database restored or rolled back never hands out a version it handed out before.
    """

    department = models.ForeignKey(
        "budgets.Department", on_delete=models.CASCADE, related_name="+", verbose_name=_("部门")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    token = models.CharField(_("版本"), max_length=32)

    class Meta:
        verbose_name = _("部门年度版本")
        verbose_name_plural = _("部门年度版本")
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="department_year_version_unique"),
        ]

    def __str__(self):
        return f"{self.department_id} {self.year}: {self.token}"
