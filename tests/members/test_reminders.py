"""Reminders of unpaid dues calls, through a real SMTP server: each automatic step once,
staff reminders at most once a day per invoice (a double click sends one mail), the
dues call attached; the overdue invoices and their next step."""

import threading
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from members.models import Invoice, PaymentMethod, Reminder, ReminderKind
from members.selectors.reminders import invoice_next_reminder, overdue_invoices
from members.services.billing import credit_note_issue, invoice_issue, payment_record
from members.services.reminders import invoice_reminder_request, invoice_reminders_send
from members.tasks import invoice_reminders_send as invoice_reminders_send_task
from portal.core.models import AuditEntry, OutgoingMail, OutgoingMailStatus, SiteSettings
from portal.core.tasks import mail_deliver_task
from tests.conftest import mail_send_queued
from tests.members.factories import (
    IndividualMembershipFactory,
    MembershipFactory,
    PersonFactory,
)

pytestmark = pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=False)

IBAN = "FR1420041010050500013M02606"
TODAY = date(2025, 6, 10)


@pytest.fixture(autouse=True)
def _delays(settings, tmp_path):
    settings.DUES_REMINDER_DELAYS = [30, 60]
    settings.MEDIA_ROOT = tmp_path / "media"  # the dues calls' PDFs rendered for the mails


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


@pytest.fixture
def tasks_inline(form_mail_tasks_inline):
    """The mail task runs where it is enqueued (after the commit)."""


def steps_run(**kwargs) -> int:
    """The daily run of the steps, then the mail task for the messages it recorded."""
    count = invoice_reminders_send(**kwargs)
    mail_send_queued()
    return count


def body_of(message, subtype: str) -> str:
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            return part.get_payload(decode=True).decode(part.get_content_charset())
    raise AssertionError(f"no text/{subtype} part")


def pdf_of(message) -> tuple[str, bytes]:
    (part,) = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    return part.get_filename(), part.get_payload(decode=True)


def test_the_30_day_step_is_sent_once_then_the_60_day_step(invoice, smtp_server):
    contact = PersonFactory(organisation=invoice.membership.organisation, is_member_contact=True)
    PersonFactory(organisation=invoice.membership.organisation)  # not a member contact
    due = invoice.due_on

    assert steps_run(today=due + timedelta(days=29)) == 0
    assert steps_run(today=due + timedelta(days=30)) == 1
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
    filename, pdf = pdf_of(message)  # the dues call, to pay from
    assert filename == f"facture-{invoice.number}.pdf"
    assert pdf.startswith(b"%PDF")

    # Running again the same day, or later before the next step, sends nothing.
    assert steps_run(today=due + timedelta(days=30)) == 0
    assert steps_run(today=due + timedelta(days=45)) == 0
    assert len(smtp_server.envelopes) == 1

    assert steps_run(today=due + timedelta(days=60)) == 1
    assert steps_run(today=due + timedelta(days=61)) == 0
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

    assert steps_run(today=paid.due_on + timedelta(days=90)) == 0
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
    assert steps_run(today=invoice.due_on + timedelta(days=30)) == 1
    assert "50,00\xa0€" in body_of(smtp_server.messages[0], "plain")


def test_an_individual_member_is_reminded_at_their_address(site, staff_user, smtp_server):
    membership = IndividualMembershipFactory()
    invoice = invoice_issue(membership=membership, issued_by=staff_user)
    steps_run(today=invoice.due_on + timedelta(days=30))
    assert smtp_server.envelopes[0].rcpt_tos == [membership.person.email]


def test_a_late_run_sends_only_the_latest_step(invoice, smtp_server):
    assert steps_run(today=invoice.due_on + timedelta(days=75)) == 1
    assert len(smtp_server.envelopes) == 1
    assert list(Reminder.objects.values_list("days_after_due", flat=True)) == [60]


def test_a_refused_reminder_is_kept_and_sent_once_the_server_is_back(invoice, smtp_server):
    today = invoice.due_on + timedelta(days=30)
    smtp_server.stop()
    assert steps_run(today=today) == 1  # recorded; the mail task's first try is refused
    assert OutgoingMail.objects.get().status == OutgoingMailStatus.QUEUED
    assert Reminder.objects.get().sent_at is not None  # claimed: the step is not redone
    assert steps_run(today=today) == 0

    smtp_server.start()
    OutgoingMail.objects.update(available_at=timezone.now())  # the backoff is over
    mail_send_queued()
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
            counts.append(steps_run(today=today))
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


