"""Registering for a whole cycle: one message (each session's status, one .ics, one link
cancelling the cycle); per-session cancellation from the member space, with confirmation."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from email.message import Message
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.emails import registration_cycle_confirmation_send
from events.models import Registration, RegistrationStatus
from events.services.registrations import registration_create_for_cycle
from portal.core.models import OutgoingMail
from tests.events.factories import ActionFactory, RegistrationFactory, SessionFactory
from tests.members.factories import PersonFactory

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def _day(days: int, hour: int, minute: int = 0) -> dict:
    day = timezone.localdate() + timedelta(days=days)
    start = timezone.make_aware(datetime.combine(day, time(hour, minute)))
    return {"starts_at": start, "ends_at": start + timedelta(hours=3)}


@pytest.fixture
def cycle():
    action = ActionFactory(title="Cycle laïcité", slug="cycle-laicite", format="cycle")
    first = SessionFactory(action=action, title="Les principes", **_day(10, 9, 30))
    full = SessionFactory(action=action, title="Les cas pratiques", capacity=1, **_day(17, 14))
    last = SessionFactory(action=action, title="La synthèse", **_day(24, 14))
    RegistrationFactory(session=full)  # the only seat is taken
    return {"action": action, "sessions": [first, full, last]}


def _text(message: Message) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return part.get_payload(decode=True).decode()


def _cycle_cancel_path(text: str) -> str:
    [line] = [line for line in text.splitlines() if "/agenda/annulation-cycle/" in line]
    return urlsplit(line.strip()).path


def test_a_cycle_registration_sends_one_message_with_every_session(
    cycle, smtp_server, form_mail_tasks_inline, django_capture_on_commit_callbacks
):
    person = PersonFactory(first_name="Nadia", email="nadia@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        registrations = registration_create_for_cycle(action=cycle["action"], person=person)

    assert [r.status for r in registrations] == ["confirmed", "waitlisted", "confirmed"]
    assert OutgoingMail.objects.count() == 1  # one message, not one per session
    [message] = smtp_server.messages
    text = _text(message)
    assert text.count("/agenda/annulation-cycle/") == 1
    assert "/agenda/annulation/" not in text
    assert f"9{NBSP}h{NBSP}30" in text and f"14{NBSP}h" in text
    assert "Les cas pratiques" in text
    assert "Complète : vous êtes sur la liste d'attente, en position 1." in text
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    events = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    first, _full, last = cycle["sessions"]
    # One file, the confirmed sessions; the full one comes with the promotion's message.
    assert {str(e["UID"]).split("@")[0] for e in events} == {
        f"session-{first.pk}",
        f"session-{last.pk}",
    }


def test_the_cycle_link_asks_then_cancels_every_session(cycle, smtp_server, client, mail_flush):
    person = PersonFactory(email="nadia@example.org")
    registrations = registration_create_for_cycle(action=cycle["action"], person=person)
    assert registration_cycle_confirmation_send(registration_id=registrations[0].pk)
    mail_flush()
    url = _cycle_cancel_path(_text(smtp_server.messages[0]))

    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Annuler mon inscription à tout le cycle" in body
    assert Registration.objects.active().filter(person=person).count() == 3  # GET changes nothing

    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert not Registration.objects.active().filter(person=person).exists()
    assert "Vos inscriptions sont annulées" in response.content.decode()


def test_a_forged_cycle_link_is_refused_politely(client):
    response = client.get(reverse("events:cycle_cancel", args=["forged"]))
    assert response.status_code == 400
    assert "Ce lien n" in response.content.decode()


def test_the_done_page_names_the_waitlisted_sessions(cycle, client):
    form = {
        "session": "all",
        "first_name": "Nadia",
        "last_name": "Benali",
        "email": "nadia@example.org",
        "organisation_name": "",
        "job_title": "",
        "actor_type": "collectivity_staff",
        "department": "",
        "consent": "on",
        "website": "",
    }
    response = client.post(cycle["action"].get_absolute_url(), form, follow=True)
    body = response.content.decode()
    assert "Une séance est complète" in body
    assert "Les cas pratiques" in body
    assert "Un seul courriel" in body


def test_member_space_cancels_one_session_after_confirmation(cycle, member_user):
    person = PersonFactory(user=member_user)
    registrations = registration_create_for_cycle(action=cycle["action"], person=person)
    client = Client()
    client.force_login(member_user)
    listing = client.get(reverse("events_space:registrations")).content.decode()
    url = reverse("events_space:registration_cancel", args=[registrations[0].pk])
    assert f'href="{url}"' in listing

    page = client.get(url)
    assert page.status_code == 200
    assert "Les principes" in page.content.decode()
    assert Registration.objects.get(pk=registrations[0].pk).status == RegistrationStatus.CONFIRMED

    client.post(url)
    statuses = [Registration.objects.get(pk=r.pk).status for r in registrations]
    assert statuses == ["cancelled", "waitlisted", "confirmed"]
