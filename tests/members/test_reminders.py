"""Reminders of unpaid dues calls: each step once, through a real SMTP server."""

import threading
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.conf import settings
from django.db import connection

from members.models import PaymentMethod, Reminder
from members.services.billing import credit_note_issue, invoice_issue, payment_record
from members.services.reminders import invoice_reminder_send_now, invoice_reminders_send
from members.tasks import invoice_reminders_send as invoice_reminders_send_task
from portal.core.models import AuditEntry, SiteSettings
from tests.conftest import free_port
from tests.members.factories import (
    IndividualMembershipFactory,
    MembershipFactory,
    PersonFactory,
)

IBAN = "FR1420041010050500013M02606"


@pytest.fixture(autouse=True)
def _delays(settings):
    settings.DUES_REMINDER_DELAYS = [30, 60]


@pytest.fixture
def site(db):
    site = SiteSettings.load()
    site.iban = IBAN
    site.bic = "PSSTFRPPPAR"
    site.save()
    return site


@pytest.fixture
def invoice(site, staff_user):
    membership = MembershipFactory(amount=Decimal("150.00"))
    return invoice_issue(membership=membership, issued_by=staff_user)


def body_of(message, subtype: str) -> str:
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            return part.get_payload(decode=True).decode(part.get_content_charset())
    raise AssertionError(f"no text/{subtype} part")


def test_the_30_day_step_is_sent_once_then_the_60_day_step(invoice, smtp_server):
    contact = PersonFactory(organisation=invoice.membership.organisation, is_member_contact=True)
    PersonFactory(organisation=invoice.membership.organisation)  # not a member contact
    due = invoice.due_on

    assert invoice_reminders_send(today=due + timedelta(days=29)) == 0
    assert invoice_reminders_send(today=due + timedelta(days=30)) == 1
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert set(envelope.rcpt_tos) == {invoice.membership.organisation.email, contact.email}
    message = smtp_server.messages[0]
    assert invoice.number in message["Subject"]
    assert settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">") in message["From"]
    text, html = body_of(message, "plain"), body_of(message, "html")
    for body in (text, unescape(html)):
        assert invoice.number in body
        assert "150,00\xa0€" in body
        assert "FR14 2004 1010 0505 0001 3M02 606" in body
    assert "<table" in html and "style=" in html  # CSS inlined

    # Running again the same day, or later before the next step, sends nothing.
    assert invoice_reminders_send(today=due + timedelta(days=30)) == 0
    assert invoice_reminders_send(today=due + timedelta(days=45)) == 0
    assert len(smtp_server.envelopes) == 1

    assert invoice_reminders_send(today=due + timedelta(days=60)) == 1
    assert invoice_reminders_send(today=due + timedelta(days=61)) == 0
    assert len(smtp_server.envelopes) == 2
    steps = Reminder.objects.filter(invoice=invoice).order_by("days_after_due")
    assert [step.days_after_due for step in steps] == [30, 60]
    assert all(step.sent_at and contact.email in step.recipients for step in steps)
    audit = AuditEntry.objects.for_object(invoice).filter(action="invoice.reminder_sent")
    assert sorted(entry.changes["days_after_due"] for entry in audit) == [30, 60]


def test_paid_and_cancelled_invoices_get_no_reminder(site, staff_user, smtp_server):
    paid = invoice_issue(membership=MembershipFactory(), issued_by=staff_user)
    payment_record(
        invoice=paid,
        amount=paid.amount,
        method=PaymentMethod.TRANSFER,
        paid_on=paid.issued_on,
        recorded_by=staff_user,
    )
    cancelled = invoice_issue(membership=MembershipFactory(), issued_by=staff_user)
    credit_note_issue(invoice=cancelled, reason="Erreur", issued_by=staff_user)

    assert invoice_reminders_send(today=paid.due_on + timedelta(days=90)) == 0
    assert smtp_server.envelopes == []
    assert not Reminder.objects.exists()


def test_a_partly_paid_invoice_is_reminded_of_its_balance(invoice, staff_user, smtp_server):
    payment_record(
        invoice=invoice,
        amount=Decimal("100.00"),
        method=PaymentMethod.CHEQUE,
        paid_on=invoice.issued_on,
        recorded_by=staff_user,
    )
    assert invoice_reminders_send(today=invoice.due_on + timedelta(days=30)) == 1
    assert "50,00\xa0€" in body_of(smtp_server.messages[0], "plain")


def test_an_individual_member_is_reminded_at_their_address(site, staff_user, smtp_server):
    membership = IndividualMembershipFactory()
    invoice = invoice_issue(membership=membership, issued_by=staff_user)
    invoice_reminders_send(today=invoice.due_on + timedelta(days=30))
    assert smtp_server.envelopes[0].rcpt_tos == [membership.person.email]


def test_a_late_run_sends_only_the_latest_step(invoice, smtp_server):
    assert invoice_reminders_send(today=invoice.due_on + timedelta(days=75)) == 1
    assert len(smtp_server.envelopes) == 1
    assert list(Reminder.objects.values_list("days_after_due", flat=True)) == [60]


def test_a_refused_message_gives_its_step_back(invoice, settings, smtp_server):
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    today = invoice.due_on + timedelta(days=30)
    with pytest.raises(OSError):
        invoice_reminders_send(today=today)
    assert not Reminder.objects.exists()

    settings.MAILERS = working
    assert invoice_reminders_send(today=today) == 1
    assert len(smtp_server.envelopes) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_each_step_once(site, staff_user, smtp_server):
    invoices = [
        invoice_issue(membership=MembershipFactory(), issued_by=staff_user) for _ in range(3)
    ]
    today = invoices[0].due_on + timedelta(days=30)
    barrier = threading.Barrier(4)
    counts, failures = [], []

    def run():
        try:
            barrier.wait()
            counts.append(invoice_reminders_send(today=today))
        except Exception as error:  # reported by the assertion below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sum(counts) == 3
    assert len(smtp_server.envelopes) == 3
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 3


def test_send_now_from_the_back_office(invoice, staff_user, smtp_server):
    recipients = invoice_reminder_send_now(invoice=invoice, actor=staff_user)
    assert recipients == [invoice.membership.organisation.email]
    assert len(smtp_server.envelopes) == 1
    entry = AuditEntry.objects.for_object(invoice).get(action="invoice.reminder_sent")
    assert entry.actor == staff_user
    assert not Reminder.objects.exists()  # not a step: the +30 reminder will still go


def test_the_beat_entry_names_the_task():
    entry = settings.CELERY_BEAT_SCHEDULE["dues-reminders"]
    assert (
        entry["task"] == invoice_reminders_send_task.name == "members.tasks.invoice_reminders_send"
    )
