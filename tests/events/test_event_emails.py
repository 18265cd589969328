"""The messages of a registration, through a real SMTP server, and the reminder task."""

from datetime import datetime, time, timedelta
from email.header import decode_header, make_header
from email.message import Message

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from events import tasks
from events.emails import registration_confirmation_send, registration_promotion_send
from events.models import Registration, RegistrationMode, RegistrationStatus
from events.services.registrations import registration_create
from events.services.reminders import session_reminders_send
from portal.core.models import OutgoingMail
from portal.core.tasks import mail_deliver_task
from tests.events.factories import RegistrationFactory, SessionFactory
from tests.members.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _text(message: Message) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return part.get_payload(decode=True).decode()


def _calendar(message: Message) -> Calendar:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_filename().endswith(".ics")
    return Calendar.from_ical(part.get_payload(decode=True))


def _cancel_url(text: str) -> str:
    [line] = [line for line in text.splitlines() if "/agenda/annulation/" in line]
    return line.strip()


def _evening(days: int):
    day = timezone.localdate() + timedelta(days=days)
    start = timezone.make_aware(datetime.combine(day, time(18, 30)))
    return {"starts_at": start, "ends_at": start + timedelta(hours=2)}


def test_a_confirmation_carries_the_ics_in_paris_time_and_a_working_cancel_link(
    smtp_server, mail_flush
):
    session = SessionFactory(**_evening(12), venue="Salle des fêtes")
    registration = RegistrationFactory(session=session, person__email="nadia@example.org")

    assert registration_confirmation_send(registration_id=registration.pk)
    mail_flush()

    [message] = smtp_server.messages
    assert message["To"] == "nadia@example.org"
    assert session.action.title in str(make_header(decode_header(message["Subject"])))
    kinds = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= kinds
    [event] = _calendar(message).walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert (event["DTSTART"].dt.hour, event["DTSTART"].dt.minute) == (18, 30)
    assert event["DTSTART"].dt == session.starts_at
    assert str(event["UID"]).startswith(f"session-{session.pk}@")
    text = _text(message)
    assert "Salle des fêtes" in text
    url = _cancel_url(text)
    response = Client().get(url[url.index("/agenda/") :])
    assert response.status_code == 200
    assert response.context["registration"] == registration


def test_a_confirmed_online_session_gives_its_link(smtp_server, mail_flush):
    session = SessionFactory(is_online=True, online_url="https://visio.example.org/salle")
    registration = RegistrationFactory(session=session)
    registration_confirmation_send(registration_id=registration.pk)
    mail_flush()
    [message] = smtp_server.messages
    assert "https://visio.example.org/salle" in _text(message)
    [event] = _calendar(message).walk("VEVENT")
    assert "https://visio.example.org/salle" in str(event["DESCRIPTION"])


def test_the_waiting_list_message_gives_the_position_and_no_link(smtp_server, mail_flush):
    session = SessionFactory(capacity=1, is_online=True, online_url="https://visio.example.org/s")
    RegistrationFactory(session=session)
    RegistrationFactory(session=session, status="waitlisted")
    waiting = RegistrationFactory(session=session, status="waitlisted")

    registration_confirmation_send(registration_id=waiting.pk)
    mail_flush()

    [message] = smtp_server.messages
    text = _text(message)
    assert " 2." in text  # second in line
    assert "visio.example.org" not in text
    assert "/agenda/annulation/" in text
    assert "text/calendar" not in {part.get_content_type() for part in message.walk()}


def test_a_registration_put_on_the_waiting_list_is_told_its_place(smtp_server, mail_flush):
    """Its place is counted with the seats, under the session's lock, not read again."""
    session = SessionFactory(capacity=1)
    RegistrationFactory(session=session)
    RegistrationFactory(session=session, status="waitlisted")
    RegistrationFactory(session=session, status="cancelled")

    registration = registration_create(session=session, person=PersonFactory())
    mail_flush()

    assert registration.status == RegistrationStatus.WAITLISTED
    [message] = smtp_server.messages
    assert " 2." in _text(message)  # second in line


def test_a_request_is_acknowledged(smtp_server, mail_flush):
    registration = RegistrationFactory(
        session=SessionFactory(mode=RegistrationMode.ON_REQUEST), status="requested"
    )
    registration_confirmation_send(registration_id=registration.pk)
    mail_flush()
    [message] = smtp_server.messages
    assert "text/calendar" not in {part.get_content_type() for part in message.walk()}
    assert "/agenda/annulation/" in _text(message)


