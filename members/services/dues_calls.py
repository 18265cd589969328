"""Mailing a dues call to its payer with its PDF attached, at most once.

Run by a task per invoice, enqueued when a campaign issues the call. The PDF is rendered
first if the task that renders it has not run yet (both are idempotent and lock the row),
so the message never leaves without it. The invoice is then claimed: under its row lock,
`sent_at` is set if it was empty, in the transaction that records the message; the mail
task sends it, retrying while the server is away (portal.core.mail). A retried or
re-delivered task finds the invoice claimed and records nothing more.

The recipients are the payer's, as for reminders (members.services.reminders): the
organisation's address and its member contacts', or the individual member's, so whoever
is reminded later has received the call. Calls deposited on Chorus Pro are not mailed.
"""

from __future__ import annotations

import logging
import zipfile
from io import BytesIO

from django.db import transaction
from django.utils import timezone

from members.emails import invoice_message, invoice_pdf
from members.models import CreditNote, DuesCampaign, Invoice
from members.selectors.campaigns import campaign_chorus_invoices
from members.services.reminders import invoice_recipients
from portal.core.mail import mail_queue
from portal.core.services import audit_log

logger = logging.getLogger(__name__)


def invoice_call_send(*, invoice_id: int) -> list[str]:
    """Mail the dues call with its PDF to the payer, unless mailed already, cancelled, for
    Chorus Pro, or without any address; returns the recipients it was recorded for.

    The invoice is claimed (sent_at, under its row lock) in the transaction that records
    the message; the mail task sends it (portal.core.mail).
    """
    invoice = Invoice.objects.select_related("membership__organisation", "membership__person").get(
        pk=invoice_id
    )
    if invoice.sent_at is not None or invoice.is_for_chorus:
        return []
    recipients = invoice_recipients(invoice)
    if not recipients:
        logger.warning("Dues call %s: the payer has no email address, it is not mailed.", invoice)
        return []
    message = invoice_message(
        invoice=invoice, recipients=recipients, template="members/emails/dues_call"
    )
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.sent_at is not None:
            return []  # another run mailed it meanwhile
        if CreditNote.objects.filter(invoice=invoice).exists():
            return []  # cancelled before it could be mailed
        Invoice.objects.filter(pk=invoice.pk).update(sent_at=timezone.now())
        mail_queue(message)
        audit_log(
            actor=None, obj=invoice, action="invoice.sent", changes={"recipients": recipients}
        )
    return recipients


def campaign_chorus_zip_build(*, campaign: DuesCampaign) -> tuple[bytes, int]:
    """The Factur-X PDFs of the campaign's calls to deposit on Chorus Pro, in one zip, and
    how many. Complete: a PDF the worker has not rendered yet is rendered here."""
    buffer = BytesIO()
    count = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for invoice in campaign_chorus_invoices(campaign):
            archive.writestr(*invoice_pdf(invoice))
            count += 1
    return buffer.getvalue(), count
