"""Department self-evaluation frameworks as plain values, and their arithmetic (SPEC section 15). Pure: no ORM.

A framework is a list of items; a group item (one with children) is worth the sum of its children, a leaf is
scored. A leaf may name a *figure* (``Figure``, from ``performance.department.figures``): its suggested score is
its weight times the figure's ratio (clamped to [0, 1]), rounded half-up to 2 places, as 预算执行率 is in section 6.
A reviewer confirms the suggestion or overrides it with a score inside [0, weight] and a reason; a leaf without a
suggestion needs a score and a reason. The total is the sum of the leaves' scores (a leaf not yet assessed counts
0 and is listed as pending); the grade is section 6's: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 < 60.

Two kinds:
- ``three_level``: the department's own indicators scored by section 6 (``score_indicators``), the groups'
  points and the budget row's weight taken from the framework's items ``budget``, ``output``, ``effect``,
  ``satisfaction``;
- ``items``: any tree of items (the Sichuan 决策 25 / 综合管理 30 / 部门绩效情况 45 framework).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ..rules.value import Rules
from ..scoring import BudgetInput, EvaluationScore, RowInput, grade_for, money2, score_evaluation

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
THREE_LEVEL = "three_level"
ITEMS = "items"
KINDS = (THREE_LEVEL, ITEMS)
GROUPS = ("output", "effect", "satisfaction")


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    weight: Decimal
    guidance: str = ""
    parent: str = ""
    figure: str = ""  # the key of the figure that prefills it; "" for an item the reviewer scores


@dataclass(frozen=True)
class Framework:
    kind: str
    items: tuple[Item, ...]

    def children(self, code: str) -> list[Item]:
        return [item for item in self.items if item.parent == code]

    def leaves(self) -> list[Item]:
        parents = {item.parent for item in self.items}
        return [item for item in self.items if item.code not in parents]

    def depth(self, item: Item) -> int:
        by_code = {i.code: i for i in self.items}
        depth, parent = 0, item.parent
        while parent and parent in by_code and depth < len(self.items):
            depth, parent = depth + 1, by_code[parent].parent
        return depth


@dataclass(frozen=True)
class Figure:
    """A figure the app holds: what it is, its value as shown, the ratio it scores by (None: no suggestion), and
    where it comes from."""

    key: str
    label: str
    shown: str
    ratio: Decimal | None
    source: str
    missing: str = ""  # why there is no ratio (the data the app lacks), said on the page


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision on a leaf: confirm the suggestion, or a score of their own with a reason."""

    action: str  # "confirm" | "override"
    score: Decimal | None = None
    reason: str = ""


@dataclass(frozen=True)
class AssessedItem:
    item: Item
    depth: int
    weight: Decimal
    figure: Figure | None
    suggested: Decimal | None
    score: Decimal | None  # the item's score: the decision's, or a group's sum; None while pending
    status: str  # "confirmed" | "overridden" | "pending" | "group"
    reason: str = ""
    leaf: bool = True


@dataclass(frozen=True)
class Assessment:
    rows: list[AssessedItem]
    total: Decimal
    grade: str
    pending: list[str] = field(default_factory=list)


# --- JSON --------------------------------------------------------------------------------------------


def framework_to_json(framework: Framework) -> dict:
    return {
        "kind": framework.kind,
        "items": [
            {
                "code": i.code,
                "name": i.name,
                "weight": str(i.weight),
                "guidance": i.guidance,
                "parent": i.parent,
                "figure": i.figure,
            }
            for i in framework.items
        ],
    }


def framework_from_json(data: dict) -> Framework:
    """A framework from its stored JSON; ``FrameworkError`` listing every problem found."""
    problems: list[str] = []
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in KINDS:
        problems.append(_("评价框架的类型必须是 three_level 或 items。"))
    items = []
    for number, raw in enumerate(data.get("items", []) if isinstance(data, dict) else [], start=1):
        try:
            weight = Decimal(str(raw.get("weight", "")))
        except (InvalidOperation, AttributeError):
            problems.append(_("第 %(n)s 项的分值不是数字。") % {"n": number})
            continue
        items.append(
            Item(
                code=str(raw.get("code", "")).strip(),
                name=str(raw.get("name", "")).strip(),
                weight=weight,
                guidance=str(raw.get("guidance", "")),
                parent=str(raw.get("parent", "")).strip(),
                figure=str(raw.get("figure", "")).strip(),
            )
        )
    framework = Framework(kind or ITEMS, tuple(items))
    problems += framework_problems(framework)
    if problems:
        raise FrameworkError(problems)
    return framework


