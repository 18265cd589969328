"""Registration with capacity, a first-come waiting list, cancellation and promotion.

Every write locks the session row (SELECT … FOR UPDATE) first, so the count of
confirmed seats and the decision made from it cannot interleave with another
registration or cancellation of the same session.
"""

from __future__ import annotations

import uuid

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import (
    Action,
    Registration,
    RegistrationMode,
    RegistrationSource,
    RegistrationStatus,
    Session,
)
from members.models import Person
from portal.core.services import audit_log

CANCEL_SALT = "events.registration.cancel"
CYCLE_CANCEL_SALT = "events.registration.cancel.cycle"


def _notify(message: str, registration: Registration) -> None:
    """Record the message in this transaction (events.emails): sent after commit."""
    from events import emails

    getattr(emails, message)(registration_id=registration.pk)


def _locked_session(session: Session) -> Session:
    """The session row locked (only it: not its action's or commune's), with what its
    messages show."""
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("action", "commune")
        .get(pk=session.pk)
    )


def _refuse_if_closed(session: Session) -> None:
    now = timezone.now()
    if session.is_cancelled:
        raise ValidationError(_("This session is cancelled."), code="cancelled")
    if session.starts_at <= now:
        raise ValidationError(_("This session has already taken place."), code="past")
    if session.mode == RegistrationMode.CLOSED:
        raise ValidationError(_("Registration is closed for this session."), code="closed")
    if session.registration_opens_at and now < session.registration_opens_at:
        raise ValidationError(_("Registration for this session is not open yet."), code="not_open")
    if session.registration_closes_at and now >= session.registration_closes_at:
        raise ValidationError(_("Registration for this session is closed."), code="closed")


def _new_status(session: Session, *, taken: int) -> RegistrationStatus:
    """The status of a new registration when `taken` seats are confirmed already."""
    if session.mode == RegistrationMode.ON_REQUEST:
        return RegistrationStatus.REQUESTED
    if session.capacity is None or taken < session.capacity:
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.WAITLISTED


def _register(
    session: Session, person: Person, source: str, cycle_key: uuid.UUID | None
) -> Registration:
    """Inside the session lock: refuse twice, then confirm or waitlist (no message yet).
    One query reads whether the person is registered already, the seats taken and the
    people waiting: a registration put on the waiting list knows its `position` (last)."""
    seen = session.registrations.aggregate(
        mine=Count("pk", filter=Q(person=person) & ~Q(status=RegistrationStatus.CANCELLED)),
        taken=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
    )
    if seen["mine"]:
        raise ValidationError(
            _("%(person)s is already registered for this session.") % {"person": person},
            code="duplicate",
        )
    registration = Registration.objects.create(
        session=session,
        person=person,
        status=_new_status(session, taken=seen["taken"]),
        source=source,
        cycle_key=cycle_key,
    )
    if registration.status == RegistrationStatus.WAITLISTED:
        registration.position = seen["waiting"] + 1
    return registration


@transaction.atomic
def registration_create(
    *, session: Session, person: Person, source: str = RegistrationSource.WEB
) -> Registration:
    """Register a person for one session: confirmed while seats remain, else waitlisted."""
    session = _locked_session(session)
    _refuse_if_closed(session)
    registration = _register(session, person, source, cycle_key=None)
    from events.emails import registration_confirmation_record  # events.emails imports us

    registration_confirmation_record(registration=registration)
    return registration


@transaction.atomic
def registration_create_for_cycle(
    *, action: Action, person: Person, source: str = RegistrationSource.WEB
) -> list[Registration]:
    """Register for every upcoming open session of the action at once, or for none.

    One message after commit tells the person about every session of the cycle (confirmed
    or waitlisted), with one link cancelling them all.
    """
    sessions = list(
        Session.objects.select_for_update()
        .filter(action=action, is_cancelled=False, starts_at__gt=timezone.now())
        .order_by("pk")  # always lock in the same order: no deadlock between two cycles
    )
    open_sessions = [s for s in sessions if s.registration_is_open()]
    if not open_sessions:
        raise ValidationError(_("No session of this action is open for registration."))
    cycle_key = uuid.uuid4()
    registrations = [_register(session, person, source, cycle_key) for session in open_sessions]
    _notify("registration_cycle_confirmation_send", registrations[0])
    return registrations


