"""Who came to a session: presence ticked at check-in, walk-ins, spreadsheet imports,
and headcounts of the sessions where only numbers are known.

An attendance is one row per (session, person), unique. Presence is set, not flipped
blindly: the check-in page sends the state it wants, so a double tap or a form sent
twice gives the same result.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Attendance, Headcount, Session
from members.models import ActorType, Organisation, Person
from members.services.directory import person_match_or_create
from portal.core.models import Department
from portal.core.services import audit_log


def user_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _listed(session: Session, person: Person) -> bool:
    """On the session's list: registered (not cancelled) or already attending."""
    return (
        session.registrations.active().filter(person=person).exists()
        or session.attendances.filter(person=person).exists()
    )


@transaction.atomic
def attendance_toggle(
    *, session: Session, person: Person, actor, present: bool | None = None
) -> Attendance:
    """Mark a listed person present or absent (`present`), or flip their presence (None)."""
    if not _listed(session, person):
        raise ValidationError(
            _("%(person)s is not on the list of this session.") % {"person": person},
            code="not_listed",
        )
    attendance, _created = Attendance.objects.select_for_update().get_or_create(
        session=session, person=person
    )
    attendance.present = (not attendance.present) if present is None else present
    attendance.checked_at = timezone.now()
    attendance.checked_by = user_or_none(actor)
    attendance.save(update_fields=["present", "checked_at", "checked_by"])
    return attendance


def _organisation_named(name: str) -> Organisation | None:
    name = name.strip()
    if not name:
        return None
    return Organisation.objects.filter(name__iexact=name).order_by("pk").first()


def person_on_list_named(session: Session, first_name: str, last_name: str) -> Person | None:
    """Someone without email and of this name, registered for or attending the session."""
    return (
        Person.objects.filter(
            Q(registrations__session=session) | Q(attendances__session=session),
            email="",
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
        )
        .order_by("pk")
        .first()
    )


def _person_without_email(
    *,
    session: Session,
    first_name: str,
    last_name: str,
    organisation_name: str,
    actor_type: str,
    department: Department | None,
) -> Person:
    """The same name already on this session's list (no email), or a new person."""
    existing = person_on_list_named(session, first_name, last_name)
    if existing is not None:
        return existing
    person = Person(
        email="",
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        actor_type=actor_type or ActorType.OTHER,
        department=department,
        organisation=_organisation_named(organisation_name),
        consent_processing_at=timezone.now(),
    )
    person.full_clean(validate_constraints=False)
    person.save()
    return person


def person_for_attendance(
    *,
    session: Session,
    first_name: str,
    last_name: str,
    email: str = "",
    organisation_name: str = "",
    actor_type: str = ActorType.OTHER,
    department: Department | None = None,
) -> Person:
    if email.strip():
        return person_match_or_create(
            email=email,
            first_name=first_name,
            last_name=last_name,
            organisation_name=organisation_name,
            actor_type=actor_type,
            department=department,
        )
    return _person_without_email(
        session=session,
        first_name=first_name,
        last_name=last_name,
        organisation_name=organisation_name,
        actor_type=actor_type,
        department=department,
    )


@transaction.atomic
def attendance_add_walk_in(
    *,
    session: Session,
    first_name: str,
    last_name: str,
    email: str = "",
    organisation_name: str = "",
    actor_type: str = ActorType.OTHER,
    department: Department | None = None,
    actor,
) -> Attendance:
    """Record someone who came without registering, present at once.

    Found by email (or, without one, by name among this session's people) so that
    adding the same person twice keeps one row; a registered person stays registered.
    """
    if session.is_cancelled:
        raise ValidationError(_("This session is cancelled."), code="cancelled")
    person = person_for_attendance(
        session=session,
        first_name=first_name,
        last_name=last_name,
        email=email,
        organisation_name=organisation_name,
        actor_type=actor_type,
        department=department,
    )
    registered = session.registrations.active().filter(person=person).exists()
    attendance, _created = Attendance.objects.select_for_update().get_or_create(
        session=session, person=person, defaults={"is_walk_in": not registered}
    )
    attendance.present = True
    attendance.checked_at = timezone.now()
    attendance.checked_by = user_or_none(actor)
    attendance.save(update_fields=["present", "checked_at", "checked_by"])
    return attendance


# Headcounts ----------------------------------------------------------------------------


@transaction.atomic
def headcount_record(
    *,
    session: Session,
    department: Department | None,
    actor_type: str,
    count: int,
    actor,
) -> Headcount | None:
    """Set how many people of a group (a département and a type of actor) came; 0 removes it."""
    if count < 0:
        raise ValidationError({"count": _("A number of participants cannot be negative.")})
    session = Session.objects.select_for_update().get(pk=session.pk)
    existing = Headcount.objects.filter(
        session=session, department=department, actor_type=actor_type
    ).first()
    previous = existing.count if existing else 0
    if count == 0:
        if existing:
            existing.delete()
        headcount = None
    elif existing:
        existing.count = count
        existing.save(update_fields=["count"])
        headcount = existing
    else:
        headcount = Headcount(
            session=session, department=department, actor_type=actor_type, count=count
        )
        headcount.full_clean()
        headcount.save()
    if previous != count:
        audit_log(
            actor=actor,
            obj=session,
            action="session.headcount",
            changes={
                "department": department.code if department else None,
                "actor_type": actor_type,
                "from": previous,
                "to": count,
            },
        )
    return headcount
