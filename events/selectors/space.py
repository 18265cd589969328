"""One organisation's participation, for its member space (counting as statistics.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear

from events.models import Attendance, Session
from events.selectors.figures import (
    counted_sessions_q,
    format_label,
    half_days_expression,
)


@dataclass(frozen=True)
class OrganisationYear:
    """What the people of one organisation attended in a year."""

    year: int
    sessions: int
    people: int
    participations: int
    half_days: int


@dataclass(frozen=True)
class OrganisationSession:
    session_id: int
    starts_at: datetime
    title: str
    action_title: str
    format_label: str
    venue: str
    commune: str
    is_online: bool
    half_days: int
    people: int


def _organisation_attendances(organisation_id: int):
    return Attendance.objects.filter(
        counted_sessions_q(prefix="session__"),
        present=True,
        person__organisation_id=organisation_id,
    )


def organisation_participation(*, organisation_id: int) -> tuple[OrganisationYear, ...]:
    """Year by year (latest first), what the organisation's people attended; 2 queries."""
    attended = {
        row["year"]: row
        for row in _organisation_attendances(organisation_id)
        .values(year=ExtractYear("session__starts_at"))
        .annotate(
            participations=Count("pk"),
            people=Count("person_id", distinct=True),
            sessions=Count("session_id", distinct=True),
        )
        .order_by()
    }
    half_days = dict(
        Session.objects.filter(
            counted_sessions_q(),
            Exists(
                Attendance.objects.filter(
                    session=OuterRef("pk"), present=True, person__organisation_id=organisation_id
                )
            ),
        )
        .values(year=ExtractYear("starts_at"))
        .annotate(total=Sum(half_days_expression()))
        .order_by()
        .values_list("year", "total")
    )
    return tuple(
        OrganisationYear(
            year=year,
            sessions=row["sessions"],
            people=row["people"],
            participations=row["participations"],
            half_days=half_days.get(year) or 0,
        )
        for year, row in sorted(attended.items(), reverse=True)
    )


def organisation_sessions(*, organisation_id: int, year: int) -> tuple[OrganisationSession, ...]:
    """The sessions of a year attended by the organisation's people, latest first; 1 query."""
    rows = (
        Session.objects.filter(counted_sessions_q(year=year))
        .annotate(
            people=Count(
                "attendances",
                filter=Q(
                    attendances__present=True,
                    attendances__person__organisation_id=organisation_id,
                ),
            ),
            half_days_value=half_days_expression(),
        )
        .filter(people__gt=0)
        .select_related("action", "commune")
        .order_by("-starts_at", "-pk")
    )
    return tuple(
        OrganisationSession(
            session_id=session.pk,
            starts_at=session.starts_at,
            title=session.title,
            action_title=session.action.title,
            format_label=format_label(session.action.format),
            venue=session.venue,
            commune=session.commune.name if session.commune_id else "",
            is_online=session.is_online,
            half_days=session.half_days_value,
            people=session.people,
        )
        for session in rows
    )
