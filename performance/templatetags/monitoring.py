"""Display filters of the monitoring pages."""

from django import template

from ..monitoring import percent

register = template.Library()


@register.filter
def rate_percent(value) -> str:
    """`Decimal("0.5808")` → `"58.08%"`; None → `"—"`."""
    return percent(value)


@register.filter
def bar_width(value) -> str:
    """A rate as a CSS width in percent, capped at 100 (`Decimal("1.2")` → `"100.00"`)."""
    if value is None:
        return "0"
    return f"{min(max(value, 0), 1) * 100:.2f}"
