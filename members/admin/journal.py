"""The sales journal page of the back office: choose a period, read its totals, download
it as CSV or XLSX for the accountant (staff and directors)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from members.admin.common import euros
from members.admin.forms import SalesJournalForm
from members.imports.journal import (
    sales_journal_csv,
    sales_journal_filename,
    sales_journal_xlsx,
)
from members.selectors.journal import sales_journal

FILES = {
    "csv": (sales_journal_csv, "text/csv; charset=utf-8"),
    "xlsx": (
        sales_journal_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


class SalesJournalMixin:
    """For InvoiceAdmin: /admin/members/invoice/journal/."""

    def has_journal_permission(self, request) -> bool:
        user = request.user
        return all(
            user.has_perm(f"members.view_{model}") for model in ("invoice", "creditnote", "payment")
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("journal/", view(self.journal_view), name="members_invoice_journal"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_export_journal": self.has_journal_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def journal_view(self, request):
        if not self.has_journal_permission(request):
            raise PermissionDenied
        return require_GET(self._journal_page)(request)

    def _journal_page(self, request):
        last_year = timezone.localdate().year - 1
        if "start" in request.GET or "end" in request.GET:
            form = SalesJournalForm(request.GET)
        else:
            form = SalesJournalForm(
                initial={"start": date(last_year, 1, 1), "end": date(last_year, 12, 31)}
            )
        journal = None
        if form.is_bound and form.is_valid():
            journal = sales_journal(start=form.cleaned_data["start"], end=form.cleaned_data["end"])
            file_format = request.GET.get("format")
            if file_format in FILES:
                build, content_type = FILES[file_format]
                response = HttpResponse(build(journal), content_type=content_type)
                filename = sales_journal_filename(journal, file_format)
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Sales journal"),
            "form": form,
            "journal": journal,
            "accounts": [
                {"journal": j, "account": a, "debit": euros(d), "credit": euros(c)}
                for j, a, d, c in (journal.accounts() if journal else ())
            ],
            "total_debit": euros(journal.total_debit) if journal else "",
            "total_credit": euros(journal.total_credit) if journal else "",
            "query": urlencode({"start": journal.start, "end": journal.end}) if journal else "",
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/members/invoice/journal.html", context)
