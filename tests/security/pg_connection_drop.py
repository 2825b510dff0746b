"""Run by test_faults: an import whose PostgreSQL connection is killed half-way, then run again.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<scratch> python -m tests.security.pg_connection_drop

The database named in DATABASE_URL is created (and dropped at the end). Half-way through writing
(after departments, units and projects), a second connection terminates the import's backend with
``pg_terminate_backend``, as a restarted server or a cut network would. Prints ``name: value`` lines.
"""

import os
import sys
from unittest import mock

import psycopg

URL = os.environ["DATABASE_URL"]
SERVER, NAME = URL.rsplit("/", 1)


def main() -> int:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {NAME}")
    try:
        return run()
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")


def run() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from budgets.models import Project
    from performance.interchange import write
    from performance.interchange.importer import import_workbook
    from performance.interchange.report import ImportErrors
    from performance.models import ActualResult, Indicator
    from tests.security.hostile import SAMPLE

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_superuser(username="admin", password="x" * 20)
    real_bulk, calls = write._save, []

    def bulk_after_the_connection_is_killed(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 4:
            with psycopg.connect(URL, autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
        return real_bulk(*args, **kwargs)

    with mock.patch.object(write, "_save", bulk_after_the_connection_is_killed):
        try:
            import_workbook(file=SAMPLE, user=user)
            print("first_import: succeeded (the connection was not cut)")
        except ImportErrors as error:
            print(f"first_import: refused: {error.messages[0][:60]}")
    connection.close()  # as Django does at the end of the request; the next query reconnects
    counts = lambda: (Project.objects.count(), Indicator.objects.count(), ActualResult.objects.count())  # noqa: E731
    print("after_cut: {} {} {}".format(*counts()))
    import_workbook(file=SAMPLE, user=user)
    print("after_rerun: {} {} {}".format(*counts()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
