"""iCal feeds (icalendar parses them, times in Europe/Paris) and schema.org metadata."""

import json
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.ical import session_calendar
from events.models import ActionStatus
from tests.events.factories import ActionFactory, SessionFactory
from tests.members.factories import CommuneFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def _paris(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def _next(month: int, day: int):
    """The next date with this month and day (at least a week ahead)."""
    today = timezone.localdate()
    candidate = today.replace(month=month, day=day)
    if candidate < today + timedelta(days=7):
        candidate = candidate.replace(year=today.year + 1)
    return candidate


def _events(data: bytes) -> dict:
    calendar = Calendar.from_ical(data)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_parses_and_carries_paris_times_in_winter_and_summer(client):
    winter = SessionFactory(
        starts_at=_paris(_next(12, 8), 9, 30),
        ends_at=_paris(_next(12, 8), 12, 30),
        venue="Maison de quartier",
        address="1 place de la République",
        commune=CommuneFactory(name="Cergy"),
    )
    summer = SessionFactory(starts_at=_paris(_next(7, 2), 14), ends_at=_paris(_next(7, 2), 17))

    response = client.get(reverse("events:agenda_ics"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Paris"]
    events = _events(response.content)
    host = settings.SITE_URL.split("//")[1].split(":")[0].split("/")[0]
    for session, (hour, minute) in ((winter, (9, 30)), (summer, (14, 0))):
        event = events[f"session-{session.pk}@{host}"]
        start = event["DTSTART"]
        assert start.params["TZID"] == "Europe/Paris"
        assert (start.dt.hour, start.dt.minute) == (hour, minute)
        assert start.dt == session.starts_at
        assert event["DTEND"].dt == session.ends_at
        assert str(event["SUMMARY"]) == session.action.title
        assert str(event["URL"]).endswith(session.action.get_absolute_url())
    assert (
        str(events[f"session-{winter.pk}@{host}"]["LOCATION"])
        == "Maison de quartier, 1 place de la République, Cergy"
    )


def test_the_feed_keeps_cancelled_sessions_marked_and_leaves_out_non_public_actions(client):
    cancelled = SessionFactory(is_cancelled=True)
    draft = SessionFactory(action=ActionFactory(status=ActionStatus.DRAFT))
    hidden = SessionFactory(action=ActionFactory(is_public=False))
    long_ago = SessionFactory(
        starts_at=timezone.now() - timedelta(days=200),
        ends_at=timezone.now() - timedelta(days=200) + timedelta(hours=2),
    )

    events = _events(client.get(reverse("events:agenda_ics")).content)

    statuses = {uid.split("@")[0]: str(event["STATUS"]) for uid, event in events.items()}
    assert statuses == {f"session-{cancelled.pk}": "CANCELLED"}
    for session in (draft, hidden, long_ago):
        assert f"session-{session.pk}" not in statuses


def test_the_online_link_is_only_in_a_participants_file_not_in_the_feed(client):
    session = SessionFactory(is_online=True, online_url="https://visio.example.org/abc")
    assert b"visio.example.org" not in client.get(reverse("events:agenda_ics")).content
    [event] = _events(session_calendar(session, online_url=True)).values()
    assert "https://visio.example.org/abc" in str(event["DESCRIPTION"])


def test_the_file_of_an_action_has_its_sessions_only(client):
    first = SessionFactory()
    second = SessionFactory(action=first.action, starts_at=first.starts_at + timedelta(days=7),
                            ends_at=first.ends_at + timedelta(days=7))  # fmt: skip
    SessionFactory()

    response = client.get(reverse("events:action_ics", args=[first.action.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="{first.action.slug}.ics"' in response["Content-Disposition"]
    uids = sorted(_events(response.content))
    assert [uid.split("@")[0] for uid in uids] == [f"session-{first.pk}", f"session-{second.pk}"]


def test_the_file_of_a_draft_action_is_not_found(client):
    session = SessionFactory(action=ActionFactory(status=ActionStatus.DRAFT))
    assert client.get(reverse("events:action_ics", args=[session.action.slug])).status_code == 404


# schema.org ------------------------------------------------------------------------------


def _json_ld(content: str):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


def test_the_action_page_carries_schema_org_events(client):
    session = SessionFactory(
        starts_at=_paris(_next(12, 8), 9, 30),
        ends_at=_paris(_next(12, 8), 12, 30),
        commune=CommuneFactory(name="Cergy"),
    )

    data = _json_ld(client.get(session.action.get_absolute_url()).content.decode())

    assert data["@type"] == "Event"
    assert data["@context"] == "https://schema.org"
    assert data["name"] == session.action.title
    assert data["startDate"] == f"{_next(12, 8).isoformat()}T09:30:00+01:00"
    assert datetime.fromisoformat(data["startDate"]) == session.starts_at
    assert data["endDate"].endswith("T12:30:00+01:00")
    assert data["location"]["address"]["addressLocality"] == "Cergy"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["url"].endswith(session.action.get_absolute_url())


def test_several_sessions_give_a_list_of_events_and_online_ones_hide_their_link(client):
    session = SessionFactory(is_online=True, venue="", address="", online_url="https://v.test/x")
    SessionFactory(action=session.action, is_cancelled=True)

    content = client.get(session.action.get_absolute_url()).content.decode()
    data = _json_ld(content)

    assert [event["@type"] for event in data] == ["Event", "Event"]
    assert data[0]["location"]["@type"] == "VirtualLocation"
    assert data[1]["eventStatus"] == "https://schema.org/EventCancelled"
    assert "v.test" not in content


def test_the_json_ld_cannot_break_out_of_its_script_element(client):
    session = SessionFactory(action=ActionFactory(title="</script><script>alert(1)</script>"))
    content = client.get(session.action.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in content
    assert _json_ld(content)["name"] == "</script><script>alert(1)</script>"
