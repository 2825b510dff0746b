"""Target review (目标审核, SPEC section 8): question weak targets before the year starts.

Each rule is one small function over a project and its indicators (already loaded) that returns
findings. ``RULES`` below is the one place rules are registered: a code, a Chinese title, whether it
runs by default, and the function. A department switches a rule off by listing its code in
``settings.JIXIAO_REVIEW_DISABLED`` (the environment variable ``JIXIAO_REVIEW_DISABLED``, a comma list).

``review_projects(projects)`` runs every enabled rule with a constant number of queries.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from budgets.consistency import Severity
from budgets.models import Project
from budgets.numbers import plain

from .actuals import ActualKind, read_actual
from .library.context import CONTEXT, LibraryContext, attach_contexts
from .library.figures import in_unit, target_number
from .models import Indicator, IndicatorCategory, target_of
from .services import SCORING_INDICATORS
from .targets import MONEY, Comparator, Kind, Target, compact, parse_target, unit_factor

__all__ = ["RULES", "Finding", "Rule", "Severity", "enabled_rules", "review_project", "review_projects"]

REVIEW_INDICATORS = "review_indicators"
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
Group = IndicatorCategory.Group


@dataclass(frozen=True)
class Finding:
    """One question about a project's targets: where it is, what is wrong, what to consider."""

    code: str
    severity: str
    project: Project
    indicator: Indicator | None
    row: int | None  # the indicator's row number within the project (1 = first row)
    message: str
    suggestion: str

    @property
    def title(self) -> str:
        return str(RULES_BY_CODE[self.code].title)

    @property
    def location(self) -> str:
        if self.indicator is None:
            return str(_("整个项目"))
        return str(_("第%(row)s行 %(name)s") % {"row": self.row, "name": self.indicator.name})

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "severity": str(self.severity),
            "project_id": self.project.pk,
            "project": self.project.name,
            "unit": str(self.project.unit),
            "year": self.project.year,
            "row": self.row,
            "indicator": None if self.indicator is None else self.indicator.name,
            "target": None if self.indicator is None else self.indicator.target,
            "message": self.message,
            "suggestion": self.suggestion,
        }


@dataclass
class Subject:
    """What a rule looks at: a project and its indicators in row order, and what the indicator library knows of
    them (last year's figures, the peers', the library entries: ``performance.library.context``) when loaded."""

    project: Project
    indicators: list[Indicator]
    library: LibraryContext | None = None

    def rows(self) -> Iterable[tuple[int, Indicator]]:
        return enumerate(self.indicators, start=1)

    def finding(self, code, severity, message, suggestion, *, row=None, indicator=None) -> "Finding":
        return Finding(code, severity, self.project, indicator, row, str(message), str(suggestion))


# --- helpers over one indicator -------------------------------------------------------------------


def is_satisfaction(indicator: Indicator) -> bool:
    return indicator.level1.group == Group.SATISFACTION or "满意" in indicator.level2.name


def is_effect(indicator: Indicator) -> bool:
    return indicator.level1.group == Group.EFFECT


def level2_is(indicator: Indicator, name: str) -> bool:
    return indicator.level2.name == name


def is_blank_target(indicator: Indicator) -> bool:
    return not compact(indicator.target)


def is_qualitative(indicator: Indicator) -> bool:
    return indicator.target_kind == Kind.QUALITATIVE and not is_blank_target(indicator)


def words(indicator: Indicator) -> str:
    return f"{indicator.name} {indicator.description}"


# --- the rules ----------------------------------------------------------------------------------


def level2_outside_level1(subject: Subject) -> list[Finding]:
    return [
        subject.finding(
            "level2-parent",
            Severity.ERROR,
            _("二级指标“%(l2)s”不属于一级指标“%(l1)s”（它属于“%(parent)s”）。")
            % {"l2": ind.level2.name, "l1": ind.level1.name, "parent": ind.level2.parent.name},
            _("把一级指标改为“%(parent)s”，或在“%(l1)s”下选一个二级指标。")
            % {"parent": ind.level2.parent.name, "l1": ind.level1.name},
            row=row,
            indicator=ind,
        )
        for row, ind in subject.rows()
        if ind.level2.parent_id != ind.level1_id
    ]


