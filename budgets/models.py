"""Departments, units, projects and the money of a department's budget year.

All amounts are in 万元, stored as Decimal to 4 places (the 元) and shown with 2.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .pinyin import KEY_LENGTH, pinyin_key

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


def money(verbose_name, **kwargs):
    """A non-negative amount in 万元, to 4 places; empty where the figure is not known."""
    kwargs.setdefault("null", True)
    kwargs.setdefault("blank", True)
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=4, validators=NON_NEGATIVE, **kwargs)


def signed_money(verbose_name, **kwargs):
    """An amount in 万元 that may be negative (a change on last year)."""
    kwargs.setdefault("null", True)
    kwargs.setdefault("blank", True)
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=4, **kwargs)


class Department(models.Model):
    code = models.CharField(_("部门编码"), max_length=32, unique=True)
    name = models.CharField(_("部门名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    duties_intro = models.TextField(_("部门职责概述"), blank=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Duty(models.Model):
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="duties", verbose_name=_("部门"))
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("职责"))

    class Meta:
        verbose_name = _("部门职责")
        verbose_name_plural = _("部门职责")
        ordering = ["department", "number"]
        constraints = [
            models.UniqueConstraint(fields=["department", "number"], name="duty_unique_number"),
        ]

    def __str__(self):
        return f"（{self.number}）{self.text[:30]}"


class Unit(models.Model):
    class Nature(models.TextChoices):
        ADMINISTRATIVE = "行政", _("行政")
        INSTITUTION = "事业", _("事业")
        ENTERPRISE = "企业", _("企业")
        OTHER = "其他", _("其他")

    class FundingForm(models.TextChoices):
        FISCAL = "财政拨款", _("财政拨款")
        BASIC_GUARANTEE = "财政性资金基本保证", _("财政性资金基本保证")
        FIXED_SUBSIDY = "财政性资金定额或定项补助", _("财政性资金定额或定项补助")
        SELF_FUNDED = "经费自理", _("经费自理")

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="units", verbose_name=_("部门"))
    code = models.CharField(
        _("单位编码"), max_length=32, null=True, blank=True, help_text=_("没有编码的单位留空，不要编造。")
    )
    name = models.CharField(_("单位名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    nature = models.CharField(_("单位性质"), max_length=16, choices=Nature.choices, blank=True)
    rank = models.CharField(_("单位规格"), max_length=32, blank=True)
    funding_form = models.CharField(_("经费保障形式"), max_length=32, choices=FundingForm.choices, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("预算单位")
        verbose_name_plural = _("预算单位")
        ordering = ["department", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(code__isnull=False), name="unit_unique_code_where_present"
            ),
            models.CheckConstraint(condition=~Q(code=""), name="unit_code_null_not_blank"),
            models.UniqueConstraint(fields=["department", "name"], name="unit_unique_name_per_department"),
        ]

    def __str__(self):
        """The unit as every page, list, select and the admin show it: code, a space, its name.

        ``731001 张家口市科协本级``: the name is the short one where there is one, as the published goal tables
        print it (the standard 绩效目标表 keeps their glued ``731001张家口市科协本级``)."""
        return f"{self.code} {self.shown_name}" if self.code else self.shown_name

    def save(self, *args, **kwargs):
        self.code = (self.code or "").strip() or None
        super().save(*args, **kwargs)

    @property
    def shown_name(self) -> str:
        return self.short_name or self.name


class ProjectQuerySet(models.QuerySet):
    """Projects; the bulk writes (imports, the demo and bench loaders) keep the pinyin sort key as ``save`` does."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for project in objs:
            project.name_pinyin = pinyin_key(project.name)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if "name" in fields:
            for project in objs:
                project.name_pinyin = pinyin_key(project.name)
            fields = [*fields, "name_pinyin"]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        if isinstance(kwargs.get("name"), str):
            kwargs["name_pinyin"] = pinyin_key(kwargs["name"])
        return super().update(**kwargs)


FUND_SOURCES = ("fiscal", "carryover", "other")
STAGES = ("initial", "full_year", "executed")


