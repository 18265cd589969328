"""Attendance of many sessions at once: one line per person and session, or a headcount.

A line names its session by its reference (« S-000123 », shown in the back office) or by
the action's title and the date (and the start time when the action has two sessions
that day); from a session's page, the session is chosen beforehand and the column may be
left out. A person is found by email, else by first and last name and organisation (all
loosely), else created; the département and type of actor the file gives are set on the
person, so the report's shares follow the file. A line with a number and no name
(« Nombre ») is a headcount of its session, by département and type of actor.

Fast on a file of 60,000 lines: sessions, people, attendance and registrations are read
for the whole file in a few queries (chunks of thousands), and written in bulk.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.imports.common import BATCH, CHUNK, EventLookups, actor_or_none
from events.imports.people import PERSON_FIELDS, PeopleFinder
from events.models import Attendance, Headcount, Registration, RegistrationStatus, Session
from events.models.actions import SESSION_REFERENCE
from members.imports import ACTOR_TYPE
from members.models import ActorType, Person
from portal.core.formats import format_time
from portal.core.services import audit_log_many
from portal.core.sheets import columns as read
from portal.core.sheets.columns import CellError, Column, cell_text
from portal.core.sheets.engine import CREATE, UNCHANGED, UPDATE, Importer, Row
from portal.core.sheets.registry import register
from portal.core.text import loose_key

_REFERENCE = re.compile(r"S?\s*-?\s*0*(\d{1,12})", re.IGNORECASE)
_PRESENT = frozenset(loose_key(word) for word in ("présent", "présente", "p"))
_ABSENT = frozenset(loose_key(word) for word in ("absent", "absente", "excusé", "excusée", "a"))


def session_reference(value, lookups) -> int:
    """« S-000123 », « s123 » or « 123 »: the session's id."""
    match = _REFERENCE.fullmatch(cell_text(value))
    if match is None:
        raise CellError(
            _("“%(value)s” is not a session reference (S-000123).") % {"value": cell_text(value)}
        )
    return int(match.group(1))


@lru_cache(maxsize=256)
def _presence_key(text: str) -> str:
    return loose_key(text)  # the same few words on every line


def presence(value, lookups) -> bool:
    """Yes or no, present or absent (excused: absent)."""
    key = _presence_key(cell_text(value))
    if key in _PRESENT:
        return True
    if key in _ABSENT:
        return False
    return read.yes_no(value, lookups)