def nonstandard_name(subject: Subject) -> list[Finding]:
    found = []
    for row, ind in subject.rows():
        for written, standard, level in (
            (ind.level1_as_written, ind.level1.name, _("一级")),
            (ind.level2_as_written, ind.level2.name, _("二级")),
        ):
            if written and written != standard:
                found.append(
                    subject.finding(
                        "nonstandard-name",
                        Severity.INFO,
                        _("%(level)s指标写作“%(written)s”，不是标准名称，已按“%(standard)s”处理。")
                        % {"level": level, "written": written, "standard": standard},
                        _("使用财预〔2020〕10号指标体系的标准名称“%(standard)s”。") % {"standard": standard},
                        row=row,
                        indicator=ind,
                    )
                )
    return found


GROUP_LABELS = {Group.OUTPUT: _("产出指标"), Group.EFFECT: _("效益指标"), Group.SATISFACTION: _("满意度指标")}


def missing_group(subject: Subject) -> list[Finding]:
    if not subject.indicators:
        return [
            subject.finding(
                "missing-group",
                Severity.ERROR,
                _("项目没有绩效指标。"),
                _("至少设置产出、效益、满意度三类指标。"),
            )
        ]
    present = {ind.level1.group for ind in subject.indicators}
    missing = [str(label) for group, label in GROUP_LABELS.items() if group not in present]
    if not missing:
        return []
    return [
        subject.finding(
            "missing-group",
            Severity.ERROR,
            _("项目没有%(missing)s。") % {"missing": "、".join(missing)},
            _("补充%(missing)s：项目的绩效目标应同时反映产出、效益和满意度。") % {"missing": "、".join(missing)},
        )
    ]


def cost_not_money(subject: Subject) -> list[Finding]:
    found = []
    for row, ind in subject.rows():
        target = target_of(ind)
        if not ind.is_cost or target.kind not in (Kind.QUANTITATIVE, Kind.DATE):
            continue
        # An amount, or a unit cost in a compound unit (≤600元/人*月, ≤1.5万元/户): money either way.
        if target.kind == Kind.QUANTITATIVE and target.unit.partition("/")[0] in MONEY:
            continue
        found.append(
            subject.finding(
                "cost-not-money",
                Severity.ERROR,
                _("成本指标的指标值“%(target)s”不是金额（单位应为万元或元）。") % {"target": ind.target.strip()},
                _("成本指标写成本控制额，如“≤81万元”；人数、次数等放到数量指标。"),
                row=row,
                indicator=ind,
            )
        )
    return found


def _in_wan_yuan(target: Target) -> Decimal | None:
    value = target.high if target.high is not None else target.value
    if value is None or target.unit not in MONEY:
        return None
    return value * MONEY[target.unit] / MONEY["万元"]


def cost_over_budget(subject: Subject) -> list[Finding]:
    project = subject.project
    budget, label = project.total("full_year"), _("全年预算数")
    if budget is None:
        budget, label = project.total("initial"), _("年初预算数")
    if budget is None:
        return []
    found = []
    for row, ind in subject.rows():
        target = target_of(ind)
        amount = _in_wan_yuan(target) if ind.is_cost and target.kind == Kind.QUANTITATIVE else None
        if amount is None or amount <= budget:
            continue
        found.append(
            subject.finding(
                "cost-over-budget",
                Severity.ERROR,
                _("成本指标“%(target)s”超过项目%(label)s %(budget)s 万元。")
                % {"target": ind.target.strip(), "label": label, "budget": f"{budget:,.2f}"},
                _("成本控制额不应超过项目预算；核对指标值或项目预算。"),
                row=row,
                indicator=ind,
            )
        )
    return found


