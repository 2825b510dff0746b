"""The library list as a django-tables2 table."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import LibraryEntry


class EntryTable(tables.Table):
    level2 = tables.Column(verbose_name=_("二级指标"), accessor="level2__name", order_by=("level2__order",))
    name = tables.Column(verbose_name=_("三级指标"), linkify=("performance:library-entry-edit", {"pk": tables.A("pk")}))
    target_kind = tables.Column(verbose_name=_("指标值类型"))
    unit = tables.Column(verbose_name=_("计量单位"), default="—")
    example_target = tables.Column(verbose_name=_("指标值示例"), default="—")
    basis = tables.Column(verbose_name=_("建议的确定依据"))
    fits = tables.Column(verbose_name=_("适用"), accessor="pk", orderable=False)
    source = tables.Column(verbose_name=_("来源"))

    class Meta:
        model = LibraryEntry
        fields = ()
        sequence = ("level2", "name", "target_kind", "unit", "example_target", "basis", "fits", "source")
        attrs = {"class": "table table-sm jx-table align-middle mb-0", "data-testid": "library-table"}
        row_attrs = {"data-testid": "library-row"}
        empty_text = _("没有符合条件的指标。")

    def render_fits(self, record):
        if record.common:
            return _("共性")
        return "、".join(c.name for c in record.categories.all()) or "—"
