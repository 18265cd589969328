from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from portal.core.admin_base import ImportLinkMixin, ReadOnlyAdmin
from portal.core.models import (
    AuditEntry,
    Commune,
    ConsentRecord,
    Department,
    Epci,
    SiteSettings,
    User,
)


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One row: no add once it exists, never deleted."""

    fieldsets = (
        (None, {"fields": ("name", "short_name", "tagline", "logo")}),
        (_("Contact"), {"fields": ("address", "email", "phone")}),
        (_("Legal"), {"fields": ("siret", "vat_mention", "legal_mentions")}),
        (_("Colours"), {"fields": ("primary_colour", "accent_colour")}),
        (
            _("Dues and accounting"),
            {
                "fields": (
                    ("iban", "bic"),
                    "payment_days",
                    ("customer_account", "dues_account", "bank_account"),
                    ("sales_journal", "bank_journal"),
                )
            },
        ),
    )

    def has_add_permission(self, request) -> bool:
        return not SiteSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Reference data and the audit trail -----------------------------------------------------


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Epci)
class EpciAdmin(ImportLinkMixin, admin.ModelAdmin):
    import_kind = "core.epci"
    list_display = ["name", "siren", "legal_form"]
    list_filter = ["legal_form"]
    search_fields = ["name", "siren"]


@admin.register(Commune)
class CommuneAdmin(ImportLinkMixin, admin.ModelAdmin):
    import_kind = "core.populations"
    list_display = ["name", "insee_code", "department", "epci", "population", "population_year"]
    list_filter = ["department", "population_is_approximate"]
    list_select_related = ["department", "epci"]
    search_fields = ["name", "insee_code"]
    autocomplete_fields = ["department", "epci"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit trail, read-only for everyone."""

    list_display = ["created_at", "actor", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["object_repr", "action", "actor__email"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "actor",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "changes",
    ]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    """The consents given on the forms: proof, read-only (erasure goes through privacy)."""

    list_display = ["given_at", "purpose", "email", "person", "source"]
    list_filter = ["purpose", "source"]
    list_select_related = ["person"]
    search_fields = ["email", "person__last_name"]
    date_hierarchy = "given_at"
    fields = ["given_at", "purpose", "email", "person", "source", "wording", "ip"]


from portal.core.admin import imports  # noqa: E402, F401 (registers the imports' pages)