def cost_name_not_cost(subject: Subject) -> list[Finding]:
    cost_words = ("成本", "预算", "经费", "费用", "资金", "金额", "支出", "单价", "价格", "费", "投入")
    return [
        subject.finding(
            "cost-name",
            Severity.WARNING,
            _("“%(name)s”列在成本指标下，但它不是成本。") % {"name": ind.name},
            _("成本指标写项目成本或单位成本；“%(name)s”应移到数量或效益指标。") % {"name": ind.name},
            row=row,
            indicator=ind,
        )
        for row, ind in subject.rows()
        if ind.is_cost and not any(word in words(ind) for word in cost_words)
    ]


def satisfaction_not_percent(subject: Subject) -> list[Finding]:
    found = []
    for row, ind in subject.rows():
        target = target_of(ind)
        if not is_satisfaction(ind) or is_blank_target(ind) or target.kind == Kind.NOT_APPLICABLE:
            continue
        if target.kind == Kind.QUANTITATIVE and target.unit == "%":
            continue
        found.append(
            subject.finding(
                "satisfaction-percent",
                Severity.WARNING,
                _("满意度指标的指标值“%(target)s”不是百分比。") % {"target": ind.target.strip()},
                _("满意度写成百分比，如“≥90%”，并说明调查方式。"),
                row=row,
                indicator=ind,
            )
        )
    return found


def quantity_qualitative(subject: Subject) -> list[Finding]:
    return [
        subject.finding(
            "quantity-qualitative",
            Severity.ERROR,
            _("%(level2)s的指标值“%(target)s”是定性描述，无法计量。")
            % {"level2": ind.level2.name, "target": ind.target.strip()},
            _("写成数字和单位，如“12次”“≤81万元”。"),
            row=row,
            indicator=ind,
        )
        for row, ind in subject.rows()
        if (level2_is(ind, "数量指标") or ind.is_cost) and is_qualitative(ind)
    ]


GREATEST = ("最大程度", "最大限度", "尽最大", "最大化", "最大努力")
SLOGANS = (
    "显著",
    "明显",
    "一定程度",
    "有效",
    "进一步",
    "大幅",
    "较大",
    "不断",
    "全面",
    "切实",
    "充分",
    "积极",
    "良好",
    "较好",
    "得到提高",
    "得到提升",
    "得到改善",
)
SLOGAN_PATTERNS = [re.compile(r"发挥.*作用"), re.compile(r"(提高|提升|增强|改善)$")]
RATE_WORDS = ("率", "比例", "占比", "覆盖", "满意", "知晓", "达标", "合格", "%", "百分")


def vague_target(subject: Subject) -> list[Finding]:
    found = []
    for row, ind in subject.rows():
        target = target_of(ind)
        text = ind.target.strip()
        hundred = target.kind == Kind.QUANTITATIVE and target.unit == "%" and target.value == Decimal("100")
        if hundred and any(word in words(ind) for word in GREATEST):
            found.append(
                subject.finding(
                    "vague-target",
                    Severity.WARNING,
                    _("“%(target)s”对应的是“%(description)s”：最大程度的效果无法用百分比计量。")
                    % {"target": text, "description": ind.description.strip() or ind.name},
                    _("写明衡量什么、以什么为100%，例如“科普知识知晓率≥80%（问卷调查）”。"),
                    row=row,
                    indicator=ind,
                )
            )
        elif hundred and is_effect(ind) and not any(word in words(ind) for word in RATE_WORDS):
            found.append(
                subject.finding(
                    "vague-target",
                    Severity.INFO,
                    _("“%(name)s”的指标值是100%%，但没有说明是什么的比例。") % {"name": ind.name},
                    _("写明比率的分子和分母（如“优质服务投诉率≤1%”），或改用可核实的数量。"),
                    row=row,
                    indicator=ind,
                )
            )
        elif is_qualitative(ind) and (
            any(word in text for word in SLOGANS) or any(p.search(text) for p in SLOGAN_PATTERNS)
        ):
            found.append(
                subject.finding(
                    "vague-target",
                    Severity.WARNING,
                    _("指标值“%(target)s”是口号式描述，没有可衡量的标准，年底无法判断是否达成。") % {"target": text},
                    _("写成可核实的数量、比率或标志性成果，如“培训后考核合格率≥90%”。"),
                    row=row,
                    indicator=ind,
                )
            )
    return found


