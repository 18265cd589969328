"""Shared pieces of the members back office: the audit trail section, money display,
and the import/export set-up of the directory."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.results import RowResult

from members.admin_forms import ColumnsExportForm, DirectoryImportForm
from members.resources import FORMATS
from portal.core.formats import format_euros
from portal.core.models import AuditEntry


def euros(value) -> str:
    return format_euros(value) if value is not None else "—"


class AuditTrailMixin:
    """Adds a read-only « audit trail » field listing the entries logged on the object."""

    @admin.display(description=_("Audit trail"))
    def audit_trail(self, obj: Model | None) -> str:
        if obj is None or obj.pk is None:
            return "—"
        entries = AuditEntry.objects.for_object(obj).select_related("actor")[:100]
        return render_to_string("admin/members/audit_trail.html", {"entries": entries})


class ExportFormatsMixin(ExportMixin):
    export_formats = FORMATS
    export_form_class = ColumnsExportForm
    to_encoding = "utf-8-sig"  # a BOM, so that spreadsheets read the accents right

    def get_export_filename(self, request, queryset, file_format) -> str:
        name = slugify(self.model._meta.verbose_name_plural)
        return f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"


class DirectoryImportExportMixin(ExportFormatsMixin, ImportExportMixin):
    """Import with a dry-run preview; a file with any failing row imports nothing."""

    import_formats = FORMATS
    export_formats = FORMATS
    import_form_class = DirectoryImportForm
    from_encoding = "utf-8-sig"

    def has_import_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}") and (
            request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e) -> None:
        form.add_error(
            "import_file", _("This file cannot be read: check its format and its encoding (UTF-8).")
        )

    def process_result(self, result, request):
        """At confirmation, a row that fails now (data changed since the preview) undoes all."""
        if result.has_errors() or result.has_validation_errors():
            lines = sorted(
                {row.number for row in result.error_rows}
                | {row.number for row in result.invalid_rows}
            )
            messages.error(
                request,
                gettext("Nothing was imported: lines %(lines)s failed. Run the import again.")
                % {"lines": ", ".join(str(line) for line in lines) or "—"},
            )
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
            )
        return super().process_result(result, request)

    def add_success_message(self, result, request) -> None:
        totals = result.totals
        messages.success(
            request,
            gettext("Import done: %(new)s added, %(updated)s updated, %(skipped)s unchanged.")
            % {
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skipped": totals[RowResult.IMPORT_TYPE_SKIP],
            },
        )