class Project(models.Model):
    """A budget project of one unit in one year, with its money by stage and fund source."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="projects", verbose_name=_("预算单位"))
    year = models.PositiveSmallIntegerField(_("年度"))
    code = models.CharField(_("项目编码"), max_length=64, blank=True)
    name = models.CharField(_("项目名称"), max_length=200)
    name_pinyin = models.CharField(_("项目名称拼音"), max_length=KEY_LENGTH, blank=True, editable=False)
    title_as_published = models.CharField(
        _("公开表标题"), max_length=200, blank=True, help_text=_("公开文本中目标表的原标题（保留原文）。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    initial_total = money(_("年初预算数"))
    initial_fiscal = money(_("年初预算数-财政拨款"))
    initial_carryover = money(_("年初预算数-上年结转"))
    initial_other = money(_("年初预算数-其他资金"))
    full_year_total = money(_("全年预算数"))
    full_year_fiscal = money(_("全年预算数-财政拨款"))
    full_year_carryover = money(_("全年预算数-上年结转"))
    full_year_other = money(_("全年预算数-其他资金"))
    executed_total = money(_("全年执行数"))
    executed_fiscal = money(_("全年执行数-财政拨款"))
    executed_carryover = money(_("全年执行数-上年结转"))
    executed_other = money(_("全年执行数-其他资金"))

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("预算项目")
        verbose_name_plural = _("预算项目")
        ordering = ["year", "unit__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "name"], name="project_unique_name_per_unit_year"),
            models.UniqueConstraint(
                fields=["unit", "year", "code"], condition=~Q(code=""), name="project_unique_code_per_unit_year"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "unit"], name="project_year_unit_idx"),
            models.Index(fields=["name_pinyin", "name", "id"], name="project_name_pinyin_idx"),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_pinyin"}
        super().save(*args, **kwargs)

    def sources(self, stage: str) -> dict[str, Decimal | None]:
        return {source: getattr(self, f"{stage}_{source}") for source in FUND_SOURCES}

    def total(self, stage: str) -> Decimal | None:
        """The stage's total: as given, else the sum of its known fund sources, else None."""
        return stage_total(getattr(self, f"{stage}_total"), *self.sources(stage).values())


def stage_total(given: Decimal | None, *sources: Decimal | None) -> Decimal | None:
    """A stage's total (年初预算数, 全年预算数, 全年执行数): as given, else the sum of its known fund sources,
    else None. The one rule for projects, scoring, the entry form and the import."""
    if given is not None:
        return given
    known = [value for value in sources if value is not None]
    return sum(known, Decimal("0")) if known else None


