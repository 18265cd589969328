"""Back office of the directory: organisations and people, with spreadsheet export (the
imports are members.imports)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from members.imports.exports import OrganisationResource, PersonResource
from members.models import Organisation, Person
from portal.core.admin.base import ExportFormatsMixin, ImportLinkMixin


class PersonInline(admin.TabularInline):
    model = Person
    fields = ["first_name", "last_name", "email", "job_title", "actor_type", "is_member_contact"]
    extra = 0
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(ImportLinkMixin, ExportFormatsMixin, admin.ModelAdmin):
    resource_classes = [OrganisationResource]
    import_kind = "members.organisations"
    list_display = ["name", "kind", "commune", "department", "city", "is_funder", "is_active"]
    list_filter = ["kind", "department", "is_funder", "is_active"]
    list_select_related = ["commune", "department"]
    search_fields = ["name", "siret", "email", "city"]
    autocomplete_fields = ["commune", "department"]
    inlines = [PersonInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = (
        (None, {"fields": ("name", "kind", "is_active", "is_funder")}),
        (
            _("Address and territory"),
            {"fields": ("address", "postcode", "city", "commune", "department", "inhabitants")},
        ),
        (_("Contact"), {"fields": ("email", "phone", "website")}),
        (_("Invoicing"), {"fields": ("siret", "chorus_service_code")}),
        (_("History"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )


@admin.register(Person)
class PersonAdmin(ImportLinkMixin, ExportFormatsMixin, admin.ModelAdmin):
    resource_classes = [PersonResource]
    import_kind = "members.people"
    list_display = [
        "__str__", "email", "organisation", "actor_type", "department", "is_member_contact",
    ]  # fmt: skip
    list_filter = ["actor_type", "department", "organisation__kind", "is_member_contact"]
    list_select_related = ["organisation", "department"]
    search_fields = ["first_name", "last_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation", "department"]
    readonly_fields = [
        "user", "consent_processing_at", "consent_communications_at", "created_at", "updated_at",
    ]  # fmt: skip
    fieldsets = (
        (None, {"fields": ("first_name", "last_name", "email", "phone", "job_title")}),
        (
            _("Organisation"),
            {"fields": ("organisation", "actor_type", "department", "is_member_contact")},
        ),
        (
            _("Account and consent"),
            {
                "fields": (
                    "user", "consent_processing_at", "consent_communications_at", "created_at",
                    "updated_at",
                )
            },
        ),
    )  # fmt: skip
