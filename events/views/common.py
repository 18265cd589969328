"""Small helpers shared by the views of the public pages."""

from __future__ import annotations

from collections.abc import Iterable

from events.forms import session_when
from events.models import Session


def sessions_present(sessions: Iterable[Session]) -> None:
    """Give each session its date in words (`when`). Its seats and registration state are
    live fragments, rendered last on every page (events.views.live)."""
    for session in sessions:
        session.when = session_when(session)
