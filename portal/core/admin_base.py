"""Base classes shared by the apps' back offices."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.core.audit import audit_lines
from portal.core.formats import format_number, format_price
from portal.core.sheets.registry import importer_for

# The entries shown on an object's page; the whole trail is in « Journal des modifications ».
AUDIT_TRAIL_SHOWN = 100


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
