"""{% upcoming_sessions %}: the next sessions, for pages of other apps (the home page);
{% session_state session %}: a session's registration state, live in cached pages."""

from django import template

from events.selectors.agenda import agenda_sessions
from events.views.common import session_cards
from events.views.live import session_state_fragment

register = template.Library()


@register.inclusion_tag("events/includes/upcoming_sessions.html", takes_context=True)
def upcoming_sessions(context, limit: int = 3) -> dict:
    sessions = list(agenda_sessions()[:limit])
    session_cards(sessions)
    # The cards are kept per content version: an inclusion tag's template sees only this.
    return {"sessions": sessions, "content_version": context["content_version"]}


register.simple_tag(session_state_fragment, name="session_state")
