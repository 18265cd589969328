"""Reminders of unpaid dues calls: each step (days after the due date) sent at most once.

A step is claimed by inserting its `Reminder` row (unique per invoice and step) in a
short transaction; the message is sent outside any transaction; the row is then
marked sent and the sending audited. A second run, or a concurrent one, finds the
row and sends nothing. If the mail server refuses the message, the claim is given
back so that the next run tries again; if the process dies after the server took
the message, the step stays claimed and is never sent twice.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, Exists, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members.models import CreditNote, Invoice, Payment, Person, Reminder
from members.services.billing import invoice_balance
from portal.core.formats import format_euros
from portal.core.mail import email_build
from portal.core.models import SiteSettings
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


def _iban_grouped(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def _message_build(*, invoice: Invoice, recipients: list[str]) -> EmailMultiAlternatives:
    site = SiteSettings.load()
    context = {
        "invoice": invoice,
        "payer": invoice.payer_name,
        "amount_due": format_euros(invoice_balance(invoice)),
        "amount": format_euros(invoice.amount),
        "issued_on": date_format(invoice.issued_on, "DATE_FORMAT"),
        "due_on": date_format(invoice.due_on, "DATE_FORMAT"),
        "iban": _iban_grouped(site.iban),
        "bic": site.bic,
    }
    return email_build(
        template="members/emails/reminder",
        context=context,
        to=recipients,
        reply_to=[site.email] if site.email else None,
    )


def _reminder_claim(*, invoice_id: int, days: int) -> Reminder | None:
    """Insert the step's row if the invoice is still unpaid; None if claimed or settled."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if invoice_balance(invoice) <= 0:
            return None
        try:
            with transaction.atomic():
                return Reminder.objects.create(invoice=invoice, days_after_due=days)
        except IntegrityError:
            return None  # another run holds this step


def invoice_reminders_send(*, today: date | None = None) -> int:
    """Send the reminder steps due today; returns how many messages were sent.

    An invoice gets the latest step it has reached (today ≥ due date + delay) unless
    that step was already sent; earlier steps it skipped (the task did not run, or the
    delays changed) are not sent late, so a payer never gets two reminders at once.
    """
    today = today or timezone.localdate()
    delays = sorted(set(settings.DUES_REMINDER_DELAYS))
    if not delays:
        return 0
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk"))
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=12, decimal_places=2)
    invoices = (
        Invoice.objects.annotate(
            paid_total=Coalesce(Subquery(paid, output_field=money), Value(0, output_field=money)),
            cancelled=Exists(CreditNote.objects.filter(invoice=OuterRef("pk"))),
        )
        .filter(cancelled=False, due_on__lte=today - timedelta(days=delays[0]))
        .select_related("membership__organisation", "membership__person")
        .order_by("pk")
    )
    sent = 0
    failures: list[Exception] = []
    for invoice in invoices.iterator(chunk_size=500):
        if invoice.paid_total >= invoice.amount:
            continue
        reached = [days for days in delays if today >= invoice.due_on + timedelta(days=days)]
        step = reached[-1]
        if invoice.reminders.filter(days_after_due=step).exists():
            continue
        recipients = invoice_recipients(invoice)
        if not recipients:
            logger.warning("Invoice %s is unpaid but its payer has no email address.", invoice)
            continue
        reminder = _reminder_claim(invoice_id=invoice.pk, days=step)
        if reminder is None:
            continue
        try:
            _message_build(invoice=invoice, recipients=recipients).send()
        except Exception as error:  # the server did not take it: give the step back
            logger.exception("Reminder +%s of %s could not be sent.", step, invoice)
            Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).delete()
            failures.append(error)
            continue
        with transaction.atomic():
            Reminder.objects.filter(pk=reminder.pk).update(
                sent_at=timezone.now(), recipients=recipients
            )
            audit_log(
                actor=None,
                obj=invoice,
                action="invoice.reminder_sent",
                changes={"days_after_due": step, "recipients": recipients},
            )
        sent += 1
    if failures:
        raise failures[0]
    return sent


def invoice_reminder_send_now(*, invoice: Invoice, actor) -> list[str]:
    """Send a reminder of an unpaid invoice at once (from the back office); not a step."""
    invoice = Invoice.objects.select_related("membership__organisation", "membership__person").get(
        pk=invoice.pk
    )
    if CreditNote.objects.filter(invoice=invoice).exists():
        raise ValidationError(_("This invoice is cancelled."), code="cancelled")
    if invoice_balance(invoice) <= 0:
        raise ValidationError(_("This invoice is paid."), code="paid")
    recipients = invoice_recipients(invoice)
    if not recipients:
        raise ValidationError(
            _("The payer has no email address: add one to the member first."), code="no_email"
        )
    _message_build(invoice=invoice, recipients=recipients).send()
    audit_log(
        actor=actor,
        obj=invoice,
        action="invoice.reminder_sent",
        changes={"manual": True, "recipients": recipients},
    )
    return recipients