class AttendanceOptions(forms.Form):
    session = forms.ModelChoiceField(
        label=gettext_lazy("Session"),
        queryset=Session.objects.select_related("action").order_by("-starts_at"),
        required=False,
        help_text=gettext_lazy(
            "Every line is of this session: the file may then leave out the columns that "
            "name the session."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].label_from_instance = lambda s: f"{s.reference} · {s}"


@dataclass
class Named:
    """A line about a person: who, and what it changes."""

    session: Session
    person: Person  # found, or new (no pk yet)
    present: bool
    attendance_change: str = CREATE


@register
class AttendanceImporter(Importer):
    key = "events.attendance"
    title = gettext_lazy("Attendance of sessions")
    help = gettext_lazy(
        "One line per person and session: the session (its reference « S-000123 », or the "
        "action's title and the date), then the person. People are found by email, else by "
        "name and organisation, else added to the directory; the département and type of "
        "actor of the file are kept on the person. A line with a number and no name is a "
        "headcount of the session. The same file imported twice updates."
    )
    model = Attendance
    order = 70
    email_key = "email"
    options_form = AttendanceOptions
    columns = (
        Column("reference", gettext_lazy("Session reference"), session_reference,
               aliases=("référence", "réf séance", "réf", "séance", "n° de séance", "session"),
               help=gettext_lazy(
                   "As shown in the list of sessions (S-000123); else the action and the date."
               )),
        Column("action", gettext_lazy("Action"), read.text(200),
               aliases=("titre de l'action", "intitulé", "démarche", "titre"),
               help=gettext_lazy("The action's title, with the date, when there is no reference.")),
        Column("date", gettext_lazy("Date"), read.date_value,
               aliases=("date de la séance", "jour"), help=gettext_lazy("dd/mm/yyyy.")),
        Column("start", gettext_lazy("Start time"), read.time_value,
               aliases=("début", "heure de début", "heure"),
               help=gettext_lazy("Only when the action has two sessions that day.")),
        Column("last_name", gettext_lazy("Last name"), read.text(100), aliases=("nom",)),
        Column("first_name", gettext_lazy("First name"), read.text(100), aliases=("prénom",)),
        Column("email", gettext_lazy("Email"), read.email,
               aliases=("courriel", "e-mail", "mail", "adresse électronique", "adresse mail")),
        Column("organisation", gettext_lazy("Organisation"), read.text(200),
               aliases=("structure", "organisme", "employeur"),
               help=gettext_lazy(
                   "Linked when the directory has it (its name, loosely); else left aside."
               )),
        Column("department", gettext_lazy("Département"), read.department,
               aliases=("département code", "code du département", "dép"),
               allowed=read.departments_allowed,
               help=gettext_lazy("Its code or its name: 95, Val-d'Oise.")),
        Column("actor_type", gettext_lazy("Type of actor"), ACTOR_TYPE, allowed=ACTOR_TYPE.allowed,
               aliases=("profil", "catégorie", "public"),
               help=gettext_lazy("Empty: what the directory has, else other.")),
        Column("present", gettext_lazy("Present"), presence, allowed=read.yes_no_allowed,
               aliases=("présence", "présente", "émargement"),
               help=gettext_lazy("Yes or no, present or absent; empty: present.")),
        Column("count", gettext_lazy("Number of people"), read.integer(maximum=100_000),
               aliases=("effectif", "nombre de participants", "participants", "nb"),
               help=gettext_lazy(
                   "Only on a line without a name: how many people of this département and "
                   "type of actor came (a headcount; 0 removes it)."
               )),
    )  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lookups = EventLookups()
        self.named: dict[int, Named] = {}  # line: what a person's line does
        self.counted: dict[int, tuple[Headcount, int]] = {}  # line: (headcount, count)
        self.people_changed: list[Person] = []

    # Sessions -------------------------------------------------------------------------

    def _preset(self) -> Session | None:
        pk = self.options.get("session")
        return Session.objects.select_related("action").filter(pk=pk).first() if pk else None

    def _sessions(self, rows: list[Row]) -> dict[int, Session]:
        """The session of each line (by line number); lines naming none get an error."""
        preset = self._preset()
        by_id = Session.objects.select_related("action").in_bulk(
            {row.values["reference"] for row in rows if row.values["reference"]}
        )
        days = {row.values["date"] for row in rows if row.values["action"] and row.values["date"]}
        by_day: dict[tuple[str, object], list[Session]] = {}
        if days:
            for session in Session.objects.select_related("action").filter(
                starts_at__date__in=days
            ):
                day = timezone.localtime(session.starts_at).date()
                by_day.setdefault((loose_key(session.action.title), day), []).append(session)
        found: dict[int, Session] = {}
        for row in rows:
            session = self._session_of(row, by_id, by_day, preset)
            if session is not None:
                found[row.line] = session
        return found

    def _session_of(self, row: Row, by_id, by_day, preset) -> Session | None:
        values = row.values
        if values["reference"]:
            session = by_id.get(values["reference"])
            if session is None:
                row.error(
                    _("No session has the reference %(reference)s.")
                    % {"reference": SESSION_REFERENCE.format(values["reference"])}
                )
        elif values["action"] and values["date"]:
            session = self._session_named(row, by_day)
        elif values["action"] or values["date"]:
            row.error(_("Give both the action's title and the date of the session."))
            return None
        elif preset is not None:
            return preset
        else:
            row.error(
                _(
                    "Which session? Give its reference (« %(reference)s ») or the action's "
                    "title and the date."
                )
                % {"reference": self.column_label("reference")}
            )
            return None
        if session is not None and preset is not None and session != preset:
            row.error(_("This line is of another session than the one chosen for the import."))
            return None
        return session

    def _session_named(self, row: Row, by_day) -> Session | None:
        values = row.values
        sessions = by_day.get((loose_key(values["action"]), values["date"]), [])
        if values["start"] is not None:
            sessions = [
                s
                for s in sessions
                if timezone.localtime(s.starts_at).time().replace(second=0) == values["start"]
            ]
        if len(sessions) == 1:
            return sessions[0]
        if not sessions:
            where = {"action": values["action"], "date": f"{values['date']:%d/%m/%Y}"}
            if values["start"] is None:
                row.error(_("No session of « %(action)s » on %(date)s.") % where)
            else:
                where["time"] = format_time(values["start"])
                row.error(_("No session of « %(action)s » on %(date)s at %(time)s.") % where)
        else:
            row.error(
                _("« %(action)s » has several sessions on %(date)s: give the start time.")
                % {"action": values["action"], "date": f"{values['date']:%d/%m/%Y}"}
            )
        return None

    # Checking -------------------------------------------------------------------------

    def check(self, rows: list[Row]) -> None:
        sessions = self._sessions(rows)
        named, counted = [], []
        for row in rows:
            values = row.values
            has_name = values["last_name"] or values["first_name"] or values["email"]
            if values["count"] is not None and has_name:
                row.error(
                    _("A line is a person or a headcount: « %(count)s » goes without a name.")
                    % {"count": self.column_label("count")}
                )
            elif values["count"] is None and not (values["last_name"] and values["first_name"]):
                row.error(
                    _("« %(last)s » and « %(first)s » are required (or « %(count)s » alone).")
                    % {
                        "last": self.column_label("last_name"),
                        "first": self.column_label("first_name"),
                        "count": self.column_label("count"),
                    }
                )
            if row.valid and row.line in sessions:
                (named if values["count"] is None else counted).append(row)
        self._named_check(named, sessions)
        self._counted_check(counted, sessions)
        self.progress("checking", len(rows), len(rows))

    def _counted_check(self, rows: list[Row], sessions: dict[int, Session]) -> None:
        self.counted = {}
        session_ids = {sessions[row.line].pk for row in rows}
        existing = {
            (h.session_id, h.department_id, h.actor_type): h
            for h in Headcount.objects.select_related("session__action", "department").filter(
                session_id__in=session_ids
            )
        }
        first_line: dict[tuple, int] = {}
        for row in rows:
            session, values = sessions[row.line], row.values
            department = values["department"]
            group = (session.pk, department.pk if department else None, values["actor_type"])
            group = (*group[:2], group[2] or ActorType.OTHER)
            if group in first_line:
                row.error(
                    _("Duplicate in the file: the same record as line %(line)s.")
                    % {"line": first_line[group]}
                )
                continue
            first_line[group] = row.line
            headcount = existing.get(group) or Headcount(
                session=session, department=department, actor_type=group[2], count=0
            )
            count = values["count"]
            if headcount.pk is None:
                row.change = CREATE if count else UNCHANGED
            else:
                row.change = UPDATE if headcount.count != count else UNCHANGED
            row.label = _("%(session)s · headcount: %(count)s") % {
                "session": session.reference,
                "count": count,
            }
            self.counted[row.line] = (headcount, count)

    def _named_check(self, rows: list[Row], sessions: dict[int, Session]) -> None:
        people, self.people_changed = PeopleFinder(self.lookups.organisations).find(rows)
        self.named = {}
        pairs = {(sessions[row.line].pk, id(people[row.line])) for row in rows}
        known = self._attendance_known(pairs, people)
        seen: dict[tuple[int, int], int] = {}
        for row in rows:
            session, person = sessions[row.line], people[row.line]
            pair = (session.pk, id(person))
            if pair in seen:
                row.error(
                    _("Duplicate in the file: the same record as line %(line)s.")
                    % {"line": seen[pair]}
                )
                continue
            seen[pair] = row.line
            present = row.values["present"] is not False
            line = Named(session=session, person=person, present=present)
            current = known.get((session.pk, person.pk)) if person.pk else None
            if current is not None:
                line.attendance_change = UNCHANGED if current == present else UPDATE
            self.named[row.line] = line
            person_changed = person.pk is not None and getattr(person, "_changed", False)
            row.change = (
                UPDATE
                if line.attendance_change == UNCHANGED and person_changed
                else line.attendance_change
            )
            row.record = person if person.pk else None
            name = f"{row.values['first_name']} {row.values['last_name']}"
            row.label = f"{session.reference} · {name}" + (
                "" if person.pk else " " + _("(new in the directory)")
            )

    def _attendance_known(self, pairs, people) -> dict[tuple[int, int], bool]:
        """Presence already recorded for the file's known people in its sessions."""
        person_ids = sorted({p.pk for p in people.values() if p.pk})
        session_ids = {session_id for session_id, _person in pairs}
        known: dict[tuple[int, int], bool] = {}
        for start in range(0, len(person_ids), CHUNK):
            for session_id, person_id, present in Attendance.objects.filter(
                session_id__in=session_ids, person_id__in=person_ids[start : start + CHUNK]
            ).values_list("session_id", "person_id", "present"):
                known[(session_id, person_id)] = present
        return known

    # Saving ---------------------------------------------------------------------------

    def save(self, rows: list[Row]) -> None:
        now = timezone.now()
        lines = [self.named[row.line] for row in rows if row.line in self.named]
        new_people = list({id(n.person): n.person for n in lines if n.person.pk is None}.values())
        total, done = len(new_people) + len(lines), 0
        for start in range(0, len(new_people), BATCH):
            Person.objects.bulk_create(new_people[start : start + BATCH])
            done += len(new_people[start : start + BATCH])
            self.progress("saving", done, total)
        for person in self.people_changed:
            person.updated_at = now
        Person.objects.bulk_update(self.people_changed, PERSON_FIELDS, batch_size=BATCH)
        written = [n for n in lines if n.attendance_change != UNCHANGED]
        registered = self._registered(written)
        checked_by = actor_or_none(self.actor)
        for start in range(0, len(written), BATCH):
            Attendance.objects.bulk_create(
                [
                    Attendance(
                        session=n.session,
                        person=n.person,
                        present=n.present,
                        is_walk_in=(n.session.pk, n.person.pk) not in registered,
                        checked_at=now,
                        checked_by=checked_by,
                    )
                    for n in written[start : start + BATCH]
                ],
                update_conflicts=True,
                unique_fields=["session", "person"],
                update_fields=["present", "checked_at", "checked_by"],
            )
            done += len(written[start : start + BATCH])
            self.progress("saving", done, total)
        self._audit(written, {id(p) for p in new_people})
        self._headcounts_save([self.counted[row.line] for row in rows if row.line in self.counted])

    def _registered(self, lines: list[Named]) -> set[tuple[int, int]]:
        """(session, person) of the lines' people registered for their session: not walk-ins."""
        person_ids = sorted({n.person.pk for n in lines})
        session_ids = {n.session.pk for n in lines}
        registered: set[tuple[int, int]] = set()
        for start in range(0, len(person_ids), CHUNK):
            registered.update(
                Registration.objects.filter(
                    session_id__in=session_ids, person_id__in=person_ids[start : start + CHUNK]
                )
                .exclude(status=RegistrationStatus.CANCELLED)
                .values_list("session_id", "person_id")
            )
        return registered

    def _audit(self, lines: list[Named], new_people: set[int]) -> None:
        """One entry per session, as the per-session import wrote it."""
        counts: dict[int, Counter] = {}
        sessions: dict[int, Session] = {}
        for n in lines:
            sessions[n.session.pk] = n.session
            counter = counts.setdefault(n.session.pk, Counter())
            counter[n.attendance_change] += 1
            counter["new_people"] += id(n.person) in new_people
        audit_log_many(
            actor=self.actor,
            action="attendance.imported",
            entries=[
                (
                    sessions[pk],
                    {
                        "created": counter[CREATE],
                        "updated": counter[UPDATE],
                        "new_people": counter["new_people"],
                    },
                )
                for pk, counter in counts.items()
            ],
        )

    def _headcounts_save(self, groups: list[tuple[Headcount, int]]) -> None:
        """Set each group's count (0 removes it), audited as headcount_record does."""
        created, updated, removed, audited = [], [], [], []
        for headcount, count in groups:
            if headcount.count == count:
                continue
            audited.append(
                (
                    headcount.session,
                    {
                        "department": headcount.department.code if headcount.department else None,
                        "actor_type": headcount.actor_type,
                        "from": headcount.count,
                        "to": count,
                    },
                )
            )
            if count == 0:
                removed.append(headcount.pk)
            elif headcount.pk is None:
                headcount.count = count
                created.append(headcount)
            else:
                headcount.count = count
                updated.append(headcount)
        Headcount.objects.bulk_create(created)
        Headcount.objects.bulk_update(updated, ["count"])
        Headcount.objects.filter(pk__in=removed).delete()
        audit_log_many(actor=self.actor, action="session.headcount", entries=audited)
