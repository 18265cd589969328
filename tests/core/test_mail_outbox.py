"""Transactional mail: recorded in the transaction that causes it, sent by the mail task
to a real SMTP server, retried while the server is away, none lost (portal.core.mail)."""

from __future__ import annotations

import email.policy
import random
import smtplib
import time
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.contrib import messages
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from events.models import Registration
from events.services.registrations import registration_create
from infodoc.services.intake import info_request_submit
from portal.core.mail import (
    RECORDING_POLICY,
    mail_deliver,
    mail_queue,
    mail_sweep,
    smtp_error_is_permanent,
)
from portal.core.models import AuditEntry, OutgoingMail, OutgoingMailStatus
from portal.core.tasks import mail_deliver_task
from tests.conftest import free_port
from tests.events.factories import SessionFactory
from tests.members.factories import PersonFactory


def _wait_for(condition, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


def _message(to: str = "nadia@example.org", **extra) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject="Votre demande",
        body="Bonjour,\nvotre demande est reçue.\n",
        to=[to] if to else [],
        **extra,
    )
    message.attach_alternative("<p>Bonjour,</p><p>votre demande est reçue.</p>", "text/html")
    return message


# Recorded in the transaction ------------------------------------------------------------


@pytest.mark.django_db
def test_a_rolled_back_registration_records_and_sends_nothing(
    smtp_server, django_capture_on_commit_callbacks
):
    session = SessionFactory()
    person = PersonFactory(email="nadia@example.org")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        registration_create(session=session, person=person)
        assert OutgoingMail.objects.count() == 1  # recorded with the registration
        raise RuntimeError("the request fails after the registration")
    assert callbacks == []
    assert not Registration.objects.exists()
    assert not OutgoingMail.objects.exists()
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_a_committed_message_keeps_its_message_id_attachments_and_parts(
    django_capture_on_commit_callbacks, form_mail_tasks_inline
):
    message = _message(reply_to=["contact@centre.example.org"])
    message.bcc = ["archive@centre.example.org"]
    message.attach("appel.pdf", b"%PDF-1.7 not really", "application/pdf")
    message.attach("seance.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    with django_capture_on_commit_callbacks(execute=True):
        recorded = mail_queue(message)

    recorded.refresh_from_db()
    assert recorded.status == OutgoingMailStatus.SENT
    assert recorded.attempts == 1
    assert recorded.sent_at is not None
    assert recorded.to == "nadia@example.org"
    assert recorded.subject == "Votre demande"
    [sent] = mail.outbox
    assert sent.message()["Message-ID"] == recorded.message_id
    assert sent.message().as_bytes() == bytes(recorded.content)
    assert sent.to == ["nadia@example.org"]
    assert sent.reply_to == ["contact@centre.example.org"]
    assert sent.recipients() == ["nadia@example.org", "archive@centre.example.org"]
    assert sent.subject == "Votre demande"
    assert sent.body == message.body
    assert sent.alternatives[0].mimetype == "text/html"
    assert [(a.filename, a.mimetype) for a in sent.attachments] == [
        ("appel.pdf", "application/pdf"),
        ("seance.ics", "text/calendar"),
    ]
    assert sent.attachments[0].content == b"%PDF-1.7 not really"


def test_a_message_is_recorded_as_the_standard_policy_writes_it():
    message = _message(reply_to=["Pôle ressources <contact@centre.example.org>"])
    message.subject = (
        "Inscription confirmée : séance « Café » du mercredi 20 mai 2026 à la maison des "
        "associations de Sarcelles"
    )
    message.extra_headers = {"Date": "Sun, 06 Dec 2026 17:24:10 +0000", "Message-ID": "<a@b>"}
    message.attach("séance.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    state = random.getstate()
    try:
        written = []
        for policy in (email.policy.default, RECORDING_POLICY, RECORDING_POLICY):
            random.seed(22)  # the same MIME boundaries
            written.append(message.message(policy=policy).as_bytes())
    finally:
        random.setstate(state)
    assert written[1] == written[0]
    assert written[2] == written[0]  # folded once, then remembered


@pytest.mark.django_db
def test_the_smtp_server_gets_the_recorded_bytes_with_crlf_line_ends(smtp_server):
    message = _message()
    message.subject = "Inscription confirmée : séance « Café »"
    message.attach(
        "séance.ics", "BEGIN:VCALENDAR\r\nSUMMARY:Café\r\nEND:VCALENDAR\r\n", "text/calendar"
    )
    recorded = mail_queue(message)

    assert mail_deliver(mail_id=recorded.pk) is None

    [envelope] = smtp_server.envelopes
    assert envelope.content.rstrip(b"\r\n") == bytes(recorded.content).replace(
        b"\n", b"\r\n"
    ).rstrip(b"\r\n")
    assert b"\n" not in envelope.content.replace(b"\r\n", b"")
    received = message_from_bytes(envelope.content, policy=email.policy.default)
    assert received["Subject"] == "Inscription confirmée : séance « Café »"


@pytest.mark.django_db
def test_a_message_without_recipient_is_not_recorded():
    assert mail_queue(_message(to="")) is None
    assert not OutgoingMail.objects.exists()


# Temporary and permanent failures --------------------------------------------------------


@pytest.mark.django_db
def test_a_permanent_refusal_fails_the_message_at_once(smtp_server):
    smtp_server.refusals["gone@example.org"] = "550 5.1.1 Mailbox unknown"
    recorded = mail_queue(_message(to="gone@example.org"))

    assert mail_deliver(mail_id=recorded.pk) is None

    recorded.refresh_from_db()
    assert recorded.status == OutgoingMailStatus.FAILED
    assert recorded.attempts == 1
    assert recorded.last_error.startswith("550")
    assert smtp_server.envelopes == []


@pytest.mark.django_db
def test_a_temporary_refusal_waits_with_backoff_then_fails_after_the_cap(smtp_server, settings):
    settings.MAIL_MAX_ATTEMPTS = 3
    settings.MAIL_RETRY_SECONDS = 10
    smtp_server.refusals["busy@example.org"] = "451 4.3.0 Try again later"
    recorded = mail_queue(_message(to="busy@example.org"))

    assert mail_deliver(mail_id=recorded.pk) == 10
    recorded.refresh_from_db()
    assert (recorded.status, recorded.attempts) == (OutgoingMailStatus.QUEUED, 1)
    assert recorded.last_error.startswith("451")
    assert recorded.available_at > timezone.now()
    assert mail_deliver(mail_id=recorded.pk) is None  # not due yet: nothing happens
    assert OutgoingMail.objects.get(pk=recorded.pk).attempts == 1

    OutgoingMail.objects.filter(pk=recorded.pk).update(available_at=timezone.now())
    assert mail_deliver(mail_id=recorded.pk) == 20  # the wait doubles
    OutgoingMail.objects.filter(pk=recorded.pk).update(available_at=timezone.now())
    assert mail_deliver(mail_id=recorded.pk) is None
    recorded.refresh_from_db()
    assert (recorded.status, recorded.attempts) == (OutgoingMailStatus.FAILED, 3)
    assert smtp_server.envelopes == []


@pytest.mark.django_db
def test_a_server_out_of_reach_is_a_temporary_failure_and_a_later_try_sends(smtp_server, settings):
    server = settings.MAILERS["default"]["OPTIONS"]
    settings.MAILERS = {
        "default": {**settings.MAILERS["default"], "OPTIONS": {**server, "port": free_port()}}
    }
    recorded = mail_queue(_message())
    assert mail_deliver(mail_id=recorded.pk) == settings.MAIL_RETRY_SECONDS
    recorded.refresh_from_db()
    assert recorded.status == OutgoingMailStatus.QUEUED
    assert "Connection refused" in recorded.last_error or "Errno" in recorded.last_error

    settings.MAILERS = {"default": {**settings.MAILERS["default"], "OPTIONS": server}}
    OutgoingMail.objects.filter(pk=recorded.pk).update(available_at=timezone.now())
    assert mail_deliver(mail_id=recorded.pk) is None
    recorded.refresh_from_db()
    assert (recorded.status, recorded.attempts, recorded.last_error) == ("sent", 2, "")
    [message] = smtp_server.messages
    assert message["Message-ID"] == recorded.message_id


@pytest.mark.django_db
def test_the_task_run_twice_sends_once(smtp_server):
    recorded = mail_queue(_message())
    mail_deliver_task(recorded.pk)
    mail_deliver_task(recorded.pk)
    assert len(smtp_server.envelopes) == 1
    assert OutgoingMail.objects.get(pk=recorded.pk).attempts == 1


# With the real worker ---------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_registration_s_confirmation(smtp_server, start_worker):
    start_worker(EMAIL_URL=smtp_server.url)
    person = PersonFactory(email="nadia@example.org")
    registration_create(session=SessionFactory(), person=person)

    _wait_for(lambda: smtp_server.envelopes)
    recorded = OutgoingMail.objects.get()
    _wait_for(lambda: OutgoingMail.objects.get().status == OutgoingMailStatus.SENT)
    [message] = smtp_server.messages
    assert message["To"] == "nadia@example.org"
    assert message["Message-ID"] == recorded.message_id


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_thirty_seconds_without_smtp_server_lose_no_message(smtp_server, start_worker):
    start_worker(EMAIL_URL=smtp_server.url, MAIL_RETRY_SECONDS="2")
    smtp_server.stop()

    registration_create(session=SessionFactory(), person=PersonFactory(email="nadia@example.org"))
    info_request_submit(
        first_name="Karim",
        last_name="Haddad",
        email="karim@example.org",
        subject="Diagnostic en marchant",
        question="Avez-vous des exemples de diagnostics en marchant ?",
    )
    recorded = {mail.to: mail.message_id for mail in OutgoingMail.objects.all()}
    assert set(recorded) == {"nadia@example.org", "karim@example.org"}
    # The worker tries, is refused a connection, and keeps both messages queued.
    _wait_for(lambda: all(mail.attempts >= 1 for mail in OutgoingMail.objects.all()))
    time.sleep(30)
    assert smtp_server.envelopes == []
    for mail_row in OutgoingMail.objects.all():
        assert mail_row.status in (OutgoingMailStatus.QUEUED, OutgoingMailStatus.SENDING)
        assert mail_row.attempts >= 2
        assert mail_row.last_error

    smtp_server.start()  # the same port again

    _wait_for(lambda: all(m.status == OutgoingMailStatus.SENT for m in OutgoingMail.objects.all()))
    received = {message["To"]: message["Message-ID"] for message in smtp_server.messages}
    assert received == recorded
    assert len(smtp_server.envelopes) == 2  # each once


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_sweeper_sends_a_message_whose_task_was_never_enqueued(
    smtp_server, start_worker, monkeypatch
):
    start_worker(EMAIL_URL=smtp_server.url)

    def broker_down(mail_id):
        raise ConnectionError("Redis is away")

    with monkeypatch.context() as patch:
        patch.setattr(mail_deliver_task, "delay", broker_down)
        registration_create(
            session=SessionFactory(), person=PersonFactory(email="nadia@example.org")
        )
        stuck = mail_queue(_message(to="karim@example.org"))
    recorded = OutgoingMail.objects.get(to="nadia@example.org")
    assert recorded.status == OutgoingMailStatus.QUEUED  # committed, kept, not sent
    assert mail_sweep() == 0  # recent: its task may still come

    # A minute later; and a row a dead worker was sending, its lease expired.
    OutgoingMail.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    OutgoingMail.objects.filter(pk=stuck.pk).update(
        status=OutgoingMailStatus.SENDING,
        attempts=1,
        created_at=timezone.now() - timedelta(minutes=30),
        lease_until=timezone.now() - timedelta(minutes=1),
    )
    assert mail_sweep() == 2

    _wait_for(lambda: len(smtp_server.envelopes) == 2)
    _wait_for(lambda: all(m.status == OutgoingMailStatus.SENT for m in OutgoingMail.objects.all()))
    received = {message["To"]: message["Message-ID"] for message in smtp_server.messages}
    assert received == {m.to: m.message_id for m in OutgoingMail.objects.all()}


@pytest.mark.django_db
def test_the_sweeper_deletes_old_sent_and_failed_messages_only(settings, monkeypatch):
    monkeypatch.setattr(mail_deliver_task, "delay", lambda mail_id: None)
    settings.MAIL_KEEP_DAYS = 90
    rows = {
        status: mail_queue(_message(to=f"{status}@example.org")) for status in OutgoingMailStatus
    }
    OutgoingMail.objects.update(created_at=timezone.now() - timedelta(days=91))
    for status, row in rows.items():
        OutgoingMail.objects.filter(pk=row.pk).update(status=status)
    recent = mail_queue(_message(to="recent@example.org"))
    OutgoingMail.objects.filter(pk=recent.pk).update(status=OutgoingMailStatus.SENT)

    mail_sweep()

    kept = set(OutgoingMail.objects.values_list("to", flat=True))
    assert kept == {"queued@example.org", "sending@example.org", "recent@example.org"}


@pytest.mark.django_db
def test_the_sweeper_enqueues_a_waiting_row_once_per_delay(monkeypatch):
    enqueued = []
    monkeypatch.setattr(mail_deliver_task, "delay", enqueued.append)
    recorded = mail_queue(_message())
    assert mail_sweep() == 0  # recent: its task may still come
    OutgoingMail.objects.update(created_at=timezone.now() - timedelta(minutes=5))

    assert mail_sweep() == 1
    assert mail_sweep() == 0  # the workers have not reached it yet: not enqueued again
    assert enqueued == [recorded.pk]
    OutgoingMail.objects.update(available_at=timezone.now() - timedelta(minutes=5))
    assert mail_sweep() == 1


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"5.1.1 unknown")}), True),
        (smtplib.SMTPDataError(554, b"5.7.1 rejected as spam"), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (452, b"4.2.2 mailbox full")}), False),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"), False),
        (smtplib.SMTPSenderRefused(550, b"5.7.1 not allowed", "contact@localhost"), False),
        (ConnectionRefusedError(111, "Connection refused"), False),
        (TimeoutError("timed out"), False),
    ],
)
def test_which_failures_are_tried_again(error, permanent):
    assert smtp_error_is_permanent(error) is permanent


