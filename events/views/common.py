"""Small helpers shared by the views of the public pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from events.forms import session_when
from events.models import Session
from events.selectors.agenda import seats_attach, session_state


def sessions_present(sessions: Iterable[Session]) -> None:
    """Give each session its date in words (`when`), its seats and its registration
    `state` (one query, for all of them, when their seats are not known yet)."""
    sessions = list(sessions)
    if any(not hasattr(session, "seats_left") for session in sessions):
        seats_attach(sessions)
    now = timezone.now()
    for session in sessions:
        session.when = session_when(session)
        session.state = session_state(session, now=now)
