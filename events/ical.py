"""iCalendar (RFC 5545) files of sessions: the agenda feed, an action's file, email attachments.

Times are written in the site's time zone (Europe/Paris) with its VTIMEZONE, so
calendars show the local time whatever the season.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone

from events.forms import EN_DASH
from events.models import Session

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def session_uid(session: Session) -> str:
    """Stable per session, so a calendar updates the event instead of adding another."""
    return f"session-{session.pk}@{_host()}"


def session_location(session: Session) -> str:
    if session.is_online and not (session.venue or session.address):
        return _("Online")
    parts = [session.venue, session.address]
    commune = session.commune.name if session.commune_id else ""
    if commune and commune.lower() not in session.address.lower():
        parts.append(commune)
    return ", ".join(part for part in parts if part)


def session_event(session: Session, *, online_url: bool = False) -> Event:
    """The VEVENT of a session; the online link only for a confirmed participant's file."""
    action = session.action
    page = settings.SITE_URL + action.get_absolute_url()
    summary = action.title if not session.title else f"{action.title}{EN_DASH}{session.title}"
    description = [action.summary] if action.summary else []
    if online_url and session.is_online and session.online_url:
        description.append(_("Online link: %(url)s") % {"url": session.online_url})
    description.append(page)
    event = Event.new(
        uid=session_uid(session),
        summary=summary,
        start=timezone.localtime(session.starts_at, _zone()),
        end=timezone.localtime(session.ends_at, _zone()),
        location=session_location(session) or None,
        description="\n\n".join(description),
        url=page,
        last_modified=action.updated_at,
    )
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    return event


@functools.lru_cache(maxsize=256)
def _vtimezone(tzid: str, first_date: date, last_date: date) -> Timezone:
    """The VTIMEZONE of `tzid` from `first_date` to `last_date`, built once per process:
    the same for every calendar of those dates (the confirmations of one session)."""
    return Timezone.from_tzid(tzid, first_date=first_date, last_date=last_date)


def calendar_build(
    *, sessions: Iterable[Session], name: str, online_url: bool = False, method: str = ""
) -> bytes:
    """A VCALENDAR with one VEVENT per session and the VTIMEZONE they use."""
    with translation.override(settings.LANGUAGE_CODE):
        site_name = _("Agenda")
        calendar = Calendar.new(
            prodid=f"-//{_host()}//{site_name}//FR",
            name=name,
            method=method or None,
        )
        first = last = None
        for session in sessions:
            calendar.add_component(session_event(session, online_url=online_url))
            first = min(first or session.starts_at, session.starts_at)
            last = max(last or session.ends_at, session.ends_at)
    if first is not None:  # the VTIMEZONE of each zone the times use, first
        first_date = (timezone.localtime(first, _zone()) - timedelta(days=366)).date()
        last_date = (timezone.localtime(last, _zone()) + timedelta(days=366)).date()
        for position, tzid in enumerate(sorted(calendar.get_missing_tzids())):
            calendar.subcomponents.insert(position, _vtimezone(tzid, first_date, last_date))
    return calendar.to_ical()


def session_calendar(session: Session, *, online_url: bool = False) -> bytes:
    """The file attached to a confirmation: one session, as an invitation to publish."""
    return calendar_build(
        sessions=[session], name=session.action.title, online_url=online_url, method="PUBLISH"
    )
