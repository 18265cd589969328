"""The events pages of the member space: my registrations (with my attendance
certificates), my organisation's participation.

Every read is scoped by the signed-in user's Person: a registration is looked up among
that person's own, so another person's registration answers 404; a certificate is always
the signed-in person's own (the URL names only the action); the participation page shows
only the user's organisation, and counts rather than names.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from events.forms import session_when
from events.models import Attendance, Registration, RegistrationStatus
from events.selectors.certificates import certificate_get, person_attended_actions
from events.selectors.space import organisation_participation, organisation_sessions
from events.services.registrations import registration_cancel
from portal.core.space import space_view


def _registrations(person):
    return Registration.objects.filter(person=person).select_related(
        "session__action", "session__commune"
    )


@require_GET
@space_view("registrations")
def registrations(request, *, person):
    now = timezone.now()
    upcoming = list(
        _registrations(person)
        .filter(session__ends_at__gte=now)
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by("session__starts_at", "pk")
    )
    past = list(
        _registrations(person)
        .filter(session__ends_at__lt=now)
        .order_by("-session__starts_at", "-pk")
    )
    attended = set(
        Attendance.objects.filter(
            person=person, present=True, session_id__in=[r.session_id for r in past]
        ).values_list("session_id", flat=True)
    )
    for registration in upcoming:
        session = registration.session
        registration.can_cancel = not session.is_cancelled and session.starts_at > now
        registration.show_online_link = (
            session.is_online
            and bool(session.online_url)
            and registration.status == RegistrationStatus.CONFIRMED
            and not session.is_cancelled
        )
    for registration in past:
        registration.attended = registration.session_id in attended
    context = {
        "person": person,
        "organisation": person.organisation,
        "upcoming": upcoming,
        "past": past,
        "certificates": person_attended_actions(person_id=person.pk),
    }
    return render(request, "events/space_registrations.html", context)


@require_GET
@space_view("registrations", unlinked_404=True)
def certificate_pdf(request, *, person, action_id: int):
    """The signed-in person's own certificate for an action they attended; 404 otherwise
    (an account without a Person, an action they did not attend)."""
    from events.documents import certificate_response  # WeasyPrint: loaded when needed

    certificate = certificate_get(action_id=action_id, person_id=person.pk)
    if not certificate:
        raise Http404
    return certificate_response(certificate)


@require_http_methods(["GET", "POST"])
@space_view("registrations")
def registration_cancel_view(request, *, person, pk: int):
    """GET asks for confirmation (as the emailed link does); POST cancels one session."""
    registration = get_object_or_404(_registrations(person), pk=pk)
    session = registration.session
    title = session.title or session.action.title
    can_cancel = (
        registration.status != RegistrationStatus.CANCELLED
        and not session.is_cancelled
        and session.starts_at > timezone.now()
    )
    if request.method == "GET":
        session.when = session_when(session)
        context = {
            "person": person,
            "organisation": person.organisation,
            "registration": registration,
            "session": session,
            "can_cancel": can_cancel,
        }
        return render(request, "events/space_registration_cancel.html", context)
    if registration.status == RegistrationStatus.CANCELLED:
        messages.info(request, _("This registration was already cancelled."))
    elif session.is_cancelled or session.starts_at <= timezone.now():
        messages.error(
            request,
            _("This session has started, taken place or been cancelled: nothing to cancel."),
        )
    else:
        registration_cancel(registration=registration, actor=request.user)
        messages.success(
            request,
            _("Your registration for “%(title)s” is cancelled. Thank you for letting us know.")
            % {"title": title},
        )
    return redirect("events_space:registrations")


def _year(value: str | None, years: list[int]) -> int | None:
    try:
        year = int(value or "")
    except ValueError:
        return years[0] if years else None
    return year if year in years else (years[0] if years else None)


@require_GET
@space_view("participation", organisation_required=True)
def participation(request, *, person):
    organisation_id = person.organisation_id
    summary = organisation_participation(organisation_id=organisation_id)
    years = [row.year for row in summary]
    year = _year(request.GET.get("annee"), years)
    sessions = organisation_sessions(organisation_id=organisation_id, year=year) if year else ()
    context = {
        "person": person,
        "organisation": person.organisation,
        "summary": summary,
        "year": year,
        "sessions": sessions,
    }
    return render(request, "events/space_participation.html", context)
