"""A task finance issues for a year (自评任务, 监控任务) and the notifications that tell people it is their turn.

Monitoring rounds (SPEC section 10): a monitoring task carries its round number (第N次) for the year, so a
year may have several. A department's ``MonitoringRound`` answers one monitoring task (its foreign key
``task``, unique per department and task): the task's deadline and note are the round's, seen by the
department's units.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from budgets.models import Department, Project


class Task(models.Model):
    """A self-evaluation or monitoring task for a year, issued by finance with a deadline."""

    class Kind(models.TextChoices):
        SELF_EVALUATION = "self_evaluation", _("自评任务")
        MONITORING = "monitoring", _("监控任务")

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已关闭")

    kind = models.CharField(_("任务类型"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    round_number = models.PositiveSmallIntegerField(
        _("批次"), default=1, help_text=_("监控任务一年可有多次，依次为第1次、第2次……；自评任务为1。")
    )
    deadline = models.DateField(_("截止日期"))
    note = models.TextField(_("说明"), blank=True)
    all_departments = models.BooleanField(_("全部部门"), default=True)
    departments = models.ManyToManyField(Department, blank=True, related_name="tasks", verbose_name=_("部门"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("下达人"),
    )
    issued_at = models.DateTimeField(_("下达时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("绩效任务")
        verbose_name_plural = _("绩效任务")
        ordering = ["-year", "deadline", "id"]

    def __str__(self):
        return f"{self.year} {self.title}"

    @property
    def title(self) -> str:
        if self.kind == self.Kind.MONITORING:
            return _("第%(n)s次%(kind)s") % {"n": self.round_number, "kind": self.get_kind_display()}
        return str(self.get_kind_display())


class Notification(models.Model):
    """A message in a user's inbox: a document moved and it is now their turn (or their news). It is about a
    project, or about a department's year before finance (``performance.approval``)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已审核")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications", verbose_name=_("项目")
    )
    department_year = models.ForeignKey(
        "performance.DepartmentYear",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("部门年度自评"),
    )
    text = models.CharField(_("内容"), max_length=500)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self):
        return self.text
