"""The indicator framework, project goals and indicators, actual results and self-evaluations."""

from decimal import Decimal
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from budgets.models import Department, Project

from .actuals import read_actual
from .library.names import name_key
from .reviewed import ReviewedDocument
from .targets import Target, is_cost, parse_target

POINTS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class IndicatorCategory(models.Model):
    """A level-1 (一级) or level-2 (二级) indicator category of the framework (SPEC section 3)."""

    class Group(models.TextChoices):
        OUTPUT = "output", _("产出（含成本）")
        EFFECT = "effect", _("效益")
        SATISFACTION = "satisfaction", _("满意度")

    class Scheme(models.TextChoices):
        CLASSIC = "classic", _("财预〔2020〕10号")
        COST_2021 = "2021", _("财预〔2021〕101号")
        BOTH = "both", _("通用")

    name = models.CharField(_("名称"), max_length=64)
    level = models.PositiveSmallIntegerField(_("级次"), choices=[(1, _("一级指标")), (2, _("二级指标"))])
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级指标"),
    )
    group = models.CharField(
        _("计分组"), max_length=16, choices=Group.choices, blank=True, help_text=_("一级指标所属的计分组。")
    )
    scheme = models.CharField(_("指标体系"), max_length=16, choices=Scheme.choices, default=Scheme.BOTH)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("指标类别")
        verbose_name_plural = _("指标类别")
        ordering = ["level", "parent__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["name"], condition=Q(level=1), name="category_unique_level1_name"),
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_per_parent"),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level=2, parent__isnull=False),
                name="category_level_matches_parent",
            ),
        ]

    def __str__(self):
        return self.name if self.level == 1 else f"{self.parent.name} / {self.name}"


class CategoryAlias(models.Model):
    """A non-standard name seen in the wild and the standard category it maps to (reported on import)."""

    name = models.CharField(_("非标准名称"), max_length=64)
    level = models.PositiveSmallIntegerField(_("级次"), choices=[(1, _("一级指标")), (2, _("二级指标"))])
    parent_name = models.CharField(
        _("出现在哪个一级指标下"), max_length=64, blank=True, help_text=_("仅二级指标的别名需要。")
    )
    category = models.ForeignKey(
        IndicatorCategory, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("标准类别")
    )

    class Meta:
        verbose_name = _("指标名称映射")
        verbose_name_plural = _("指标名称映射")
        constraints = [
            models.UniqueConstraint(fields=["name", "level", "parent_name"], name="alias_unique_name"),
        ]

    def __str__(self):
        return f"{self.name} → {self.category}"


# What real tables print after a category's name (服务对象满意度指标等): the name without it is the category.
PRINTED_SUFFIXES = ("等",)


def category_names(written: str) -> list[str]:
    """The names a category printed as ``written`` is looked up by, in order: as written, then without a
    printed suffix (服务对象满意度指标等 -> 服务对象满意度指标)."""
    names = [written]
    for suffix in PRINTED_SUFFIXES:
        if written.endswith(suffix) and len(written) > len(suffix):
            names.append(written[: -len(suffix)].rstrip())
    return names


class ProjectGoal(models.Model):
    """A project's annual overall goal (年度总体目标)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="goal", verbose_name=_("项目"))
    text = models.TextField(_("年度总体目标"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("绩效目标")
        verbose_name_plural = _("绩效目标")

    def __str__(self):
        return self.text[:40]


class IndicatorQuerySet(models.QuerySet):
    """Indicators; the bulk writes (the imports, the load and bench generators) keep the name key as ``save``
    does."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for indicator in objs:
            indicator.name_key = name_key(indicator.name)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if "name" in fields:
            for indicator in objs:
                indicator.name_key = name_key(indicator.name)
            fields = [*fields, "name_key"]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        if isinstance(kwargs.get("name"), str):
            kwargs["name_key"] = name_key(kwargs["name"])
        return super().update(**kwargs)

    def in_order(self):
        """In the project's row order, with their categories (and the 二级's 一级): how pages, sheets, the
        review and scoring read a project's indicators."""
        return self.select_related("level1", "level2__parent").order_by("order", "id")


