"""How a target will be read (SPEC section 4), in words a clerk checks while typing: kind, comparison, value, unit."""

from django.utils.translation import gettext as _

from ..targets import Comparator, Kind, compact, parse_target, plain


def reading(text: str, *, cost: bool) -> dict:
    """The parse of ``text`` as the scorer will read it: ``kind`` and a sentence (``text``)."""
    target = parse_target(text, cost=cost)
    if not compact(text):
        return {"kind": "", "text": _("（未填写指标值）")}
    if target.kind == Kind.QUANTITATIVE:
        if target.comparator == Comparator.BETWEEN:
            words = _("定量：介于 %(low)s 与 %(high)s %(unit)s 之间") % {
                "low": plain(target.value),
                "high": plain(target.high),
                "unit": target.unit,
            }
        else:
            comparison = {
                Comparator.AT_LEAST: _("不少于"),
                Comparator.AT_MOST: _("不超过"),
                Comparator.MORE_THAN: _("多于"),
                Comparator.LESS_THAN: _("少于"),
                Comparator.EQUAL: _("等于"),
            }[target.comparator]
            words = _("定量：%(comparison)s %(value)s %(unit)s") % {
                "comparison": comparison,
                "value": plain(target.value),
                "unit": target.unit or _("（无单位）"),
            }
    elif target.kind == Kind.DATE:
        words = _("时间：%(when)s") % {"when": target.display}
    elif target.kind == Kind.NOT_APPLICABLE:
        words = _("不适用：不计分")
    else:
        words = _("定性：按完成档次评分（达成 / 部分达成 / 未达成）")
    return {"kind": target.kind, "text": words.strip()}
