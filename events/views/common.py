"""Small helpers shared by the views of the public pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from events.forms import session_when
from events.models import Session
from events.selectors.agenda import session_state


def sessions_present(sessions: Iterable[Session]) -> None:
    """Give each session its date in words (`when`) and its registration `state`."""
    now = timezone.now()
    for session in sessions:
        session.when = session_when(session)
        if hasattr(session, "seats_left"):
            session.state = session_state(session, now=now)