def test_the_beat_entry_names_the_task():
    entry = settings.CELERY_BEAT_SCHEDULE["dues-reminders"]
    assert (
        entry["task"] == invoice_reminders_send_task.name == "members.tasks.invoice_reminders_send"
    )


# Staff reminders ------------------------------------------------------------------------


def test_a_staff_reminder_is_claimed_then_sent_with_the_dues_call(
    invoice, staff_user, smtp_server, tasks_inline, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reminder = invoice_reminder_request(invoice=invoice, actor=staff_user)

    assert reminder.kind == ReminderKind.MANUAL
    assert reminder.days_after_due is None
    assert reminder.sent_on == TODAY
    reminder.refresh_from_db()
    assert reminder.sent_at is not None
    assert reminder.sent_by == staff_user
    assert reminder.recipients == [invoice.membership.organisation.email]
    (message,) = smtp_server.messages
    assert invoice.number in message["Subject"]
    filename, pdf = pdf_of(message)
    assert filename == f"facture-{invoice.number}.pdf"
    assert pdf.startswith(b"%PDF")
    entry = AuditEntry.objects.for_object(invoice).get(action="invoice.reminder_sent")
    assert entry.actor == staff_user
    assert entry.changes["manual"] is True


def test_a_second_staff_reminder_the_same_day_is_refused(
    invoice, staff_user, smtp_server, tasks_inline, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice_reminder_request(invoice=invoice, actor=staff_user)
    with pytest.raises(ValidationError) as refused:
        invoice_reminder_request(invoice=invoice, actor=staff_user)
    assert refused.value.code == "already_today"
    assert len(smtp_server.envelopes) == 1
    assert Reminder.objects.count() == 1


@pytest.mark.parametrize("state", ["paid", "cancelled", "no address"])
def test_a_staff_reminder_needs_something_due_and_an_address(invoice, staff_user, state):
    if state == "paid":
        payment_record(
            invoice=invoice, amount=invoice.amount, method=PaymentMethod.CHEQUE,
            paid_on=TODAY, recorded_by=staff_user,
        )  # fmt: skip
    elif state == "cancelled":
        credit_note_issue(invoice=invoice, reason="Erreur", issued_by=staff_user)
    else:
        type(invoice.membership.organisation).objects.update(email="")
    with pytest.raises(ValidationError):
        invoice_reminder_request(invoice=invoice, actor=staff_user)
    assert not Reminder.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_clicks_send_one_reminder(site, staff_user, smtp_server, tasks_inline):
    """Two requests at once, each on its own database connection: one mail."""
    from django.test import Client
    from django.urls import reverse

    invoice = invoice_issue(
        membership=MembershipFactory(amount=Decimal("150.00")), issued_by=staff_user
    )
    url = reverse("admin:members_invoice_reminder", args=[invoice.pk])
    barrier = threading.Barrier(2)
    answers, failures = [], []

    def click():
        try:
            client = Client()
            client.force_login(staff_user)
            barrier.wait()
            answers.append(client.post(url, follow=True))
        except Exception as error:  # reported by the assertion below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(smtp_server.envelopes) == 1
    assert Reminder.objects.filter(invoice=invoice, sent_at__isnull=False).count() == 1
    # Read on each page (the test client's captured contexts are shared between threads).
    said = [unescape(answer.content.decode()) for answer in answers]
    assert sorted("en route" in page for page in said) == [False, True]
    assert sorted("déjà été envoyée" in page for page in said) == [False, True]


def test_a_staff_reminder_puts_the_days_step_off_to_the_next_day(
    invoice, staff_user, smtp_server, tasks_inline, django_capture_on_commit_callbacks
):
    step_day = invoice.due_on + timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        reminder = invoice_reminder_request(invoice=invoice, actor=staff_user)
    Reminder.objects.filter(pk=reminder.pk).update(sent_on=step_day)  # sent on the step's day

    assert steps_run(today=step_day) == 0  # one reminder a day at most
    assert steps_run(today=step_day + timedelta(days=1)) == 1
    assert len(smtp_server.envelopes) == 2
    kinds = list(Reminder.objects.order_by("sent_on").values_list("kind", "days_after_due"))
    assert kinds == [(ReminderKind.MANUAL, None), (ReminderKind.AUTOMATIC, 30)]


def test_a_staff_reminder_waits_while_the_server_is_down(invoice, staff_user, smtp_server):
    smtp_server.stop()
    invoice_reminder_request(invoice=invoice, actor=staff_user)
    mail_send_queued()  # the mail task's first try: refused a connection, kept queued
    recorded = OutgoingMail.objects.get()
    assert recorded.status == OutgoingMailStatus.QUEUED
    with pytest.raises(ValidationError) as refused:  # claimed: no second one today
        invoice_reminder_request(invoice=invoice, actor=staff_user)
    assert refused.value.code == "already_today"

    smtp_server.start()
    OutgoingMail.objects.update(available_at=timezone.now())  # the backoff is over
    mail_send_queued()
    (message,) = smtp_server.messages
    assert message["Message-ID"] == recorded.message_id
    assert pdf_of(message)[1].startswith(b"%PDF")


def test_the_mail_task_sends_a_staff_reminder_once(invoice, staff_user, smtp_server):
    invoice_reminder_request(invoice=invoice, actor=staff_user)
    recorded = OutgoingMail.objects.get()
    mail_deliver_task(recorded.pk)
    mail_deliver_task(recorded.pk)  # a second run
    assert len(smtp_server.envelopes) == 1


# Overdue invoices and their next step ----------------------------------------------------


def test_overdue_is_one_definition(site, staff_user):
    def issued(days_ago: int) -> Invoice:
        return invoice_issue(
            membership=MembershipFactory(amount=Decimal("100.00")),
            issued_by=staff_user,
            issued_on=TODAY - timedelta(days=days_ago),
        )

    payment_days = site.payment_days
    due_today = issued(payment_days)
    late = issued(payment_days + 1)
    partly_paid_late = issued(payment_days + 10)
    payment_record(
        invoice=partly_paid_late, amount=Decimal("40.00"), method=PaymentMethod.CHEQUE,
        paid_on=TODAY, recorded_by=staff_user,
    )  # fmt: skip
    paid_late = issued(payment_days + 10)
    payment_record(
        invoice=paid_late, amount=paid_late.amount, method=PaymentMethod.CHEQUE,
        paid_on=TODAY, recorded_by=staff_user,
    )  # fmt: skip
    cancelled_late = issued(payment_days + 10)
    credit_note_issue(invoice=cancelled_late, reason="Erreur", issued_by=staff_user)

    assert set(Invoice.objects.overdue()) == {late, partly_paid_late}
    flags = dict(Invoice.objects.with_balance().values_list("pk", "is_overdue"))
    assert {pk for pk, overdue in flags.items() if overdue} == {late.pk, partly_paid_late.pk}
    assert due_today.pk in flags
    assert Invoice.objects.with_balance().get(pk=partly_paid_late.pk).balance_due == 60


def test_the_next_step_follows_the_delays_and_the_reminders_sent(invoice, staff_user):
    due = invoice.due_on

    def next_on(today):
        invoice_row = overdue_invoices(today=today).get(pk=invoice.pk)
        return invoice_next_reminder(invoice_row, today=today, delays=[30, 60])

    step = next_on(due + timedelta(days=5))
    assert (step.days_after_due, step.on, step.due_now) == (30, due + timedelta(days=30), False)
    step = next_on(due + timedelta(days=31))  # reached, not sent: the next run sends it
    assert (step.days_after_due, step.due_now) == (30, True)

    Reminder.objects.create(invoice=invoice, days_after_due=30, sent_on=due + timedelta(days=31))
    step = next_on(due + timedelta(days=31))
    assert (step.days_after_due, step.on) == (60, due + timedelta(days=60))
    Reminder.objects.create(invoice=invoice, days_after_due=60, sent_on=due + timedelta(days=60))
    assert next_on(due + timedelta(days=61)) is None


def test_a_step_reached_on_a_day_a_reminder_went_is_due_the_next_day(invoice, staff_user):
    due = invoice.due_on
    today = due + timedelta(days=30)
    Reminder.objects.create(
        invoice=invoice, kind=ReminderKind.MANUAL, days_after_due=None, sent_on=today
    )
    step = invoice_next_reminder(
        overdue_invoices(today=today).get(pk=invoice.pk), today=today, delays=[30, 60]
    )
    assert (step.days_after_due, step.on, step.due_now) == (30, today + timedelta(days=1), False)