def test_nobody_without_an_address_nor_a_cancelled_registration_gets_a_message(
    smtp_server, mail_flush
):
    no_email = RegistrationFactory(person=PersonFactory(email=""))
    cancelled = RegistrationFactory(status="cancelled")
    assert not registration_confirmation_send(registration_id=no_email.pk)
    assert not registration_confirmation_send(registration_id=cancelled.pk)
    assert not registration_confirmation_send(registration_id=999999)
    assert not registration_promotion_send(registration_id=no_email.pk)
    mail_flush()
    assert smtp_server.messages == []


def test_the_promotion_message_says_a_seat_is_free_with_the_ics(smtp_server, mail_flush):
    registration = RegistrationFactory(status="confirmed")
    still_waiting = RegistrationFactory(status="waitlisted")

    assert registration_promotion_send(registration_id=registration.pk)
    assert not registration_promotion_send(registration_id=still_waiting.pk)
    mail_flush()

    [message] = smtp_server.messages
    [event] = _calendar(message).walk("VEVENT")
    assert event["DTSTART"].dt == registration.session.starts_at.replace(microsecond=0)


def test_the_mail_task_sends_the_recorded_confirmation(smtp_server):
    registration = RegistrationFactory()
    registration_confirmation_send(registration_id=registration.pk)
    mail = OutgoingMail.objects.get()
    mail_deliver_task(mail.pk)
    mail_deliver_task(mail.pk)  # delivered twice: sent once
    [message] = smtp_server.messages
    assert message["Message-ID"] == mail.message_id


# The reminder two days before ----------------------------------------------------------


def test_the_reminder_goes_once_to_each_confirmed_person_two_days_before(smtp_server, mail_flush):
    session = SessionFactory(**_evening(10))
    confirmed = RegistrationFactory.create_batch(2, session=session)
    RegistrationFactory(session=session, status="waitlisted")
    RegistrationFactory(session=session, status="cancelled")
    RegistrationFactory(session=session, person=PersonFactory(email=""))
    later = SessionFactory(**_evening(13))
    RegistrationFactory(session=later)
    two_days_before = session.starts_at - timedelta(days=2, hours=9)

    assert session_reminders_send(now=two_days_before - timedelta(days=1)) == 0
    assert session_reminders_send(now=two_days_before) == 2
    assert session_reminders_send(now=two_days_before) == 0  # twice: nothing more
    assert session_reminders_send(now=two_days_before + timedelta(hours=20)) == 0
    mail_flush()  # the mail task

    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        r.person.email for r in confirmed
    )
    for registration in confirmed:
        registration.refresh_from_db()
        assert registration.reminder_sent_at == two_days_before
    _calendar(smtp_server.messages[0])  # the reminder carries the .ics too
    assert not Registration.objects.filter(session=later).exclude(reminder_sent_at=None).exists()


def test_a_cancelled_session_is_not_reminded(smtp_server):
    session = SessionFactory(**_evening(2), is_cancelled=True)
    RegistrationFactory(session=session)
    assert session_reminders_send() == 0
    assert smtp_server.messages == []


def test_a_reminder_waits_while_the_server_is_down_and_goes_once_it_is_back(
    smtp_server, mail_flush
):
    session = SessionFactory(**_evening(2))
    registration = RegistrationFactory(session=session)
    smtp_server.stop()
    assert session_reminders_send() == 1
    mail_flush()  # the mail task's first try: refused a connection, kept queued
    assert OutgoingMail.objects.get().status == "queued"
    registration.refresh_from_db()
    assert registration.reminder_sent_at is not None  # claimed: not reminded twice
    assert session_reminders_send() == 0

    smtp_server.start()
    OutgoingMail.objects.update(available_at=timezone.now())  # the backoff is over
    mail_flush()
    assert len(smtp_server.messages) == 1


def test_the_beat_task_sends_the_reminders(smtp_server, mail_flush):
    RegistrationFactory(session=SessionFactory(**_evening(1)))
    tasks.session_reminders_send()
    mail_flush()
    assert len(smtp_server.messages) == 1
    assert Registration.objects.get().status == RegistrationStatus.CONFIRMED
