"""Back office of personal data: one person's data (summary, JSON, PDF, erasure request),
the erasure requests another staff member confirms, and the retention runs (read only).

Every staff member may use these pages. Addresses travel in POST bodies, never in URLs,
so they stay out of the server's logs and the browser's history.
"""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.core.admin.base import ReadOnlyAdmin
from portal.core.erasures import email_fingerprint
from portal.core.formats import NBSP
from portal.core.roles import is_staff
from portal.privacy.models import ErasureRequest, ErasureStatus, RetentionRun, SubjectLookup
from portal.privacy.selectors import (
    erasure_requests_of,
    export_filename,
    export_json,
    export_pdf,
    export_readable,
    subject_export,
    subject_find,
)
from portal.privacy.services import (
    ErasureRefused,
    erasure_cancel,
    erasure_confirm,
    erasure_request,
    subject_export_audit,
)


class SubjectForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email address of the person"),
        widget=forms.EmailInput(attrs={"class": "vTextField", "autocomplete": "off"}),
    )


class ErasureAskForm(SubjectForm):
    email = forms.EmailField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Who asked and how (e.g. « request by email of 3 March »); the person's name "
            "and address are taken out of it once the erasure is done."
        ),
    )


class StaffReadOnly(ReadOnlyAdmin):
    """Any staff member reads; nobody adds, changes or deletes through Django's pages."""

    def has_module_permission(self, request) -> bool:
        return is_staff(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_staff(request.user)


RULE_NAMES = {
    "inactive_people": gettext_lazy("inactive people erased"),
    "pending_subscriptions": gettext_lazy("unconfirmed subscriptions deleted"),
    "old_deliveries": gettext_lazy("old newsletter deliveries deleted"),
    "failed": gettext_lazy("erasures failed"),
}


def _count_name(key: str) -> str:
    """A model label (« events.evaluation ») or a retention rule, as staff read it."""
    if key in RULE_NAMES:
        return str(RULE_NAMES[key])
    try:
        return str(capfirst(apps.get_model(key)._meta.verbose_name_plural))
    except (LookupError, ValueError):
        return key


def _counts_text(counts: dict) -> str:
    parts = [f"{_count_name(key)}{NBSP}: {number}" for key, number in counts.items() if number]
    return " ; ".join(sorted(parts))


@admin.register(SubjectLookup)
class SubjectLookupAdmin(StaffReadOnly):
    """« Personal data of a person »: type an address, see what is held, act on it."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("", view(self.lookup_view), name="privacy_subjectlookup_changelist"),
            path("json/", view(require_POST(self.json_view)), name="privacy_subjectlookup_json"),
            path("pdf/", view(require_POST(self.pdf_view)), name="privacy_subjectlookup_pdf"),
            path(
                "effacement/",
                view(require_POST(self.erasure_view)),
                name="privacy_subjectlookup_erasure",
            ),
        ]

    def _context(self, request, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Personal data of a person"),
            **extra,
        }

    def _render(self, request, form: SubjectForm, ask_form: ErasureAskForm | None = None):
        context = self._context(request, form=form)
        if form.is_bound and form.is_valid():
            subject = subject_find(email=form.cleaned_data["email"])
            export = subject_export(subject=subject)
            context |= {
                "subject": subject,
                "apps": export_readable(export=export),
                "requests": list(
                    erasure_requests_of(subject=subject).select_related(
                        "requested_by", "confirmed_by"
                    )
                ),
                "open_request": ErasureRequest.objects.filter(
                    email_sha256=email_fingerprint(subject.email),
                    status=ErasureStatus.REQUESTED,
                ).first(),
                "ask_form": ask_form or ErasureAskForm(initial={"email": subject.email}),
            }
        return TemplateResponse(request, "privacy/admin/subject_lookup.html", context)

    def lookup_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = SubjectForm(request.POST if request.method == "POST" else None)
        return self._render(request, form)

    def _download(self, request, *, extension: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = SubjectForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        subject = subject_find(email=form.cleaned_data["email"])
        export = subject_export(subject=subject)
        subject_export_audit(subject=subject, actor=request.user, file_format=extension)
        if extension == "pdf":
            response = HttpResponse(export_pdf(export=export), content_type="application/pdf")
        else:
            response = HttpResponse(
                export_json(export=export), content_type="application/json; charset=utf-8"
            )
        filename = export_filename(extension=extension)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def json_view(self, request):
        return self._download(request, extension="json")

    def pdf_view(self, request):
        return self._download(request, extension="pdf")

    def erasure_view(self, request):
        """Ask for the erasure; it waits for another staff member's confirmation."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        ask_form = ErasureAskForm(request.POST)
        lookup = SubjectForm({"email": request.POST.get("email", "")})
        if not ask_form.is_valid():
            return self._render(request, lookup, ask_form)
        subject = subject_find(email=ask_form.cleaned_data["email"])
        try:
            erasure = erasure_request(
                subject=subject, requested_by=request.user, reason=ask_form.cleaned_data["reason"]
            )
        except ErasureRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return self._render(request, lookup, ask_form)
        self.message_user(
            request,
            _("The erasure is asked for. Another staff member must now confirm it."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:privacy_erasurerequest_change", args=[erasure.pk])
        )


@admin.register(ErasureRequest)
class ErasureRequestAdmin(StaffReadOnly):
    list_display = [
        "__str__", "status", "requested_at", "requested_by", "confirmed_by", "confirmed_at",
    ]  # fmt: skip
    list_filter = ["status"]
    list_select_related = ["requested_by", "confirmed_by"]
    fields = [
        "status", "subject_email", "person", "reason", "requested_by", "requested_at",
        "confirmed_by", "confirmed_at", "rows_changed", "email_sha256",
    ]  # fmt: skip
    readonly_fields = fields
    change_form_template = "privacy/admin/erasurerequest_change_form.html"
    change_list_template = "privacy/admin/erasurerequest_change_list.html"

    @admin.display(description=gettext_lazy("rows changed"))
    def rows_changed(self, obj: ErasureRequest) -> str:
        return _counts_text(obj.counts or {}) or "—"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/confirmer/",
                view(self.confirm_view),
                name="privacy_erasurerequest_confirm",
            ),
            path(
                "<path:object_id>/annuler/",
                view(require_POST(self.cancel_view)),
                name="privacy_erasurerequest_cancel",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        erasure = get_object_or_404(ErasureRequest, pk=object_id)
        extra_context = {
            **(extra_context or {}),
            "erasure": erasure,
            "is_open": erasure.status == ErasureStatus.REQUESTED,
            "is_requester": erasure.requested_by_id == request.user.pk,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _back(self, erasure: ErasureRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:privacy_erasurerequest_change", args=[erasure.pk])
        )

    def confirm_view(self, request, object_id: str):
        """A page saying it is irreversible; the POST erases (another staff member only)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        erasure = get_object_or_404(
            ErasureRequest.objects.select_related("requested_by", "person"), pk=object_id
        )
        if request.method == "POST":
            try:
                erasure = erasure_confirm(erasure=erasure, confirmed_by=request.user)
            except ErasureRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                return self._back(erasure)
            self.message_user(
                request, _("The person's data is erased everywhere."), messages.SUCCESS
            )
            return self._back(erasure)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "erasure": erasure,
            "is_open": erasure.status == ErasureStatus.REQUESTED,
            "is_requester": erasure.requested_by_id == request.user.pk,
            "title": _("Confirm the erasure"),
        }
        if context["is_open"] and erasure.subject_email:
            export = subject_export(subject=subject_find(email=erasure.subject_email))
            context["apps"] = export_readable(export=export)
        return TemplateResponse(request, "privacy/admin/erasure_confirm.html", context)

    def cancel_view(self, request, object_id: str):
        if not self.has_view_permission(request):
            raise PermissionDenied
        erasure = get_object_or_404(ErasureRequest, pk=object_id)
        try:
            erasure = erasure_cancel(erasure=erasure, cancelled_by=request.user)
        except ErasureRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        else:
            self.message_user(request, _("The erasure request is cancelled."), messages.SUCCESS)
        return self._back(erasure)


@admin.register(RetentionRun)
class RetentionRunAdmin(StaffReadOnly):
    list_display = ["started_at", "finished_at", "dry_run", "rule_counts", "actor"]
    list_filter = ["dry_run"]
    list_select_related = ["actor"]
    fields = ["started_at", "finished_at", "dry_run", "rule_counts", "actor"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("counts"))
    def rule_counts(self, obj: RetentionRun) -> str:
        return _counts_text(obj.counts or {}) or "—"
