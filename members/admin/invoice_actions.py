"""The invoice pages and actions of the back office: record a payment, cancel with a
credit note, send a reminder; each calls its service and shows its refusal on the form."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from members.admin.common import euros
from members.admin_forms import CreditNoteForm, PaymentRecordForm
from members.models import Invoice
from members.services.billing import credit_note_issue, payment_record
from members.services.reminders import invoice_reminder_send_now

ZERO = Decimal("0.00")


def balance_of(invoice: Invoice) -> Decimal:
    """From the annotations of InvoiceAdmin.get_queryset()."""
    return ZERO if invoice.is_cancelled else invoice.amount - invoice.paid_total


class InvoiceActionsMixin:
    """For InvoiceAdmin, whose queryset carries `paid_total` and `is_cancelled`."""

    # Actions: each leads to a page of its own ---------------------------------------

    def has_record_payment_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("members.add_payment")

    def has_credit_note_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("members.add_creditnote")

    def has_reminder_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("members.add_reminder")

    def _one_invoice(self, request, queryset, url_name: str):
        if queryset.count() != 1:
            self.message_user(request, gettext("Select exactly one invoice."), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse(url_name, args=[queryset.get().pk]))

    @admin.action(description=_("Record a payment"), permissions=["record_payment"])
    def record_payment(self, request, queryset):
        return self._one_invoice(request, queryset, "admin:members_invoice_record_payment")

    @admin.action(description=_("Cancel with a credit note"), permissions=["credit_note"])
    def cancel_with_credit_note(self, request, queryset):
        return self._one_invoice(request, queryset, "admin:members_invoice_credit_note")

    @admin.action(description=_("Send a reminder now"), permissions=["reminder"])
    def send_reminder_now(self, request, queryset) -> None:
        for invoice in queryset:
            self._reminder_send(request, invoice)

    def _reminder_send(self, request, invoice: Invoice) -> None:
        try:
            recipients = invoice_reminder_send_now(invoice=invoice, actor=request.user)
        except ValidationError as error:
            self.message_user(
                request,
                gettext("%(number)s: %(error)s")
                % {"number": invoice.number, "error": " ".join(error.messages)},
                messages.ERROR,
            )
        except OSError:
            self.message_user(
                request,
                gettext("%(number)s: the reminder could not be sent; try again later.")
                % {"number": invoice.number},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                gettext("%(number)s: reminder sent to %(recipients)s.")
                % {"number": invoice.number, "recipients": ", ".join(recipients)},
                messages.SUCCESS,
            )

    # Pages --------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/payment/", view(self.record_payment_view),
                 name="members_invoice_record_payment"),
            path("<path:object_id>/credit-note/", view(self.credit_note_view),
                 name="members_invoice_credit_note"),
            path("<path:object_id>/reminder/", view(self.reminder_view),
                 name="members_invoice_reminder"),
            *super().get_urls(),
        ]  # fmt: skip

    def _invoice_or_404(self, request, object_id) -> Invoice:
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def _action_page(self, request, invoice: Invoice, form, title: str, submit: str):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "invoice": invoice,
            "balance": euros(balance_of(invoice)),
            "form": form,
            "submit_label": submit,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/members/invoice/action_form.html", context)

    def _to_invoice(self, invoice: Invoice) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:members_invoice_change", args=[invoice.pk]))

    def record_payment_view(self, request, object_id):
        if not self.has_record_payment_permission(request):
            raise PermissionDenied
        invoice = self._invoice_or_404(request, object_id)
        if request.method == "POST":
            form = PaymentRecordForm(request.POST)
            if form.is_valid():
                try:
                    payment = payment_record(
                        invoice=invoice,
                        amount=form.cleaned_data["amount"],
                        method=form.cleaned_data["method"],
                        paid_on=form.cleaned_data["paid_on"],
                        reference=form.cleaned_data["reference"],
                        recorded_by=request.user,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.message_user(
                        request,
                        gettext(
                            "Payment of %(amount)s recorded on %(number)s: receipt %(receipt)s."
                        )
                        % {
                            "amount": euros(payment.amount),
                            "number": invoice.number,
                            "receipt": payment.number,
                        },
                        messages.SUCCESS,
                    )
                    return self._to_invoice(invoice)
        else:
            form = PaymentRecordForm(
                initial={"amount": balance_of(invoice), "paid_on": timezone.localdate()}
            )
        title = gettext("Record a payment on %(number)s") % {"number": invoice.number}
        return self._action_page(request, invoice, form, title, gettext("Record the payment"))

    def credit_note_view(self, request, object_id):
        if not self.has_credit_note_permission(request):
            raise PermissionDenied
        invoice = self._invoice_or_404(request, object_id)
        form = CreditNoteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                credit_note = credit_note_issue(
                    invoice=invoice, reason=form.cleaned_data["reason"], issued_by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    gettext("%(number)s is cancelled by the credit note %(credit_note)s.")
                    % {"number": invoice.number, "credit_note": credit_note.number},
                    messages.SUCCESS,
                )
                return self._to_invoice(invoice)
        title = gettext("Cancel %(number)s with a credit note") % {"number": invoice.number}
        return self._action_page(request, invoice, form, title, gettext("Issue the credit note"))

    def reminder_view(self, request, object_id):
        if not self.has_reminder_permission(request):
            raise PermissionDenied
        return require_POST(self._reminder_post)(request, object_id)

    def _reminder_post(self, request, object_id):
        invoice = self._invoice_or_404(request, object_id)
        self._reminder_send(request, invoice)
        return self._to_invoice(invoice)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page offers only what the invoice allows: a payment or a reminder while
        something is due, a credit note while nothing is paid."""
        invoice = self.get_object(request, object_id)
        due = invoice is not None and balance_of(invoice) > 0
        unpaid = invoice is not None and not invoice.is_cancelled and invoice.paid_total == 0
        extra_context = {
            **(extra_context or {}),
            "can_record_payment": due and self.has_record_payment_permission(request),
            "can_credit_note": unpaid and self.has_credit_note_permission(request),
            "can_remind": due and self.has_reminder_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)
