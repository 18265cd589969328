"""The queue of info-doc requests: list, filters, the change form, bulk actions."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from infodoc.admin.filters import (
    OPEN_STATUSES,
    AssigneeFilter,
    OverdueFilter,
    ReceivedYearFilter,
    is_overdue,
)
from infodoc.admin.forms import InfoRequestAdminForm
from infodoc.admin.pages import InfoRequestPagesMixin
from infodoc.models import Attachment, InfoRequest, RequestStatus, StatusChange
from infodoc.services.answers import info_request_unpublish
from infodoc.services.attachments import attachment_rename_to_title
from infodoc.services.requests import info_request_assign, info_request_transition, reference_next
from portal.core.admin.base import AuditTrailMixin, ImportLinkMixin, error_text
from portal.core.services import audit_log

OPEN_FIRST = Case(
    When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
)


class AttachmentInline(admin.TabularInline):
    """Files are opened under their title (download_name), as the requester receives them;
    the storage path is never linked."""

    model = Attachment
    extra = 0
    fields = ["file", "title", "download_link", "added_at"]
    readonly_fields = ["download_link", "added_at"]
    formfield_overrides = {models.FileField: {"widget": forms.FileInput}}

    @admin.display(description=_("download"))
    def download_link(self, obj: Attachment) -> str:
        if obj.pk is None or not obj.file:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.file.url, obj.download_name)


class StatusChangeInline(admin.TabularInline):
    """The status history, written only by the workflow."""

    model = StatusChange
    extra = 0
    fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InfoRequest)
class InfoRequestAdmin(ImportLinkMixin, InfoRequestPagesMixin, AuditTrailMixin, admin.ModelAdmin):
    import_kind = "infodoc.requests"
    form = InfoRequestAdminForm
    list_display = [
        "reference", "received_on", "subject", "requester_display", "requester_kind",
        "status", "assignee", "wished_by", "overdue_display", "is_public",
    ]  # fmt: skip
    list_display_links = ["reference", "subject"]
    list_filter = [
        "status", AssigneeFilter, "themes", "requester_kind", OverdueFilter, ReceivedYearFilter,
        "is_public",
    ]  # fmt: skip
    list_select_related = ["person", "organisation", "assignee"]
    search_fields = [
        "reference", "subject", "question", "person__first_name", "person__last_name",
        "person__email",
    ]  # fmt: skip
    ordering = [OPEN_FIRST.asc(), "-received_on", "-pk"]
    autocomplete_fields = ["person", "organisation"]
    filter_horizontal = ["themes", "publications", "resources"]
    inlines = [AttachmentInline, StatusChangeInline]
    actions = [
        "assign_to_me", "mark_in_progress", "mark_no_follow_up", "mark_closed", "send_answer",
        "publish", "unpublish",
    ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        fields = ["reference", "status", "answered_on", "created_at", "updated_at"]
        if obj is None:
            return fields
        return [*fields, "is_public", "public_question", "public_answer", "audit_trail"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["reference", "status", "assignee", "received_on", "channel"]}),
            (_("Requester"), {"fields": [
                "person", "organisation", "requester_kind", "commune", "epci", "department",
                "consent_at",
            ]}),
            (_("Request"), {"fields": ["subject", "question", "themes", "wished_by"]}),
            (_("Answer"), {"fields": [
                "answer", "response_types", "publications", "resources", "minutes_spent",
                "answered_on",
            ]}),
        ]  # fmt: skip
        if obj is not None:
            fieldsets += [
                (_("Public Q&A"), {"fields": ["is_public", "public_question", "public_answer"]}),
                (_("History"), {"fields": ["created_at", "updated_at", "audit_trail"]}),
            ]
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The answer is prefilled with the signature of the staff member writing it."""
        form = super().get_form(request, obj, change, **kwargs)
        form.signer = request.user
        return form

    def save_formset(self, request, form, formset, change) -> None:
        """An attachment whose title changed is stored again under it (its file name)."""
        super().save_formset(request, form, formset, change)
        if formset.model is Attachment:
            for attachment, changed in formset.changed_objects:
                if "title" in changed:
                    attachment_rename_to_title(attachment=attachment)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser  # requests are closed, not deleted

    def save_model(self, request, obj, form, change) -> None:
        """New requests get their reference; a new assignee goes through the assignment."""
        if not change:
            obj.reference = reference_next(year=obj.received_on.year)
            obj.save()
            audit_log(
                actor=request.user,
                obj=obj,
                action="info_request.created",
                changes={"channel": obj.channel},
            )
        else:
            obj.save()
            others = [name for name in form.changed_data if name != "assignee"]
            if others:
                audit_log(
                    actor=request.user,
                    obj=obj,
                    action="info_request.changed",
                    changes={"fields": others},
                )
        if "assignee" in form.changed_data and obj.assignee is not None:
            info_request_assign(request=obj, assignee=obj.assignee, actor=request.user)

    # Columns ------------------------------------------------------------------------

    @admin.display(description=_("requester"), ordering="person__last_name")
    def requester_display(self, obj: InfoRequest) -> str:
        name = f"{obj.person.first_name} {obj.person.last_name}".strip()
        return f"{name} ({obj.organisation.name})" if obj.organisation_id else name

    @admin.display(description=_("overdue"), boolean=True)
    def overdue_display(self, obj: InfoRequest) -> bool:
        return is_overdue(obj)

    # Actions ------------------------------------------------------------------------

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset) -> None:
        for obj in queryset:
            info_request_assign(request=obj, assignee=request.user, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d request assigned to you.",
                "%(count)d requests assigned to you.",
                len(queryset),
            )
            % {"count": len(queryset)},
            messages.SUCCESS,
        )

    def _transition_rows(self, request, queryset, to_status: str) -> None:
        done = 0
        for obj in queryset:
            try:
                info_request_transition(request=obj, to_status=to_status, actor=request.user)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("%(reference)s: %(error)s")
                    % {"reference": obj.reference, "error": error_text(error)},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d request moved to « %(status)s ».",
                    "%(count)d requests moved to « %(status)s ».",
                    done,
                )
                % {"count": done, "status": RequestStatus(to_status).label},
                messages.SUCCESS,
            )

    @admin.action(description=_("Move to « in progress »"), permissions=["change"])
    def mark_in_progress(self, request, queryset) -> None:
        self._transition_rows(request, queryset, RequestStatus.IN_PROGRESS)

    @admin.action(description=_("Move to « no follow-up »"), permissions=["change"])
    def mark_no_follow_up(self, request, queryset) -> None:
        self._transition_rows(request, queryset, RequestStatus.NO_FOLLOW_UP)

    @admin.action(description=_("Close"), permissions=["change"])
    def mark_closed(self, request, queryset) -> None:
        self._transition_rows(request, queryset, RequestStatus.CLOSED)

    def _one_request(self, request, queryset, url_name: str):
        if queryset.count() != 1:
            self.message_user(request, gettext("Select exactly one request."), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse(url_name, args=[queryset.get().pk]))

    @admin.action(description=_("Send the answer"), permissions=["change"])
    def send_answer(self, request, queryset):
        return self._one_request(request, queryset, "admin:infodoc_inforequest_answer")

    @admin.action(description=_("Publish as Q&A"), permissions=["change"])
    def publish(self, request, queryset):
        return self._one_request(request, queryset, "admin:infodoc_inforequest_publish")

    @admin.action(description=_("Unpublish"), permissions=["change"])
    def unpublish(self, request, queryset) -> None:
        for obj in queryset:
            self._unpublish_one(request, obj)

    def _unpublish_one(self, request, obj: InfoRequest) -> None:
        try:
            info_request_unpublish(request=obj, actor=request.user)
        except ValidationError as error:
            self.message_user(
                request,
                gettext("%(reference)s: %(error)s")
                % {"reference": obj.reference, "error": error_text(error)},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                gettext("%(reference)s is no longer published.") % {"reference": obj.reference},
                messages.SUCCESS,
            )
