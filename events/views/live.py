"""The live fragments of the public pages (portal.core.pagecache): each session's
registration state and the « full » note of its choice in the registration form. A
registration changes only these, so it leaves the cached pages in place: a template
writes only their markers, and every page, made now or served from the cache, has them
rendered last (sessions_live())."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.forms import session_full_note
from events.models import Session
from events.selectors.agenda import session_state, sessions_with_seats
from portal.core.pagecache import LiveKey, live_fragment, live_row_changed, live_rows

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
    """The marker of the session's state, which every page fills last."""
    return live_fragment(STATE, session.pk, "")


def _rendered(ids: list[int]) -> dict[int, dict]:
    """The fragments of these sessions, kept by pagecache.live_rows(), each until the
    clock changes its state (registration opening or closing, the start)."""
    now = timezone.now()
    rows = {}
    for session in sessions_with_seats(ids=ids):
        session.state = session_state(session, now=now)
        moments = (
            session.registration_opens_at,
            session.registration_closes_at,
            session.starts_at,
        )
        changes = [(moment - now).total_seconds() for moment in moments if moment and moment > now]
        rows[session.pk] = {
            STATE: session_state_html(session),
            FULL_NOTE: escape(session_full_note(session)),
            "seconds": min(changes, default=None),
        }
    return rows


def sessions_live(keys: list[LiveKey]) -> dict[LiveKey, str]:
    """The page cache's renderer of KINDS (registered by EventsConfig.ready()): kept
    while no registration to the session nor change of it was committed since they were
    rendered (one Redis round trip), else rendered from one query."""
    rows = live_rows("session", [pk for _, pk in keys], _rendered)
    return {(kind, pk): rows[pk][kind] for kind, pk in keys if pk in rows}


def registration_changed(sender, instance, using: str, **kwargs) -> None:
    """Receiver of a registration's post_save and post_delete: its session's seats are
    read again once the write commits."""
    live_row_changed("session", instance.session_id, using=using)
