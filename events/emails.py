"""The messages of a registration: confirmation, waiting list, request, promotion, reminder;
one message for the registration to a whole cycle.

Called by events.services.registrations inside the registration's transaction; each
reads the registration and records the message its status calls for (portal.core.mail
sends it after commit, with retries). People without an email address are skipped.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from events.forms import session_when
from events.ical import calendar_build, session_calendar, session_location
from events.models import Registration, RegistrationStatus
from events.selectors.agenda import (
    cycle_registrations,
    registration_for_email,
    registration_waitlist_position,
)
from events.services.registrations import (
    registration_cancel_token,
    registration_cycle_cancel_token,
)
from portal.core.mail import email_build, mail_queue
from portal.core.models import SiteSettings

logger = logging.getLogger(__name__)

TEMPLATES = {
    RegistrationStatus.CONFIRMED: "events/emails/confirmation",
    RegistrationStatus.WAITLISTED: "events/emails/waitlisted",
    RegistrationStatus.REQUESTED: "events/emails/requested",
}


def registration_cancel_url(registration: Registration) -> str:
    token = registration_cancel_token(registration)
    return settings.SITE_URL + reverse("events:registration_cancel", args=[token])


def registration_cycle_cancel_url(registration: Registration) -> str:
    token = registration_cycle_cancel_token(registration)
    return settings.SITE_URL + reverse("events:cycle_cancel", args=[token])


def _context(registration: Registration) -> dict:
    session = registration.session
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    return {
        "registration": registration,
        "person": registration.person,
        "session": session,
        "action": session.action,
        "when": session_when(session),
        "place": session_location(session),
        "online_url": session.online_url if confirmed and session.is_online else "",
        "action_url": settings.SITE_URL + session.action.get_absolute_url(),
        "cancel_url": registration_cancel_url(registration),
        "position": _position(registration),
    }


def _position(registration: Registration) -> int | None:
    """Its place on the waiting list: counted under the session lock when it was just put
    there (events.services.registrations), else read."""
    known = getattr(registration, "position", None)
    return known if known is not None else registration_waitlist_position(registration)


def _message_build(*, template: str, registration: Registration) -> EmailMultiAlternatives:
    site = SiteSettings.load()
    message = email_build(
        template=template,
        context={"site": site, **_context(registration)},
        to=[registration.person.email],
        reply_to=[site.email] if site.email else None,
    )
    if registration.status == RegistrationStatus.CONFIRMED:
        session = registration.session
        message.attach(
            f"{session.action.slug}.ics",
            session_calendar(session, online_url=True).decode(),
            "text/calendar",
        )
    return message


def _has_email(registration: Registration) -> bool:
    if not registration.person.email:
        logger.info("%s has no email address: no message.", registration.person)
        return False
    return True


def _registration(registration_id: int) -> Registration | None:
    registration = registration_for_email(registration_id=registration_id)
    if registration is None:
        logger.info("Registration %s no longer exists: no message.", registration_id)
        return None
    return registration if _has_email(registration) else None


def registration_confirmation_send(*, registration_id: int) -> bool:
    """Confirmed (with the .ics), waiting list (with the position) or request received.

    Returns whether a message was recorded (not for a cancelled registration).
    """
    registration = _registration(registration_id)
    return registration is not None and registration_confirmation_record(registration=registration)


def registration_confirmation_record(*, registration: Registration) -> bool:
    """registration_confirmation_send() for a registration just saved, its session (with
    the action and commune) and person at hand: it is not read back."""
    if registration.status not in TEMPLATES or not _has_email(registration):
        return False
    mail_queue(_message_build(template=TEMPLATES[registration.status], registration=registration))
    return True


def registration_cycle_confirmation_send(*, registration_id: int) -> bool:
    """One message for every session of a cycle registration: each session with its status
    (confirmed, waiting list and position, or awaiting confirmation), one link cancelling
    the whole cycle, and one .ics holding every confirmed session.

    Returns whether a message was recorded (not when every registration is cancelled already).
    """
    registration = _registration(registration_id)
    if registration is None:
        return False
    registrations = [registration, *cycle_registrations(registration=registration)]
    registrations = [r for r in registrations if r.status in TEMPLATES]
    if not registrations:
        return False
    registrations.sort(key=lambda r: (r.session.starts_at, r.pk))
    for item in registrations:
        item.when = session_when(item.session)
        item.place = session_location(item.session)
        item.position = registration_waitlist_position(item)
        confirmed = item.status == RegistrationStatus.CONFIRMED
        item.online_url = item.session.online_url if confirmed and item.session.is_online else ""
    statuses = {item.status for item in registrations}
    action = registration.session.action
    site = SiteSettings.load()
    message = email_build(
        template="events/emails/cycle_confirmation",
        context={
            "site": site,
            "person": registration.person,
            "action": action,
            "registrations": registrations,
            "action_url": settings.SITE_URL + action.get_absolute_url(),
            "cancel_url": registration_cycle_cancel_url(registration),
            "any_confirmed": RegistrationStatus.CONFIRMED in statuses,
            "any_waitlisted": RegistrationStatus.WAITLISTED in statuses,
            "any_requested": RegistrationStatus.REQUESTED in statuses,
        },
        to=[registration.person.email],
        reply_to=[site.email] if site.email else None,
    )
    confirmed = [r.session for r in registrations if r.status == RegistrationStatus.CONFIRMED]
    if confirmed:
        calendar = calendar_build(
            sessions=confirmed, name=action.title, online_url=True, method="PUBLISH"
        )
        message.attach(f"{action.slug}.ics", calendar.decode(), "text/calendar")
    mail_queue(message)
    return True


def registration_promotion_send(*, registration_id: int) -> bool:
    """A seat is free: the person waiting (or who asked) is confirmed; with the .ics."""
    registration = _registration(registration_id)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return False
    mail_queue(_message_build(template="events/emails/promotion", registration=registration))
    return True


def registration_reminder_build(*, registration: Registration) -> EmailMultiAlternatives:
    """The reminder sent two days before a session to a confirmed person (see reminders)."""
    return _message_build(template="events/emails/reminder", registration=registration)
