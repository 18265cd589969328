"""Back office of actions (« démarches ») and their sessions."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Min
from django.utils.translation import gettext_lazy as _

from events.admin.common import ServiceErrorsMixin
from events.admin.sessions import SessionInline, session_save
from events.models import Action, Session
from portal.core.admin_base import ImportLinkMixin


@admin.register(Action)
class ActionAdmin(ImportLinkMixin, ServiceErrorsMixin, admin.ModelAdmin):
    import_kind = "events.actions"
    list_display = [
        "title", "format", "mission", "status", "is_public", "session_count", "first_session",
    ]  # fmt: skip
    list_filter = ["status", "format", "mission", "is_public", "themes", "departments"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["themes", "partners", "departments"]
    inlines = [SessionInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "description")}),
        (_("Kind"), {"fields": ("format", "mission", "themes", "departments", "partners")}),
        (_("Publication"), {"fields": ("status", "is_public")}),
        (_("History"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(session_count=Count("sessions"), first_starts_at=Min("sessions__starts_at"))
        )

    @admin.display(description=_("sessions"), ordering="session_count")
    def session_count(self, action: Action) -> int:
        return action.session_count

    @admin.display(description=_("first session"), ordering="first_starts_at")
    def first_session(self, action: Action):
        return action.first_starts_at

    def save_formset(self, request, form, formset, change: bool) -> None:
        """Sessions edited inline change their capacity through the service too."""
        if formset.model is not Session:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)
        for session in formset.deleted_objects:
            session.delete()
        for session_form in formset.forms:
            if session_form in formset.deleted_forms or not session_form.has_changed():
                continue
            session = session_form.instance
            session.action = form.instance
            session_save(request=request, session=session, form=session_form)
        formset.save_m2m()
