"""A rectification item (整改事项) of a unit, optionally of one of its projects, with its evidence files; and the
proposals the reviewer or finance dismissed (so they are not proposed again)."""

from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from budgets.models import Department, Project, Unit

from ..reviewed import ReviewedDocument


class Source(models.TextChoices):
    """Where an item or a proposal comes from."""

    MANUAL = "manual", _("人工创建")
    SCORE = "score", _("指标得分低于分值")
    REVIEW = "review", _("目标审核错误")
    MONITORING = "monitoring", _("运行监控红灯")
    SPOTCHECK = "spotcheck", _("抽查复核差异")


class RectificationItemQuerySet(models.QuerySet):
    def open(self):
        """Items not finished yet (待整改, 整改中, 待验收, 退回)."""
        return self.exclude(status=RectificationItem.Status.DONE)

    def overdue(self, today=None):
        """Items still the unit's to work on (not awaiting acceptance, not finished) whose due date has passed."""
        waiting = (RectificationItem.Status.SUBMITTED, RectificationItem.Status.DONE)
        return self.exclude(status__in=waiting).filter(due_date__lt=today or timezone.localdate())


class RectificationItem(ReviewedDocument):
    """A problem a unit must rectify: the measures required, by when, its response and who accepted it.

    ``reviewed_by``/``reviewed_at`` record the last acceptance or return; ``verified_by``/``verified_at`` the
    acceptance (验收) that finished the item. ``source_key`` names the finding a confirmed proposal came from
    (empty for items created by hand), so the finding is not proposed again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待整改")
        IN_PROGRESS = "in_progress", _("整改中")
        SUBMITTED = "submitted", _("待验收")
        DONE = "done", _("已完成")
        RETURNED = "returned", _("退回")

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="rectification_items", verbose_name=_("责任单位")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rectification_items",
        verbose_name=_("项目"),
        help_text=_("部门或单位层面的问题可不选项目。"),
    )
    year = models.PositiveSmallIntegerField(_("年度"), help_text=_("发现问题的预算年度。"))
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    source_key = models.CharField(_("来源标识"), max_length=100, blank=True)
    problem = models.TextField(_("存在问题"))
    measures = models.TextField(_("整改要求"))
    due_date = models.DateField(_("整改期限"))
    status = models.CharField(_("整改状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    response = models.TextField(_("整改情况"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("验收人"),
    )
    verified_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    history = HistoricalRecords()

    objects = RectificationItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"], condition=~Q(source_key=""), name="rectification_one_item_per_finding"
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"], name="rectification_unit_status_idx")]

    def __str__(self):
        return f"{self.unit} {self.problem[:30]}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.DONE

    @property
    def is_overdue(self) -> bool:
        waiting = (self.Status.SUBMITTED, self.Status.DONE)
        return self.status not in waiting and self.due_date < timezone.localdate()


def rectification_upload_to(instance, filename: str) -> str:
    """A random name under MEDIA_ROOT/rectification/ (outside static); the original name is kept in the row."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"rectification/{instance.item.year}/{uuid4().hex}{suffix}"


class RectificationEvidence(models.Model):
    """A file the unit attaches to its response (整改佐证材料), checked as every evidence file is."""

    item = models.ForeignKey(
        RectificationItem, on_delete=models.CASCADE, related_name="evidence_files", verbose_name=_("整改事项")
    )
    file = models.FileField(_("文件"), upload_to=rectification_upload_to, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改佐证材料")
        verbose_name_plural = _("整改佐证材料")
        ordering = ["item", "uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class DismissedProposal(models.Model):
    """A proposal the reviewer or finance decided needs no rectification, with why: not proposed again."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="dismissed_proposals", verbose_name=_("部门")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    source_key = models.CharField(_("来源标识"), max_length=100, unique=True)
    problem = models.TextField(_("存在问题"))
    reason = models.TextField(_("不予整改的理由"))
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    dismissed_at = models.DateTimeField(_("处理时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("不予整改的建议")
        verbose_name_plural = _("不予整改的建议")
        ordering = ["department", "year", "id"]

    def __str__(self):
        return f"{self.problem[:30]}：{self.reason[:30]}"
