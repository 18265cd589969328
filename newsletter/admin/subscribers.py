"""Back office of the subscribers: list, spreadsheet export (the import is
newsletter.imports.subscribers), unsubscription.
A person's data (export, erasure) is handled by portal.privacy, for every app at once.

Built for 100,000 rows: the list never counts the whole table (CappedCountPaginator),
and joins the département in the same query. Status changes go through the services,
so they are audited; the consent recorded at subscription is read only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.db import models
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from newsletter.forms import SubscriberAdminForm
from newsletter.imports.exports import SubscriberResource
from newsletter.models import ConsentSource, Subscriber, SubscriberStatus
from newsletter.services.subscribers import (
    RECEIVING,
    UNSUBSCRIBE_STAFF,
    subscriber_unsubscribe,
)
from portal.core.admin.base import AuditTrailMixin, ExportFormatsMixin, ImportLinkMixin
from portal.core.paginators import CappedCountPaginator
from portal.core.services import audit_log
from portal.core.sheets.exports import CSV

CONSENT_FIELDS = ("consent_at", "consent_source", "consent_basis", "consent_ip", "confirmed_at")
ALWAYS_READ_ONLY = (
    "status", "unsubscribed_at", "soft_bounces", "last_event_at", "last_event", "created_at",
    "updated_at", "audit_trail",
)  # fmt: skip


@admin.register(Subscriber)
class SubscriberAdmin(AuditTrailMixin, ImportLinkMixin, ExportFormatsMixin, admin.ModelAdmin):
    resource_classes = [SubscriberResource]
    import_kind = "newsletter.subscribers"
    form = SubscriberAdminForm
    list_display = [
        "email", "name", "organisation", "status", "department", "actor_type", "consent_at",
    ]  # fmt: skip
    list_filter = ["status", "department", "actor_type", "themes", "consent_source"]
    list_select_related = ["department"]
    search_fields = ["email", "last_name", "organisation"]
    search_help_text = _("Email address, last name or organisation.")
    show_full_result_count = False
    paginator = CappedCountPaginator
    list_per_page = 100
    ordering = ["email"]
    autocomplete_fields = ["department"]
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    actions = ["unsubscribe_selected", "export_selected"]
    change_form_template = "admin/newsletter/subscriber/change_form.html"

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, subscriber: Subscriber) -> str:
        return subscriber.full_name

    # Forms -----------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        details = (
            None,
            {
                "fields": (
                    "email", "first_name", "last_name", "organisation", "actor_type",
                    "department", "mail_format", "themes",
                )
            },
        )  # fmt: skip
        if obj is None:
            return (details, (_("Consent"), {"fields": ("consent_basis", "consent_at")}))
        status_fields = ("status", "unsubscribed_at", "soft_bounces", "last_event_at", "last_event")
        return (
            details,
            (_("Consent"), {"fields": CONSENT_FIELDS}),
            (_("Status"), {"fields": status_fields}),
            (
                _("History"),
                {"fields": ("created_at", "updated_at", "audit_trail"), "classes": ("collapse",)},
            ),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*CONSENT_FIELDS, *ALWAYS_READ_ONLY)

    def save_model(self, request, obj: Subscriber, form, change: bool) -> None:
        """A subscriber entered by staff is active at once, on the consent basis stated."""
        if not change:
            obj.status = SubscriberStatus.ACTIVE
            obj.consent_source = ConsentSource.STAFF
            obj.confirmed_at = obj.consent_at  # counts from the consent staff recorded
        super().save_model(request, obj, form, change)
        if not change:
            audit_log(
                actor=request.user,
                obj=obj,
                action="newsletter.subscriber_added",
                changes={"status": ["", obj.status], "source": ConsentSource.STAFF},
            )

    # Actions -----------------------------------------------------------------------------

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        """No bulk deletion (see has_delete_permission)."""
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Unsubscribe the selected subscribers"), permissions=["change"])
    def unsubscribe_selected(self, request, queryset) -> None:
        count = 0
        for subscriber in queryset.filter(status__in=RECEIVING).iterator(chunk_size=500):
            subscriber_unsubscribe(
                subscriber=subscriber, source=UNSUBSCRIBE_STAFF, actor=request.user
            )
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)s subscriber unsubscribed.",
                "%(count)s subscribers unsubscribed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Export the selected subscribers (CSV)"), permissions=["export"])
    def export_selected(self, request, queryset) -> HttpResponse:
        """The selection as a spreadsheet; the « Export » button exports the filtered list."""
        file_format = CSV()
        dataset = SubscriberResource().export(queryset=queryset.select_related("department"))
        response = HttpResponse(
            file_format.export_data(dataset).encode(self.to_encoding),
            content_type=f"{file_format.get_content_type()}; charset={self.to_encoding}",
        )
        filename = self.get_export_filename(request, queryset, file_format)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def has_delete_permission(self, request, obj=None) -> bool:
        """Never deleted here: a person's erasure goes through « Personal data of a
        person » (asked by one staff member, confirmed by another), which keeps the
        subscriber's counts; unconfirmed subscriptions expire by retention."""
        return False
