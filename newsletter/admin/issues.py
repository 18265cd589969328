"""Back office of the issues: compose the four pages, preview, test, then send.

Composition is plain admin editing (James Bennett's "no service for plain CRUD"); the
status only moves through the sending buttons (admin/sending.py → services/campaigns.py),
and an issue being sent, sent or cancelled can no longer be edited.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from members.models import ActorType
from newsletter.admin.composition import IssueCompositionMixin
from newsletter.admin.sending import IssueSendingMixin
from newsletter.models import Block, Issue
from newsletter.selectors.segments import segment_describe
from portal.core.admin.base import ImportLinkMixin

# Set by the sending engine or its buttons, never typed in.
SENDING_FIELDS = ("status", "scheduled_at", "sending_started_at", "sent_at", "recipients_count")
CONTENT_FIELDS = (
    "number", "month", "title", "editorial", "sessions", "publications", "initiative", "resources",
)  # fmt: skip
# An issue sent before the portal, recorded by an import (newsletter.imports.issues).
ARCHIVE_FIELDS = ("is_archived", "archive_text", "archive_url")
# Who receives the issue (newsletter.selectors.segments).
SEGMENT_FIELDS = ("segment_departments", "segment_actor_types", "segment_themes")


class IssueAdminForm(forms.ModelForm):
    """The types of actor of the segment as boxes to tick."""

    segment_actor_types = forms.MultipleChoiceField(
        label=_("types of actor"),
        choices=ActorType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only subscribers of one of these types; none: all."),
    )

    class Meta:
        model = Issue
        fields = [*CONTENT_FIELDS, *SEGMENT_FIELDS, "archive_text", "archive_url"]

    def clean_segment_actor_types(self) -> list[str]:
        chosen = set(self.cleaned_data["segment_actor_types"])
        return [value for value in ActorType.values if value in chosen]


class BlockInline(admin.StackedInline):
    """Free blocks: extra items of page 1 and the news of page 2."""

    model = Block
    extra = 0
    fields = [("page", "scope", "position"), "title", "body", "url"]
    ordering = ["page", "position", "pk"]

    def _editable(self, obj: Issue | None) -> bool:
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


def _next_month(today: date) -> date:
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


@admin.register(Issue)
class IssueAdmin(ImportLinkMixin, IssueSendingMixin, IssueCompositionMixin, admin.ModelAdmin):
    import_kind = "newsletter.issues"
    form = IssueAdminForm
    list_display = ["number", "title", "month_display", "status", "recipients_count", "sent_at"]
    list_display_links = ["number", "title"]
    list_filter = ["status", "is_archived"]
    search_fields = ["=number", "title"]
    inlines = [BlockInline]
    autocomplete_fields = ["sessions", "publications", "initiative", "resources"]
    filter_horizontal = ["segment_departments", "segment_themes"]
    readonly_fields = [
        *SENDING_FIELDS, "suggestions_display", "segment_display", "created_at", "updated_at",
    ]  # fmt: skip
    fieldsets = (
        (None, {"fields": CONTENT_FIELDS[:4]}),
        (_("Page 1 — the centre's activity"), {
            "fields": ("sessions", "publications"),
            "description": _("Free blocks of page 1 and the news of page 2 are at the bottom."),
        }),
        (_("Page 3 — a local initiative"), {"fields": ("initiative",)}),
        (_("Page 4 — resources spotted"), {"fields": ("resources",)}),
        (_("Suggestions"), {"fields": ("suggestions_display",), "classes": ("collapse",)}),
        (_("Recipients"), {
            "fields": SEGMENT_FIELDS,
            "description": _(
                "Leave empty to send to every active subscriber. A subscriber must match "
                "each criterion filled in."
            ),
        }),
        (_("Sending"), {"fields": (*SENDING_FIELDS, "created_at", "updated_at")}),
    )  # fmt: skip

    @admin.display(description=_("month"), ordering="month")
    def month_display(self, issue: Issue) -> str:
        return date_format(issue.month, "F Y")

    @admin.display(description=_("recipients"))
    def segment_display(self, issue: Issue) -> str:
        return segment_describe(issue=issue) if issue.pk else "—"

    def get_readonly_fields(self, request, obj=None):
        """Everything once the issue is being sent: what went out must stay as it was."""
        if obj is not None and not obj.is_editable:
            return [*CONTENT_FIELDS, *ARCHIVE_FIELDS, *self.readonly_fields]
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        """An archived issue has no composed pages: its text and PDF link instead. Once
        sent, the segment it went to is shown in words."""
        if obj is None or not obj.is_archived:
            fieldsets = super().get_fieldsets(request, obj)
            if obj is not None and not obj.is_editable:
                fieldsets = [
                    (name, {**options, "fields": ("segment_display",)})
                    if options["fields"] == SEGMENT_FIELDS
                    else (name, options)
                    for name, options in fieldsets
                ]
            return fieldsets
        return (
            (None, {"fields": CONTENT_FIELDS[:3]}),
            (_("Archived issue"), {"fields": ARCHIVE_FIELDS}),
            (_("Sending"), {"fields": (*SENDING_FIELDS, "created_at", "updated_at")}),
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        """A draft may be deleted; an issue that was (or is being) sent is history."""
        return (obj is None or obj.is_editable) and super().has_delete_permission(request, obj)

    def get_changeform_initial_data(self, request) -> dict:
        """The next number and next month, as staff usually prepare the coming issue."""
        last = Issue.objects.aggregate(last=Max("number"))["last"] or 0
        return {
            "number": last + 1,
            "month": _next_month(timezone.localdate()),
            **super().get_changeform_initial_data(request),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        issue = self.get_object(request, object_id)
        if issue is not None:
            extra_context = {**(extra_context or {}), **self.composition_context(issue)}
        return super().change_view(request, object_id, form_url, extra_context)