STANDARD_BASES = ("计划标准", "行业标准", "历史标准", "其他")
# Free text seen in the wild and the standard basis it means.
BASIS_SYNONYMS = {
    "工作计划": "计划标准",
    "计划": "计划标准",
    "预算文本": "计划标准",
    "绩效文本": "计划标准",
    "历史经验": "历史标准",
    "历年经验": "历史标准",
    "历年数据": "历史标准",
    "历史数据": "历史标准",
    "行业规范": "行业标准",
    "问卷调查": "其他",
}


def basis_nonstandard(subject: Subject) -> list[Finding]:
    found = []
    for row, ind in subject.rows():
        basis = compact(ind.basis)
        if basis in STANDARD_BASES:
            continue
        if not basis:
            message = _("指标值确定依据为空。")
            suggestion = _("填写计划标准、行业标准、历史标准或其他（并说明）。")
            severity = Severity.WARNING
        elif basis in BASIS_SYNONYMS:
            standard = BASIS_SYNONYMS[basis]
            message = _("依据写作“%(basis)s”，不是标准用语，可理解为“%(standard)s”。") % {
                "basis": basis,
                "standard": standard,
            }
            suggestion = _("改为“%(standard)s”。") % {"standard": standard}
            if basis == "问卷调查":
                suggestion = _(
                    "问卷调查是取得实际值的方法，不是指标值的依据；依据写“%(standard)s”或行业、历史标准。"
                ) % {"standard": standard}
            severity = Severity.INFO
        else:
            message = _("依据“%(basis)s”不是指标值确定依据（计划标准、行业标准、历史标准、其他）之一。") % {
                "basis": basis
            }
            suggestion = _("说明这个指标值从何而来：按计划、行业标准还是历史数据确定。")
            severity = Severity.WARNING
        found.append(subject.finding("basis", severity, message, suggestion, row=row, indicator=ind))
    return found


def duplicate_indicator(subject: Subject) -> list[Finding]:
    found = []
    by_name: dict[str, int] = {}
    by_content: dict[tuple[str, str], int] = {}
    for row, ind in subject.rows():
        name = compact(ind.name)
        content = (compact(ind.description), compact(ind.target))
        first = by_name.get(name) or (by_content.get(content) if content[0] else None)
        if first is not None:
            found.append(
                subject.finding(
                    "duplicate",
                    Severity.WARNING,
                    _("与第%(first)s行重复（同名或描述和指标值相同）。") % {"first": first},
                    _("删除重复的指标，或改写使两行衡量不同的内容。"),
                    row=row,
                    indicator=ind,
                )
            )
        by_name.setdefault(name, row)
        if content[0]:
            by_content.setdefault(content, row)
    return found


def empty_description(subject: Subject) -> list[Finding]:
    return [
        subject.finding(
            "empty-description",
            Severity.WARNING,
            _("绩效指标描述为空。"),
            _("说明这个指标衡量什么、怎样取得实际值。"),
            row=row,
            indicator=ind,
        )
        for row, ind in subject.rows()
        if not ind.description.strip()
    ]


def description_repeats_name(subject: Subject) -> list[Finding]:
    return [
        subject.finding(
            "description-repeats-name",
            Severity.INFO,
            _("绩效指标描述只重复了指标名称“%(name)s”。") % {"name": ind.name},
            _("描述应说明统计什么、以什么为准（衡量口径和数据来源）。"),
            row=row,
            indicator=ind,
        )
        for row, ind in subject.rows()
        if ind.description.strip() and compact(ind.description) == compact(ind.name)
    ]


