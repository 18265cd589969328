"""The bulk import page: upload a CSV and the PDFs, preview, then confirm.

Between the preview and the confirmation the files wait in the default storage
(shared by every web process) under a random token kept in the staff member's
session; confirming re-checks everything and imports all the lines or none.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext

from publications.forms import PublicationImportForm
from publications.import_files import ImportFiles, import_files_from
from publications.imports import (
    ImportReport,
    publications_import_check,
    publications_import_run,
)

logger = logging.getLogger(__name__)

STAGING_ROOT = "imports/publications"
SESSION_KEY = "publications_import"
TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _staging_delete(token: str) -> None:
    if not TOKEN.match(token or ""):
        return
    folder = f"{STAGING_ROOT}/{token}"
    with contextlib.suppress(OSError, NotImplementedError):
        shutil.rmtree(default_storage.path(folder))  # a local storage: the folder goes too
        return
    with contextlib.suppress(OSError, NotImplementedError):
        _directories, files = default_storage.listdir(f"{folder}/files")
        for name in files:
            default_storage.delete(f"{folder}/files/{name}")
    with contextlib.suppress(OSError, NotImplementedError):
        for name in default_storage.listdir(folder)[1]:
            default_storage.delete(f"{folder}/{name}")


def _stage(*, csv_data: bytes, archive, uploads, as_draft: bool) -> dict:
    """Save the checked files for the confirmation; returns what the session keeps."""
    token = uuid.uuid4().hex
    folder = f"{STAGING_ROOT}/{token}"
    default_storage.save(f"{folder}/data.csv", ContentFile(csv_data))
    archive_name = ""
    if archive is not None:
        archive.seek(0)
        archive_name = default_storage.save(f"{folder}/archive.zip", archive)
    files = []
    for index, upload in enumerate(uploads):
        upload.seek(0)
        stored = default_storage.save(f"{folder}/files/{index}.pdf", upload)
        files.append([upload.name, stored])
    return {"token": token, "archive": archive_name, "files": files, "as_draft": as_draft}


class _StoredUpload:
    """A staged file, seen by ImportFiles as the upload it was."""

    def __init__(self, name: str, stored: str, stack: contextlib.ExitStack):
        self.name = name
        self.size = default_storage.size(stored)
        self._handle = stack.enter_context(default_storage.open(stored, "rb"))

    def seek(self, position: int) -> None:
        self._handle.seek(position)

    def read(self, limit: int = -1) -> bytes:
        return self._handle.read(limit)


class PublicationImportMixin:
    """Adds the « Import publications » page to the publications admin."""

    import_template = "admin/publications/publication/import.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="publications_publication_import"),
            *super().get_urls(),
        ]

    def has_import_permission(self, request) -> bool:
        return request.user.has_perm("publications.add_publication") and request.user.has_perm(
            "publications.change_publication"
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and ("confirm" in request.POST or "cancel" in request.POST):
            return self._import_confirm(request)
        form = PublicationImportForm(request.POST or None, request.FILES or None)
        report, staged = None, None
        if request.method == "POST" and form.is_valid():
            report, staged = self._import_preview(request, form)
        return self._import_render(request, form, report, staged)

    def _import_render(self, request, form, report: ImportReport | None, staged: dict | None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import publications"),
            "form": form,
            "report": report,
            "token": staged["token"] if staged else "",
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, self.import_template, context)

    def _import_preview(self, request, form) -> tuple[ImportReport, dict | None]:
        """Check the files (dry run); stage them when every line is right."""
        _staging_delete(request.session.get(SESSION_KEY, {}).get("token", ""))
        request.session.pop(SESSION_KEY, None)
        csv_data = form.cleaned_data["csv_file"].read()
        archive = form.cleaned_data.get("archive")
        uploads = form.cleaned_data.get("files") or []
        try:
            files = import_files_from(archive=archive, uploads=uploads)
        except ValidationError as error:
            return ImportReport(errors=list(error.messages)), None
        report = publications_import_check(csv_data=csv_data, files=files)
        if not report.is_valid:
            return report, None
        staged = _stage(
            csv_data=csv_data,
            archive=archive,
            uploads=uploads,
            as_draft=form.cleaned_data.get("as_draft", False),
        )
        request.session[SESSION_KEY] = staged
        return report, staged

    def _import_confirm(self, request):
        staged = request.session.pop(SESSION_KEY, None) or {}
        token = request.POST.get("token", "")
        changelist = reverse("admin:publications_publication_changelist")
        if not staged or staged.get("token") != token or not TOKEN.match(token):
            _staging_delete(staged.get("token", ""))
            self.message_user(
                request,
                gettext("This import has expired or was already done: send the files again."),
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:publications_publication_import"))
        if "cancel" in request.POST:
            _staging_delete(token)
            self.message_user(request, gettext("Import cancelled."), messages.INFO)
            return HttpResponseRedirect(changelist)
        try:
            report = self._import_staged(staged, request.user)
        finally:
            _staging_delete(token)
        if not report.is_valid or not report.created:
            lines = ", ".join(str(row.line) for row in report.error_rows)
            self.message_user(
                request,
                gettext("Nothing was imported: lines %(lines)s have errors.") % {"lines": lines}
                if lines
                else gettext("Nothing was imported: %(problems)s")
                % {"problems": " ".join(report.errors)},
                messages.ERROR,
            )
            return self._import_render(request, PublicationImportForm(), report, None)
        count = len(report.created)
        self.message_user(
            request,
            ngettext("%(count)d publication imported.", "%(count)d publications imported.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(changelist)

    def _import_staged(self, staged: dict, actor) -> ImportReport:
        folder = f"{STAGING_ROOT}/{staged['token']}"
        with contextlib.ExitStack() as stack:
            try:
                with default_storage.open(f"{folder}/data.csv", "rb") as handle:
                    csv_data = handle.read()
                files = ImportFiles()
                if staged.get("archive"):
                    files.add_archive(stack.enter_context(default_storage.open(staged["archive"])))
                for name, stored in staged.get("files", []):
                    files.add_upload(_StoredUpload(name, stored, stack))
            except (OSError, ValidationError):
                logger.exception("A staged publication import could not be read.")
                return ImportReport(
                    errors=[gettext("The files of this import are gone: send them again.")]
                )
            return publications_import_run(
                csv_data=csv_data, files=files, actor=actor, as_draft=staged.get("as_draft", False)
            )
