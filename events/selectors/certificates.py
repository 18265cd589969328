"""What an attendance certificate (« attestation de présence ») says.

One person, one action, the sessions of that action the person was present at (cancelled
sessions never count), with their dates, hours and half-days, and the totals. The PDF, the
zip of an action, the mail and the member space all read it here, so that they all say
the same; a person with no presence at the action has no certificate (None).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Min, Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from events.forms import session_when
from events.models import Action, Attendance
from events.selectors.figures import format_label, half_days_expression
from portal.core.formats import format_duration
from portal.core.text import fold


@dataclass(frozen=True)
class CertificateSession:
    session_id: int
    title: str
    starts_at: datetime  # local time
    ends_at: datetime
    when: str  # as events.forms.session_when() puts it
    half_days: int

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def duration_label(self) -> str:
        return format_duration(self.duration)


@dataclass(frozen=True)
class Certificate:
    action_id: int
    action_title: str
    action_slug: str
    action_format: str  # the format's label
    person_id: int
    first_name: str
    last_name: str
    organisation: str
    email: str
    sessions: tuple[CertificateSession, ...]  # in date order

    @property
    def person_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}".strip()

    @property
    def half_days(self) -> int:
        return sum(session.half_days for session in self.sessions)

    @property
    def duration(self) -> timedelta:
        return sum((session.duration for session in self.sessions), timedelta())

    @property
    def duration_label(self) -> str:
        return format_duration(self.duration)

    @property
    def title(self) -> str:
        """The document's title (PDF metadata, mail subject)."""
        return _("Attendance certificate – %(name)s – %(action)s") % {  # noqa: RUF001
            "name": self.person_name,
            "action": self.action_title,
        }

    @property
    def file_name(self) -> str:
        name = slugify(f"{self.last_name} {self.first_name}")[:40] or str(self.person_id)
        return f"attestation-{self.action_slug[:60]}-{name}.pdf"


def _sort_key(certificate: Certificate) -> tuple:
    return (
        fold(certificate.last_name),
        fold(certificate.first_name),
        certificate.person_id,
    )


def _present(action_id: int):
    return Attendance.objects.filter(
        session__action_id=action_id, present=True, session__is_cancelled=False
    )


def action_certificates(*, action_id: int, person_id: int | None = None) -> tuple[Certificate, ...]:
    """The certificate of everyone present at a session of the action (or of one person),
    by last name; one query whatever the number of people."""
    attendances = _present(action_id)
    if person_id is not None:
        attendances = attendances.filter(person_id=person_id)
    attendances = attendances.select_related("session__action", "person__organisation").order_by(
        "session__starts_at", "session_id"
    )
    sessions: dict[int, list[CertificateSession]] = defaultdict(list)
    people = {}
    action: Action | None = None
    for attendance in attendances:
        session = attendance.session
        action = session.action
        people[attendance.person_id] = attendance.person
        sessions[attendance.person_id].append(
            CertificateSession(
                session_id=session.pk,
                title=session.title,
                starts_at=timezone.localtime(session.starts_at),
                ends_at=timezone.localtime(session.ends_at),
                when=session_when(session),
                half_days=session.half_days,
            )
        )
    if action is None:
        return ()
    certificates = [
        Certificate(
            action_id=action.pk,
            action_title=action.title,
            action_slug=action.slug,
            action_format=format_label(action.format),
            person_id=person.pk,
            first_name=person.first_name,
            last_name=person.last_name,
            organisation=person.organisation.name if person.organisation_id else "",
            email=person.email,
            sessions=tuple(sessions[person.pk]),
        )
        for person in people.values()
    ]
    return tuple(sorted(certificates, key=_sort_key))


def certificate_get(*, action_id: int, person_id: int) -> Certificate | None:
    """One person's certificate for an action; None if they were present at no session."""
    found = action_certificates(action_id=action_id, person_id=person_id)
    return found[0] if found else None


@dataclass(frozen=True)
class AttendedAction:
    """An action a person was present at: one certificate link in their member space."""

    action_id: int
    title: str
    first_day: date
    last_day: date
    sessions: int
    half_days: int


def person_attended_actions(*, person_id: int) -> tuple[AttendedAction, ...]:
    """The actions the person was present at (cancelled sessions apart), latest first;
    one query."""
    rows = (
        Attendance.objects.filter(person_id=person_id, present=True, session__is_cancelled=False)
        .values("session__action_id", "session__action__title")
        .annotate(
            first=Min("session__starts_at"),
            last=Max("session__starts_at"),
            sessions=Count("session_id", distinct=True),
            half_days=Sum(half_days_expression("session__")),
        )
        .order_by("-last", "-session__action_id")
    )
    return tuple(
        AttendedAction(
            action_id=row["session__action_id"],
            title=row["session__action__title"],
            first_day=timezone.localdate(row["first"]),
            last_day=timezone.localdate(row["last"]),
            sessions=row["sessions"],
            half_days=row["half_days"] or 0,
        )
        for row in rows
    )
