"""Cancelling a registration with the signed link of the confirmation email, or every
session of a cycle with the link of the cycle's confirmation.

A GET only shows what would be cancelled (mail scanners open links); a POST cancels.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from events.forms import session_when
from events.models import RegistrationStatus
from events.selectors.agenda import cycle_registrations
from events.services.registrations import registration_cancel as registration_cancel_service
from events.services.registrations import registration_from_cancel_token

CYCLE_SCOPE = "cycle"


@never_cache
@require_http_methods(["GET", "POST"])
def registration_cancel(request, token: str):
    try:
        registration = registration_from_cancel_token(token)
    except ValidationError:
        return render(request, "events/registration_cancel.html", {"invalid": True}, status=400)
    now = timezone.now()
    session = registration.session
    session.when = session_when(session)
    has_started = session.starts_at <= now
    others = [
        other
        for other in cycle_registrations(registration=registration)
        if other.session.starts_at > now
    ]
    for other in others:
        other.session.when = session_when(other.session)
    is_cancelled = registration.status == RegistrationStatus.CANCELLED
    if request.method == "POST" and not is_cancelled and not has_started:
        targets = [registration]
        if request.POST.get("scope") == CYCLE_SCOPE:
            targets += others
        for target in targets:
            registration_cancel_service(registration=target)
        messages.success(
            request,
            _("Your registration is cancelled. Thank you for letting us know.")
            if len(targets) == 1
            else _("Your registrations are cancelled. Thank you for letting us know."),
        )
        return redirect("events:registration_cancel", token=token)
    context = {
        "registration": registration,
        "session": session,
        "action": session.action,
        "others": others,
        "is_cancelled": is_cancelled,
        "has_started": has_started,
        "cycle_scope": CYCLE_SCOPE,
        "token": token,
    }
    return render(request, "events/registration_cancel.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def cycle_cancel(request, token: str):
    """The cycle's link: every session not yet started, cancelled by one POST."""
    try:
        registration = registration_from_cancel_token(token, cycle=True)
    except ValidationError:
        return render(request, "events/registration_cancel.html", {"invalid": True}, status=400)
    now = timezone.now()
    registrations = [
        registration,
        *cycle_registrations(registration=registration, include_cancelled=True),
    ]
    registrations.sort(key=lambda r: (r.session.starts_at, r.pk))
    for item in registrations:
        item.session.when = session_when(item.session)
    targets = [
        item
        for item in registrations
        if item.status != RegistrationStatus.CANCELLED and item.session.starts_at > now
    ]
    if request.method == "POST" and targets:
        for target in targets:
            registration_cancel_service(registration=target)
        messages.success(
            request, _("Your registrations are cancelled. Thank you for letting us know.")
        )
        return redirect("events:cycle_cancel", token=token)
    context = {
        "cycle": True,
        "registration": registration,
        "registrations": registrations,
        "targets": targets,
        "action": registration.session.action,
        "token": token,
    }
    return render(request, "events/registration_cancel.html", context)
