"""Scores stored with the data (issue 20).

A project's computed total, grade, execution rate and each indicator row's weight and score are columns
(``models``), written in the same transaction as every change that can alter them (``keep``), so lists
sort and filter by score in SQL. ``store.rescore`` computes them with ``performance.services.score_projects``
(SPEC section 6) and writes what differs; ``python manage.py rescore`` runs it over a year or everything
and reports what it changed: nothing, on consistent data.
"""
