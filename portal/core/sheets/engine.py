"""How every import reads, checks and saves a spreadsheet.

An app describes one kind of record as an `Importer`: its columns, how a row is told
apart from the others of the file (`row_key`), what it would change (`check`, which
only reads) and how the valid rows are written (`save`, in bulk). The engine does the
rest the same way for every kind:

1. the header row is found among the first lines and matched loosely
   (portal.core.text.loose_key); a required column missing refuses the file;
2. every cell is read by its column (portal.core.sheets.columns), every error kept with
   the row's own number in the spreadsheet;
3. an address erased at the person's request is refused (portal.core.erasures);
4. a row repeating an earlier one of the file is a duplicate;
5. the importer checks the rest against the database, then, when confirmed, saves.

`import_check` writes nothing. `import_save` checks again and saves in one transaction:
every row, or none when one fails, unless staff chose to import the valid rows only.
Two imports of the same kind never run at once (an advisory lock), so the same file
imported twice updates what the first created.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.erasures import ERASED_REFUSAL, erased_emails
from portal.core.sheets.columns import CellError, Column, Lookups, cell_text
from portal.core.sheets.reading import SheetRow, rows_read
from portal.core.text import loose_key

# Lines among which the header row is looked for (a title may sit above it).
HEADER_SEARCH = 10
PROGRESS_EVERY = 1000

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
CHANGE_LABELS = {
    CREATE: gettext_lazy("New"),
    UPDATE: gettext_lazy("Updated"),
    UNCHANGED: gettext_lazy("Unchanged"),
}

Progress = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


@dataclass
class Row:
    """One line of the file: its cells read into `values` (None where empty), its errors."""

    line: int
    values: dict[str, object] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    change: str = ""
    label: str = ""  # what the line designates, for the preview
    record: object = None  # the record the line updates, when `check` found one

    @property
    def valid(self) -> bool:
        return not self.errors

    def error(self, message: str) -> None:
        self.errors.append(message)


class Importer:
    """One kind of record staff keep in spreadsheets. Subclasses set the class attributes
    and write `check` and `save`; they are registered with portal.core.sheets.registry."""

    key: ClassVar[str]  # "members.organisations"
    title: ClassVar[str]
    help: ClassVar[str]  # what the file holds and what the import does, for the import page
    columns: ClassVar[tuple[Column, ...]]
    model: ClassVar[type[Model]]  # the records it creates: permissions and the list to go back to
    order: ClassVar[int] = 100  # the order of moving in (README), smaller first
    email_key: ClassVar[str | None] = None  # the column of a person's address, if any
    options_form: ClassVar[type[forms.Form] | None] = None

    def __init__(
        self, *, actor=None, options: dict | None = None, progress: Progress | None = None
    ):
        self.actor = actor
        self.options = options or {}
        self.lookups = Lookups()
        self.progress = progress or _no_progress

    @classmethod
    def allowed(cls, user) -> bool:
        opts = cls.model._meta
        return user.has_perms(
            [
                f"{opts.app_label}.add_{opts.model_name}",
                f"{opts.app_label}.change_{opts.model_name}",
            ]
        )

    @classmethod
    def column_label(cls, key: str) -> str:
        return next(str(column.label) for column in cls.columns if column.key == key)

    def row_key(self, row: Row) -> Hashable | None:
        """What makes two lines the same record (None: never a duplicate)."""
        return None

    def check(self, rows: list[Row]) -> None:
        """Set `change` and `label` of each valid row, or add errors; read only."""
        raise NotImplementedError

    def save(self, rows: list[Row]) -> None:
        """Write the valid rows (already checked), in bulk; inside the engine's transaction."""
        raise NotImplementedError


@dataclass
class Outcome:
    """What an import found, or did."""

    rows: list[Row] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    saved: bool = False

    @property
    def error_rows(self) -> list[Row]:
        return [row for row in self.rows if row.errors]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((CREATE, UPDATE, UNCHANGED, "error"), 0)
        for row in self.rows:
            counts["error" if row.errors else row.change] += 1
        return counts


# Reading the rows ---------------------------------------------------------------------------


def header_find(
    sheet: list[SheetRow], columns: tuple[Column, ...]
) -> tuple[int, dict[int, Column]]:
    """The index of the header row among the first lines, and its columns by position."""
    by_key = {header: column for column in columns for header in column.headers()}
    best_index, best = 0, {}
    for index, row in enumerate(sheet[:HEADER_SEARCH]):
        found = {}
        for position, cell in enumerate(row.cells):
            column = by_key.get(loose_key(cell_text(cell)))
            if column is not None:
                found[position] = column
        if len(found) > len(best):
            best_index, best = index, found
    return best_index, best


