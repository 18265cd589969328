from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.core.admin.base import ImportLinkMixin, ReadOnlyAdmin, number_column
from portal.core.audit import AuditLine, action_label, audit_actions, audit_lines, person_name
from portal.core.collation import french_order
from portal.core.mail import mail_retry
from portal.core.models import (
    AuditEntry,
    Commune,
    ConsentRecord,
    Department,
    Epci,
    OutgoingMail,
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
        (
            _("Legal"),
            {
                "fields": (
                    "siret",
                    "vat_mention",
                    "publication_director",
                    "host_name",
                    "host_address",
                    "host_phone",
                    "legal_mentions",
                )
            },
        ),
        (
            _("Accessibility statement"),
            {
                "fields": (
                    ("accessibility_status", "accessibility_rate"),
                    "accessibility_audit_date",
                    "accessibility_audit_basis",
                    "accessibility_non_accessible",
                    "accessibility_derogations",
                    "accessibility_statement_date",
                )
            },
        ),
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
    ordering = [french_order("name"), "name"]  # É with E, not after Z
    search_fields = ["name", "siren"]


@admin.register(Commune)
class CommuneAdmin(ImportLinkMixin, admin.ModelAdmin):
    import_kind = "core.populations"
    list_display = ["name", "insee_code", "department", "epci", "inhabitants", "population_year"]
    list_filter = ["department", "population_is_approximate"]
    ordering = [french_order("name"), "name"]
    list_select_related = ["department", "epci"]
    search_fields = ["name", "insee_code"]
    autocomplete_fields = ["department", "epci"]
    inhabitants = number_column("population", _("legal population"))


class AuditActionFilter(admin.SimpleListFilter):
    """The actions found in the trail, by their French names."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        found = AuditEntry.objects.order_by().values_list("action", flat=True).distinct()
        return sorted(((key, action_label(key)) for key in found), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class AuditSubjectFilter(admin.SimpleListFilter):
    """The kinds of records found in the trail (not every model of the site)."""

    title = _("kind of record")
    parameter_name = "type"

    def lookups(self, request, model_admin):
        found = AuditEntry.objects.order_by().values_list("content_type", flat=True).distinct()
        kinds = []
        for content_type_id in found:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            if model is not None:
                kinds.append((str(content_type_id), capfirst(model._meta.verbose_name_plural)))
        return sorted(kinds, key=lambda pair: str(pair[1]))

    def queryset(self, request, queryset):
        return queryset.filter(content_type=self.value()) if self.value() else queryset


class AuditChangeList(ChangeList):
    """Reads the page's entries in French at once: one query per kind of row they name."""

    def get_results(self, request) -> None:
        super().get_results(request)
        for line in audit_lines(self.result_list):
            line.entry.line = line


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit trail, read-only for everyone, in French (portal.core.audit)."""

    list_display = ["created_at", "who", "action_name", "subject", "object_repr", "what"]
    list_filter = [AuditActionFilter, AuditSubjectFilter]
    list_select_related = ["actor", "content_type"]
    search_fields = ["object_repr", "action", "actor__email", "actor__last_name"]
    date_hierarchy = "created_at"
    fields = ["created_at", "who", "action_name", "subject", "object_repr", "what"]

    def get_changelist(self, request, **kwargs):
        return AuditChangeList

    def get_search_results(self, request, queryset, search_term):
        """A search also finds the actions by their French names (« facture émise »)."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().lower()
        if term:
            named = [key for key in audit_actions() if term in action_label(key).lower()]
            if named:
                results |= queryset.filter(action__in=named)
        return results, may_have_duplicates

    def _line(self, entry: AuditEntry) -> AuditLine:
        line = getattr(entry, "line", None)
        return line if line is not None else audit_lines([entry])[0]

    @admin.display(description=_("who"), ordering="actor__last_name")
    def who(self, entry: AuditEntry) -> str:
        return person_name(entry.actor)

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, entry: AuditEntry) -> str:
        return action_label(entry.action)

    @admin.display(description=_("kind of record"), ordering="content_type")
    def subject(self, entry: AuditEntry) -> str:
        return self._line(entry).subject

    @admin.display(description=_("what"))
    def what(self, entry: AuditEntry) -> str:
        changes = self._line(entry).changes
        return render_to_string("admin/portal/audit_changes.html", {"changes": changes})


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    """The consents given on the forms: proof, read-only (erasure goes through privacy)."""

    list_display = ["given_at", "purpose", "email", "person", "source"]
    list_filter = ["purpose", "source"]
    list_select_related = ["person"]
    search_fields = ["email", "person__last_name"]
    date_hierarchy = "given_at"
    fields = ["given_at", "purpose", "email", "person", "source", "wording", "ip"]


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdmin):
    """The transactional emails as recorded and sent (see portal.core.mail): read-only."""

    list_display = ["created_at", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject", "message_id"]
    date_hierarchy = "created_at"
    fields = [
        "to", "subject", "status", "attempts", "last_error", "created_at", "available_at",
        "sent_at", "message_id", "from_email",
    ]  # fmt: skip
    actions = ["send_again"]

    def has_retry_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("core.change_outgoingmail")

    @admin.action(description=_("Send the failed emails again"), permissions=["retry"])
    def send_again(self, request, queryset):
        with transaction.atomic():
            count = mail_retry(mail_ids=queryset.values_list("pk", flat=True), actor=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed email is queued again.",
                "%(count)d failed emails are queued again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


from portal.core.admin import imports  # noqa: E402, F401 (registers the imports' pages)
