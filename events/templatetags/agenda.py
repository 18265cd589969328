"""{% upcoming_sessions %}: the next sessions, for pages of other apps (the home page);
{% session_state session %}: a session's registration state, live in cached pages."""

from django import template
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import timezone

from events.selectors.agenda import agenda_sessions
from events.views.common import session_cards
from events.views.live import session_state_fragment

register = template.Library()

# How long the next sessions are kept at most, as the template fragments are.
UPCOMING_KEPT_SECONDS = 300


@register.simple_tag(takes_context=True)
def upcoming_sessions(context, limit: int = 3) -> str:
    """The cards of the next sessions, kept (fragments cache) while the content is
    unchanged and until the first of them ends: only a change of the content or the end
    of one of them can change which sessions come next. Their seats are live fragments."""
    version = context["content_version"]
    key = f"upcoming_sessions:{version}:{limit}"
    kept = caches["fragments"].get(key)
    if kept is not None:
        return kept
    sessions = list(agenda_sessions()[:limit])
    session_cards(sessions)
    html = render_to_string(
        "events/includes/upcoming_sessions.html",
        {"sessions": sessions, "content_version": version},
    )
    now = timezone.now()
    seconds = min([(s.ends_at - now).total_seconds() for s in sessions] + [UPCOMING_KEPT_SECONDS])
    if seconds >= 1:
        caches["fragments"].set(key, html, int(seconds))
    return html


register.simple_tag(session_state_fragment, name="session_state")
