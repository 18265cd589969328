"""The live fragments of the public pages (portal.core.pagecache): each session's
registration state and the « full » note of its choice in the registration form. A
registration changes only these, so it leaves the cached pages in place: a template
writes only their markers, and every page, made now or served from the cache, has them
rendered last from one query."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from events.forms import session_full_note
from events.models import Session
from events.selectors.agenda import session_state, sessions_with_seats
from portal.core.pagecache import LiveKey, live_fragment

STATE = "session-state"
FULL_NOTE = "session-full"
KINDS = (STATE, FULL_NOTE)


def session_state_html(session: Session) -> SafeString:
    """The session's registration state (its `state`, set by sessions_live())."""
    return render_to_string("events/includes/session_state.html", {"session": session})


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
