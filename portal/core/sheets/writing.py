"""Spreadsheets written the one way the portal writes them: tables of plain values with a
kind per column (text, count, percent, euros, date), as an XLSX workbook or a CSV table.

Numbers stay numbers: in XLSX with a number format, in CSV as French Excel reads them
(UTF-8 with a BOM, « ; » between fields, decimal comma, dates as JJ/MM/AAAA).

Text may come from people (some from public forms): a text a spreadsheet would run as a
formula is guarded, in CSV by a leading apostrophe, in XLSX by a string cell with Excel's
own apostrophe (the « quotePrefix » style).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TEXT, INTEGER, DECIMAL, PERCENT, EUROS, DATE = "text", "int", "dec", "pct", "eur", "date"
XLSX_FORMATS = {
    INTEGER: "#,##0",
    DECIMAL: "#,##0.0",
    PERCENT: "0.0%",
    EUROS: '#,##0.00 "€"',
    DATE: "DD/MM/YYYY",
}
MAX_WIDTH = 60
BOLD = Font(bold=True)
HEADING = Font(bold=True, size=12)


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT


@dataclass(frozen=True)
class Typed:
    """A value of another kind than its column's (the key figures mix counts, % and €)."""

    value: object
    kind: str


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]


@dataclass(frozen=True)
class Sheet:
    """One table under a frozen header, or several stacked, each under its title."""

    title: str
    tables: tuple[Table, ...]


def guard(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_START) else text


# XLSX ------------------------------------------------------------------------------------


def _xlsx_cell(sheet, value, kind: str, font: Font | None = None) -> WriteOnlyCell:
    if isinstance(value, Typed):
        value, kind = value.value, value.kind
    guarded = False
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        guarded = value.startswith(FORMULA_START)
    elif value is not None and kind == PERCENT:
        value = Decimal(value) / 100
    cell = WriteOnlyCell(sheet, value)
    if guarded:
        cell.data_type = "s"  # never a formula
        cell.quotePrefix = True
    if value is not None and kind in XLSX_FORMATS and not isinstance(value, str):
        cell.number_format = XLSX_FORMATS[kind]
    if font is not None:
        cell.font = font
    return cell


def _width(value) -> int:
    if isinstance(value, Typed):
        value = value.value
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    return len(str(value)) + (3 if isinstance(value, Decimal | int) else 0)


def _sheet_write(workbook: Workbook, sheet: Sheet) -> None:
    worksheet = workbook.create_sheet(sheet.title[:31])
    widths: dict[int, int] = {}
    for table in sheet.tables:
        for row in ((c.header for c in table.columns), *table.rows):
            for index, value in enumerate(row, start=1):
                widths[index] = max(widths.get(index, 8), _width(value) + 2)
    for index, width in widths.items():
        worksheet.column_dimensions[get_column_letter(index)].width = min(width, MAX_WIDTH)
    stacked = len(sheet.tables) > 1
    if not stacked:
        worksheet.freeze_panes = "A2"
    for number, table in enumerate(sheet.tables):
        if stacked:
            if number:
                worksheet.append([])
            worksheet.append([_xlsx_cell(worksheet, table.title, TEXT, HEADING)])
        worksheet.append([_xlsx_cell(worksheet, c.header, TEXT, BOLD) for c in table.columns])
        for row in table.rows:
            worksheet.append(
                [
                    _xlsx_cell(worksheet, value, column.kind)
                    for column, value in zip(table.columns, row, strict=True)
                ]
            )


def xlsx_build(sheets: tuple[Sheet, ...] | list[Sheet]) -> bytes:
    """A workbook of `sheets`, in their order."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        _sheet_write(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# CSV -------------------------------------------------------------------------------------


def _csv_value(value, kind: str) -> str:
    if isinstance(value, Typed):
        value, kind = value.value, value.kind
    if value is None:
        return ""
    if isinstance(value, str):
        return guard(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if kind in (DECIMAL, PERCENT):
        return f"{Decimal(value):.1f}".replace(".", ",")
    if kind == EUROS:
        return f"{Decimal(value):.2f}".replace(".", ",")
    return str(value)


def csv_build(table: Table) -> bytes:
    """The table as French Excel opens it with a double click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([guard(column.header) for column in table.columns])
    for row in table.rows:
        writer.writerow(
            [_csv_value(value, c.kind) for c, value in zip(table.columns, row, strict=True)]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
