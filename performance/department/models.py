"""The department as a whole: main tasks and indicators of a year, self-evaluation frameworks (immutable versions,
as the rule sets), and the department's self-evaluation with the reviewer's decision on each item."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from budgets.models import Department, money

from ..targets import Target, is_cost, parse_target
from .framework import Framework as FrameworkValue
from .framework import framework_from_json


class DepartmentTask(models.Model):
    """A main task of the department's year (年度主要任务, 财预〔2015〕88号 annex 2) with its money in 万元."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="main_tasks", verbose_name=_("部门")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("任务名称"), max_length=200)
    content = models.TextField(_("主要内容"), blank=True)
    amount_total = money(_("总额"))
    amount_fiscal = money(_("财政拨款"))
    amount_other = money(_("其他资金"))

    class Meta:
        verbose_name = _("部门年度主要任务")
        verbose_name_plural = _("部门年度主要任务")
        ordering = ["department", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "number"], name="department_task_unique_number"),
        ]

    def __str__(self):
        return f"{self.number}、{self.name}"

    def clean(self):
        parts = [v for v in (self.amount_fiscal, self.amount_other) if v is not None]
        if self.amount_total is not None and parts and sum(parts) != self.amount_total:
            raise ValidationError(
                {
                    "amount_total": _("总额 %(total)s 不等于财政拨款与其他资金之和 %(parts)s。")
                    % {"total": f"{self.amount_total:.2f}", "parts": f"{sum(parts):.2f}"}
                }
            )


class DepartmentIndicator(models.Model):
    """An indicator of the department as a whole, in the same 产出/效益/满意度 tree as projects' (SPEC section 3),
    its target parsed by section 4 and its actual scored by section 6."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("部门")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    level1 = models.ForeignKey(
        "performance.IndicatorCategory",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 1},
        verbose_name=_("一级指标"),
    )
    level2 = models.ForeignKey(
        "performance.IndicatorCategory",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 2},
        verbose_name=_("二级指标"),
    )
    name = models.CharField(_("三级指标"), max_length=200)
    description = models.TextField(_("绩效指标描述"), blank=True)
    target = models.CharField(_("指标值"), max_length=500, blank=True)
    basis = models.CharField(_("指标值确定依据"), max_length=200, blank=True)
    actual = models.CharField(_("实际完成值"), max_length=500, blank=True)
    deviation_reason = models.TextField(_("偏差原因分析及改进措施"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部门整体绩效指标")
        verbose_name_plural = _("部门整体绩效指标")
        ordering = ["department", "year", "order", "id"]

    def __str__(self):
        return f"{self.name}：{self.target}"

    def clean(self):
        if self.level1_id and self.level2_id and self.level2.parent_id != self.level1_id:
            raise ValidationError(
                {
                    "level2": _("二级指标“%(l2)s”不属于一级指标“%(l1)s”。")
                    % {"l2": self.level2.name, "l1": self.level1.name}
                }
            )

    @property
    def parsed_target(self) -> Target:
        return parse_target(self.target, cost=is_cost(self.level1.name, self.level2.name))


class DepartmentFramework(models.Model):
    """A department self-evaluation framework (部门整体支出绩效评价指标体系), described with its source."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)
    source = models.TextField(_("依据"), blank=True)

    class Meta:
        verbose_name = _("部门整体评价框架")
        verbose_name_plural = _("部门整体评价框架")
        ordering = ["id"]

    def __str__(self):
        return self.name

    def latest(self) -> "DepartmentFrameworkVersion | None":
        return self.versions.order_by("-number").first()


class DepartmentFrameworkVersion(models.Model):
    """One version of a framework: its items as JSON (``framework.framework_to_json``). Never changed once saved:
    a department's self-evaluation points at the version it was made under."""

    framework = models.ForeignKey(
        DepartmentFramework, on_delete=models.PROTECT, related_name="versions", verbose_name=_("评价框架")
    )
    number = models.PositiveIntegerField(_("版本"))
    content = models.JSONField(_("评价项目"))
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
        verbose_name = _("评价框架版本")
        verbose_name_plural = _("评价框架版本")
        ordering = ["framework_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="framework_version_number_unique"),
        ]

    def __str__(self):
        return f"{self.framework.name} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            stored = (
                DepartmentFrameworkVersion.objects.filter(pk=self.pk)
                .values_list("content", "framework_id", "number")
                .first()
            )
            if stored is not None and stored != (self.content, self.framework_id, self.number):
                raise ValidationError(_("评价框架的已有版本不能修改，请另存为新版本。"))
        super().save(*args, **kwargs)

    def value(self) -> FrameworkValue:
        return framework_from_json(self.content)


class DepartmentEvaluation(models.Model):
    """A department's self-evaluation of a year (部门整体支出绩效自评): the framework version it is made under and
    the figures the app does not hold (基本支出's budget and execution)."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="self_evaluations", verbose_name=_("部门")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.ForeignKey(
        DepartmentFrameworkVersion, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("评价框架版本")
    )
    basic_full_year = money(_("基本支出全年预算数"), help_text=_("留空则取部门预算公开的基本支出。"))
    basic_executed = money(_("基本支出全年执行数"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部门整体支出绩效自评")
        verbose_name_plural = _("部门整体支出绩效自评")
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="department_evaluation_unique_year"),
        ]

    def __str__(self):
        return f"{self.year} {self.department.name}"


class ItemDecision(models.Model):
    """The reviewer's decision on one item: the prefilled score confirmed, or a score of their own with a reason."""

    class Action(models.TextChoices):
        CONFIRM = "confirm", _("确认")
        OVERRIDE = "override", _("调整")

    evaluation = models.ForeignKey(
        DepartmentEvaluation, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("部门整体自评")
    )
    code = models.CharField(_("评价项目代码"), max_length=100)
    action = models.CharField(_("处理"), max_length=16, choices=Action.choices)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    suggested = models.DecimalField(_("预填得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    figure = models.CharField(_("依据数据"), max_length=300, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评价项目审核")
        verbose_name_plural = _("评价项目审核")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "code"], name="item_decision_unique_code"),
            models.CheckConstraint(
                condition=Q(action="confirm") | Q(score__isnull=False), name="item_decision_override_has_score"
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.get_action_display()} {self.score}"