class Indicator(models.Model):
    """A level-3 indicator (三级指标) of a project with its target (指标值), as written."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("项目"))
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
    level1_as_written = models.CharField(_("一级指标（原文）"), max_length=64, blank=True)
    level2_as_written = models.CharField(_("二级指标（原文）"), max_length=64, blank=True)
    name = models.CharField(_("三级指标"), max_length=200)
    name_key = models.CharField(
        _("三级指标匹配键"), max_length=200, blank=True, editable=False, help_text=_("去掉空格、全角和标点后的名称。")
    )
    description = models.TextField(_("绩效指标描述"), blank=True)
    target = models.CharField(_("指标值"), max_length=500, blank=True)
    target_kind = models.CharField(_("指标值类型"), max_length=16, editable=False, default="qualitative")
    target_parsed = models.JSONField(_("指标值解析"), default=dict, editable=False)
    basis = models.CharField(_("指标值确定依据"), max_length=200, blank=True)
    weight = models.DecimalField(
        _("分值"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POINTS,
        help_text=_("留空则按默认权重分配。"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("绩效指标")
        verbose_name_plural = _("绩效指标")
        ordering = ["project", "order", "id"]
        indexes = [
            models.Index(fields=["project", "order"], name="indicator_project_order_idx"),
            models.Index(fields=["name_key"], name="indicator_name_key_idx"),
        ]

    def __str__(self):
        return f"{self.name}：{self.target}"

    def save(self, *args, **kwargs):
        parsed = parse_target(self.target, cost=self.is_cost)
        self.target_kind = parsed.kind
        self.target_parsed = parsed.as_json()
        self.name_key = name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def clean(self):
        if self.level1_id and self.level2_id and self.level2.parent_id != self.level1_id:
            raise ValidationError(
                {
                    "level2": _("二级指标“%(l2)s”不属于一级指标“%(l1)s”。")
                    % {"l2": self.level2.name, "l1": self.level1.name}
                }
            )

    @property
    def is_cost(self) -> bool:
        return is_cost(self.level1.name if self.level1_id else "", self.level2.name if self.level2_id else "")


class ActualResult(models.Model):
    """What was achieved for an indicator (实际完成值), with the evaluator's tier and score."""

    class Tier(models.TextChoices):
        MET = "met", _("达成年度指标")
        PARTIAL = "partial", _("部分达成年度指标并具有一定效果")
        MISSED = "missed", _("未达成年度指标且效果较差")

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="result", verbose_name=_("绩效指标")
    )
    actual = models.CharField(_("实际完成值"), max_length=500, blank=True)
    tier = models.CharField(_("完成档次"), max_length=16, choices=Tier.choices, blank=True)
    evaluator_score = models.DecimalField(
        _("评价得分"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POINTS,
        help_text=_("定性指标在档次分数区间内的得分。"),
    )
    reported_score = models.DecimalField(
        _("得分（自评）"), max_digits=6, decimal_places=2, null=True, blank=True, validators=POINTS
    )
    deviation_reason = models.TextField(_("偏差原因分析及改进措施"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("实际完成值")
        verbose_name_plural = _("实际完成值")

    def __str__(self):
        return self.actual

    def clean(self):
        """Refuse an actual value that cannot be read against its indicator's target (SPEC section 5)."""
        if not self.indicator_id:
            return
        indicator = self.indicator
        target = target_of(indicator)
        error = read_actual(self.actual, target, tier=self.tier).error
        if error:
            raise ValidationError({"actual": error})


class Evaluation(ReviewedDocument):
    """A project's self-evaluation (绩效自评) of its year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已审核")

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="evaluation", verbose_name=_("项目"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    goal_actual = models.TextField(_("实际完成情况"), blank=True)
    budget_deviation_reason = models.TextField(_("执行偏差原因"), blank=True)
    reported_budget_score = models.DecimalField(
        _("执行率得分（自评）"), max_digits=6, decimal_places=2, null=True, blank=True, validators=POINTS
    )
    reported_total = models.DecimalField(
        _("总分（自评）"), max_digits=6, decimal_places=2, null=True, blank=True, validators=POINTS
    )
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("绩效自评")
        verbose_name_plural = _("绩效自评")

    def __str__(self):
        return f"{self.project} {self.get_status_display()}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED


class DepartmentGoal(models.Model):
    """A department-level overall goal (部门整体绩效目标 / 总体绩效目标) of a year."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="goals", verbose_name=_("部门"))
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("总体绩效目标"))

    class Meta:
        verbose_name = _("部门总体绩效目标")
        verbose_name_plural = _("部门总体绩效目标")
        ordering = ["department", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "number"], name="department_goal_unique_number"),
        ]

    def __str__(self):
        return f"{self.number}、{self.text[:30]}"


