"""schema.org Event metadata (JSON-LD) of an action page, one Event per session."""

from __future__ import annotations

import json

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from events.forms import EN_DASH
from events.models import Action, Session

# As django.utils.html.json_script: the JSON cannot close the <script> element. Plain
# replace() calls: str.translate() walks non-ASCII text a character at a time.
_SCRIPT_ESCAPES = ((">", "\\u003E"), ("<", "\\u003C"), ("&", "\\u0026"))


def _location(session: Session, page: str) -> dict:
    if session.is_online and not (session.venue or session.address):
        return {"@type": "VirtualLocation", "url": page}
    address = {"@type": "PostalAddress", "addressCountry": "FR"}
    if session.address:
        address["streetAddress"] = session.address
    if session.commune_id:
        address["addressLocality"] = session.commune.name
    return {"@type": "Place", "name": session.venue or session.address, "address": address}


def session_event_data(*, action: Action, session: Session, organiser: str) -> dict:
    page = settings.SITE_URL + action.get_absolute_url()
    mode = "Online" if session.is_online else "Offline"
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": f"{action.title}{EN_DASH}{session.title}" if session.title else action.title,
        "startDate": timezone.localtime(session.starts_at).isoformat(timespec="seconds"),
        "endDate": timezone.localtime(session.ends_at).isoformat(timespec="seconds"),
        "eventStatus": "https://schema.org/"
        + ("EventCancelled" if session.is_cancelled else "EventScheduled"),
        "eventAttendanceMode": f"https://schema.org/{mode}EventAttendanceMode",
        "location": _location(session, page),
        "url": page,
        "organizer": {"@type": "Organization", "name": organiser, "url": settings.SITE_URL},
    }
    if action.summary or action.description:
        data["description"] = action.summary or action.description[:500]
    return data


def action_events_json(*, action: Action, sessions: list[Session], organiser: str) -> SafeString:
    """The JSON-LD text to put inside <script type="application/ld+json">, safely escaped."""
    events = [
        session_event_data(action=action, session=session, organiser=organiser)
        for session in sessions
    ]
    data = events[0] if len(events) == 1 else events
    text = json.dumps(data, ensure_ascii=False)
    for character, escaped in _SCRIPT_ESCAPES:
        text = text.replace(character, escaped)
    return mark_safe(text)  # noqa: S308
