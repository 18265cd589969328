"""Shared pieces of the members back office: money display and the spreadsheet exports
(the imports are members.imports)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.text import slugify
from import_export.admin import ExportMixin

from members.admin.forms import ColumnsExportForm
from members.imports.exports import FORMATS
from portal.core.formats import format_euros

__all__ = ["ExportFormatsMixin", "euros"]


def euros(value) -> str:
    return format_euros(value) if value is not None else "—"


class ExportFormatsMixin(ExportMixin):
    export_formats = FORMATS
    export_form_class = ColumnsExportForm
    to_encoding = "utf-8-sig"  # a BOM, so that spreadsheets read the accents right

    def get_export_filename(self, request, queryset, file_format) -> str:
        name = slugify(self.model._meta.verbose_name_plural)
        return f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"
