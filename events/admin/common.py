"""Shared pieces of the events back office: service refusals shown as messages,
and spreadsheet exports (CSV with semicolons or XLSX, translated headers)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.text import slugify
from import_export.admin import ExportMixin
from import_export.forms import SelectableFieldsExportForm

from members.imports.exports import FORMATS


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


class ServiceErrorsMixin:
    """A service refusing a change from the save (a ValidationError raised while the
    admin's transaction is open) rolls everything back and shows its message on the
    page again, instead of an error 500."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, error_text(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ColumnsExportForm(SelectableFieldsExportForm):
    """The export form, its column checkboxes labelled with the (translated) headers."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource().fields.get(field_name)
        return str(field.column_name) if field else field_name


class ExportFormatsMixin(ExportMixin):
    export_formats = FORMATS
    export_form_class = ColumnsExportForm
    to_encoding = "utf-8-sig"  # a BOM, so that spreadsheets read the accents right

    def get_export_filename(self, request, queryset, file_format) -> str:
        name = slugify(self.model._meta.verbose_name_plural)
        return f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"
