"""The « feuille d'émargement » of a session: a PDF to print and sign at the door.

A full-day session (two half-days or more) is signed twice, morning and afternoon, as
funders of training ask: a column each; a half-day or an evening keeps one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from events.models import RegistrationStatus, Session
from members.models import Person
from portal.core.models import SiteSettings
from portal.core.text import fold

BLANK_ROWS = 10
BLANK_ROWS_MAX = 60


def signin_sheet_people(session: Session) -> list[Person]:
    """Confirmed registrations and people already recorded at the session, by last name."""
    people = (
        Person.objects.filter(
            Q(registrations__session=session, registrations__status=RegistrationStatus.CONFIRMED)
            | Q(attendances__session=session)
        )
        .select_related("organisation")
        .distinct()
    )
    return sorted(people, key=lambda person: (fold(person.last_name), fold(person.first_name)))


def signin_sheet_pdf(*, session: Session, blank_rows: int = BLANK_ROWS) -> bytes:
    from portal.core.pdf import render_pdf  # WeasyPrint is heavy: loaded when first needed

    people = signin_sheet_people(session)
    return render_pdf(
        "events/signin_sheet.html",
        {
            "site": SiteSettings.load(),
            "session": session,
            "action": session.action,
            "starts": timezone.localtime(session.starts_at),
            "ends": timezone.localtime(session.ends_at),
            "people": people,
            "blank_rows": range(len(people) + 1, len(people) + 1 + blank_rows),
            "full_day": session.half_days >= 2,
        },
    )


def _blank_rows(request) -> int:
    try:
        return max(0, min(int(request.GET.get("lignes", BLANK_ROWS)), BLANK_ROWS_MAX))
    except ValueError:
        return BLANK_ROWS


@require_GET
def signin_sheet_view(request, object_id: int):
    """?lignes=N sets the blank rows left for walk-ins (10 by default)."""
    if not request.user.has_perm("events.view_session"):
        raise PermissionDenied
    session = get_object_or_404(Session.objects.select_related("action", "commune"), pk=object_id)
    pdf = signin_sheet_pdf(session=session, blank_rows=_blank_rows(request))
    starts = timezone.localtime(session.starts_at)
    filename = f"emargement-{slugify(session.action.title)[:60]}-{starts:%Y-%m-%d}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
