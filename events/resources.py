"""Spreadsheets of the events app: participant exports (django-import-export) and the
reading of an attendance file (CSV or XLSX) into rows for events.services.attendance.

Headers are translated (French on the site): nom, prénom, courriel, structure…
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from events.models import Attendance, Registration
from events.services.attendance_import import AttendanceRow

# Exports ---------------------------------------------------------------------------


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return gettext("yes") if value else gettext("no")


class ParticipantResource(resources.ModelResource):
    """One line per registration, with the person's details and their presence.

    The queryset carries `present` (see events.admin: None when not checked yet).
    """

    last_name = fields.Field("person__last_name", _("Last name"), readonly=True)
    first_name = fields.Field("person__first_name", _("First name"), readonly=True)
    email = fields.Field("person__email", _("Email"), readonly=True)
    organisation = fields.Field(column_name=_("Organisation"), readonly=True)
    job_title = fields.Field("person__job_title", _("Job title"), readonly=True)
    actor_type = fields.Field(column_name=_("Type of actor"), readonly=True)
    department = fields.Field(column_name=_("Département"), readonly=True)
    status = fields.Field(column_name=_("Status"), readonly=True)
    presence = fields.Field(column_name=_("Presence"), readonly=True)
    action = fields.Field("session__action__title", _("Action"), readonly=True)
    date = fields.Field(column_name=_("Date"), readonly=True)

    class Meta:
        model = Registration
        name = _("Participants")
        fields = (
            "last_name", "first_name", "email", "organisation", "job_title", "actor_type",
            "department", "status", "presence", "action", "date",
        )  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for resource_field in self.fields.values():
            resource_field.column_name = str(resource_field.column_name)

    def dehydrate_organisation(self, obj) -> str:
        person = obj.person
        return person.organisation.name if person.organisation_id else ""

    def dehydrate_actor_type(self, obj) -> str:
        return str(obj.person.get_actor_type_display())

    def dehydrate_department(self, obj) -> str:
        person = obj.person
        return str(person.department) if person.department_id else ""

    def dehydrate_status(self, registration: Registration) -> str:
        return str(registration.get_status_display())

    def dehydrate_presence(self, obj) -> str:
        return _yes_no(getattr(obj, "present", None))

    def dehydrate_date(self, obj) -> str:
        return f"{timezone.localtime(obj.session.starts_at):%d/%m/%Y %H:%M}"


class AttendanceResource(ParticipantResource):
    """One line per attendance (walk-ins included)."""

    status = fields.Field(column_name=_("Registration"), readonly=True)
    presence = fields.Field("present", _("Presence"), readonly=True)

    class Meta:
        model = Attendance
        name = _("Attendance")
        fields = ParticipantResource.Meta.fields

    def dehydrate_status(self, attendance: Attendance) -> str:
        return gettext("Walk-in") if attendance.is_walk_in else gettext("Registered")

    def dehydrate_presence(self, attendance: Attendance) -> str:
        return _yes_no(attendance.present)


# Reading an attendance file ----------------------------------------------------------

MAX_ROWS = 2000
# Field of AttendanceRow → the headers accepted for it (compared without case or accents).
COLUMNS = {
    "last_name": (_("Last name"), "nom", "last name"),
    "first_name": (_("First name"), "prénom", "first name"),
    "email": (_("Email"), "courriel", "email", "e-mail", "mail", "adresse électronique"),
    "organisation": (_("Organisation"), "structure", "organisation", "organization"),
    "present": (_("Present"), "présent", "présente", "présence", "present", "presence"),
}
REQUIRED = ("last_name", "first_name", "present")


def _fold(text) -> str:
    decomposed = unicodedata.normalize("NFKD", _cell(text).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def expected_columns() -> str:
    """The headers of an attendance file, for messages and the help of the form."""
    return ", ".join(str(COLUMNS[name][0]) for name in COLUMNS)


def _read_csv(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _(
                "This file is not UTF-8 text. Save it from your spreadsheet as "
                "“CSV UTF-8”, or choose the xlsx format for an Excel file."
            ),
            code="encoding",
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        raise ValidationError(
            _("This file cannot be read: check its format and its encoding (UTF-8)."),
            code="unreadable",
        ) from None


def _read_xlsx(data: bytes) -> list[list]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    except (zipfile.BadZipFile, KeyError, IndexError, ValueError, OSError):
        raise ValidationError(
            _("This file cannot be read as %(format)s: check the format chosen.")
            % {"format": "XLSX"},
            code="unreadable",
        ) from None
    return rows


def _header_map(header: list) -> dict[str, int]:
    """Field name → column index; ValidationError naming missing and unknown columns."""
    aliases = {_fold(str(alias)): name for name, options in COLUMNS.items() for alias in options}
    positions: dict[str, int] = {}
    unknown = []
    for index, title in enumerate(header):
        if not _cell(title):
            continue
        name = aliases.get(_fold(title))
        if name is None or name in positions:
            unknown.append(_cell(title))
        else:
            positions[name] = index
    missing = [str(COLUMNS[name][0]) for name in REQUIRED if name not in positions]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(
                gettext("missing columns: %(columns)s") % {"columns": ", ".join(missing)}
            )
        if unknown:
            problems.append(
                gettext("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)}
            )
        raise ValidationError(
            _(
                "The columns of this file do not match (%(problems)s). "
                "Expected columns: %(expected)s."
            )
            % {"problems": "; ".join(problems), "expected": expected_columns()},
            code="columns",
        )
    return positions


def attendance_file_read(data: bytes, filename: str) -> list[AttendanceRow]:
    """The lines of an attendance file (CSV in UTF-8 or XLSX), blank lines skipped.

    A file that cannot be read, or whose columns are wrong, raises ValidationError with
    a message for the person who sent it; the values themselves are checked by
    events.services.attendance.attendance_import.
    """
    is_xlsx = filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04"
    if filename.lower().endswith(".xls") and not is_xlsx:
        raise ValidationError(
            _("Old Excel files (.xls) are not read: save it as .xlsx or as CSV UTF-8."),
            code="format",
        )
    table = _read_xlsx(data) if is_xlsx else _read_csv(data)
    header_index = next(
        (index for index, values in enumerate(table) if any(_cell(v) for v in values)), None
    )
    if header_index is None:
        raise ValidationError(_("The file is empty."), code="empty")
    positions = _header_map(table[header_index])
    rows = []
    # Line numbers as the spreadsheet shows them: the header is on line header_index + 1.
    for line, values in enumerate(table[header_index + 1 :], start=header_index + 2):
        if not any(_cell(value) for value in values):
            continue
        cells = {
            name: _cell(values[index]) if index < len(values) else ""
            for name, index in positions.items()
        }
        rows.append(AttendanceRow(line=line, **cells))
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("The file has more than %(max)s lines: split it.") % {"max": MAX_ROWS},
            code="too_long",
        )
    return rows
