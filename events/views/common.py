"""Small helpers shared by the views of the public pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import lazy

from events.forms import session_when
from events.models import Session
from events.selectors.agenda import action_theme_ids
from portal.core.reference import reference

# A session's date in words, put together when a template shows it: most pages show it
# in parts kept while the content is unchanged (the fragments cache).
_when = lazy(session_when, str)


def sessions_present(sessions: Iterable[Session]) -> None:
    """Give each session its date in words (`when`). Its seats and registration state are
    live fragments, rendered last on every page (events.views.live)."""
    for session in sessions:
        session.when = _when(session)


def session_cards(sessions: Iterable[Session]) -> None:
    """What a session's card shows (events/includes/session_card.html) besides the
    session: its date in words and its action's themes (both kept in process)."""
    themes, action_themes = reference().themes, action_theme_ids()
    for session in sessions:
        session.when = _when(session)
        ids = action_themes.get(session.action_id, ())
        session.themes = [theme for theme in themes if theme.pk in ids]
