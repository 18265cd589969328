"""Issuing invoices and credit notes, recording payments: numbered, audited, immutable."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import (
    CreditNote,
    DocumentKind,
    DuesCampaign,
    Invoice,
    Membership,
    Payment,
    PaymentMethod,
)
from members.services.numbering import sequence_next
from portal.core.formats import format_euros
from portal.core.models import SiteSettings
from portal.core.services import audit_log


def _render_pdf_after_commit(document) -> None:
    from members.tasks import document_render_pdf

    kind = {Invoice: "invoice", CreditNote: "credit_note", Payment: "payment"}[type(document)]
    transaction.on_commit(lambda: document_render_pdf.delay(kind, document.pk))


def _payer_address(membership: Membership) -> str:
    member = membership.organisation or membership.person.organisation
    if member is None:
        return ""
    lines = [member.address.strip(), f"{member.postcode} {member.city}".strip()]
    return "\n".join(line for line in lines if line)


@transaction.atomic
def invoice_issue(
    *,
    membership: Membership,
    issued_by,
    issued_on: date | None = None,
    campaign: DuesCampaign | None = None,
) -> Invoice:
    """Issue the dues call of a membership, numbered in the year it is issued; `campaign`
    is the dues campaign issuing it, if any (its page lists and mails its calls)."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("organisation", "person__organisation")
        .get(pk=membership.pk)
    )
    if membership.cancelled_at:
        raise ValidationError(_("This membership is cancelled."), code="cancelled")
    if membership.invoices.filter(credit_note__isnull=True).exists():
        raise ValidationError(_("This membership is already invoiced."), code="invoiced")
    if membership.amount <= 0:
        raise ValidationError(_("There is nothing to invoice: the dues are zero."), code="zero")
    issued_on = issued_on or timezone.localdate()
    sequence, number = sequence_next(kind=DocumentKind.INVOICE, year=issued_on.year)
    organisation = membership.organisation
    invoice = Invoice(
        number=number,
        year=issued_on.year,
        sequence=sequence,
        issued_on=issued_on,
        issued_by=issued_by,
        amount=membership.amount,
        membership=membership,
        due_on=issued_on + timedelta(days=SiteSettings.load().payment_days),
        payer_name=str(membership.member),
        payer_address=_payer_address(membership),
        payer_siret=organisation.siret if organisation else "",
        payer_service_code=organisation.chorus_service_code if organisation else "",
        commitment_number=membership.commitment_number,
        is_facturx=bool(organisation and organisation.is_public_body),
        campaign=campaign,
    )
    invoice.save()
    audit_log(
        actor=issued_by,
        obj=invoice,
        action="invoice.issued",
        changes={"number": number, "amount": invoice.amount, "membership": membership.pk},
    )
    _render_pdf_after_commit(invoice)
    return invoice


@transaction.atomic
def credit_note_issue(*, invoice: Invoice, reason: str, issued_by) -> CreditNote:
    """Cancel an unpaid invoice in full with a numbered credit note; the invoice stays."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if CreditNote.objects.filter(invoice=invoice).exists():
        raise ValidationError(_("This invoice is already cancelled."), code="cancelled")
    if invoice.payments.exists():
        raise ValidationError(
            _("This invoice has payments: it cannot be cancelled by a credit note."),
            code="paid",
        )
    if not reason.strip():
        raise ValidationError(_("Give the reason for the credit note."), code="reason")
    issued_on = timezone.localdate()
    sequence, number = sequence_next(kind=DocumentKind.CREDIT_NOTE, year=issued_on.year)
    credit_note = CreditNote(
        number=number,
        year=issued_on.year,
        sequence=sequence,
        issued_on=issued_on,
        issued_by=issued_by,
        amount=invoice.amount,
        invoice=invoice,
        reason=reason.strip(),
    )
    credit_note.save()
    audit_log(
        actor=issued_by,
        obj=invoice,
        action="invoice.cancelled",
        changes={"credit_note": number, "reason": credit_note.reason},
    )
    _render_pdf_after_commit(credit_note)
    return credit_note


def invoice_balance(invoice: Invoice) -> Decimal:
    """What remains to be paid on an invoice (zero once cancelled)."""
    if CreditNote.objects.filter(invoice=invoice).exists():
        return Decimal("0.00")
    paid = invoice.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    return invoice.amount - paid


@transaction.atomic
def payment_record(
    *,
    invoice: Invoice,
    amount: Decimal,
    method: PaymentMethod,
    paid_on: date,
    reference: str = "",
    recorded_by,
) -> Payment:
    """Record a (possibly partial) payment and number its receipt; never more than is due."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if CreditNote.objects.filter(invoice=invoice).exists():
        raise ValidationError(_("This invoice is cancelled: no payment can be recorded."))
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive.")})
    balance = invoice_balance(invoice)
    if amount > balance:
        raise ValidationError(
            {
                "amount": _(
                    "The payment of %(amount)s exceeds the %(balance)s still due on %(number)s."
                )
                % {
                    "amount": format_euros(amount),
                    "balance": format_euros(balance),
                    "number": invoice.number,
                }
            },
            code="overpayment",
        )
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date cannot be in the future.")})
    sequence, number = sequence_next(kind=DocumentKind.RECEIPT, year=paid_on.year)
    payment = Payment(
        number=number,
        year=paid_on.year,
        sequence=sequence,
        issued_on=timezone.localdate(),
        issued_by=recorded_by,
        amount=amount,
        invoice=invoice,
        method=method,
        paid_on=paid_on,
        reference=reference.strip(),
    )
    payment.full_clean(exclude=["number", "pdf"])
    payment.save()
    audit_log(
        actor=recorded_by,
        obj=invoice,
        action="payment.recorded",
        changes={"receipt": number, "amount": amount, "method": method, "paid_on": paid_on},
    )
    _render_pdf_after_commit(payment)
    return payment