class DepartmentSubGoal(models.Model):
    """A sub-goal (分项绩效目标: 部门管理, 部门决策 ...) with its goal and indicator text."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="sub_goals", verbose_name=_("部门")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("分项"), max_length=100)
    goal = models.TextField(_("绩效目标"))
    indicators = models.TextField(_("绩效指标"), blank=True)

    class Meta:
        verbose_name = _("部门分项绩效目标")
        verbose_name_plural = _("部门分项绩效目标")
        ordering = ["department", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "number"], name="department_subgoal_unique_number"),
        ]

    def __str__(self):
        return self.name


class GuaranteeMeasure(models.Model):
    """A work guarantee measure (工作保障措施)."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="guarantee_measures", verbose_name=_("部门")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("措施"), max_length=100)
    text = models.TextField(_("内容"))

    class Meta:
        verbose_name = _("工作保障措施")
        verbose_name_plural = _("工作保障措施")
        ordering = ["department", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "number"], name="guarantee_unique_number"),
        ]

    def __str__(self):
        return self.title


def evidence_upload_to(instance, filename: str) -> str:
    """A random name under MEDIA_ROOT/evidence/ (outside static); the original name is kept in the row."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"evidence/{instance.project.year}/{uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A supporting file (佐证材料) of a project's self-evaluation, optionally of one indicator."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="evidence_files", verbose_name=_("项目")
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence_files",
        verbose_name=_("绩效指标"),
    )
    file = models.FileField(_("文件"), upload_to=evidence_upload_to, max_length=255)
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
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["project", "uploaded_at", "id"]

    def __str__(self):
        return self.original_name


# --- mid-year monitoring (绩效运行监控, SPEC section 10) ------------------------------------------


class MonitoringRound(models.Model):
    """A department's mid-year monitoring of one year, up to a cut-off date (default 7-31), answering finance's
    monitoring task (监控任务) of that year; a year has as many rounds as finance issues (第1次, 第2次 …)."""

    class Status(models.TextChoices):
        OPEN = "open", _("填报中")
        CLOSED = "closed", _("已关闭")

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="monitoring_rounds", verbose_name=_("部门")
    )
    task = models.ForeignKey(
        "performance.Task",
        on_delete=models.PROTECT,
        related_name="monitoring_rounds",
        limit_choices_to={"kind": "monitoring"},
        verbose_name=_("监控任务"),
    )
    year = models.PositiveSmallIntegerField(_("年度"), help_text=_("即监控任务的年度。"))
    cut_off = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    opened_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("绩效运行监控批次")
        verbose_name_plural = _("绩效运行监控批次")
        ordering = ["department", "-year", "cut_off", "id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "task"], name="monitoring_round_unique_task"),
        ]

    def __str__(self):
        return f"{self.department.name} {self.year} {self.task.title} {self.cut_off:%m-%d}"

    def clean(self):
        """A round answers a monitoring task of its own year."""
        if self.task_id is not None and self.task.year != self.year:
            raise ValidationError(
                {
                    "task": _("监控任务的年度（%(task)s）与本批次的年度（%(year)s）不一致。")
                    % {"task": self.task.year, "year": self.year}
                }
            )

    @property
    def round_number(self) -> int:
        """The round of the year (第N次): its task's."""
        return self.task.round_number

    @property
    def title(self) -> str:
        return self.task.title


