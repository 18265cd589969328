"""A spreadsheet file as rows of cells: XLSX, ODS or CSV, told apart by their content.

CSV is read as the spreadsheets that write it do: UTF-8 (with or without BOM), UTF-16
(Excel's « Unicode text »), else Windows-1252 (Excel on French Windows); separated by
semicolons, commas or tabs, whichever the first line uses. Every refusal is a
ValidationError with a message for the person who sent the file; nothing here writes.

Workbooks are ZIP archives: their declared size is checked before anything is unpacked,
so a small file that would unpack into gigabytes (a « zip bomb ») is refused. Of a
workbook's sheets, the one whose first lines `score` best is read (INSEE's EPCI file has
its communes on the second sheet); the first one on a tie.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# What a workbook may unpack to, whatever its own size (a full year of attendance is ~10 MB).
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_COLUMNS = 200
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"

Cell = str | int | float | bool | date | datetime | None
# The lines a sheet is scored on: its header is among them.
HEAD_ROWS = 10


@dataclass(frozen=True)
class SheetRow:
    """A row that is not empty, with its number as the spreadsheet shows it (first = 1)."""

    line: int
    cells: tuple[Cell, ...]


# How well a sheet's first non-empty lines match what the import expects.
Score = Callable[[list[SheetRow]], int]
# Told (lines read, lines in all, 0 when unknown) as a big file is read.
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 2000


def _silent(done: int, total: int) -> None:
    return None


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def max_file_bytes() -> int:
    return settings.IMPORT_MAX_MB * 1024 * 1024


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


def rows_read(
    data: bytes, *, score: Score | None = None, progress: Progress = _silent
) -> list[SheetRow]:
    """Every non-empty row of the file's sheet (the best scored), in order."""
    if len(data) > max_file_bytes():
        raise _refuse(
            _("This file is larger than %(size)s MB: split it into several files.")
            % {"size": settings.IMPORT_MAX_MB},
            "too_large",
        )
    if not data.strip():
        raise _refuse(_("The file is empty."), "empty")
    if data.startswith(b"PK\x03\x04"):
        rows = _workbook_rows(data, score, progress)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            _(
                "Old Excel files (.xls) are not read: save it as an Excel workbook (.xlsx), "
                "OpenDocument (.ods) or CSV."
            ),
            "format",
        )
    elif data.startswith(b"%PDF"):
        raise _refuse(
            _("This is a PDF document, not a spreadsheet: send an XLSX, ODS or CSV file."),
            "format",
        )
    else:
        rows = _csv_rows(data, progress)
    if not rows:
        raise _refuse(_("The file is empty."), "empty")
    return rows


def _kept(line: int, values) -> SheetRow | None:
    cells = list(values)
    while cells and _blank(cells[-1]):
        cells.pop()
    if not cells:
        return None
    if len(cells) > MAX_COLUMNS:
        raise _refuse(
            _("Line %(line)s has more than %(max)s columns: is this the right file?")
            % {"line": line, "max": MAX_COLUMNS},
            "too_wide",
        )
    return SheetRow(line=line, cells=tuple(cells))


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _too_long() -> ValidationError:
    return _refuse(
        _("The file has more than %(max)s lines: split it into several files.")
        % {"max": f"{max_rows():,}".replace(",", "\u202f")},
        "too_long",
    )


def _collect(numbered, progress: Progress = _silent, total: int = 0) -> list[SheetRow]:
    rows = []
    for line, values in numbered:
        if line % PROGRESS_EVERY == 0:
            progress(line, total)
        row = _kept(line, values)
        if row is not None:
            rows.append(row)
            if len(rows) > max_rows() + 1:  # the header is one of them
                raise _too_long()
    return rows


# CSV ------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # bytes Windows-1252 leaves undefined: Latin-1 reads them all
        return data.decode("latin-1")


def _delimiter(text: str) -> str:
    """The separator of the first line that has any, counted outside quotes."""
    for line in text.splitlines():
        if not line.strip():
            continue
        outside = "".join(part for index, part in enumerate(line.split('"')) if index % 2 == 0)
        counts = {separator: outside.count(separator) for separator in (";", ",", "\t")}
        best = max(counts, key=lambda separator: counts[separator])
        return best if counts[best] else ";"
    return ";"


