"""French formats, one way everywhere: « 14 h », « 9 h 30 », « 2 510,40 € », « 12,5 % »."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from events.models import RegistrationStatus
from portal.core.formats import format_datetime, format_duration, format_time
from portal.core.templatetags.portal import (
    change_fr,
    date_fr,
    euros,
    number_fr,
    paragraphs,
    percent_fr,
)
from tests.events.factories import ActionFactory, RegistrationFactory, SessionFactory
from tests.members.factories import PersonFactory

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"
NNBSP = "\u202f"


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


def test_french_number_filters():
    assert number_fr(5729) == f"5{NNBSP}729"
    assert number_fr(1234567) == f"1{NNBSP}234{NNBSP}567"
    assert number_fr(Decimal("3.25"), 1) == "3,3"
    assert number_fr(None) == ""
    assert percent_fr(Decimal("12.5")) == f"12,5{NNBSP}%"
    assert percent_fr(100) == f"100,0{NNBSP}%"
    assert percent_fr(None) == ""
    assert change_fr(Decimal("8.3")) == f"+8,3{NNBSP}%"
    assert change_fr(Decimal("-2")) == f"\u22122,0{NNBSP}%"  # a minus sign, not a hyphen
    assert change_fr(Decimal("-0.04")) == f"0,0{NNBSP}%"  # rounds to nothing: no sign
    assert change_fr(Decimal("1234.56")) == f"+1{NNBSP}234,6{NNBSP}%"
    assert change_fr(None) == ""
    assert euros(Decimal("2510.4")) == f"2{NNBSP}510,40{NBSP}€"
    assert euros(0) == f"0,00{NBSP}€"
    assert euros(None) == ""


def test_french_dates_and_paragraphs():
    with translation.override("fr"):
        assert date_fr(date(2026, 7, 1)) == "1er juillet 2026"
        assert date_fr(date(2026, 7, 14)) == "14 juillet 2026"
    assert date_fr(None) == ""
    assert paragraphs("Un.\nSuite.\n \nDeux.\r\n\r\n\r\nTrois.") == [
        "Un.\nSuite.",
        "Deux.",
        "Trois.",
    ]
    assert paragraphs("") == []


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
