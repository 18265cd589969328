"""Base classes shared by the apps' back offices."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse

from portal.core.sheets.registry import importer_for


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
