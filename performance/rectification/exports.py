"""The rectification list as an xlsx workbook: every column of the table, dates as dates, wrapped text."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

WIDTHS = {
    "due_date": 12,
    "unit": 24,
    "project": 30,
    "problem": 50,
    "source": 16,
    "status": 14,
    "measures": 40,
    "response": 40,
    "return_reason": 24,
    "verified_by": 12,
    "verified_at": 18,
}
FORMATS = {"due_date": "yyyy-mm-dd", "verified_at": "yyyy-mm-dd hh:mm"}
THIN = Side(style="thin", color="999999")


def rectification_workbook(table) -> bytes:
    """The filtered list (``RectificationTable``) as a sheet: a bold header, borders, widths, print set-up."""
    names = [column.name for column in table.columns.iterall() if not column.column.exclude_from_export]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("整改事项")
    for row in table.as_values():
        sheet.append(row)
    border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for index, name in enumerate(names, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 14)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if name in FORMATS:
                cell.number_format = FORMATS[name]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.print_title_rows = "1:1"
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
