"""Base classes shared by the apps' back offices."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin import utils as admin_utils
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.forms import SelectableFieldsExportForm

from portal.core.audit import audit_lines
from portal.core.formats import format_datetime, format_number, format_price
from portal.core.sheets.exports import FORMATS
from portal.core.sheets.registry import importer_for

# The entries shown on an object's page; the whole trail is in « Journal des modifications ».
AUDIT_TRAIL_SHOWN = 100


# Numbers in every list and read-only field --------------------------------------------
# Django's admin writes a Decimal or an integer without grouping its thousands unless
# USE_THOUSAND_SEPARATOR is on, and that setting would group every number of every
# template too, years and keys included (« 2 026 », « /factures/1 234/ »). So the admin's
# two display functions are wrapped: numbers through portal/core/formats, the rest as
# Django shows it. Years and primary keys stay as they are. Moments are written as
# everywhere else on the site, « 8 décembre 2026 à 14 h 30 » (format_datetime).


def _is_plain_number(value, field=None) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return False
    if field is None:
        return True
    if getattr(field, "flatchoices", None) or field.primary_key:
        return False
    if isinstance(field, models.DecimalField):
        return True
    return isinstance(field, models.IntegerField) and not field.name.endswith("year")


def _display_for_field(value, field, empty_value_display, *args, **kwargs):
    if isinstance(value, datetime) and isinstance(field, models.DateTimeField):
        return format_datetime(value)
    if _is_plain_number(value, field):
        places = field.decimal_places if isinstance(field, models.DecimalField) else 0
        return format_number(value, places)
    return admin_utils.display_for_field(value, field, empty_value_display, *args, **kwargs)


def _display_for_value(value, empty_value_display, boolean=False):
    if isinstance(value, datetime):
        return format_datetime(value)
    if not boolean and _is_plain_number(value):
        places = -value.as_tuple().exponent if isinstance(value, Decimal) else 0
        return format_number(value, max(places, 0))
    return admin_utils.display_for_value(value, empty_value_display, boolean)


def admin_numbers_install() -> None:
    """Called once by CoreConfig.ready()."""
    from django.contrib.admin import helpers
    from django.contrib.admin.templatetags import admin_list

    helpers.display_for_field = admin_list.display_for_field = _display_for_field
    admin_list.display_for_value = _display_for_value


def number_column(field: str, description, *, money: bool = False):
    """A column or read-only field showing the model field `field` as French writes
    numbers: « 20 980 », « 2 510,40 € » (Django's own display neither groups the
    thousands nor adds the unit). In a ModelAdmin: `downloads = number_column(...)`."""

    @admin.display(description=description, ordering=field)
    def column(model_admin, obj) -> str:
        value = getattr(obj, field)
        if value is None:
            return "—"
        return format_price(value) if money else format_number(value)

    return column


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records kept as proof or history (audit entries, consents, deliveries, issued
    documents...): listed and shown, never added, changed or deleted by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ImportLinkMixin:
    """An « Import a spreadsheet » button on the list, leading to the import `import_kind`
    (portal.core.sheets), for staff allowed to use it."""

    import_kind: str

    def changelist_view(self, request, extra_context=None):
        if request.user.has_perm("core.add_importjob") and importer_for(self.import_kind).allowed(
            request.user
        ):
            url = reverse("admin:core_importjob_upload", args=[self.import_kind])
            extra_context = {**(extra_context or {}), "import_url": url}
        return super().changelist_view(request, extra_context)


class AuditTrailMixin:
    """A read-only « audit trail » field (add "audit_trail" to the fields): the entries
    logged on the object, in French (portal.core.audit)."""

    @admin.display(description=_("Audit trail"))
    def audit_trail(self, obj: Model | None) -> str:
        from portal.core.models import AuditEntry

        if obj is None or obj.pk is None:
            return "—"
        entries = AuditEntry.objects.for_object(obj).select_related("actor")
        lines = audit_lines(entries[:AUDIT_TRAIL_SHOWN])
        return render_to_string("admin/portal/audit_trail.html", {"lines": lines})


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
    """Exports as CSV (semicolons) or XLSX, named after the list and the day."""

    export_formats = FORMATS
    export_form_class = ColumnsExportForm
    to_encoding = "utf-8-sig"  # a BOM, so that spreadsheets read the accents right

    def get_export_filename(self, request, queryset, file_format) -> str:
        name = slugify(self.model._meta.verbose_name_plural)
        return f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"
