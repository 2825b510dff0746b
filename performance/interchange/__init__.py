"""The interchange wing: workbooks that go out of the app and come back into it.

The flat workbook of SPEC section 11 (two sheets, 项目 and 指标), read in one direction only, each module
importing those above it in this list and none below:

- ``columns``: the sheets and their columns, as the import reads them and the export writes them;
- ``report``: what an import says (``ImportReport``), or the problems that refused it (``WorkbookProblem``,
  ``ImportErrors``);
- ``cells``: one cell as text, a code, a year or a Decimal, its problems noted by sheet, row and column;
- ``read``: the file opened, both sheets by column title, each row as the file says it;
- ``check``: the rows checked against each other, the database and the scorer's weights and tier bands;
- ``write``: the checked rows written, one function per entity, with their history records;
- ``allowed``: the written changes checked against ``performance.rights`` and the declarations' states;
- ``importer``: ``import_workbook``, which reads as the table of contents of the above;
- ``export``: ``write_flat_workbook``, the workbook the import reads back unchanged.

Beside it, ``sheet_upload``: a filled 项目支出绩效自评表 (``performance.sheets``) read back (SPEC section 14).
Callers import from the modules themselves (``performance.interchange.importer.import_workbook``).
"""
