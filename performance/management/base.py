"""What the data commands (import, export, demo) share."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand


class DataCommand(BaseCommand):
    """A command that reads or writes data: it skips the system checks, which import every view and URL
    (most of a second a run) and are run where they belong, by ``migrate``, ``check`` and the server."""

    requires_system_checks = []


@contextmanager
def without_query_log() -> Iterator[None]:
    """Inside, Django keeps no log of the SQL statements run, as with DEBUG off. With DEBUG on (the development
    default) it keeps the last 9,000 with their values: the import of 5,000 projects runs 1,700 bulk statements
    of about 10 kB of SQL each, and a province's import would hold 9,000 of them while it runs."""
    debug = settings.DEBUG
    settings.DEBUG = False  # the log is kept while DEBUG is on (BaseDatabaseWrapper.queries_logged)
    try:
        yield
    finally:
        settings.DEBUG = debug