# In the back office ------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_see_the_emails_and_send_a_failed_one_again(
    staff_client, smtp_server, form_mail_tasks_inline, django_capture_on_commit_callbacks
):
    smtp_server.refusals["nadia@example.org"] = "550 5.1.1 Mailbox unknown"
    failed = mail_queue(_message())
    mail_deliver(mail_id=failed.pk)
    sent = mail_queue(_message(to="karim@example.org"))
    mail_deliver(mail_id=sent.pk)
    url = reverse("admin:core_outgoingmail_changelist")

    page = staff_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "nadia@example.org" in html and "karim@example.org" in html
    assert (
        "550 5.1.1 Mailbox unknown"
        in staff_client.get(
            reverse("admin:core_outgoingmail_change", args=[failed.pk])
        ).content.decode()
    )

    del smtp_server.refusals["nadia@example.org"]  # the address was fixed at their end
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            url,
            {"action": "send_again", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    [said] = response.context["messages"]
    assert said.level == messages.SUCCESS  # one queued again: the sent one is left alone
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (OutgoingMailStatus.SENT, 1)
    assert [message["To"] for message in smtp_server.messages] == [
        "karim@example.org",
        "nadia@example.org",
    ]
    assert AuditEntry.objects.get(action="mail.retried").object_id == str(failed.pk)
