"""The invoice pages and actions of the back office: record a payment, cancel with a
credit note, send a reminder (after a confirmation page); each calls its service and
shows its refusal on the form or as a message."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from members.admin.common import euros
from members.admin.forms import CreditNoteForm, PaymentRecordForm
from members.models import Invoice
from members.selectors.reminders import invoice_days_late
from members.services.billing import credit_note_issue, payment_record
from members.services.reminders import (
    invoice_recipients,
    invoice_reminder_refusal,
    invoice_reminder_request,
)


class InvoiceActionsMixin:
    """For InvoiceAdmin, whose queryset is annotated by Invoice.objects.with_balance()."""

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
    def send_reminder_now(self, request, queryset):
        """A confirmation page first; its button posts the action again with `post`."""
        invoices = list(queryset.select_related("membership__organisation", "membership__person"))
        if request.POST.get("post"):
            for invoice in invoices:
                self._reminder_request(request, invoice)
            return None
        return self._reminder_confirm_page(request, invoices, from_list=True)

    def _reminder_request(self, request, invoice: Invoice) -> None:
        try:
            reminder = invoice_reminder_request(invoice=invoice, actor=request.user)
        except ValidationError as error:
            level = messages.WARNING if error.code == "already_today" else messages.ERROR
            self.message_user(
                request,
                gettext("%(number)s: %(error)s")
                % {"number": invoice.number, "error": " ".join(error.messages)},
                level,
            )
        else:
            self.message_user(
                request,
                gettext("%(number)s: a reminder is on its way to %(recipients)s.")
                % {"number": invoice.number, "recipients": ", ".join(reminder.recipients)},
                messages.SUCCESS,
            )

    def _reminder_confirm_page(self, request, invoices: list[Invoice], *, from_list: bool):
        today = timezone.localdate()
        rows = [
            {
                "invoice": invoice,
                "balance": euros(invoice.balance_due),
                "days_late": invoice_days_late(invoice, today=today),
                "recipients": invoice_recipients(invoice),
                "refusal": invoice_reminder_refusal(invoice, today=today),
                "reminders": list(invoice.reminders.all()),
            }
            for invoice in invoices
        ]
        ready = sum(1 for row in rows if not row["refusal"])
        if len(invoices) == 1:
            title = gettext("Send a reminder of %(number)s") % {"number": invoices[0].number}
        else:
            title = gettext("Send a reminder now")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "rows": rows,
            "ready": ready,
            "submit_label": ngettext("Send the reminder", "Send the %(count)s reminders", ready)
            % {"count": ready},
            "from_list": from_list,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "invoice": invoices[0] if len(invoices) == 1 and not from_list else None,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/members/invoice/reminder_confirm.html", context)

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
            "balance": euros(invoice.balance_due),
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
                initial={"amount": invoice.balance_due, "paid_on": timezone.localdate()}
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
        """GET: what will be sent to whom; POST: send it (once a day at most)."""
        if not self.has_reminder_permission(request):
            raise PermissionDenied
        return require_http_methods(["GET", "POST"])(self._reminder_page)(request, object_id)

    def _reminder_page(self, request, object_id):
        invoice = self._invoice_or_404(request, object_id)
        if request.method == "POST":
            self._reminder_request(request, invoice)
            return self._to_invoice(invoice)
        return self._reminder_confirm_page(request, [invoice], from_list=False)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page offers only what the invoice allows: a payment or a reminder while
        something is due, a credit note while nothing is paid."""
        invoice = self.get_object(request, object_id)
        due = invoice is not None and invoice.balance_due > 0
        unpaid = invoice is not None and not invoice.is_cancelled and invoice.paid_total == 0
        extra_context = {
            **(extra_context or {}),
            "can_record_payment": due and self.has_record_payment_permission(request),
            "can_credit_note": unpaid and self.has_credit_note_permission(request),
            "can_remind": due and self.has_reminder_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)
