"""The PDFs of the dues cycle: dues calls (invoices), credit notes and payment receipts.

Public bodies pay through Chorus Pro, which reads Factur-X: their invoices, and the
credit notes that cancel them, are PDF/A-3 with the EN 16931 XML inside. Every other
document is a tagged PDF. Documents are printed in French whoever triggers them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext as _

from members.facturx import document_xml, facturx_embed
from members.models import CreditNote, Invoice, Membership, Payment
from portal.core.formats import NBSP, format_number
from portal.core.models import SiteSettings
from portal.core.pdf import PDF_A3, logo_data_uri, render_pdf


def iban_display(iban: str) -> str:
    """FR7630006000011234567890189 → FR76 3000 6000 0112 3456 7890 189."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def rate_display(rate: Decimal) -> str:
    """0.0400 → '0,04 €', 0.035 → '0,035 €': cents at least, no trailing zero beyond."""
    decimals = max(2, -rate.normalize().as_tuple().exponent)
    return f"{format_number(rate, decimals)}{NBSP}€"


def _context(title: str, **extra) -> dict:
    site = SiteSettings.load()
    return {
        "site": site,
        "title": title,
        "logo": logo_data_uri(site),
        "iban": iban_display(site.iban),
        **extra,
    }


def _dues_line(membership: Membership) -> dict:
    """What the invoiced line says: the year, the category and how the dues were computed."""
    line = {"year": str(membership.year), "category": membership.get_category_display()}
    if membership.population_used is not None and membership.rate_used is not None:
        line["population"] = format_number(membership.population_used)
        line["rate"] = rate_display(membership.rate_used)
    return line


def _facturx(pdf_template: str, context: dict, document: Invoice | CreditNote) -> bytes:
    pdf = render_pdf(pdf_template, context, variant=PDF_A3)
    return facturx_embed(
        pdf, document_xml(document), title=context["title"], author=context["site"].name
    )


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """The dues call: Factur-X (PDF/A-3) for a public body, else a tagged PDF."""
    with translation.override(settings.LANGUAGE_CODE):
        context = _context(
            _("Invoice %(number)s") % {"number": invoice.number},
            invoice=invoice,
            line=_dues_line(invoice.membership),
        )
        if invoice.is_facturx:
            return _facturx("members/documents/invoice.html", context, invoice)
        return render_pdf("members/documents/invoice.html", context)


def render_credit_note_pdf(credit_note: CreditNote) -> bytes:
    """The credit note, in Factur-X when the invoice it cancels was."""
    invoice = credit_note.invoice
    with translation.override(settings.LANGUAGE_CODE):
        context = _context(
            _("Credit note %(number)s") % {"number": credit_note.number},
            credit_note=credit_note,
            invoice=invoice,
            line=_dues_line(invoice.membership),
        )
        if invoice.is_facturx:
            return _facturx("members/documents/credit_note.html", context, credit_note)
        return render_pdf("members/documents/credit_note.html", context)


def render_receipt_pdf(payment: Payment) -> bytes:
    """The receipt of a payment, with what remained due once it was received."""
    invoice = payment.invoice
    paid = invoice.payments.filter(pk__lte=payment.pk).aggregate(total=Sum("amount"))["total"]
    with translation.override(settings.LANGUAGE_CODE):
        context = _context(
            _("Receipt %(number)s") % {"number": payment.number},
            payment=payment,
            invoice=invoice,
            remaining=invoice.amount - (paid or Decimal(0)),
        )
        return render_pdf("members/documents/receipt.html", context)


DOCUMENTS = {
    # kind: (model, renderer, file name prefix)
    "invoice": (Invoice, render_invoice_pdf, "facture"),
    "credit_note": (CreditNote, render_credit_note_pdf, "avoir"),
    "payment": (Payment, render_receipt_pdf, "recu"),
}


def document_attach_pdf(*, kind: str, pk: int) -> None:
    """Render an issued document's PDF and attach it, once: later calls change nothing.

    Rendering happens outside any transaction (it takes a second); the row is then
    locked and checked again, so two concurrent calls attach a single file.
    """
    model, render, prefix = DOCUMENTS[kind]
    document = model.objects.get(pk=pk)
    if document.pdf:
        return
    data = render(document)
    with transaction.atomic():
        document = model.objects.select_for_update().get(pk=pk)
        if document.pdf:
            return
        document.pdf.save(f"{prefix}-{document.number}.pdf", ContentFile(data), save=False)
        document.save(update_fields=["pdf"])