def sheet_rows(
    columns: tuple[Column, ...], data: bytes, progress: Progress = _no_progress
) -> list[SheetRow]:
    """The rows of the file's sheet whose header names the most of `columns`."""
    return rows_read(
        data,
        score=lambda head: len(header_find(head, columns)[1]),
        progress=lambda done, total: progress("reading", done, total),
    )


def _columns_problems(positions: dict[int, Column], columns) -> list[str]:
    problems = []
    seen: dict[str, int] = {}
    for position, column in positions.items():
        if column.key in seen:
            problems.append(
                _("The column “%(column)s” appears twice (columns %(first)s and %(second)s).")
                % {"column": column.label, "first": seen[column.key] + 1, "second": position + 1}
            )
        seen.setdefault(column.key, position)
    missing = [column.label for column in columns if column.required and column.key not in seen]
    if missing:
        problems.append(
            _(
                "Required columns are missing: %(missing)s. The first line must name the "
                "columns: %(expected)s."
            )
            % {
                "missing": ", ".join(f"« {label} »" for label in missing),
                "expected": ", ".join(f"« {column.label} »" for column in columns),
            }
        )
    return problems


def _row_read(sheet_row: SheetRow, positions: dict[int, Column], columns, lookups) -> Row:
    row = Row(line=sheet_row.line)
    cells = sheet_row.cells
    for column in columns:
        row.values[column.key] = None
    unreadable = set()
    for position, column in positions.items():
        value = cells[position] if position < len(cells) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            row.values[column.key] = column.read(value, lookups)
        except CellError as error:
            unreadable.add(column.key)
            row.error(f"« {column.label} » : {error}")
    for column in columns:
        empty = row.values[column.key] in (None, "", [])
        if column.required and empty and column.key not in unreadable:
            row.error(_("« %(column)s » is required.") % {"column": column.label})
    return row


def _read(importer: Importer, data: bytes, outcome: Outcome) -> None:
    try:
        sheet = sheet_rows(importer.columns, data, importer.progress)
    except ValidationError as error:
        outcome.file_errors.extend(error.messages)
        return
    columns = importer.columns
    header_index, positions = header_find(sheet, columns)
    headers = [cell_text(cell) for cell in sheet[header_index].cells]
    problems = _columns_problems(positions, columns)
    if problems:
        outcome.file_errors.extend(problems)
        return
    outcome.ignored_columns = [
        header for position, header in enumerate(headers) if header and position not in positions
    ]
    body = sheet[header_index + 1 :]
    if not body:
        outcome.file_errors.append(_("The file has no line to import below its header."))
        return
    for count, sheet_row in enumerate(body, 1):
        outcome.rows.append(_row_read(sheet_row, positions, columns, importer.lookups))
        if count % PROGRESS_EVERY == 0:
            importer.progress("checking", count, len(body))


def _refuse_erased(importer: Importer, rows: list[Row]) -> None:
    if importer.email_key is None:
        return
    erased = erased_emails(row.values.get(importer.email_key) for row in rows)
    for row in rows:
        if row.values.get(importer.email_key) in erased:
            row.error(str(ERASED_REFUSAL))


def _refuse_duplicates(importer: Importer, rows: list[Row]) -> None:
    first_line: dict[Hashable, int] = {}
    for row in rows:
        if not row.valid:
            continue
        key = importer.row_key(row)
        if key is None:
            continue
        if key in first_line:
            row.error(
                _("Duplicate in the file: the same record as line %(line)s.")
                % {"line": first_line[key]}
            )
        else:
            first_line[key] = row.line


def import_check(importer: Importer, data: bytes) -> Outcome:
    """What importing `data` would do, row by row; writes nothing."""
    outcome = Outcome()
    _read(importer, data, outcome)
    if outcome.file_errors:
        return outcome
    _refuse_erased(importer, outcome.rows)
    _refuse_duplicates(importer, outcome.rows)
    importer.check([row for row in outcome.rows if row.valid])
    return outcome


def _lock(importer: Importer) -> None:
    """One import of a kind at a time, until the transaction ends."""
    key = zlib.crc32(f"import:{importer.key}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def import_save(importer: Importer, data: bytes, *, valid_only: bool = False) -> Outcome:
    """Check `data` again and save it: every row, or none if one fails (unless
    `valid_only`). `outcome.saved` tells whether anything was written."""
    with transaction.atomic():
        _lock(importer)
        outcome = import_check(importer, data)
        if outcome.file_errors or (outcome.error_rows and not valid_only):
            return outcome
        valid = [row for row in outcome.rows if row.valid]
        if valid:
            importer.save(valid)
        outcome.saved = True
    return outcome
