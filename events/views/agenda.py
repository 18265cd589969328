"""The agenda: upcoming sessions with filters, past actions, iCal feeds."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from events.filters import AgendaFilter
from events.ical import CONTENT_TYPE, calendar_build
from events.selectors.agenda import (
    AgendaList,
    action_feed_sessions,
    feed_sessions,
    past_actions,
    public_action,
)
from events.views.common import session_cards, sessions_present
from portal.core.paginators import ShortListPaginator

SESSIONS_PER_PAGE = 20
ACTIONS_PER_PAGE = 10


@require_GET
def agenda(request):
    filterset = AgendaFilter(request.GET or None, queryset=AgendaList())
    page = ShortListPaginator(filterset.qs, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    session_cards(page)
    context = {
        "filter": filterset,
        "form": filterset.form,
        "page": page,
        "sessions": page.object_list,
        "is_filtered": filterset.is_bound and any(filterset.form.cleaned_data.values()),
    }
    return render(request, "events/agenda.html", context)


@require_GET
def past_actions_list(request):
    page = Paginator(past_actions(), ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    sessions_present([session for action in page for session in action.session_list])
    return render(request, "events/past_actions.html", {"page": page, "actions": page.object_list})


def _ics_response(data: bytes, *, filename: str = "") -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def agenda_ics(request):
    """The public agenda as an iCal feed to subscribe to."""
    return _ics_response(calendar_build(sessions=feed_sessions(), name=_("Agenda")))


@require_GET
def action_ics(request, slug: str):
    """Every session of an action, for "Add to my calendar"."""
    action = public_action(slug=slug)
    if action is None:
        raise Http404
    data = calendar_build(sessions=action_feed_sessions(action=action), name=action.title)
    return _ics_response(data, filename=f"{action.slug}.ics")