class DepartmentBudget(models.Model):
    """A department's budget of one year, as its disclosure (部门预算信息公开) states it."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("部门"))
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200, blank=True)
    preamble = models.TextField(_("前言"), blank=True)
    overview = models.TextField(_("总体情况说明"), blank=True)

    # 1、收入
    income_total = money(_("收入合计"))
    income_general_budget = money(_("一般公共预算收入"))
    income_fund_budget = money(_("基金预算收入"))
    income_special_account = money(_("财政专户核拨收入"))
    income_other = money(_("其他来源收入"))
    income_carryover = money(_("上年结转"))
    # 2、支出
    expenditure_total = money(_("支出合计"))
    basic_total = money(_("基本支出"))
    basic_personnel = money(_("人员经费"))
    basic_public = money(_("日常公用经费"))
    project_total = money(_("项目支出"))
    # 3、比上年增减
    last_year_total = money(_("上年收支合计"))
    last_year_basic = money(_("上年基本支出"))
    last_year_project = money(_("上年项目支出"))
    stated_total_change = signed_money(_("收支增减（公开数）"))
    stated_basic_change = signed_money(_("基本支出增减（公开数）"))
    stated_project_change = signed_money(_("项目支出增减（公开数）"))
    basic_change_reason = models.TextField(_("基本支出增减原因"), blank=True)
    project_change_reason = models.TextField(_("项目支出增减原因"), blank=True)
    # 机关运行经费
    operating_cost = money(_("机关运行经费"))
    operating_cost_uses = models.TextField(_("机关运行经费用途"), blank=True)
    # 三公经费
    three_public_total = money(_("“三公”经费合计"))
    overseas_travel = money(_("因公出国（境）费"))
    vehicle_total = money(_("公务用车购置及运维费"))
    vehicle_purchase = money(_("公务用车购置费"))
    vehicle_running = money(_("公务用车运行维护费"))
    reception = money(_("公务接待费"))
    three_public_total_last_year = money(_("上年“三公”经费合计"))
    overseas_travel_last_year = money(_("上年因公出国（境）费"))
    vehicle_total_last_year = money(_("上年公务用车购置及运维费"))
    vehicle_purchase_last_year = money(_("上年公务用车购置费"))
    vehicle_running_last_year = money(_("上年公务用车运行维护费"))
    reception_last_year = money(_("上年公务接待费"))
    three_public_change_reason = models.TextField(_("“三公”经费增减原因"), blank=True)
    # 政府采购 / 国有资产
    procurement_total = money(_("政府采购预算合计"))
    assets_as_of = models.DateField(_("资产统计截止日期"), null=True, blank=True)
    planned_asset_purchase = money(_("拟购置固定资产总额"))
    planned_asset_purchase_note = models.TextField(_("拟购置资产说明"), blank=True)
    other_notes = models.TextField(_("其他需要说明的事项"), blank=True)

    class Meta:
        verbose_name = _("部门预算")
        verbose_name_plural = _("部门预算")
        ordering = ["department", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="department_budget_unique_year"),
        ]

    def __str__(self):
        return f"{self.year} {self.department.name}"


class ProjectSpendingItem(models.Model):
    """One line of 项目支出 in the budget overview (老科协 9, 科普活动 147.9, ...)."""

    budget = models.ForeignKey(
        DepartmentBudget, on_delete=models.CASCADE, related_name="project_items", verbose_name=_("部门预算")
    )
    name = models.CharField(_("项目支出内容"), max_length=200)
    amount = money(_("金额"), null=False, blank=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("项目支出明细")
        verbose_name_plural = _("项目支出明细")
        ordering = ["budget", "order"]

    def __str__(self):
        return f"{self.name} {self.amount:.2f}"


class ProcurementLine(models.Model):
    """A line of the government procurement budget (政府采购预算)."""

    budget = models.ForeignKey(
        DepartmentBudget, on_delete=models.CASCADE, related_name="procurement_lines", verbose_name=_("部门预算")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="procurement_lines", verbose_name=_("预算单位")
    )
    source_project = models.CharField(_("政府采购项目来源"), max_length=200)
    source_budget = money(_("项目预算资金"))
    item = models.CharField(_("采购物品名称"), max_length=200)
    catalogue_code = models.CharField(_("政府采购目录序号"), max_length=32, blank=True)
    measure_unit = models.CharField(_("计量单位"), max_length=16, blank=True)
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=4, validators=NON_NEGATIVE)
    unit_price = money(_("单价"), null=False, blank=False)
    amount_total = money(_("采购金额合计"), null=False, blank=False)
    amount_general_budget = money(_("一般公共预算拨款"))
    amount_fund_budget = money(_("基金预算拨款"))
    amount_state_capital = money(_("国有资本经营预算拨款"))
    amount_special_account = money(_("财政专户核拨"))
    amount_unit_funds = money(_("单位资金"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("政府采购预算")
        verbose_name_plural = _("政府采购预算")
        ordering = ["budget", "order"]

    def __str__(self):
        return f"{self.item} {self.amount_total:.2f}"


class AssetLine(models.Model):
    """A line of the state-asset table (固定资产占用情况表)."""

    class Kind(models.TextChoices):
        TOTAL = "total", _("资产总额")
        ITEM = "item", _("分项")
        OF_WHICH = "of_which", _("其中")

    budget = models.ForeignKey(
        DepartmentBudget, on_delete=models.CASCADE, related_name="asset_lines", verbose_name=_("部门预算")
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.ITEM)
    label = models.CharField(_("项目"), max_length=200)
    quantity = models.DecimalField(
        _("数量"), max_digits=14, decimal_places=4, null=True, blank=True, validators=NON_NEGATIVE
    )
    value = money(_("价值（万元）"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("国有资产")
        verbose_name_plural = _("国有资产")
        ordering = ["budget", "order"]

    def __str__(self):
        return self.label


class GlossaryTerm(models.Model):
    """名词解释: shown as help text."""

    term = models.CharField(_("名词"), max_length=100, unique=True)
    definition = models.TextField(_("解释"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("名词解释")
        verbose_name_plural = _("名词解释")
        ordering = ["order"]

    def __str__(self):
        return self.term


class Access(models.Model):
    """What a user may see: staff of a unit, reviewer of a department, or the finance bureau."""

    class Role(models.TextChoices):
        STAFF = "staff", _("填报人")
        REVIEWER = "reviewer", _("审核人")
        FINANCE = "finance", _("财政")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="accesses", verbose_name=_("预算单位")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="accesses",
        verbose_name=_("部门"),
    )

    class Meta:
        verbose_name = _("用户权限")
        verbose_name_plural = _("用户权限")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="staff", unit__isnull=False, department__isnull=True))
                | (Q(role="reviewer", unit__isnull=True, department__isnull=False))
                | (Q(role="finance", unit__isnull=True, department__isnull=True)),
                name="access_scope_matches_role",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.get_role_display()} {self.unit or self.department or ''}"
