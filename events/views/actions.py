"""An action page: its sessions and the registration form; the thank-you page."""

from __future__ import annotations

import logging
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from events.forms import RegistrationForm, session_when
from events.models import Action, Registration, RegistrationStatus
from events.selectors.agenda import (
    action_for_page,
    person_registrations_for_action,
    public_action,
    registration_waitlist_position,
    registrations_for_done_page,
)
from events.services.registrations import registration_create, registration_create_for_cycle
from events.views.common import sessions_present
from events.views.schema_org import action_events_json
from members.selectors.memberships import person_for_user
from members.services.directory import person_match_or_create
from portal.core.consent import consent_record_for_form
from portal.core.http import thanks_recall, thanks_remember
from portal.core.models import ConsentPurpose, SiteSettings

logger = logging.getLogger(__name__)

# The cookie keeping the registrations just made, for the thank-you page.
DONE_COOKIE = "events_registrations"


def _refusal(error: ValidationError, *, cycle: bool) -> str:
    """A polite French sentence for each reason the service refuses a registration."""
    code = getattr(error, "code", None)
    if code == "duplicate":
        if cycle:
            return _(
                "You are already registered for a session of this action: your confirmation "
                "email has the details and a link to cancel. To change your registration, "
                "cancel it first."
            )
        return _(
            "You are already registered for this session: your confirmation email has the "
            "details and a link to cancel."
        )
    messages = {
        "closed": _("Registration for this session is closed. Choose another session if any."),
        "not_open": _("Registration for this session is not open yet. Please come back later."),
        "past": _("This session has already taken place: registration is closed."),
        "cancelled": _("This session is cancelled: registration is closed."),
    }
    if code in messages:
        return messages[code]
    if cycle:
        return _("No session of this action is open for registration.")
    return " ".join(error.messages)


def _initial(user, person) -> dict:
    """Prefill the form of a signed-in member from their record, or from their account."""
    if person is not None:
        return {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email or user.email,
            "organisation_name": person.organisation.name if person.organisation_id else "",
            "job_title": person.job_title,
            "actor_type": person.actor_type,
            "department": person.department.code if person.department_id else None,
        }
    if user.is_authenticated:
        return {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
    return {}


def _register(form: RegistrationForm, action: Action, request) -> tuple[list[Registration], str]:
    """Record the person with their consent, and the registration(s); a refusal message
    instead when refused."""
    session = form.chosen_session()
    try:
        with transaction.atomic():
            person = person_match_or_create(**form.person_data(), user=request.user)
            consent_record_for_form(
                request=request,
                form=form,
                purpose=ConsentPurpose.EVENT_REGISTRATION,
                email=person.email,
                person=person,
            )
    except ValidationError:
        logger.info("Registration form accepted but the person was refused.", exc_info=True)
        return [], _("Your details could not be recorded. Please check them and try again.")
    try:
        if session is None:
            registrations = registration_create_for_cycle(action=action, person=person)
        else:
            registrations = [registration_create(session=session, person=person)]
    except ValidationError as error:
        return [], _refusal(error, cycle=session is None)
    return registrations, ""


@require_http_methods(["GET", "POST"])
def action_detail(request, slug: str):
    action = action_for_page(slug=slug)
    if action is None:
        raise Http404
    sessions = action.session_list
    sessions_present(sessions)
    open_sessions = [session for session in sessions if session.registration_is_open()]
    person = person_for_user(request.user)
    form = RegistrationForm(
        request.POST or None,
        sessions=sessions,
        open_sessions=open_sessions,
        initial=_initial(request.user, person),
    )
    refusal = ""
    if request.method == "POST":
        if form.is_spam:
            logger.info("Registration honeypot filled: nothing recorded.")
            return redirect("events:registration_done", slug=action.slug)
        if form.is_valid():
            registrations, refusal = _register(form, action, request)
            if registrations:
                response = redirect("events:registration_done", slug=action.slug)
                thanks_remember(response, name=DONE_COOKIE, value=[r.pk for r in registrations])
                return response
    mine = person_registrations_for_action(person=person, action=action)
    for session in sessions:
        session.my_registration = mine.get(session.pk)
    context = {
        # What the sessions' list shows of the visitor: part of the key it is kept under.
        "mine_key": sorted((pk, registration.status) for pk, registration in mine.items()),
        "action": action,
        "sessions": sessions,
        "open_sessions": open_sessions,
        "form": form,
        "refusal": refusal,
        # Called by the template only when its part is not kept (fragments cache).
        "event_json": partial(
            action_events_json, action=action, sessions=sessions, organiser=SiteSettings.load().name
        ),
        "open_key": [session.pk for session in open_sessions],
    }
    return render(request, "events/action_detail.html", context)


@require_GET
@never_cache
def registration_done(request, slug: str):
    """What was recorded: confirmed, on the waiting list (and where), or awaiting confirmation."""
    action = public_action(slug=slug)
    if action is None:
        raise Http404
    kept = thanks_recall(request, name=DONE_COOKIE)
    ids = [pk for pk in kept if isinstance(pk, int)] if isinstance(kept, list) else []
    registrations = registrations_for_done_page(ids=ids, action=action) if ids else []
    for registration in registrations:
        registration.session.when = session_when(registration.session)
        registration.position = registration_waitlist_position(registration)
    statuses = {registration.status for registration in registrations}
    waitlisted = [r for r in registrations if r.status == RegistrationStatus.WAITLISTED]
    context = {
        "action": action,
        "registrations": registrations,
        "is_cycle": any(registration.cycle_key for registration in registrations),
        "waitlisted": waitlisted,
        "waitlisted_sessions": ", ".join(r.session.when for r in waitlisted),
        "all_waitlisted": statuses == {RegistrationStatus.WAITLISTED},
        "any_waitlisted": RegistrationStatus.WAITLISTED in statuses,
        "any_requested": RegistrationStatus.REQUESTED in statuses,
        "any_confirmed": RegistrationStatus.CONFIRMED in statuses,
    }
    return render(request, "events/registration_done.html", context)
