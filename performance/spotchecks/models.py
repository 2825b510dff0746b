"""A spot check (抽查复核): who drew which sample of a year, how, and finance's re-review of each sampled project."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from budgets.models import Project


class SpotCheck(models.Model):
    """One draw: its parameters (year, size or share, seed, which states) are kept so it can be drawn again."""

    class Scope(models.TextChoices):
        APPROVED = "approved", _("已审核的项目")
        ANY = "any", _("全部项目")

    year = models.PositiveSmallIntegerField(_("年度"))
    size = models.PositiveIntegerField(_("抽取数量"), null=True, blank=True)
    share = models.DecimalField(_("抽取比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    seed = models.BigIntegerField(_("随机种子"))
    scope = models.CharField(_("抽取范围"), max_length=16, choices=Scope.choices, default=Scope.APPROVED)
    population = models.PositiveIntegerField(_("可抽项目数"), default=0)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("抽取人"),
    )
    drawn_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("抽查复核")
        verbose_name_plural = _("抽查复核")
        ordering = ["-drawn_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__isnull=False) | models.Q(share__isnull=False),
                name="spot_check_size_or_share",
            ),
        ]

    def __str__(self):
        return f"{self.year} #{self.pk}"


class SpotCheckItem(models.Model):
    """A sampled project: its risk and reasons at the draw, and finance's re-review (复核) once recorded."""

    class Conclusion(models.TextChoices):
        PENDING = "", _("待复核")
        CONFIRMED = "confirmed", _("自评属实")
        ADJUSTED = "adjusted", _("复核调整得分")
        INFLATED = "inflated", _("自评虚高")

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="items", verbose_name=_("抽查"))
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="spot_checks", verbose_name=_("项目"))
    rank = models.PositiveIntegerField(_("风险排序"))
    risk = models.PositiveIntegerField(_("风险分"))
    reasons = models.JSONField(_("风险原因"), default=list)
    budget_score = models.DecimalField(_("预算执行率复核得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    conclusion = models.CharField(_("复核结论"), max_length=16, choices=Conclusion.choices, blank=True)
    note = models.TextField(_("复核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("复核人"),
    )
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("抽查项目")
        verbose_name_plural = _("抽查项目")
        ordering = ["spot_check", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "project"], name="spot_check_item_unique"),
        ]

    def __str__(self):
        return f"{self.spot_check} {self.project}"


class SpotCheckRowScore(models.Model):
    """Finance's own score of one indicator row of a sampled project (复核得分)."""

    item = models.ForeignKey(
        SpotCheckItem, on_delete=models.CASCADE, related_name="row_scores", verbose_name=_("抽查项目")
    )
    indicator = models.ForeignKey(
        "performance.Indicator", on_delete=models.CASCADE, related_name="+", verbose_name=_("绩效指标")
    )
    score = models.DecimalField(_("复核得分"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("复核得分")
        verbose_name_plural = _("复核得分")
        constraints = [
            models.UniqueConstraint(fields=["item", "indicator"], name="spot_check_row_unique"),
        ]

    def __str__(self):
        return f"{self.indicator_id}: {self.score}"
