"""Attendance imported from a spreadsheet: checked in full, then saved all or nothing."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Attendance, Session
from events.services.attendance import person_for_attendance, person_on_list_named, user_or_none
from members.models import Person
from portal.core.services import audit_log

NAME_MAX_LENGTH = 100
YES = frozenset({"oui", "o", "yes", "y", "vrai", "true", "1", "x", "present", "présent"})
NO = frozenset({"non", "n", "no", "faux", "false", "0", "absent", ""})


@dataclass(frozen=True)
class AttendanceRow:
    """One line of an attendance file, as typed (see events.resources)."""

    line: int
    last_name: str = ""
    first_name: str = ""
    email: str = ""
    organisation: str = ""
    present: str = ""


@dataclass(frozen=True)
class AttendanceRowOutcome:
    line: int
    name: str
    email: str
    present: bool
    new_person: bool
    change: str  # "created", "updated" or "unchanged"


@dataclass
class AttendanceImportReport:
    outcomes: list[AttendanceRowOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dry_run: bool = True

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def total(self, change: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.change == change)

    @property
    def added(self) -> int:
        return self.total("created")

    @property
    def updated(self) -> int:
        return self.total("updated")

    @property
    def new_people(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.new_person)


class _Rollback(Exception):
    """Raised inside the import's transaction to undo it."""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def presence_parse(value: str) -> bool:
    """oui/non, yes/no, x, 1/0; an empty cell is absent. ValueError otherwise."""
    folded = _fold(value)
    if folded in {_fold(word) for word in YES}:
        return True
    if folded in {_fold(word) for word in NO}:
        return False
    raise ValueError(_("“%(value)s” is neither yes nor no.") % {"value": value.strip()})


def _row_problems(row: AttendanceRow) -> list[str]:
    problems = []
    if not row.last_name.strip():
        problems.append(_("the last name is missing"))
    if not row.first_name.strip():
        problems.append(_("the first name is missing"))
    if max(len(row.last_name.strip()), len(row.first_name.strip())) > NAME_MAX_LENGTH:
        problems.append(_("a name is longer than %(max)s characters") % {"max": NAME_MAX_LENGTH})
    if row.email.strip():
        try:
            validate_email(row.email.strip())
        except ValidationError:
            problems.append(
                _("“%(value)s” is not a valid email address") % {"value": row.email.strip()}
            )
    try:
        presence_parse(row.present)
    except ValueError as error:
        problems.append(str(error).rstrip("."))
    return problems


def _row_key(row: AttendanceRow) -> str:
    if row.email.strip():
        return row.email.strip().lower()
    return f"{_fold(row.first_name)} {_fold(row.last_name)}"


def _rows_check(rows: Sequence[AttendanceRow]) -> list[str]:
    errors: list[str] = []
    first_line: dict[str, int] = {}
    for row in rows:
        problems = _row_problems(row)
        key = _row_key(row)
        if key.strip() and key in first_line:
            problems.append(
                _("the same person is already on line %(line)s") % {"line": first_line[key]}
            )
        first_line.setdefault(key, row.line)
        if problems:
            errors.append(
                _("Line %(line)s: %(reason)s.") % {"line": row.line, "reason": "; ".join(problems)}
            )
    if not rows:
        errors.append(_("The file has no line to import."))
    return errors


def _existing_person(session: Session, row: AttendanceRow) -> Person | None:
    """The person a line designates, if already known (same rules as person_for_attendance)."""
    if row.email.strip():
        return Person.objects.filter(email__iexact=row.email.strip()).first()
    return person_on_list_named(session, row.first_name, row.last_name)


def _preview(session: Session, row: AttendanceRow) -> AttendanceRowOutcome:
    """What importing the row would do, read without writing."""
    present = presence_parse(row.present)
    person = _existing_person(session, row)
    attendance = (
        Attendance.objects.filter(session=session, person=person).first() if person else None
    )
    if attendance is None:
        change = "created"
    else:
        change = "unchanged" if attendance.present == present else "updated"
    return AttendanceRowOutcome(
        line=row.line,
        name=f"{row.first_name.strip()} {row.last_name.strip()}",
        email=row.email.strip().lower(),
        present=present,
        new_person=person is None,
        change=change,
    )


def _apply(session: Session, row: AttendanceRow, actor) -> AttendanceRowOutcome:
    present = presence_parse(row.present)
    new_person = _existing_person(session, row) is None
    person = person_for_attendance(
        session=session,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        organisation_name=row.organisation,
    )
    registered = session.registrations.active().filter(person=person).exists()
    attendance, created = Attendance.objects.select_for_update().get_or_create(
        session=session,
        person=person,
        defaults={
            "present": present,
            "is_walk_in": not registered,
            "checked_at": timezone.now(),
            "checked_by": user_or_none(actor),
        },
    )
    change = "created" if created else "unchanged"
    if not created and attendance.present != present:
        attendance.present = present
        attendance.checked_at = timezone.now()
        attendance.checked_by = user_or_none(actor)
        attendance.save(update_fields=["present", "checked_at", "checked_by"])
        change = "updated"
    return AttendanceRowOutcome(
        line=row.line,
        name=str(person),
        email=person.email,
        present=present,
        new_person=new_person,
        change=change,
    )


def attendance_import(
    *, session: Session, rows: Sequence[AttendanceRow], actor, dry_run: bool = False
) -> AttendanceImportReport:
    """Record the presence of each line: all the lines, or none if one is wrong.

    People are found by email (or created); a line without email matches someone of
    the same name already on the session's list, else creates a person. With
    `dry_run`, nothing is written and the report tells what would happen.
    """
    report = AttendanceImportReport(errors=_rows_check(rows), dry_run=dry_run)
    if report.errors:
        return report
    if dry_run:
        report.outcomes = [_preview(session, row) for row in rows]
        return report
    try:
        with transaction.atomic():
            Session.objects.select_for_update().get(pk=session.pk)
            for row in rows:
                try:
                    report.outcomes.append(_apply(session, row, actor))
                except ValidationError as error:
                    report.errors.append(
                        _("Line %(line)s: %(reason)s.")
                        % {"line": row.line, "reason": " ".join(error.messages).rstrip(".")}
                    )
            if report.errors:
                raise _Rollback
            audit_log(
                actor=actor,
                obj=session,
                action="attendance.imported",
                changes={
                    "lines": len(rows),
                    "created": report.total("created"),
                    "updated": report.total("updated"),
                    "new_people": report.new_people,
                },
            )
    except _Rollback:
        report.outcomes = []
    return report
