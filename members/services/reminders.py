"""Reminders of unpaid dues calls: the automatic steps, and those staff send at once.

Every reminder is claimed by inserting its `Reminder` row, in the transaction that also
records its message (with the dues call's PDF) and audits it. The database allows one
row per invoice and step, and one per invoice and day, so a second run of the steps, a
concurrent one, or a double click on « send a reminder now » finds the row and records
nothing. The mail task sends the message after commit, retrying while the mail server is
away (portal.core.mail): a claimed reminder is neither lost nor sent twice.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.emails import invoice_message
from members.models import Invoice, Person, Reminder, ReminderKind
from portal.core.formats import format_euros
from portal.core.mail import mail_queue
from portal.core.services import audit_log

logger = logging.getLogger(__name__)


def invoice_recipients(invoice: Invoice) -> list[str]:
    """The organisation's address and its member contacts', or the individual member's."""
    membership = invoice.membership
    if membership.organisation_id:
        organisation = membership.organisation
        addresses = [organisation.email]
        addresses += Person.objects.filter(
            organisation=organisation, is_member_contact=True
        ).values_list("email", flat=True)
    else:
        addresses = [membership.person.email]
    unique: dict[str, str] = {}
    for address in addresses:
        address = (address or "").strip()
        if address:
            unique.setdefault(address.lower(), address)
    return list(unique.values())


def _with_payer(invoices):
    return invoices.with_balance().select_related("membership__organisation", "membership__person")


def _reminder_record(*, reminder: Reminder, invoice: Invoice) -> None:
    """Record a claimed reminder's message (sent after commit), mark it sent, audit it.

    `invoice` is annotated by with_balance(); call inside the claim's transaction.
    """
    mail_queue(
        invoice_message(
            invoice=invoice,
            recipients=reminder.recipients,
            template="members/emails/reminder",
            amount_due=format_euros(invoice.balance_due),
        )
    )
    Reminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())
    changes = {"recipients": reminder.recipients}
    if reminder.kind == ReminderKind.MANUAL:
        changes["manual"] = True
    else:
        changes["days_after_due"] = reminder.days_after_due
    audit_log(actor=reminder.sent_by, obj=invoice, action="invoice.reminder_sent", changes=changes)


# The automatic steps ------------------------------------------------------------------


def _step_record(*, invoice: Invoice, days: int, today: date, recipients: list[str]) -> bool:
    """Claim the step and record its message if the invoice is still unpaid; False if
    claimed or settled (or if the payer already had a reminder today: the step then goes
    tomorrow)."""
    with transaction.atomic():
        Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not Invoice.objects.unpaid().filter(pk=invoice.pk).exists():
            return False
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    invoice=invoice,
                    kind=ReminderKind.AUTOMATIC,
                    days_after_due=days,
                    sent_on=today,
                    recipients=recipients,
                )
        except IntegrityError:
            return False  # another run holds this step, or today's reminder is out
        _reminder_record(reminder=reminder, invoice=invoice)
    return True


def invoice_reminders_send(*, today: date | None = None) -> int:
    """Record the reminder steps due today; returns how many messages were recorded.

    An invoice gets the latest step it has reached (today ≥ due date + delay) unless
    that step was already sent; earlier steps it skipped (the task did not run, or the
    delays changed) are not sent late, so a payer never gets two reminders at once.
    """
    today = today or timezone.localdate()
    delays = sorted(set(settings.DUES_REMINDER_DELAYS))
    if not delays:
        return 0
    invoices = (
        _with_payer(Invoice.objects.overdue(today=today))
        .filter(due_on__lte=today - timedelta(days=delays[0]))
        .order_by("pk")
    )
    sent = 0
    for invoice in invoices.iterator(chunk_size=500):
        reached = [days for days in delays if today >= invoice.due_on + timedelta(days=days)]
        step = reached[-1]
        if invoice.reminders.filter(days_after_due=step).exists():
            continue
        recipients = invoice_recipients(invoice)
        if not recipients:
            logger.warning("Invoice %s is unpaid but its payer has no email address.", invoice)
            continue
        if _step_record(invoice=invoice, days=step, today=today, recipients=recipients):
            sent += 1
    return sent


# Staff reminders ----------------------------------------------------------------------


def invoice_reminder_refusal(invoice: Invoice, *, today: date | None = None) -> str:
    """Why `invoice` (annotated by with_balance()) cannot be reminded now; "" if it can.
    For the confirmation page; invoice_reminder_request() checks again under a lock."""
    today = today or timezone.localdate()
    if invoice.is_cancelled:
        return _("This invoice is cancelled.")
    if invoice.balance_due <= 0:
        return _("This invoice is paid.")
    if not invoice_recipients(invoice):
        return _("The payer has no email address: add one to the member first.")
    if any(reminder.sent_on == today for reminder in invoice.reminders.all()):
        return _("A reminder was already sent today: the payer gets one a day at most.")
    return ""


def invoice_reminder_request(*, invoice: Invoice, actor) -> Reminder:
    """Claim today's reminder of an unpaid invoice for staff and record its message (sent
    after commit by the mail task).

    Two requests for the same invoice on the same day (a double click, two people) give
    one reminder: the second gets a ValidationError, code "already_today".
    """
    today = timezone.localdate()
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        invoice = _with_payer(Invoice.objects.filter(pk=locked.pk)).get()
        if invoice.is_cancelled:
            raise ValidationError(_("This invoice is cancelled."), code="cancelled")
        if invoice.balance_due <= 0:
            raise ValidationError(_("This invoice is paid."), code="paid")
        recipients = invoice_recipients(invoice)
        if not recipients:
            raise ValidationError(
                _("The payer has no email address: add one to the member first."),
                code="no_email",
            )
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    invoice=invoice,
                    kind=ReminderKind.MANUAL,
                    sent_on=today,
                    sent_by=actor,
                    recipients=recipients,
                )
        except IntegrityError:
            raise ValidationError(
                _("A reminder was already sent today: the payer gets one a day at most."),
                code="already_today",
            ) from None
        _reminder_record(reminder=reminder, invoice=invoice)
    return reminder