def empty_target(subject: Subject) -> list[Finding]:
    return [
        subject.finding(
            "empty-target",
            Severity.ERROR,
            _("指标值为空。"),
            _("填写指标值；确实不适用的行填“/”。"),
            row=row,
            indicator=ind,
        )
        for row, ind in subject.rows()
        if is_blank_target(ind)
    ]


def date_outside_year(subject: Subject) -> list[Finding]:
    year = subject.project.year
    found = []
    for row, ind in subject.rows():
        target = target_of(ind)
        if target.kind != Kind.DATE:
            continue
        years = {d.year for d in (target.start, target.end) if d is not None}
        if years <= {year}:
            continue
        found.append(
            subject.finding(
                "date-outside-year",
                Severity.ERROR,
                _("时间目标“%(target)s”不在项目年度%(year)s年内。") % {"target": ind.target.strip(), "year": year},
                _("年度目标的完成时间应在%(year)s年内；跨年的工作写本年度应完成的部分。") % {"year": year},
                row=row,
                indicator=ind,
            )
        )
    return found


def timeliness_without_date(subject: Subject) -> list[Finding]:
    return [
        subject.finding(
            "timeliness-qualitative",
            Severity.WARNING,
            _("时效指标“%(target)s”没有时间，无法判断是否按时。") % {"target": ind.target.strip()},
            _("写明完成时限，如“2021年12月31日前”，或按期完成率“100%”。"),
            row=row,
            indicator=ind,
        )
        for row, ind in subject.rows()
        if level2_is(ind, "时效指标") and is_qualitative(ind)
    ]


COUNT_UNITS = {"次", "人", "人次", "位", "名", "个", "篇", "场", "件", "项", "台", "辆", "期", "户", "家", "册", "本"}


def quality_as_count(subject: Subject) -> list[Finding]:
    found = []
    for row, ind in subject.rows():
        target = target_of(ind)
        if not level2_is(ind, "质量指标") or target.kind != Kind.QUANTITATIVE or target.unit not in COUNT_UNITS:
            continue
        found.append(
            subject.finding(
                "quality-count",
                Severity.WARNING,
                _("质量指标“%(name)s”的指标值“%(target)s”是数量，不反映质量。")
                % {"name": ind.name, "target": ind.target.strip()},
                _("质量指标写合格率、达标率、验收通过率等；次数、人数放到数量指标。"),
                row=row,
                indicator=ind,
            )
        )
    return found


def quantity_as_percent(subject: Subject) -> list[Finding]:
    found = []
    for row, ind in subject.rows():
        target = target_of(ind)
        if level2_is(ind, "数量指标") and target.kind == Kind.QUANTITATIVE and target.unit == "%":
            found.append(
                subject.finding(
                    "quantity-percent",
                    Severity.INFO,
                    _("数量指标“%(name)s”的指标值是百分比“%(target)s”。")
                    % {"name": ind.name, "target": ind.target.strip()},
                    _("数量指标写完成的数量（个、次、人）；比率放到质量指标（如“覆盖率”）。"),
                    row=row,
                    indicator=ind,
                )
            )
    return found


# --- the rules that read the indicator library (performance.library) ------------------------------------


def _at_least(target: Target) -> bool:
    return (
        target.kind == Kind.QUANTITATIVE
        and target.value is not None
        and target.comparator
        in (
            Comparator.AT_LEAST,
            Comparator.MORE_THAN,
        )
    )


def below_last_actual(subject: Subject) -> list[Finding]:
    """An at-least target set below what the same indicator of the same project achieved last year."""
    library = subject.library
    if library is None:
        return []
    found = []
    for row, ind in subject.rows():
        target = target_of(ind)
        before = library.last_year.get(library.key(ind.name))
        if not _at_least(target) or before is None or not before.actual:
            continue
        last_target = parse_target(before.target)
        actual = read_actual(before.actual, last_target)
        factor = unit_factor(last_target.unit, target.unit)
        if actual.kind != ActualKind.NUMBER or actual.value is None or actual.error or factor is None:
            continue
        if target.value >= actual.value * factor:
            continue
        found.append(
            subject.finding(
                "below-last-actual",
                Severity.WARNING,
                _("目标值“%(target)s”低于上年实际完成值“%(actual)s”。")
                % {"target": ind.target.strip(), "actual": before.actual.strip()},
                _("“不低于”类指标的目标一般不低于上年已达到的水平；确需降低的，在指标值确定依据中说明原因。"),
                row=row,
                indicator=ind,
            )
        )
    return found


