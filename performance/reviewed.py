"""What every document on the workflow engine keeps (``performance.workflow``): self-evaluations, monitoring
entries, declared targets and adjustments. A module of its own so the models of every package can share it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewedDocument(models.Model):
    """What every document on the workflow engine keeps: who submitted and reviewed it, when, why it came
    back, and a version that every save bumps (so an open form can tell it is stale)."""

    return_reason = models.TextField(_("退回原因"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0, help_text=_("每次保存加一，防止覆盖他人的修改。"))

    class Meta:
        abstract = True
