"""Display filters of the scoring rules' pages, and who sees the link to them."""

from decimal import Decimal

from django import template

from budgets.permissions import is_finance_bureau

from ..actuals import Tier

register = template.Library()


@register.filter
def manages_rules(user) -> bool:
    """Whether the user manages scoring rules (finance, superusers): the navigation shows them the page."""
    return is_finance_bureau(user)


@register.filter
def percent(ratio: Decimal | None) -> str:
    """A share as a percentage without trailing zeros (0.8 → 80%); None as —."""
    if ratio is None:
        return "—"
    return f"{(ratio * 100).normalize():f}%"


@register.filter
def tier_label(tier: str) -> str:
    """A qualitative tier's name as the sheets write it (达成年度指标 ...)."""
    return Tier.LABELS.get(tier, tier)
