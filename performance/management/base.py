"""What the data commands (import, export, demo) share."""

from django.core.management.base import BaseCommand


class DataCommand(BaseCommand):
    """A command that reads or writes data: it skips the system checks, which import every view and URL
    (most of a second a run) and are run where they belong, by ``migrate``, ``check`` and the server."""

    requires_system_checks = []
