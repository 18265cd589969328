"""Back office of invoices, credit notes and payments: read-only documents whose
changes go through the billing services (see invoice_actions), the overdue list and the
sales journal (see journal)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import F, Q, TextChoices
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from members.admin.common import euros
from members.admin.invoice_actions import InvoiceActionsMixin
from members.admin.journal import SalesJournalMixin
from members.models import CreditNote, Invoice, Payment, Reminder, ReminderKind
from members.models.billing import overdue_condition
from members.selectors.reminders import invoice_days_late, invoice_next_reminder
from portal.core.admin.base import AuditTrailMixin, ReadOnlyAdmin


class InvoiceStatus(TextChoices):
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


def invoice_status(invoice: Invoice) -> InvoiceStatus:
    """From the annotations of Invoice.objects.with_balance(); past its due date, an
    invoice partly paid is overdue."""
    if invoice.is_cancelled:
        return InvoiceStatus.CANCELLED
    if invoice.paid_total >= invoice.amount:
        return InvoiceStatus.PAID
    if invoice.is_overdue:
        return InvoiceStatus.OVERDUE
    if invoice.paid_total > 0:
        return InvoiceStatus.PARTLY_PAID
    return InvoiceStatus.DUE


class InvoiceStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return InvoiceStatus.choices

    def queryset(self, request, queryset):
        overdue = overdue_condition()
        on_time = Q(is_cancelled=False, paid_total__lt=F("amount")) & ~overdue
        conditions = {
            InvoiceStatus.CANCELLED: Q(is_cancelled=True),
            InvoiceStatus.PAID: Q(is_cancelled=False, paid_total__gte=F("amount")),
            InvoiceStatus.OVERDUE: overdue,
            InvoiceStatus.PARTLY_PAID: on_time & Q(paid_total__gt=0),
            InvoiceStatus.DUE: on_time & Q(paid_total=0),
        }
        condition = conditions.get(self.value())
        return queryset.filter(condition) if condition is not None else queryset


def _overdue_list(request) -> bool:
    return request.GET.get(InvoiceStatusFilter.parameter_name) == InvoiceStatus.OVERDUE


def reminder_text(reminder: Reminder) -> str:
    """« +30 days, 10 July 2025 », « manual, 12 July 2025 (Anne Martin) », or not sent yet."""
    day = date_format(reminder.sent_on, "DATE_FORMAT")
    if reminder.kind == ReminderKind.MANUAL:
        text = gettext("manual, %(date)s") % {"date": day}
        if reminder.sent_by:
            text += f" ({reminder.sent_by.get_full_name() or reminder.sent_by.email})"
    else:
        text = gettext("+%(days)s days, %(date)s") % {"days": reminder.days_after_due, "date": day}
    if reminder.sent_at is None:
        text += " — " + gettext("not sent yet")
    return text


class ReadOnlyDocumentAdmin(ReadOnlyAdmin):
    """Issued documents are immutable: no add, change or delete through the admin."""


@admin.register(Invoice)
class InvoiceAdmin(SalesJournalMixin, InvoiceActionsMixin, AuditTrailMixin, ReadOnlyDocumentAdmin):
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
        return (
            super()
            .get_queryset(request)
            .with_balance()
            .select_related("membership")
            .prefetch_related("reminders__sent_by")
        )

    def get_list_display(self, request):
        """Filtered on « overdue », the list says how late each invoice is and what the
        daily reminders will do next."""
        if _overdue_list(request):
            return [
                "number", "payer_name", "balance_display", "due_on", "days_late_display",
                "reminders_display", "next_reminder_display",
            ]  # fmt: skip
        return super().get_list_display(request)

    def get_ordering(self, request):
        if _overdue_list(request):
            return ["due_on", "pk"]
        return super().get_ordering(request)

    def changelist_view(self, request, extra_context=None):
        if _overdue_list(request):
            extra_context = {**(extra_context or {}), "title": gettext("Overdue invoices")}
        return super().changelist_view(request, extra_context)

    # Columns ------------------------------------------------------------------------

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, invoice: Invoice) -> str:
        return euros(invoice.amount)

    @admin.display(description=_("balance due"), ordering="balance_due")
    def balance_display(self, invoice: Invoice) -> str:
        return euros(invoice.balance_due)

    @admin.display(description=_("days late"), ordering="due_on")
    def days_late_display(self, invoice: Invoice) -> str:
        days = invoice_days_late(invoice)
        return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}

    @admin.display(description=_("next reminder"))
    def next_reminder_display(self, invoice: Invoice) -> str:
        step = invoice_next_reminder(invoice)
        if step is None:
            return gettext("None: every step is sent")
        if step.due_now:
            return gettext("+%(days)s days, at the next daily run") % {"days": step.days_after_due}
        return gettext("+%(days)s days, %(date)s") % {
            "days": step.days_after_due,
            "date": date_format(step.on, "DATE_FORMAT"),
        }

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
                    date_format(payment.paid_on),
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
        reminders = list(invoice.reminders.all())
        if not reminders:
            return "—"
        return format_html_join("", "<div>{}</div>", ((reminder_text(r),) for r in reminders))


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
