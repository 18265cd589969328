"""Loans: lent once at a time, returned, and reminded once when overdue (real SMTP)."""

from __future__ import annotations

from datetime import date, timedelta
from email.header import decode_header, make_header

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from infodoc.models import Loan
from infodoc.services.loans import loan_create, loan_reminders_send, loan_return
from infodoc.tasks import loan_reminders_send as loan_reminders_task
from portal.core.models import AuditEntry, OutgoingMail, OutgoingMailStatus
from tests.infodoc.factories import ResourceFactory
from tests.members.factories import PersonFactory

pytestmark = pytest.mark.django_db

TODAY = date(2025, 3, 10)


@pytest.fixture
def book():
    return ResourceFactory(title="La Misère du monde", kind="book", is_lendable=True)


def test_lend_refuse_a_second_loan_then_return(book, staff_user):
    first, second = PersonFactory(first_name="Inès"), PersonFactory(last_name="Roux")
    loan = loan_create(
        resource=book, person=first, due_on=TODAY + timedelta(days=21), actor=staff_user,
        lent_on=TODAY,
    )  # fmt: skip
    assert (loan.lent_on, loan.returned_on) == (TODAY, None)
    with pytest.raises(ValidationError) as refused:
        loan_create(resource=book, person=second, due_on=TODAY, actor=staff_user)
    assert "« La Misère du monde » est déjà prêté à" in refused.value.messages[0]
    assert Loan.objects.count() == 1

    loan_return(loan=loan, actor=staff_user, returned_on=TODAY + timedelta(days=3))
    loan.refresh_from_db()
    assert loan.returned_on == TODAY + timedelta(days=3)
    with pytest.raises(ValidationError, match="a déjà été rendu"):
        loan_return(loan=loan, actor=staff_user)

    again = loan_create(resource=book, person=second, due_on=date(2099, 1, 1), actor=staff_user)
    assert again.person == second
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["loan.created", "loan.returned", "loan.created"]


def test_refuse_a_resource_that_cannot_be_lent(staff_user):
    report = ResourceFactory(title="Rapport annuel", is_lendable=False)
    with pytest.raises(ValidationError) as refused:
        loan_create(resource=report, person=PersonFactory(), due_on=TODAY, actor=staff_user)
    assert refused.value.messages == [
        "« Rapport annuel » ne peut pas être prêté : il est en consultation sur place uniquement."
    ]
    assert not Loan.objects.exists()


def test_refuse_a_due_date_before_the_loan(book, staff_user):
    with pytest.raises(ValidationError):
        loan_create(
            resource=book, person=PersonFactory(), due_on=TODAY - timedelta(days=1),
            lent_on=TODAY, actor=staff_user,
        )  # fmt: skip
    assert not Loan.objects.exists()


def _loans(book, today=TODAY):
    borrower = PersonFactory(first_name="Inès", email="ines@example.org")
    overdue = Loan.objects.create(
        resource=book, person=borrower, lent_on=today - timedelta(days=30),
        due_on=today - timedelta(days=1),
    )  # fmt: skip
    Loan.objects.create(  # not yet due
        resource=ResourceFactory(is_lendable=True), person=PersonFactory(),
        lent_on=today, due_on=today + timedelta(days=1),
    )  # fmt: skip
    Loan.objects.create(  # overdue but returned
        resource=ResourceFactory(is_lendable=True), person=PersonFactory(),
        lent_on=today - timedelta(days=30), due_on=today - timedelta(days=10),
        returned_on=today - timedelta(days=2),
    )  # fmt: skip
    return overdue


def test_an_overdue_loan_is_reminded_once(book, smtp_server, mail_flush):
    overdue = _loans(book)
    assert loan_reminders_send(today=TODAY) == 1
    assert loan_reminders_send(today=TODAY) == 0
    mail_flush()  # the mail task
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "ines@example.org"
    subject = str(make_header(decode_header(message["Subject"])))
    assert "« La Misère du monde »" in subject
    parts = {part.get_content_type(): part.get_payload(decode=True).decode() for part in
             message.walk() if not part.is_multipart()}  # fmt: skip
    assert set(parts) == {"text/plain", "text/html"}
    assert "Inès" in parts["text/plain"]
    assert "La Misère du monde" in parts["text/plain"]
    overdue.refresh_from_db()
    assert overdue.reminder_sent_at is not None
    assert AuditEntry.objects.filter(action="loan.reminded", object_id=str(overdue.pk)).count() == 1
    # A week later the other open loan is overdue too: only it is reminded.
    assert loan_reminders_send(today=TODAY + timedelta(days=7)) == 1
    mail_flush()
    assert smtp_server.messages[1]["To"] != "ines@example.org"
    assert len(smtp_server.messages) == 2


def test_a_reminder_waits_while_the_server_is_down_and_goes_once_it_is_back(
    book, smtp_server, mail_flush
):
    overdue = _loans(book)
    smtp_server.stop()
    assert loan_reminders_send(today=TODAY) == 1
    mail_flush()  # the mail task's first try: refused a connection, kept queued
    assert OutgoingMail.objects.get().status == OutgoingMailStatus.QUEUED
    overdue.refresh_from_db()
    assert overdue.reminder_sent_at is not None  # claimed: the next run reminds nobody
    assert loan_reminders_send(today=TODAY) == 0

    smtp_server.start()
    OutgoingMail.objects.update(available_at=timezone.now())  # the backoff is over
    mail_flush()
    [message] = smtp_server.messages
    assert message["To"] == "ines@example.org"


def test_the_beat_task_sends_the_due_reminders(book, smtp_server, mail_flush):
    _loans(book, today=timezone.localdate())
    assert loan_reminders_task() == 1
    assert loan_reminders_task() == 0
    mail_flush()
    assert len(smtp_server.messages) == 1
