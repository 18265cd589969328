"""The back office's imports: every kind of record, one page each (explanation, template,
upload), then one page per file sent: its check, its confirmation, its progress, its result.

The pages call portal.core.sheets.jobs; the importers themselves live in the apps.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.core.admin.base import ReadOnlyAdmin
from portal.core.formats import format_number
from portal.core.forms import ImportFileForm
from portal.core.models import ImportJob, ImportJobStatus
from portal.core.sheets.engine import CHANGE_LABELS, Importer
from portal.core.sheets.files import rejected_xlsx, template_xlsx
from portal.core.sheets.jobs import (
    ImportRefused,
    import_job_cancel,
    import_job_confirm,
    import_job_create,
    job_data,
    job_progress,
)
from portal.core.sheets.registry import importer_for, importer_title, importers

# The errors and lines shown on the job page, whatever the size of the file: the rest is
# in the rejected lines' workbook.
SHOWN_ERRORS = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload_form(importer: type[Importer]) -> type[forms.Form]:
    """The file field, then the importer's own options, if any."""
    if importer.options_form is None:
        return ImportFileForm
    return type("ImportUploadForm", (ImportFileForm, importer.options_form), {})


def _xlsx_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ImportKindFilter(admin.SimpleListFilter):
    """The imports by the names staff know them by, not their keys."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(importer.key, importer.title) for importer in importers()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind_title", "file_name", "status", "summary", "created_by"]
    list_filter = ["status", ImportKindFilter]
    list_select_related = ["created_by"]
    search_fields = ["file_name"]

    def has_add_permission(self, request) -> bool:
        return request.user.has_perm("core.add_importjob")

    @admin.display(description=_("kind"))
    def kind_title(self, job: ImportJob) -> str:
        return importer_title(job.kind)

    @admin.display(description=_("lines"))
    def summary(self, job: ImportJob) -> str:
        counts = job.result.get("counts")
        if not counts:
            return "—"
        return gettext("%(new)s new, %(updated)s updated, %(errors)s with errors") % {
            "new": format_number(counts["create"]),
            "updated": format_number(counts["update"]),
            "errors": format_number(counts["error"]),
        }

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("nouveau/<str:kind>/", view(self.upload_view), name="core_importjob_upload"),
            path("modele/<str:kind>/", view(self.template_view), name="core_importjob_template"),
            path("<int:job_id>/suivi.json", view(self.progress_view),
                 name="core_importjob_progress"),
            path("<int:job_id>/confirmer/", view(self.confirm_view),
                 name="core_importjob_confirm"),
            path("<int:job_id>/annuler/", view(self.cancel_view), name="core_importjob_cancel"),
            path("<int:job_id>/lignes-rejetees/", view(self.rejected_view),
                 name="core_importjob_rejected"),
            *super().get_urls(),
        ]  # fmt: skip

    def _context(self, request, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "has_view_permission": self.has_view_permission(request),
            **extra,
        }

    def _importer(self, request, kind: str) -> type[Importer]:
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            importer = importer_for(kind)
        except LookupError:
            raise Http404 from None
        if not importer.allowed(request.user):
            raise PermissionDenied
        return importer

    def _job(self, request, job_id: int) -> ImportJob:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(ImportJob, pk=job_id)

    # The imports, and one of them ------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        """The kinds of import, in the order a centre moves in."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        kinds = [importer for importer in importers() if importer.allowed(request.user)]
        context = self._context(request, title=gettext("Import spreadsheets"), kinds=kinds)
        return TemplateResponse(request, "admin/core/importjob/kinds.html", context)

    def upload_view(self, request, kind: str):
        importer = self._importer(request, kind)
        form_class = _upload_form(importer)
        # Options may come prefilled from a link (« ?session=12 » from a session's page).
        initial = request.GET.dict() if request.method == "GET" else None
        form = form_class(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            job = import_job_create(
                kind=importer.key,
                upload=form.cleaned_data["file"],
                options=form.options(),
                actor=request.user,
            )
            return HttpResponseRedirect(reverse("admin:core_importjob_change", args=[job.pk]))
        context = self._context(request, title=str(importer.title), importer=importer, form=form)
        return TemplateResponse(request, "admin/core/importjob/upload.html", context)

    def template_view(self, request, kind: str):
        importer = self._importer(request, kind)
        return _xlsx_response(template_xlsx(importer), f"modele-{slugify(importer.title)}.xlsx")

    # One file sent -----------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self._job(request, object_id) if str(object_id).isdigit() else None
        if job is None:
            raise Http404
        try:
            importer = importer_for(job.kind)
        except LookupError:
            raise Http404 from None
        result = job.result or {}
        errors = result.get("errors", [])
        context = self._context(
            request,
            title=gettext("Import of “%(file)s”") % {"file": job.file_name},
            job=job,
            importer=importer,
            counts=result.get("counts"),
            file_errors=result.get("file_errors", []),
            ignored_columns=result.get("ignored_columns", []),
            errors=errors[:SHOWN_ERRORS],
            more_errors=max(0, len(errors) - SHOWN_ERRORS),
            preview=[
                (line, CHANGE_LABELS.get(change, ""), label)
                for line, change, label in result.get("preview", [])
            ],
            progress=job_progress(job),
            can_confirm=job.status == ImportJobStatus.CHECKED and importer.allowed(request.user),
            statuses=ImportJobStatus,
        )
        return TemplateResponse(request, "admin/core/importjob/job.html", context)

    def progress_view(self, request, job_id: int):
        job = self._job(request, job_id)
        return JsonResponse(
            {**job_progress(job), "status": job.status, "status_label": job.get_status_display()}
        )

    def confirm_view(self, request, job_id: int):
        job = self._job(request, job_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not importer_for(job.kind).allowed(request.user):
            raise PermissionDenied
        try:
            job = import_job_confirm(
                job_id=job.pk, valid_only=bool(request.POST.get("valid_only")), actor=request.user
            )
        except ImportRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        else:
            if job.status == ImportJobStatus.DONE:
                counts = job.result["counts"]
                self.message_user(
                    request,
                    gettext(
                        "Import done: %(new)s added, %(updated)s updated, %(unchanged)s "
                        "unchanged, %(errors)s lines left out."
                    )
                    % {
                        "new": counts["create"],
                        "updated": counts["update"],
                        "unchanged": counts["unchanged"],
                        "errors": counts["error"] if job.valid_only else 0,
                    },
                    messages.SUCCESS,
                )
            elif job.status == ImportJobStatus.IMPORTING:
                self.message_user(
                    request, gettext("The import is under way: follow it below."), messages.INFO
                )
        return HttpResponseRedirect(reverse("admin:core_importjob_change", args=[job.pk]))

    def cancel_view(self, request, job_id: int):
        job = self._job(request, job_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            import_job_cancel(job_id=job.pk, actor=request.user)
        except ImportRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        else:
            self.message_user(request, gettext("Import cancelled: nothing was saved."))
        return HttpResponseRedirect(reverse("admin:core_importjob_changelist"))

    def rejected_view(self, request, job_id: int):
        job = self._job(request, job_id)
        errors = dict((job.result or {}).get("errors", []))
        if not errors or not job.file:
            raise Http404
        content = rejected_xlsx(importer_for(job.kind), job_data(job), errors)
        stamp = timezone.localtime(job.created_at).strftime("%Y-%m-%d")
        return _xlsx_response(content, f"lignes-rejetees-{stamp}-{job.pk}.xlsx")
