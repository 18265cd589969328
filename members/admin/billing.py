"""Back office of invoices, credit notes and payments: read-only documents whose
changes go through the billing services (see invoice_actions)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.db.models import (
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextChoices,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.admin.common import AuditTrailMixin, euros
from members.admin.invoice_actions import InvoiceActionsMixin, balance_of
from members.models import CreditNote, Invoice, Payment
from portal.core.admin_base import ReadOnlyAdmin

ZERO = Decimal("0.00")


class InvoiceStatus(TextChoices):
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


def invoice_status(invoice: Invoice) -> InvoiceStatus:
    """From the annotations of InvoiceAdmin.get_queryset()."""
    if invoice.is_cancelled:
        return InvoiceStatus.CANCELLED
    if invoice.paid_total >= invoice.amount:
        return InvoiceStatus.PAID
    if invoice.paid_total > 0:
        return InvoiceStatus.PARTLY_PAID
    if invoice.due_on < timezone.localdate():
        return InvoiceStatus.OVERDUE
    return InvoiceStatus.DUE


class InvoiceStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return InvoiceStatus.choices

    def queryset(self, request, queryset):
        unpaid = Q(is_cancelled=False, paid_total__lt=F("amount"))
        conditions = {
            InvoiceStatus.CANCELLED: Q(is_cancelled=True),
            InvoiceStatus.PAID: Q(is_cancelled=False, paid_total__gte=F("amount")),
            InvoiceStatus.PARTLY_PAID: unpaid & Q(paid_total__gt=0),
            InvoiceStatus.OVERDUE: unpaid & Q(paid_total=0, due_on__lt=timezone.localdate()),
            InvoiceStatus.DUE: unpaid & Q(paid_total=0, due_on__gte=timezone.localdate()),
        }
        condition = conditions.get(self.value())
        return queryset.filter(condition) if condition is not None else queryset


class ReadOnlyDocumentAdmin(ReadOnlyAdmin):
    """Issued documents are immutable: no add, change or delete through the admin."""


@admin.register(Invoice)
class InvoiceAdmin(InvoiceActionsMixin, AuditTrailMixin, ReadOnlyDocumentAdmin):
    list_display = [
        "number", "payer_name", "amount_display", "balance_display", "issued_on", "due_on",
        "status_display",
    ]  # fmt: skip
    list_filter = [InvoiceStatusFilter, "year", "membership__category", "is_facturx"]
    search_fields = ["number", "payer_name", "payer_siret", "commitment_number"]
    date_hierarchy = "issued_on"
    actions = ["record_payment", "cancel_with_credit_note", "send_reminder_now"]
    fieldsets = [
        (None, {"fields": ["number", "membership", "amount", "balance_display", "status_display"]}),
        (_("Dates"), {"fields": ["issued_on", "due_on", "issued_by"]}),
        (
            _("Payer"),
            {
                "fields": [
                    "payer_name",
                    "payer_address",
                    "payer_siret",
                    "payer_service_code",
                    "commitment_number",
                    "is_facturx",
                ]
            },
        ),
        (_("Documents"), {"fields": ["pdf", "payments_display", "credit_note_display"]}),
        (_("Reminders"), {"fields": ["reminders_display"]}),
        (_("History"), {"fields": ["audit_trail"]}),
    ]
    readonly_fields = [
        "balance_display", "status_display", "payments_display", "credit_note_display",
        "reminders_display", "audit_trail",
    ]  # fmt: skip

    def get_queryset(self, request):
        paid = (
            Payment.objects.filter(invoice=OuterRef("pk"))
            .values("invoice")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        money = DecimalField(max_digits=12, decimal_places=2)
        return (
            super()
            .get_queryset(request)
            .select_related("membership")
            .annotate(
                paid_total=Coalesce(Subquery(paid, output_field=money), Value(ZERO)),
                is_cancelled=Exists(CreditNote.objects.filter(invoice=OuterRef("pk"))),
            )
        )

    # Columns ------------------------------------------------------------------------

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, invoice: Invoice) -> str:
        return euros(invoice.amount)

    @admin.display(description=_("balance due"))
    def balance_display(self, invoice: Invoice) -> str:
        return euros(balance_of(invoice))

    @admin.display(description=_("status"))
    def status_display(self, invoice: Invoice) -> str:
        return invoice_status(invoice).label

    @admin.display(description=_("payments"))
    def payments_display(self, invoice: Invoice) -> str:
        payments = list(invoice.payments.order_by("paid_on", "sequence"))
        if not payments:
            return "—"
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> — {} — {} ({})</li>',
            (
                (
                    reverse("admin:members_payment_change", args=[payment.pk]),
                    payment.number,
                    euros(payment.amount),
                    payment.paid_on.strftime("%d/%m/%Y"),
                    payment.get_method_display(),
                )
                for payment in payments
            ),
        )
        return format_html("<ul>{}</ul>", items)

    @admin.display(description=_("credit note"))
    def credit_note_display(self, invoice: Invoice) -> str:
        credit_note = CreditNote.objects.filter(invoice=invoice).first()
        if credit_note is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> — {}',
            reverse("admin:members_creditnote_change", args=[credit_note.pk]),
            credit_note.number,
            credit_note.reason,
        )

    @admin.display(description=_("reminders sent"))
    def reminders_display(self, invoice: Invoice) -> str:
        reminders = [r for r in invoice.reminders.all() if r.sent_at]
        if not reminders:
            return "—"
        return ", ".join(
            gettext("+%(days)s days on %(date)s")
            % {
                "days": reminder.days_after_due,
                "date": timezone.localtime(reminder.sent_at).strftime("%d/%m/%Y"),
            }
            for reminder in reminders
        )


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyDocumentAdmin):
    list_display = ["number", "invoice", "amount_display", "issued_on", "reason"]
    list_select_related = ["invoice"]
    list_filter = ["year"]
    search_fields = ["number", "invoice__number", "invoice__payer_name", "reason"]
    fields = ["number", "invoice", "amount", "reason", "issued_on", "issued_by", "pdf"]

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, credit_note: CreditNote) -> str:
        return euros(credit_note.amount)


@admin.register(Payment)
class PaymentAdmin(AuditTrailMixin, ReadOnlyDocumentAdmin):
    list_display = [
        "number", "invoice", "payer", "amount_display", "method", "paid_on", "reference",
    ]  # fmt: skip
    list_select_related = ["invoice"]
    list_filter = ["method", "year"]
    search_fields = ["number", "invoice__number", "invoice__payer_name", "reference"]
    date_hierarchy = "paid_on"
    fields = [
        "number", "invoice", "amount", "method", "paid_on", "reference", "issued_on",
        "issued_by", "pdf", "audit_trail",
    ]  # fmt: skip
    readonly_fields = ["audit_trail"]

    @admin.display(description=_("payer"), ordering="invoice__payer_name")
    def payer(self, payment: Payment) -> str:
        return payment.invoice.payer_name

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, payment: Payment) -> str:
        return euros(payment.amount)

    @admin.display(description=_("Audit trail"))
    def audit_trail(self, payment: Payment | None) -> str:
        """Payments are logged on their invoice."""
        return super().audit_trail(payment.invoice if payment else None)
