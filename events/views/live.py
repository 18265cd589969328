"""The live fragments of the public pages (portal.core.pagecache): each session's
registration state and the « full » note of its choice in the registration form. A
registration changes only these, so it leaves the cached pages in place: a template
writes only their markers, and every page, made now or served from the cache, has them
rendered last from one query."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.forms import session_full_note
from events.models import Session
from events.selectors.agenda import session_state, sessions_with_seats
from portal.core.pagecache import LiveKey, live_fragment

STATE = "session-state"
FULL_NOTE = "session-full"
KINDS = (STATE, FULL_NOTE)


# The badge of each state: its CSS class and, for most, its words.
STATE_BADGES = {
    "cancelled": ("status-cancelled", _("Session cancelled")),
    "past": ("status-past", _("Session over")),
    "closed": ("status-closed", _("Registration closed")),
    "not_open": ("status-closed", None),
    "on_request": ("status-open", _("Registration on request")),
    "open": ("status-open", _("Registration open")),
    "seats": ("status-open", None),
    "full": ("status-full", _("Full – waiting list")),  # noqa: RUF001 (the msgid)
}


def session_state_html(session: Session) -> SafeString:
    """The badge of the session's registration state (its `state`, set by sessions_live()).
    Written in Python: a page fills one per session shown, cached or not."""
    css_class, text = STATE_BADGES[session.state]
    if session.state == "not_open":
        day = date_format(timezone.localtime(session.registration_opens_at), "j F Y")
        text = _("Registration opens on %(date)s") % {"date": day}
    elif session.state == "seats":
        seats = session.seats_left
        text = ngettext("%(seats)s seat left", "%(seats)s seats left", seats) % {"seats": seats}
    return format_html('<span class="status {}">{}</span>', css_class, text)


def session_state_fragment(session: Session) -> SafeString:
    """The marker of the session's state, which every page fills last (one query)."""
    return live_fragment(STATE, session.pk, "")


def sessions_live(keys: list[LiveKey]) -> dict[LiveKey, str]:
    """The page cache's renderer of KINDS (registered by EventsConfig.ready())."""
    sessions = {session.pk: session for session in sessions_with_seats(ids=[pk for _, pk in keys])}
    now = timezone.now()
    for session in sessions.values():
        session.state = session_state(session, now=now)
    html = {}
    for kind, pk in keys:
        session = sessions.get(pk)
        if session is not None:
            html[kind, pk] = (
                session_state_html(session) if kind == STATE else session_full_note(session)
            )
    return html
