"""The self-evaluation report (项目支出绩效自评报告, issue 17 item 3) as a .docx, for a project or for a unit's or a
department's year.

``models``: the free-text sections a user edited, kept per project or per unit/department year. ``content``: what
the report says, gathered from the data (the figures are the evaluation JSON's, SPEC section 12) with the texts
drafted or stored. ``document``: the .docx (python-docx). ``views`` and the ``export_report`` command write the
same document.
"""
