"""The rule per grade of a year, in immutable versions, and finance's opinion per project (结果应用意见)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from budgets.models import Project, money

from .arithmetic import GradeRule, rules_from_json


class ResultRuleVersion(models.Model):
    """One version of the year's rule per grade (``arithmetic.rules_to_json``): never changed once saved, so an
    opinion keeps pointing at the rule it was drafted by. A change is a new version."""

    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("版本"))
    content = models.JSONField(_("规则内容"))
    note = models.TextField(_("修改说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("结果应用规则版本")
        verbose_name_plural = _("结果应用规则版本")
        ordering = ["year", "number"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="result_rule_year_number_unique")]

    def __str__(self):
        return f"{self.year} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            stored = ResultRuleVersion.objects.filter(pk=self.pk).values_list("content", "year", "number").first()
            if stored is not None and stored != (self.content, self.year, self.number):
                raise ValidationError(_("结果应用规则的已有版本不能修改，请另存为新版本。"))
        super().save(*args, **kwargs)

    def rules(self) -> dict[str, GradeRule]:
        return rules_from_json(self.content)


class ResultOpinion(models.Model):
    """Finance's opinion on a project's next-year budget, with what it was drafted from: the grade, this year's
    full-year budget and execution, the rule version and its suggested amount (kept as they were)."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="result_opinion", verbose_name=_("项目")
    )
    grade = models.CharField(_("等级"), max_length=1, blank=True)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    full_year = money(_("全年预算数"), null=True, blank=True)
    executed = money(_("全年执行数"), null=True, blank=True)
    rule_version = models.ForeignKey(
        ResultRuleVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinions",
        verbose_name=_("规则版本"),
    )
    rule = models.CharField(_("适用规则"), max_length=100, blank=True)
    suggested = money(_("建议下年预算数"), null=True, blank=True)
    decided = money(_("确定下年预算数"), null=True, blank=True)
    opinion = models.TextField(_("结果应用意见"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填写人"),
    )
    decided_at = models.DateTimeField(_("填写时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("结果应用意见")
        verbose_name_plural = _("结果应用意见")

    def __str__(self):
        return f"{self.project}: {self.opinion[:30]}"
