"""The workbooks an import gives staff: its template, and the lines it rejected.

The template's first sheet is the header row to fill in (required columns marked « * »);
the second explains each column; the third lists the values each column allows. The
rejected lines come back as they were typed, with an « Erreur » column, to be corrected
and imported again.
"""

from __future__ import annotations

from itertools import zip_longest

from django.utils.translation import gettext as _

from portal.core.sheets.engine import Importer, header_find, sheet_rows
from portal.core.sheets.writing import Column, Sheet, Table, xlsx_build

REQUIRED_MARK = " *"


def template_xlsx(importer: type[Importer]) -> bytes:
    columns = importer.columns
    headers = tuple(
        Column(str(column.label) + (REQUIRED_MARK if column.required else "")) for column in columns
    )
    explained = Table(
        _("Columns"),
        (Column(_("Column")), Column(_("Required")), Column(_("What it holds"))),
        tuple(
            (str(column.label), _("yes") if column.required else _("no"), str(column.help))
            for column in columns
        ),
    )
    listed = [column for column in columns if column.allowed is not None]
    values = [[str(value) for value in column.allowed()] for column in listed]
    allowed = Table(
        _("Allowed values"),
        tuple(Column(str(column.label)) for column in listed),
        tuple(zip_longest(*values)) if values else (),
    )
    return xlsx_build(
        [
            Sheet(str(importer.title), (Table(str(importer.title), headers, ()),)),
            Sheet(_("Columns"), (explained,)),
            Sheet(_("Allowed values"), (allowed,)),
        ]
    )


def rejected_xlsx(importer: type[Importer], data: bytes, errors: dict[int, str]) -> bytes:
    """The lines of `data` whose number is in `errors`, as typed, with their error."""
    sheet = sheet_rows(importer.columns, data)
    header_index, _positions = header_find(sheet, importer.columns)
    header = sheet[header_index].cells
    width = max([len(header), *(len(row.cells) for row in sheet if row.line in errors)])
    columns = (
        Column(_("Line")),
        *(
            Column(str(header[i]) if i < len(header) and header[i] is not None else "")
            for i in range(width)
        ),
        Column(_("Error")),
    )
    rows = tuple(
        (row.line, *row.cells, *([None] * (width - len(row.cells))), errors[row.line])
        for row in sheet[header_index + 1 :]
        if row.line in errors
    )
    return xlsx_build([Sheet(_("Rejected lines"), (Table(_("Rejected lines"), columns, rows),))])
