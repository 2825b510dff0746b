from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = _("预算绩效")

    def ready(self):
        from .scores import keep  # noqa: F401 - connects the receivers that keep stored scores right