def far_from_peers(subject: Subject) -> list[Finding]:
    """A target more than the reviewer's factor above, or below, the median of the same indicator's peer targets."""
    library = subject.library
    if library is None:
        return []
    found = []
    for row, ind in subject.rows():
        if ind.is_cost:  # a cost follows the project's size, not its peers'
            continue
        key = library.key(ind.name)
        spread = library.peers.target_spread(key)
        entry = library.entries.get(key)
        if spread is None or spread.count < 3 or spread.median <= 0:
            continue
        unit = entry.unit if entry is not None and entry.unit else _target_unit(ind)
        value = in_unit(target_number(ind.target), unit)
        if value is None or value <= 0:
            continue
        ratio = value / spread.median
        if 1 / library.factor <= ratio <= library.factor:
            continue
        found.append(
            subject.finding(
                "far-from-peers",
                Severity.INFO,
                _("指标值“%(target)s”与同类项目的中位数%(median)s%(unit)s相差%(times)s倍以上（%(count)s个同类指标）。")
                % {
                    "target": ind.target.strip(),
                    "median": plain(spread.median),
                    "unit": unit,
                    "times": plain(library.factor),
                    "count": spread.count,
                },
                _("核对指标值的数量级和单位；与同类项目差异大的，在依据中说明测算过程。"),
                row=row,
                indicator=ind,
            )
        )
    return found


def _target_unit(ind: Indicator) -> str:
    number = target_number(ind.target)
    return number[1] if number else ""


def unit_not_library(subject: Subject) -> list[Finding]:
    """A target whose unit does not convert into its library entry's (次 for an entry counted in 人)."""
    library = subject.library
    if library is None:
        return []
    found = []
    for row, ind in subject.rows():
        entry = library.entries.get(library.key(ind.name))
        target = target_of(ind)
        if entry is None or not entry.unit or target.kind != Kind.QUANTITATIVE or not target.unit:
            continue
        if unit_factor(target.unit, entry.unit) is not None:
            continue
        found.append(
            subject.finding(
                "library-unit",
                Severity.WARNING,
                _("“%(name)s”在指标库中以“%(unit)s”计量，指标值“%(target)s”的单位是“%(written)s”。")
                % {"name": ind.name, "unit": entry.unit, "target": ind.target.strip(), "written": target.unit},
                _("按指标库的计量单位填写（如“%(example)s”），或改用更贴切的指标名称。")
                % {"example": entry.example_target.replace("{year}", str(subject.project.year)) or entry.unit},
                row=row,
                indicator=ind,
            )
        )
    return found


# --- the registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    check: Callable[[Subject], list[Finding]]
    default: bool = True


