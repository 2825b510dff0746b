from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = _("部门预算")

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(say_logged_out, dispatch_uid="jixiao-say-logged-out")


def say_logged_out(sender, request, user, **kwargs):
    """The login page a user is sent to after logging out says that they did."""
    from django.contrib import messages
    from django.utils.translation import gettext

    if request is not None:
        messages.info(request, gettext("您已退出登录。"), fail_silently=True)  # client.logout() has no middleware
