"""Rectification items (整改事项, issue 21 item 1): problems found, the measures required, the unit's response and
its acceptance.

``models``: the item, its evidence files and the proposals dismissed. ``rights``: who may create, respond, accept
or return. ``flows``: the item's transitions on the one workflow engine. ``proposals``: what the app proposes from
its own findings (rows scoring below their weight, target-review 错误 findings, red lights of a monitoring round).
``services``: creating, responding, confirming and dismissing. ``forms``, ``filters``, ``tables``, ``exports``,
``views``: the pages and the workbook.
"""