class ProjectMonitoring(ReviewedDocument):
    """A project's monitoring entry in a round: budget executed to date and the year's forecast."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已审核")

    round = models.ForeignKey(
        MonitoringRound, on_delete=models.CASCADE, related_name="projects", verbose_name=_("监控批次")
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="monitorings", verbose_name=_("项目"))
    full_year_budget = models.DecimalField(
        _("全年预算数"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("截至监控日的全年预算数（调整后）；默认取项目的全年预算数或年初预算数。"),
    )
    executed_to_date = models.DecimalField(
        _("截至监控日执行数"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    forecast_full_year_execution = models.DecimalField(
        _("全年预计执行数"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目运行监控")
        verbose_name_plural = _("项目运行监控")
        constraints = [
            models.UniqueConstraint(fields=["round", "project"], name="project_monitoring_unique_project"),
        ]

    def __str__(self):
        return f"{self.project} {self.get_status_display()}"


class IndicatorMonitoring(models.Model):
    """An indicator's monitoring: value to date, forecast, deviation cause and likelihood of meeting it."""

    class Cause(models.TextChoices):
        FUNDING = "funding", _("经费保障")
        RULES = "rules", _("制度保障")
        STAFF = "staff", _("人员保障")
        HARDWARE = "hardware", _("硬件条件保障")
        OTHER = "other", _("其他")

    class Likelihood(models.TextChoices):
        CERTAIN = "certain", _("确定能")
        POSSIBLE = "possible", _("有可能")
        IMPOSSIBLE = "impossible", _("完全不可能")

    project_monitoring = models.ForeignKey(
        ProjectMonitoring, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("项目运行监控")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="monitorings", verbose_name=_("绩效指标")
    )
    value_to_date = models.CharField(_("截至监控日完成情况"), max_length=500, blank=True)
    forecast = models.CharField(_("全年预计完成情况"), max_length=500, blank=True)
    deviation_cause = models.CharField(_("偏差原因"), max_length=16, choices=Cause.choices, blank=True)
    note = models.TextField(_("原因说明"), blank=True)
    likelihood = models.CharField(_("完成目标可能性"), max_length=16, choices=Likelihood.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("指标运行监控")
        verbose_name_plural = _("指标运行监控")
        constraints = [
            models.UniqueConstraint(
                fields=["project_monitoring", "indicator"], name="indicator_monitoring_unique_indicator"
            ),
        ]

    def __str__(self):
        return f"{self.indicator.name}：{self.forecast}"


# --- background jobs (long imports and exports) ----------------------------------------------------


def job_file_upload_to(job: "Job", filename: str) -> str:
    return f"jobs/{job.created_at:%Y/%m}/{uuid4().hex}{Path(filename).suffix.lower()}"


class Job(models.Model):
    """A long import or export (or finance's spot-check draw) run by a background worker, with its progress and
    its file (or, for a draw, the spot check it made: ``report["spot_check"]``).

    The row is the user's view of the work: the task queue (``django_tasks``) only carries the job's
    id. Progress is written outside any import transaction, so another process can read it while
    the work goes on; ``heartbeat_at`` and the worker's host and process id tell a job whose worker
    died from one that is still running (``performance.jobs.reap_stale_jobs``).
    """

    class Kind(models.TextChoices):
        CHECK_WORKBOOK = "check_workbook", _("试导入绩效工作簿")
        IMPORT_WORKBOOK = "import_workbook", _("导入绩效工作簿")
        EXPORT_WORKBOOK = "export_workbook", _("导出绩效工作簿")
        EXPORT_SHEETS = "export_sheets", _("导出自评表工作簿")
        EXPORT_TARGETS = "export_targets", _("导出绩效目标表")
        DRAW_SAMPLE = "draw_sample", _("抽取抽查样本")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("发起人")
    )
    title = models.CharField(_("名称"), max_length=200)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    source = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("来源任务"),
    )
    input_file = models.FileField(_("上传文件"), upload_to=job_file_upload_to, max_length=255, blank=True)
    input_name = models.CharField(_("上传文件名"), max_length=255, blank=True)
    output_file = models.FileField(_("结果文件"), upload_to=job_file_upload_to, max_length=255, blank=True)
    output_name = models.CharField(_("结果文件名"), max_length=255, blank=True)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.CharField(_("进度说明"), max_length=255, blank=True)
    error = models.TextField(_("错误"), blank=True)
    report = models.JSONField(_("结果"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    task_id = models.CharField(_("队列任务编号"), max_length=64, blank=True)
    worker = models.CharField(_("后台进程"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self):
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


# The related row or None: reading a missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.


def evaluation_of(project) -> Evaluation | None:
    """A project's self-evaluation, or None if it has none yet."""
    return getattr(project, "evaluation", None)


def goal_of(project) -> ProjectGoal | None:
    """A project's goal, or None if it has none yet."""
    return getattr(project, "goal", None)


def result_of(indicator) -> ActualResult | None:
    """An indicator's actual result, or None if nothing was entered yet."""
    return getattr(indicator, "result", None)


def target_of(indicator) -> Target:
    """An indicator's target as ``Indicator.save`` parsed and stored it; parsed again only where the stored
    parse is not of the text (a row changed in bulk without its parse)."""
    stored = indicator.target_parsed
    if stored and stored.get("text") == indicator.target:
        return Target.from_json(stored)
    return parse_target(indicator.target, cost=indicator.is_cost)


# The second approval: a department's year before finance (issue 16 item 2).
from .approval.models import DepartmentYear  # noqa: E402, F401

# The declaration's models live in their own package; imported here so Django registers them.
from .declaration.models import (  # noqa: E402, F401
    Adjustment,
    AdjustmentItem,
    BaselineIndicator,
    TargetSet,
)

# The department as a whole: main tasks, indicators, self-evaluation frameworks (issue 18).
from .department.models import (  # noqa: E402, F401
    DepartmentEvaluation,
    DepartmentFramework,
    DepartmentFrameworkVersion,
    DepartmentIndicator,
    DepartmentTask,
    ItemDecision,
)

# The indicator library (issue 15).
from .library.models import LibraryEntry, PeerFactor, ProjectCategory  # noqa: E402, F401

# Rectification items (issue 21 item 1).
from .rectification.models import DismissedProposal, RectificationEvidence, RectificationItem  # noqa: E402, F401

# Results application and the self-evaluation report's texts (issue 17).
from .report.models import ReportText  # noqa: E402, F401
from .results.models import ResultOpinion, ResultRuleVersion  # noqa: E402, F401

# The scoring rule sets (issue 19).
from .rules.models import RuleChoice, RuleSet, RuleVersion  # noqa: E402, F401

# The stored scores live in their own package too (issue 20).
from .scores.models import DepartmentYearVersion, IndicatorScore, ProjectScore  # noqa: E402, F401

# Spot checks (抽查复核, issue 16 item 3).
from .spotchecks.models import SpotCheck, SpotCheckItem, SpotCheckRowScore  # noqa: E402, F401

# Finance's tasks and the inbox's notifications (issue 16).
from .tasks.models import Notification, Task  # noqa: E402, F401
