"""Results application (结果应用, issue 17 item 2): a self-evaluation's grade applied to next year's budget.

``arithmetic``: the rule per grade and the suggested amount, pure (Decimal, no ORM). ``models``: the rule's
immutable versions per year and finance's opinion per project (with the version it was drafted by).
``services``: the department-year's suggestion sheet, a new rule version, recording an opinion. ``exports``: the
sheet as a workbook in the style of SPEC section 14. ``views``: the rule page, the sheet and its workbook.
"""
