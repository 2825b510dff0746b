"""The rule per grade (优/良/中/差) and the next-year budget it suggests: plain values, no ORM.

A grade's rule is an action and a percentage: 增加 (may increase, by up to the percentage; the suggestion keeps
the amount and says so), 保持 (keep), 压减 (cut by the percentage), 取消 (stop: nothing). The amount the rule
is applied to is this year's full-year budget (全年预算数). Amounts are 万元, stored to 4 places (the 元).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

GRADES = ("优", "良", "中", "差")
MONEY = Decimal("0.0001")
HUNDRED = Decimal("100")

INCREASE, KEEP, CUT, STOP = "increase", "keep", "cut", "stop"
ACTIONS = {
    INCREASE: gettext_lazy("可适当增加"),
    KEEP: gettext_lazy("保持"),
    CUT: gettext_lazy("压减"),
    STOP: gettext_lazy("取消"),
}


@dataclass(frozen=True)
class GradeRule:
    """What a grade does to next year's budget: ``action`` (one of ``ACTIONS``) and ``percent`` (0–100)."""

    action: str
    percent: Decimal = Decimal("0")

    def describe(self) -> str:
        """The rule in words: 压减10%, 保持, 可适当增加（不超过20%）, 取消."""
        percent = f"{self.percent.normalize():f}"
        if self.action == CUT:
            return _("压减%(percent)s%%") % {"percent": percent}
        if self.action == INCREASE:
            if self.percent:
                return _("可适当增加（不超过%(percent)s%%）") % {"percent": percent}
            return str(ACTIONS[INCREASE])
        return str(ACTIONS[self.action])


DEFAULT_RULES: dict[str, GradeRule] = {
    "优": GradeRule(INCREASE, Decimal("0")),
    "良": GradeRule(KEEP),
    "中": GradeRule(CUT, Decimal("10")),
    "差": GradeRule(CUT, Decimal("30")),
}


def suggested_amount(base: Decimal | None, rule: GradeRule) -> Decimal | None:
    """Next year's suggested budget from this year's full-year budget ``base`` (None: no budget, no suggestion).

    增加 and 保持 keep the amount (an increase is finance's to decide); 压减 cuts by the percentage; 取消 gives 0.
    Rounded half-up to the 元 (4 places of 万元).
    """
    if base is None:
        return None
    if rule.action == STOP:
        return Decimal("0").quantize(MONEY)
    if rule.action == CUT:
        return (base * (HUNDRED - rule.percent) / HUNDRED).quantize(MONEY, rounding=ROUND_HALF_UP)
    return base.quantize(MONEY, rounding=ROUND_HALF_UP)


def rules_problems(rules: dict[str, GradeRule]) -> list[str]:
    """Every problem of a set of rules, in sentences a user can act on ([] when they are sound)."""
    problems = []
    for grade in GRADES:
        rule = rules.get(grade)
        if rule is None:
            problems.append(_("缺少等级“%(grade)s”的规则。") % {"grade": grade})
            continue
        if rule.action not in ACTIONS:
            problems.append(_("等级“%(grade)s”的处理方式无效。") % {"grade": grade})
        if not Decimal("0") <= rule.percent <= HUNDRED:
            problems.append(_("等级“%(grade)s”的比例须在 0 到 100 之间。") % {"grade": grade})
        if rule.action == CUT and rule.percent == 0:
            problems.append(_("等级“%(grade)s”选择压减时须填写压减比例。") % {"grade": grade})
    return problems


def rules_to_json(rules: dict[str, GradeRule]) -> dict:
    return {grade: {"action": rules[grade].action, "percent": str(rules[grade].percent)} for grade in GRADES}


def rules_from_json(data: dict) -> dict[str, GradeRule]:
    """The rules stored as JSON; a malformed entry raises ValueError."""
    rules = {}
    for grade in GRADES:
        entry = data[grade]
        try:
            rules[grade] = GradeRule(str(entry["action"]), Decimal(str(entry["percent"])))
        except (InvalidOperation, KeyError, TypeError) as error:
            raise ValueError(grade) from error
    return rules
