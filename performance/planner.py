"""PostgreSQL's statistics after a bulk load, so its planner knows how many rows there now are.

PostgreSQL's autovacuum analyses a table some time after it changed. A query planned on statistics taken
while a table was empty (or before a bulk load committed) can join 50,000 projects row by row: at province
scale the project list took longer than a worker's timeout. The bulk writers (the data generator, a large
import) call ``analyze`` once their rows are written.

SQLite is left without statistics on purpose: with them (``ANALYZE`` writes ``sqlite_stat1``) its planner
judges the grade index unselective and sorts every project of a province for the list's first page
(60 ms against 1 ms at 50,000 projects); without them it walks the (grade, total) index and stops at 25.
"""

from __future__ import annotations

from django.db import connection

ANALYZE_AFTER_ROWS = 10_000  # an import that read fewer rows leaves the statistics to autovacuum


def analyze(models) -> None:
    """Refresh PostgreSQL's planner statistics of the models' tables; nothing on SQLite (see above)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
