"""Shared pieces of the members back office: the audit trail section, money display,
and the spreadsheet exports (the imports are members.imports)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from members.admin_forms import ColumnsExportForm
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
