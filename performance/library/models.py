"""The indicator library (指标库): recommended 三级 indicators, the project categories they fit, and the factor
by which a reviewer lets a target stray from its peers' median."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from budgets.models import Department, Project

from ..models import IndicatorCategory
from .names import name_key, split_aliases


class ProjectCategory(models.Model):
    """A kind of project (科普活动, 基建, 设备购置, 补助): 个性 entries are offered to the projects of their
    categories. A project is of a category when its name holds the category's name or one of its keywords."""

    name = models.CharField(_("项目类别"), max_length=32, unique=True)
    keywords = models.CharField(
        _("关键词"), max_length=300, blank=True, help_text=_("项目名称含任一关键词即属本类别；用顿号或逗号分隔。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("项目类别")
        verbose_name_plural = _("项目类别")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def words(self) -> list[str]:
        return [name_key(word) for word in [self.name, *split_aliases(self.keywords)] if name_key(word)]

    def fits(self, project: Project) -> bool:
        key = name_key(project.name)
        return any(word in key for word in self.words())


class LibraryEntry(models.Model):
    """A recommended 三级 indicator: where it sits, what it measures, the target it takes and its unit."""

    class TargetKind(models.TextChoices):
        AT_LEAST = "at_least", _("不低于")
        AT_MOST = "at_most", _("不高于")
        EQUAL = "equal", _("等于")
        RANGE = "range", _("区间")
        DATE = "date", _("日期")
        QUALITATIVE = "qualitative", _("定性")

    class Basis(models.TextChoices):
        PLAN = "计划标准", _("计划标准")
        INDUSTRY = "行业标准", _("行业标准")
        HISTORY = "历史标准", _("历史标准")
        OTHER = "其他", _("其他")

    class Source(models.TextChoices):
        SEED = "seed", _("种子数据")
        DEPARTMENT = "department", _("部门自建")
        IMPORTED = "imported", _("导入")

    level1 = models.ForeignKey(
        IndicatorCategory,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 1},
        verbose_name=_("一级指标"),
    )
    level2 = models.ForeignKey(
        IndicatorCategory,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 2},
        verbose_name=_("二级指标"),
    )
    name = models.CharField(_("三级指标"), max_length=200)
    name_key = models.CharField(_("三级指标匹配键"), max_length=200, editable=False)
    aliases = models.CharField(
        _("别名"), max_length=500, blank=True, help_text=_("同一指标的其他写法，用顿号或逗号分隔。")
    )
    description = models.TextField(_("绩效指标描述"), blank=True)
    target_kind = models.CharField(_("指标值类型"), max_length=16, choices=TargetKind.choices)
    unit = models.CharField(_("计量单位"), max_length=32, blank=True)
    example_target = models.CharField(
        _("指标值示例"),
        max_length=100,
        blank=True,
        help_text=_("填入申报表的指标值；{year} 为项目年度。不高于、以万元计的留空则填项目预算。"),
    )
    basis = models.CharField(_("建议的确定依据"), max_length=8, choices=Basis.choices, default=Basis.PLAN)
    common = models.BooleanField(_("共性指标"), default=False, help_text=_("共性指标适用于所有项目。"))
    categories = models.ManyToManyField(
        ProjectCategory, blank=True, related_name="entries", verbose_name=_("适用项目类别")
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.DEPARTMENT)
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="library_entries",
        verbose_name=_("所属部门"),
        help_text=_("部门自建指标所属的部门；种子和导入的指标为空。"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("指标库指标")
        verbose_name_plural = _("指标库")
        ordering = ["level1__order", "level2__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["level2", "name_key"], name="library_entry_unique_name"),
            models.CheckConstraint(
                condition=Q(source="department", department__isnull=False) | ~Q(source="department"),
                name="library_entry_department_source",
            ),
        ]

    def __str__(self):
        return f"{self.level2.name} / {self.name}"

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.level1_id and self.level2_id and self.level2.parent_id != self.level1_id:
            raise ValidationError({"level2": _("二级指标不属于所选的一级指标。")})

    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)


class PeerFactor(models.Model):
    """How far (a multiple either way) a department's targets may stray from the peers' median before the review
    asks about it; the reviewer sets it (default 3)."""

    DEFAULT = Decimal("3")

    department = models.OneToOneField(
        Department, on_delete=models.CASCADE, related_name="peer_factor", verbose_name=_("部门")
    )
    factor = models.DecimalField(
        _("偏离同类中位数的倍数"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT,
        validators=[MinValueValidator(Decimal("1.1"))],
        help_text=_("指标值高于中位数的这个倍数、或低于中位数除以这个倍数时提示。"),
    )

    class Meta:
        verbose_name = _("同类偏离倍数")
        verbose_name_plural = _("同类偏离倍数")

    def __str__(self):
        return f"{self.department} ×{self.factor}"
