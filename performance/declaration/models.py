"""A project's declared targets, their approved baseline and the adjustments made to them.

The project's ``Indicator`` rows are the targets in force: scoring, monitoring, the sheets and the
exports read them. While the declaration is a draft or returned, its unit's staff edit them. Approval
copies them into ``BaselineIndicator`` rows (the baseline, 批复值) and freezes them: from then on they
change only when an ``Adjustment`` is approved, which applies its items to the indicators and keeps
the baseline as it was approved, so pages and sheets can show both where they differ.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from budgets.models import Project

from ..reviewed import ReviewedDocument


class TargetSet(ReviewedDocument):
    """The state of a project's declared targets (绩效目标申报): its goal and indicators as one document."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("编制中")
        SUBMITTED = "submitted", _("已申报")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已批复")

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="target_set", verbose_name=_("项目"))
    status = models.CharField(_("目标状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    baseline_goal = models.TextField(_("批复的年度总体目标"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("绩效目标申报")
        verbose_name_plural = _("绩效目标申报")
        indexes = [models.Index(fields=["status"], name="target_set_status_idx")]

    def __str__(self):
        return f"{self.project} {self.get_status_display()}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class BaselineIndicator(models.Model):
    """An indicator as it was approved (批复值): kept whatever adjustments change later."""

    target_set = models.ForeignKey(
        TargetSet, on_delete=models.CASCADE, related_name="baseline", verbose_name=_("绩效目标申报")
    )
    indicator = models.ForeignKey(
        "performance.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="baselines",
        verbose_name=_("绩效指标"),
        help_text=_("调整删除该指标后为空。"),
    )
    level1 = models.ForeignKey(
        "performance.IndicatorCategory", on_delete=models.PROTECT, related_name="+", verbose_name=_("一级指标")
    )
    level2 = models.ForeignKey(
        "performance.IndicatorCategory", on_delete=models.PROTECT, related_name="+", verbose_name=_("二级指标")
    )
    name = models.CharField(_("三级指标"), max_length=200)
    description = models.TextField(_("绩效指标描述"), blank=True)
    target = models.CharField(_("指标值"), max_length=500, blank=True)
    basis = models.CharField(_("指标值确定依据"), max_length=200, blank=True)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("批复指标")
        verbose_name_plural = _("批复指标")
        ordering = ["target_set", "order", "id"]

    def __str__(self):
        return f"{self.name}：{self.target}"


class Adjustment(ReviewedDocument):
    """A request to change approved targets (调整申请): its items, its reason and the decision on it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="adjustments", verbose_name=_("项目"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    reason = models.TextField(_("调整理由"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("绩效目标调整")
        verbose_name_plural = _("绩效目标调整")
        ordering = ["project", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(status="submitted"), name="adjustment_one_pending_per_project"
            ),
        ]

    def __str__(self):
        return f"{self.project} {self.get_status_display()}"


class AdjustmentItem(models.Model):
    """One change an adjustment asks for: an indicator changed, added or removed, with its values before
    and after."""

    class Action(models.TextChoices):
        CHANGE = "change", _("修改")
        ADD = "add", _("新增")
        REMOVE = "remove", _("删除")

    adjustment = models.ForeignKey(
        Adjustment, on_delete=models.CASCADE, related_name="items", verbose_name=_("绩效目标调整")
    )
    action = models.CharField(_("调整方式"), max_length=8, choices=Action.choices)
    indicator = models.ForeignKey(
        "performance.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adjustment_items",
        verbose_name=_("绩效指标"),
    )
    level1 = models.ForeignKey(
        "performance.IndicatorCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("一级指标"),
    )
    level2 = models.ForeignKey(
        "performance.IndicatorCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("二级指标"),
    )
    name = models.CharField(_("三级指标"), max_length=200, blank=True)
    description = models.TextField(_("绩效指标描述"), blank=True)
    target = models.CharField(_("指标值"), max_length=500, blank=True)
    basis = models.CharField(_("指标值确定依据"), max_length=200, blank=True)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    before = models.JSONField(_("调整前"), default=dict, blank=True)

    class Meta:
        verbose_name = _("调整事项")
        verbose_name_plural = _("调整事项")
        ordering = ["adjustment", "order", "id"]

    def __str__(self):
        return f"{self.get_action_display()} {self.name or self.before.get('name', '')}"
