"""Small helpers shared by the views of the public pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from events.forms import session_when
from events.models import Session
from events.selectors.agenda import seats_attach, session_state


def sessions_present(sessions: Iterable[Session]) -> None:
    """Give each session its date in words (`when`), its seats (one query for all of
    them) and its registration `state`."""
    sessions = list(sessions)
    seats_attach(sessions)
    now = timezone.now()
    for session in sessions:
        session.when = session_when(session)
        session.state = session_state(session, now=now)
