"""A spreadsheet file as rows of cells: XLSX, ODS, XLS or CSV, told apart by their content.

CSV is read as the spreadsheets that write it do: UTF-8 (with or without BOM), UTF-16
(Excel's « Unicode text »), else Windows-1252 (Excel on French Windows); separated by
semicolons, commas or tabs, whichever the first line uses. Every refusal is a
ValidationError with a message for the person who sent the file; nothing here writes.

Workbooks are read by calamine (Rust, fast: 60,000 lines in under a second). XLSX and ODS
are ZIP archives: Python unpacks them first, each part within its declared size and all
within MAX_UNPACKED_BYTES, so a small file that would unpack into gigabytes (a « zip
bomb ») is refused before any reader inflates it. Of a workbook's sheets, the one whose
first lines `score` best is read (INSEE's EPCI file has its communes on the second
sheet); the first one on a tie.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

logger = logging.getLogger(__name__)

# What a workbook may unpack to, whatever its own size (a full year of attendance is ~10 MB).
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_COLUMNS = 200
OLD_EXCEL = b"\xd0\xcf\x11\xe0"  # the compound file of Excel 97 to 2003 (.xls)

Cell = str | int | float | bool | date | datetime | time | None
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
    if data.startswith((b"PK\x03\x04", OLD_EXCEL)):
        rows = _workbook_rows(data, score, progress)
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
            "This file cannot be read as a spreadsheet: send an Excel workbook (.xlsx or "
            ".xls), an OpenDocument spreadsheet (.ods) or a CSV file."
        ),
        "unreadable",
    )


def _unpacked(data: bytes) -> bytes:
    """The workbook with its parts unpacked by Python, each within the size its archive
    declares, all within MAX_UNPACKED_BYTES: the reader then inflates nothing itself."""
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
    if "xl/workbook.xml" not in names and "mimetype" not in names:
        raise _refuse(
            _("This ZIP archive is not a spreadsheet: send an XLSX, ODS or CSV file."), "format"
        )
    buffer = io.BytesIO()
    try:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as stored:
            for member in members:
                stored.writestr(member.filename, archive.read(member))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise _unreadable() from None
    return buffer.getvalue()


def _workbook_rows(data: bytes, score: Score | None, progress: Progress) -> list[SheetRow]:
    """The rows of an XLSX, ODS or old XLS workbook (formulas give the value the
    spreadsheet computed, never the formula)."""
    if data.startswith(b"PK\x03\x04"):
        data = _unpacked(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [
            workbook.get_sheet_by_index(index).to_python(skip_empty_area=False)
            for index in range(len(workbook.sheet_names))
        ]
    except Exception:  # a damaged workbook fails in many ways inside the reader
        logger.info("An uploaded workbook could not be read.", exc_info=True)
        raise _unreadable() from None
    if not sheets:
        return []
    chosen = sheets[0]
    if score is not None and len(sheets) > 1:
        heads = [_collect(enumerate(rows[:100], 1))[:HEAD_ROWS] for rows in sheets]
        chosen = max(zip(heads, sheets, strict=True), key=lambda pair: score(pair[0]))[1]
    return _collect(enumerate(chosen, 1), progress, len(chosen))