def _csv_rows(data: bytes, progress: Progress) -> list[SheetRow]:
    text = _decode(data)
    if "\x00" in text:
        raise _refuse(
            _(
                "This file contains null characters: it is not a text (CSV) file. Save it "
                "from your spreadsheet as XLSX, ODS or CSV."
            ),
            "binary",
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return _collect(
            ((reader.line_num, values) for values in reader), progress, text.count("\n")
        )
    except csv.Error:
        raise _refuse(
            _(
                "This CSV file cannot be read (a cell is too long or a quote is not closed): "
                "save it again from your spreadsheet."
            ),
            "unreadable",
        ) from None


# Workbooks --------------------------------------------------------------------------------


def _unreadable() -> ValidationError:
    return _refuse(
        _(
            "This file cannot be read as a spreadsheet: send an Excel workbook (.xlsx), an "
            "OpenDocument spreadsheet (.ods) or a CSV file."
        ),
        "unreadable",
    )


def _workbook_rows(data: bytes, score: Score | None, progress: Progress) -> list[SheetRow]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _unreadable() from None
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise _refuse(
            _("This workbook unpacks to more than %(size)s MB: it is refused.")
            % {"size": MAX_UNPACKED_BYTES // (1024 * 1024)},
            "too_large",
        )
    names = {member.filename for member in members}
    try:
        if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
            return _best(_ods_tables(archive), score)
        if "xl/workbook.xml" in names:
            return _xlsx_rows(data, score, progress)
    except ValidationError:
        raise
    except Exception:  # a damaged workbook fails in many ways inside the libraries
        logger.info("An uploaded workbook could not be read.", exc_info=True)
        raise _unreadable() from None
    raise _refuse(
        _("This ZIP archive is not a spreadsheet: send an XLSX, ODS or CSV file."), "format"
    )


def _best(sheets: list[list[SheetRow]], score: Score | None) -> list[SheetRow]:
    if not sheets:
        return []
    if score is None:
        return sheets[0]
    return max(sheets, key=lambda rows: score(rows[:HEAD_ROWS]))  # the first of the best


def _xlsx_lines(sheet, max_row: int | None = None):
    rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1, max_row=max_row)
    return enumerate(rows, 1)


def _xlsx_rows(data: bytes, score: Score | None, progress: Progress) -> list[SheetRow]:
    import openpyxl

    # data_only: a formula gives the value the spreadsheet computed, never the formula.
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = workbook.worksheets
        if score is not None and len(sheets) > 1:
            heads = [
                [row for line, values in _xlsx_lines(sheet, 100) if (row := _kept(line, values))]
                for sheet in sheets
            ]
            sheet = sheets[heads.index(_best(heads, score))]
        else:
            sheet = sheets[0]
        return _collect(_xlsx_lines(sheet), progress, sheet.max_row or 0)
    finally:
        workbook.close()


def _ods_text(node) -> str:
    parts = [node.text or ""]
    for child in node:
        if child.tag == f"{{{_TEXT}}}s":
            parts.append(" " * int(child.get(f"{{{_TEXT}}}c", "1")))
        elif child.tag == f"{{{_TEXT}}}tab":
            parts.append("\t")
        elif child.tag == f"{{{_TEXT}}}line-break":
            parts.append("\n")
        else:
            parts.append(_ods_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _ods_cell(element) -> Cell:
    kind = element.get(f"{{{_OFFICE}}}value-type")
    if kind in ("float", "percentage", "currency"):
        number = float(element.get(f"{{{_OFFICE}}}value"))
        return int(number) if number.is_integer() else number
    if kind == "date":
        value = element.get(f"{{{_OFFICE}}}date-value")
        moment = datetime.fromisoformat(value)
        return moment if "T" in value else moment.date()
    if kind == "boolean":
        return element.get(f"{{{_OFFICE}}}boolean-value") == "true"
    paragraphs = [_ods_text(paragraph) for paragraph in element.findall(f"{{{_TEXT}}}p")]
    return "\n".join(paragraphs) or None


def _ods_tables(archive: zipfile.ZipFile) -> list[list[SheetRow]]:
    """The tables of content.xml, streamed; repeated empty rows and cells (how ODS stores
    the rest of a sheet) are skipped without being expanded."""
    tables: list[list[SheetRow]] = []
    rows: list[SheetRow] = []
    line = 0
    with archive.open("content.xml") as content:
        for event, element in ElementTree.iterparse(content, events=("start", "end")):
            if element.tag == f"{{{_TABLE}}}table":
                if event == "start":
                    rows, line = [], 0
                else:
                    tables.append(rows)
                    element.clear()
                continue
            if event != "end" or element.tag != f"{{{_TABLE}}}table-row":
                continue
            repeat = int(element.get(f"{{{_TABLE}}}number-rows-repeated", "1"))
            values: list[Cell] = []
            for cell in element:
                if cell.tag not in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
                    continue
                times = int(cell.get(f"{{{_TABLE}}}number-columns-repeated", "1"))
                values.extend([_ods_cell(cell)] * min(times, MAX_COLUMNS + 1))
            element.clear()
            row = _kept(line + 1, values)
            if row is not None:
                for copy in range(min(repeat, max_rows() + 2)):
                    rows.append(SheetRow(line=line + 1 + copy, cells=row.cells))
                    if len(rows) > max_rows() + 1:
                        raise _too_long()
            line += repeat
    return tables
