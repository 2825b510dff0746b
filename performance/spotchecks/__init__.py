"""Spot checks (抽查复核, issue 16 item 3): finance draws a reproducible, risk-ranked sample of a year's projects
and re-reviews each one; and the finance console (issue 16 item 4), every department's year on one page.

``risk`` (pure: the risk score of a project's signals, the seeded draw) → ``signals`` (the signals of many
projects read in a constant number of queries) → ``services`` (draw, record a re-review, the three scores side by
side) → ``sheets`` (the 复核结果表 workbook); ``console`` (the console's figures, SQL aggregates of the stored
scores, constant in the number of departments); ``views``/``forms`` (``/spot-checks/``, ``/console/``).
"""
