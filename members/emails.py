"""The messages of the dues cycle that carry a dues call: the call itself and its reminders.

Both attach the call's PDF (rendered now if the task that renders it after the invoice's
commit has not run yet), so that the payer can pay from either.
"""

from __future__ import annotations

import os

from django.core.mail import EmailMultiAlternatives
from django.utils.formats import date_format

from members.documents import document_attach_pdf, iban_display
from members.models import Invoice
from portal.core.formats import format_euros
from portal.core.mail import email_build
from portal.core.models import SiteSettings


def invoice_pdf(invoice: Invoice) -> tuple[str, bytes]:
    """The dues call's PDF, as (file name, bytes)."""
    if not invoice.pdf:
        document_attach_pdf(kind="invoice", pk=invoice.pk)
        invoice.refresh_from_db(fields=["pdf"])
    with invoice.pdf.open("rb") as handle:
        return os.path.basename(invoice.pdf.name), handle.read()


def invoice_message(
    *, invoice: Invoice, recipients: list[str], template: str, **context
) -> EmailMultiAlternatives:
    """A message about `invoice` from `template`, its PDF attached."""
    site = SiteSettings.load()
    message = email_build(
        template=template,
        context={
            "invoice": invoice,
            "year": invoice.membership.year,
            "payer": invoice.payer_name,
            "amount": format_euros(invoice.amount),
            "issued_on": date_format(invoice.issued_on, "DATE_FORMAT"),
            "due_on": date_format(invoice.due_on, "DATE_FORMAT"),
            "iban": iban_display(site.iban),
            "bic": site.bic,
            **context,
        },
        to=recipients,
        reply_to=[site.email] if site.email else None,
    )
    message.attach(*invoice_pdf(invoice), "application/pdf")
    return message
