"""Display filters for values stored in Chinese (as the official sheets and the interchange formats write
them) that the pages show in the user's language."""

from django import template

from budgets.consistency import Severity

from ..scoring import grade_label as label_of_grade

register = template.Library()


@register.filter
def grade_label(grade: str) -> str:
    """A grade as the user reads it: 优 in Chinese, Excellent in English."""
    return label_of_grade(grade)


@register.filter
def severity_label(severity: str) -> str:
    """A review finding's severity as the user reads it: 错误 in Chinese, Error in English."""
    try:
        return str(Severity(severity).label)
    except ValueError:
        return severity
