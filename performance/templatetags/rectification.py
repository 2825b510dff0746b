"""The open rectification items a page shows: a unit's on the home page, a project's on its page, and on next
year's declaration those of the same project's year before (``performance.carry_forward.same_project``)."""

from django import template
from django.utils.translation import gettext as _

from budgets.models import Access

from ..carry_forward import same_project
from ..rectification.models import RectificationItem
from ..rectification.rights import items_for

register = template.Library()
SHOWN = 10


def _shown(items, title: str) -> dict:
    """The first ``SHOWN`` items by due date, and how many more there are (counted only when there are)."""
    first = list(items.select_related("unit", "project").order_by("due_date", "id")[: SHOWN + 1])
    more = items.count() - SHOWN if len(first) > SHOWN else 0
    return {"open_items": first[:SHOWN], "open_more": more, "open_title": title}


@register.inclusion_tag("performance/_rectification_open.html", takes_context=True)
def open_rectification(context, project=None, last_year_of=None):
    """The open items the user sees: of ``project``; of the same project the year before ``last_year_of``'s
    year; or, with neither, those of the units the user is staff of (their home page)."""
    user = context["request"].user
    if project is not None:  # the page of a project the user sees: its items are of its unit, which they see
        return _shown(RectificationItem.objects.open().filter(project=project), _("未完成的整改事项"))
    items = items_for(user).open()
    if last_year_of is not None:
        earlier = same_project(last_year_of, last_year_of.year - 1)
        return _shown(items.filter(project__in=earlier), _("上年度同一项目未完成的整改事项"))
    staff_units = [a.unit_id for a in user.accesses.all() if a.role == Access.Role.STAFF]
    if staff_units:
        return _shown(items.filter(unit__in=staff_units), _("本单位未完成的整改事项"))
    waiting = items.filter(status=RectificationItem.Status.SUBMITTED)  # reviewers and finance: theirs to accept
    return _shown(waiting, _("待验收的整改事项"))