class FrameworkError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def framework_problems(framework: Framework) -> list[str]:
    """What makes a framework unusable, each in a sentence: the weights must add up to 100, groups to their parts."""
    problems = []
    codes = [item.code for item in framework.items]
    if not framework.items:
        return [_("评价框架没有评价项目。")]
    for item in framework.items:
        if not item.code or not item.name:
            problems.append(_("每个评价项目都要有代码和名称。"))
            break
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(_("评价项目代码“%(code)s”重复。") % {"code": code})
    for item in framework.items:
        if item.parent and item.parent not in codes:
            problems.append(_("“%(name)s”的上级“%(parent)s”不存在。") % {"name": item.name, "parent": item.parent})
        if item.weight < 0:
            problems.append(_("“%(name)s”的分值不能为负数。") % {"name": item.name})
        children = framework.children(item.code)
        if children:
            parts = sum((child.weight for child in children), ZERO)
            if parts != item.weight:
                problems.append(
                    _("“%(name)s”的分值 %(weight)s 不等于其下各项之和 %(parts)s。")
                    % {"name": item.name, "weight": item.weight, "parts": parts}
                )
    total = sum((item.weight for item in framework.leaves()), ZERO)
    if total != HUNDRED:
        problems.append(_("各末级评价项目的分值合计 %(total)s，应为 100。") % {"total": total})
    if framework.kind == THREE_LEVEL:
        missing = [code for code in ("budget", *GROUPS) if code not in codes]
        if missing:
            problems.append(
                _("三级指标体系须有 budget、output、effect、satisfaction 四项，缺少：%(codes)s。")
                % {"codes": "、".join(missing)}
            )
    return problems


# --- arithmetic -----------------------------------------------------------------------------------------


def suggest(weight: Decimal, figure: Figure | None) -> Decimal | None:
    """The score a figure suggests: weight × ratio clamped to [0, 1], rounded half-up to 2 places."""
    if figure is None or figure.ratio is None:
        return None
    return money2(weight * max(min(figure.ratio, ONE), ZERO))


def assess(framework: Framework, figures: dict[str, Figure], decisions: dict[str, Decision]) -> Assessment:
    """Every item with its suggestion and score, the total and the grade."""
    leaves = {item.code for item in framework.leaves()}
    leaf_rows: dict[str, AssessedItem] = {}
    pending = []
    for item in framework.items:
        if item.code not in leaves:
            continue
        figure = figures.get(item.figure) if item.figure else None
        suggested = suggest(item.weight, figure)
        decision = decisions.get(item.code)
        score, status, reason = None, "pending", ""
        if decision is not None and decision.action == "confirm" and suggested is not None:
            score, status = suggested, "confirmed"
        elif decision is not None and decision.action == "override" and decision.score is not None:
            score, status, reason = min(max(decision.score, ZERO), item.weight), "overridden", decision.reason
        if score is None:
            pending.append(item.name)
        leaf_rows[item.code] = AssessedItem(
            item, framework.depth(item), item.weight, figure, suggested, score, status, reason
        )
    rows = []
    for item in framework.items:
        if item.code in leaf_rows:
            rows.append(leaf_rows[item.code])
            continue
        parts = [leaf_rows[code] for code in _leaves_under(framework, item.code, leaves)]
        score = money2(sum((p.score or ZERO for p in parts), ZERO))
        rows.append(AssessedItem(item, framework.depth(item), item.weight, None, None, score, "group", leaf=False))
    total = money2(sum((row.score or ZERO for row in leaf_rows.values()), ZERO))
    return Assessment(rows, total, grade_for(total), pending)


def _leaves_under(framework: Framework, code: str, leaves: set[str]) -> list[str]:
    found = []
    for child in framework.children(code):
        found += [child.code] if child.code in leaves else _leaves_under(framework, child.code, leaves)
    return found


def check_decision(item: Item, suggested: Decimal | None, decision: Decision) -> list[str]:
    """Why a reviewer's decision cannot be kept (empty when it can)."""
    if decision.action == "confirm":
        if suggested is None:
            return [_("“%(name)s”没有可确认的预填得分，请填写得分和理由。") % {"name": item.name}]
        return []
    problems = []
    if decision.score is None:
        problems.append(_("请填写“%(name)s”的得分。") % {"name": item.name})
    elif not ZERO <= decision.score <= item.weight:
        problems.append(_("“%(name)s”的得分须在 0 至 %(weight)s 之间。") % {"name": item.name, "weight": item.weight})
    if not decision.reason.strip():
        problems.append(_("调整“%(name)s”的得分须说明理由。") % {"name": item.name})
    return problems


def three_level_rules(framework: Framework) -> Rules:
    """Section 6's rules with the budget row's and the groups' points as the framework gives them."""
    weights = {item.code: item.weight for item in framework.items}
    return Rules(
        name=_("部门整体三级指标"),
        budget_weight=weights.get("budget", Decimal("10")),
        output_weight=weights.get("output", Decimal("50")),
        effect_weight=weights.get("effect", Decimal("30")),
        satisfaction_weight=weights.get("satisfaction", Decimal("10")),
    )


def score_indicators(rows: list[RowInput], budget: BudgetInput, rules: Rules) -> EvaluationScore:
    """The department's own indicators and its whole budget scored by section 6."""
    return score_evaluation(budget, rows, rules=rules)


def indicator_figures(score: EvaluationScore, rows: list[RowInput], rules: Rules) -> dict[str, tuple[Decimal, Decimal]]:
    """(points earned, points available) per group and for all indicators together (key ``indicators``)."""
    earned = dict.fromkeys(GROUPS, ZERO)
    available = dict.fromkeys(GROUPS, ZERO)
    for row, scored in zip(rows, score.rows, strict=True):
        if row.group in earned and scored.applicable and not scored.breakdown:
            earned[row.group] += scored.score
            available[row.group] += scored.weight
    result = {group: (earned[group], available[group]) for group in GROUPS}
    result["indicators"] = (sum(earned.values(), ZERO), sum(available.values(), ZERO))
    return result


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole to 4 places (half-up), None when the whole is 0."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