def _promote_waitlisted(session: Session) -> list[Registration]:
    """Confirm the first waitlisted people while seats are free (session lock held)."""
    if session.capacity is None:
        free = session.registrations.waitlist().count()
    else:
        free = session.capacity - session.registrations.confirmed().count()
    promoted = list(session.registrations.waitlist()[: max(free, 0)])
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.save(update_fields=["status"])
        _notify("registration_promotion_send", registration)
    return promoted


@transaction.atomic
def registration_cancel(*, registration: Registration, actor=None) -> list[Registration]:
    """Cancel a registration; a freed seat goes to the first person waiting.

    Returns the registrations promoted from the waiting list (emailed after commit).
    Cancelling twice changes nothing.
    """
    session = _locked_session(registration.session)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    audit_log(actor=actor, obj=registration, action="registration.cancelled")
    return _promote_waitlisted(session) if not session.is_past else []


@transaction.atomic
def registration_confirm(*, registration: Registration, actor) -> Registration:
    """Staff accept a request (on-request sessions) or take someone off the waiting list."""
    session = _locked_session(registration.session)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == RegistrationStatus.CONFIRMED:
        return registration
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(_("This registration is cancelled."), code="cancelled")
    taken = session.registrations.confirmed().count()
    if session.capacity is not None and taken >= session.capacity:
        raise ValidationError(
            _("The session is full (%(capacity)s seats): raise its capacity first.")
            % {"capacity": session.capacity},
            code="full",
        )
    registration.status = RegistrationStatus.CONFIRMED
    registration.save(update_fields=["status"])
    audit_log(actor=actor, obj=registration, action="registration.confirmed")
    _notify("registration_promotion_send", registration)
    return registration


@transaction.atomic
def session_capacity_change(*, session: Session, capacity: int | None, actor) -> list[Registration]:
    """Change the number of seats; never below the people already confirmed.

    Raising the capacity promotes the waiting list; returns who was promoted.
    """
    session = _locked_session(session)
    confirmed = session.registrations.confirmed().count()
    if capacity is not None and capacity < confirmed:
        raise ValidationError(
            {
                "capacity": _(
                    "%(confirmed)s people are already confirmed: the capacity cannot be lower. "
                    "Cancel registrations first."
                )
                % {"confirmed": confirmed}
            },
            code="below_confirmed",
        )
    previous = session.capacity
    session.capacity = capacity
    session.save(update_fields=["capacity"])
    audit_log(
        actor=actor,
        obj=session,
        action="session.capacity",
        changes={"from": previous, "to": capacity},
    )
    return _promote_waitlisted(session)


def registration_cancel_token(registration: Registration) -> str:
    """The signed token of the self-cancellation link sent to the registered person."""
    return signing.dumps(registration.pk, salt=CANCEL_SALT, compress=True)


def registration_cycle_cancel_token(registration: Registration) -> str:
    """The signed token of the link cancelling every session of a cycle registration."""
    return signing.dumps(registration.pk, salt=CYCLE_CANCEL_SALT, compress=True)


def registration_from_cancel_token(token: str, *, cycle: bool = False) -> Registration:
    """The registration a token was made for; ValidationError if tampered or unknown."""
    try:
        pk = signing.loads(token, salt=CYCLE_CANCEL_SALT if cycle else CANCEL_SALT)
        return Registration.objects.select_related("session__action", "person").get(pk=pk)
    except (signing.BadSignature, Registration.DoesNotExist, TypeError, ValueError):
        raise ValidationError(
            _("This cancellation link is not valid. Use the link of your confirmation email."),
            code="bad_token",
        ) from None
