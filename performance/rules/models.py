"""Rule sets (评分规则) as data: a rule set, its immutable versions, and the version each department uses
in a year (SPEC section 16).

Versions are immutable rows rather than one row with a simple-history trail: a stored score points at the
exact version that made it (``ProjectScore.rule_version``), which must never change under it, and a version
is what finance exports, imports and compares. A change is a new version; the choice of a department's
rules for a year keeps its history (simple-history), who chose what and when.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from budgets.models import Department

from .value import Rules, rules_from_json


class RuleSet(models.Model):
    """A named rule set (10号, a province's manual ...), described with its source."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)
    source = models.TextField(_("依据"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评分规则")
        verbose_name_plural = _("评分规则")
        ordering = ["id"]

    def __str__(self):
        return self.name

    def latest(self) -> "RuleVersion | None":
        return self.versions.order_by("-number").first()


class RuleVersion(models.Model):
    """One version of a rule set: its rules as JSON (``value.rules_to_json``). Never changed once saved."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="versions", verbose_name=_("评分规则"))
    number = models.PositiveIntegerField(_("版本"))
    content = models.JSONField(_("规则内容"))
    note = models.TextField(_("修改说明"), blank=True)
    is_fallback = models.BooleanField(
        _("默认规则"), default=False, help_text=_("未选定评分规则的部门和年度按此版本计分。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rule_versions",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评分规则版本")
        verbose_name_plural = _("评分规则版本")
        ordering = ["rule_set_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "number"], name="rule_version_number_unique"),
            models.UniqueConstraint(fields=["is_fallback"], condition=Q(is_fallback=True), name="one_fallback_rules"),
        ]

    def __str__(self):
        return f"{self.rule_set.name} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            stored = RuleVersion.objects.filter(pk=self.pk).values_list("content", "rule_set_id", "number").first()
            if stored is not None and stored != (self.content, self.rule_set_id, self.number):
                raise ValidationError(_("评分规则的已有版本不能修改，请另存为新版本。"))
        super().save(*args, **kwargs)

    def rules(self) -> Rules:
        """The plain value the scorer takes."""
        return rules_from_json(self.content, name=self.rule_set.name, version=self.number)


class RuleChoice(models.Model):
    """The rule set version a department's projects of a year are scored by, chosen by finance."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="rule_choices", verbose_name=_("部门")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, related_name="choices", verbose_name=_("规则版本")
    )
    reason = models.TextField(_("变更原因"), blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("选定人"),
    )
    chosen_at = models.DateTimeField(_("选定时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部门评分规则")
        verbose_name_plural = _("部门评分规则")
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="rule_choice_department_year")]

    def __str__(self):
        return f"{self.department} {self.year}: {self.version}"