RULES: list[Rule] = [
    Rule("level2-parent", _("二级指标不属于一级指标"), level2_outside_level1),
    Rule("nonstandard-name", _("非标准的一级/二级指标名称"), nonstandard_name),
    Rule("missing-group", _("缺少产出、效益或满意度指标"), missing_group),
    Rule("empty-target", _("指标值为空"), empty_target),
    Rule("cost-not-money", _("成本指标不是金额"), cost_not_money),
    Rule("cost-over-budget", _("成本指标超过项目预算"), cost_over_budget),
    Rule("cost-name", _("成本指标下的指标不是成本"), cost_name_not_cost),
    Rule("satisfaction-percent", _("满意度指标不是百分比"), satisfaction_not_percent),
    Rule("quantity-qualitative", _("数量或成本指标为定性描述"), quantity_qualitative),
    Rule("timeliness-qualitative", _("时效指标没有时间"), timeliness_without_date),
    Rule("quality-count", _("质量指标是数量"), quality_as_count),
    Rule("quantity-percent", _("数量指标是百分比"), quantity_as_percent),
    Rule("vague-target", _("指标值模糊或口号式"), vague_target),
    Rule("basis", _("指标值确定依据不规范"), basis_nonstandard),
    Rule("duplicate", _("重复的指标"), duplicate_indicator),
    Rule("empty-description", _("绩效指标描述为空"), empty_description),
    Rule("description-repeats-name", _("描述只重复指标名称"), description_repeats_name),
    Rule("date-outside-year", _("时间目标不在项目年度内"), date_outside_year),
    Rule("below-last-actual", _("目标值低于上年实际完成值"), below_last_actual),
    Rule("far-from-peers", _("指标值远离同类项目中位数"), far_from_peers),
    Rule("library-unit", _("计量单位与指标库不符"), unit_not_library),
]
RULES_BY_CODE = {rule.code: rule for rule in RULES}
LIBRARY_CHECKS = (below_last_actual, far_from_peers, unit_not_library)


def enabled_rules(disabled: Iterable[str] | None = None) -> list[Rule]:
    """The rules that run: on by default and not switched off (settings.JIXIAO_REVIEW_DISABLED)."""
    if disabled is None:
        disabled = getattr(settings, "JIXIAO_REVIEW_DISABLED", set()) or set()
    disabled = set(disabled)
    unknown = sorted(disabled - set(RULES_BY_CODE))
    if unknown:
        raise ImproperlyConfigured(
            f"JIXIAO_REVIEW_DISABLED names unknown review rules {unknown}; known: {', '.join(RULES_BY_CODE)}."
        )
    return [rule for rule in RULES if rule.default and rule.code not in disabled]


# --- the service --------------------------------------------------------------------------------


def _indicators(project: Project) -> list[Indicator]:
    if hasattr(project, REVIEW_INDICATORS):
        return getattr(project, REVIEW_INDICATORS)
    return list(getattr(project, SCORING_INDICATORS))


def review_project(project: Project, *, rules: list[Rule] | None = None) -> list[Finding]:
    """The findings of one project whose indicators are loaded (see ``review_projects``)."""
    subject = Subject(project=project, indicators=_indicators(project), library=getattr(project, CONTEXT, None))
    found = []
    for rule in enabled_rules() if rules is None else rules:
        found += rule.check(subject)
    return sorted(found, key=lambda f: (f.row or 0, SEVERITY_ORDER[f.severity]))


def review_projects(
    projects: Iterable[Project], *, disabled: Iterable[str] | None = None, viewer=None, library: bool = True
) -> list[Finding]:
    """Every enabled rule on every project, in the projects' order; a constant number of queries.

    Projects that already carry their indicators (the project page loads them for scoring) are
    reviewed without loading them again. The library's rules compare with the peers ``viewer`` may see (no
    viewer: the project's department); ``library=False`` leaves them out (a page cached for every viewer).
    """
    lookup = Prefetch(
        "indicators",
        queryset=Indicator.objects.in_order(),
        to_attr=REVIEW_INDICATORS,
    )
    if isinstance(projects, QuerySet):
        projects = list(projects.select_related("unit").prefetch_related(lookup))
    else:
        projects = list(projects)
        missing = [p for p in projects if not hasattr(p, REVIEW_INDICATORS) and not hasattr(p, SCORING_INDICATORS)]
        if missing:
            prefetch_related_objects(missing, lookup)
    rules = enabled_rules(disabled)
    if library and any(rule.check in LIBRARY_CHECKS for rule in rules):
        attach_contexts([p for p in projects if not hasattr(p, CONTEXT)], _indicators, viewer=viewer)
    found = []
    for project in projects:
        found += review_project(project, rules=rules)
    return found
