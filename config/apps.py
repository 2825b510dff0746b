"""The third-party apps under names a user reads in the admin: in Chinese, in English when English is chosen.

Each is the app's own AppConfig with a ``verbose_name`` (listed in ``INSTALLED_APPS`` in its place); their
models' and fields' names come from the Chinese catalog, locale/zh_Hans/LC_MESSAGES/django.po.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_rq.apps import DjangoRqAdminConfig
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("登录防护")


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("任务运行记录")


class RQConfig(DjangoRqAdminConfig):
    verbose_name = _("任务队列")
