"""Times are written one way everywhere: « 14 h », « 9 h 30 » (no-break spaces)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from events.models import RegistrationStatus
from portal.core.formats import format_datetime, format_duration, format_time
from tests.events.factories import ActionFactory, RegistrationFactory, SessionFactory
from tests.members.factories import PersonFactory

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (time(14, 0), f"14{NBSP}h"),
        (time(14, 30), f"14{NBSP}h{NBSP}30"),
        (time(9, 5), f"9{NBSP}h{NBSP}05"),
        (time(0, 0), f"0{NBSP}h"),
        (datetime(2026, 12, 8, 13, 30, tzinfo=ZoneInfo("UTC")), f"14{NBSP}h{NBSP}30"),  # Paris
        (datetime(2026, 7, 8, 12, 0, tzinfo=ZoneInfo("UTC")), f"14{NBSP}h"),  # summer time
        (None, ""),
    ],
)
def test_format_time(value, expected):
    assert format_time(value) == expected


def test_format_duration_and_datetime():
    assert format_duration(timedelta(hours=7)) == f"7{NBSP}h"
    assert format_duration(timedelta(hours=10, minutes=30)) == f"10{NBSP}h{NBSP}30"
    with translation.override("fr"):
        moment = datetime(2026, 12, 6, 10, 0, tzinfo=PARIS)
        assert format_datetime(moment) == f"6 décembre 2026 à 10{NBSP}h"
        assert format_datetime(moment, "l j F Y") == f"dimanche 6 décembre 2026 à 10{NBSP}h"


def test_template_filters():
    template = Template("{% load portal %}{{ t|hour }}|{{ t|date_hour }}|{{ none|hour }}")
    with translation.override("fr"):
        text = template.render(Context({"t": datetime(2026, 3, 2, 9, 30, tzinfo=PARIS)}))
    assert text == f"9{NBSP}h{NBSP}30|2 mars 2026 à 9{NBSP}h{NBSP}30|"


@pytest.mark.django_db
def test_my_registrations_page_writes_hours_the_french_way(member_user):
    person = PersonFactory(user=member_user)
    start = datetime(2099, 3, 2, 14, 0, tzinfo=PARIS)
    session = SessionFactory(
        action=ActionFactory(title="Atelier horaires"),
        starts_at=start,
        ends_at=start + timedelta(hours=2, minutes=30),
    )
    RegistrationFactory(session=session, person=person, status=RegistrationStatus.CONFIRMED)
    client = Client()
    client.force_login(member_user)
    body = client.get("/espace/inscriptions/").content.decode()
    assert f"14{NBSP}h\u201316{NBSP}h{NBSP}30" in body  # an en dash between
    assert "14:00" not in body and "16:30" not in body


@pytest.mark.django_db
def test_the_back_office_writes_moments_the_same_way(admin_client):
    start = datetime(2099, 3, 2, 14, 0, tzinfo=PARIS)
    SessionFactory(starts_at=start, ends_at=start + timedelta(hours=2))
    body = admin_client.get("/admin/events/session/").content.decode()
    assert f"2 mars 2099 à 14{NBSP}h" in body
    assert "14:00" not in body
