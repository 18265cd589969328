"""Back office of actions (« démarches ») and their sessions, with their half-days and the
participants' attendance certificates (their pages: events.admin.certificates)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Min, Q, Sum
from django.urls import path
from django.utils.translation import gettext_lazy as _

from events.admin import certificates
from events.admin.sessions import SessionInline, session_save
from events.models import Action, CertificateMailing, Session
from events.selectors.certificates import action_certificates
from events.selectors.figures import half_days_expression
from portal.core.admin.base import ImportLinkMixin, ServiceErrorsMixin


@admin.register(Action)
class ActionAdmin(ImportLinkMixin, ServiceErrorsMixin, admin.ModelAdmin):
    import_kind = "events.actions"
    list_display = [
        "title", "format", "mission", "status", "is_public", "session_count", "half_days_total",
        "first_session",
    ]  # fmt: skip
    list_filter = ["status", "format", "mission", "is_public", "themes", "departments"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["themes", "partners", "departments"]
    inlines = [SessionInline]
    readonly_fields = ["created_at", "updated_at", "session_count", "half_days_total"]
    change_form_template = "admin/events/action/change_form.html"
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "description")}),
        (_("Kind"), {"fields": ("format", "mission", "themes", "departments", "partners")}),
        (_("Publication"), {"fields": ("status", "is_public")}),
        (_("History"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    figures = (_("Figures"), {"fields": ("session_count", "half_days_total")})

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is None else (*fieldsets[:-1], self.figures, fieldsets[-1])

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                session_count=Count("sessions"),
                first_starts_at=Min("sessions__starts_at"),
                half_days_total=Sum(
                    half_days_expression("sessions__"), filter=Q(sessions__is_cancelled=False)
                ),
            )
        )

    @admin.display(description=_("sessions"), ordering="session_count")
    def session_count(self, action: Action) -> int:
        return action.session_count

    @admin.display(description=_("half-days"), ordering="half_days_total")
    def half_days_total(self, action: Action) -> int:
        """Of the sessions not cancelled: a full day counts two."""
        return action.half_days_total or 0

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

    # Attendance certificates ----------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id and str(object_id).isdigit():
            extra_context["certificates"] = self._certificate_rows(int(object_id))
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _certificate_rows(action_id: int) -> list[tuple]:
        """(certificate, last mailing or None) of each participant: two queries."""
        last_mailings = {
            mailing.person_id: mailing
            for mailing in CertificateMailing.objects.filter(action_id=action_id)
            .order_by("person_id", "-requested_at", "-pk")
            .distinct("person_id")
        }
        return [
            (certificate, last_mailings.get(certificate.person_id))
            for certificate in action_certificates(action_id=action_id)
        ]

    def certificate_mail_view(self, request, object_id: int, person_id: int):
        return certificates.certificate_mail_view(request, object_id, person_id, model_admin=self)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/attestations.zip", view(certificates.certificates_zip_view),
                 name="events_action_certificates"),
            path("<int:object_id>/attestations/<int:person_id>.pdf",
                 view(certificates.certificate_view), name="events_action_certificate"),
            path("<int:object_id>/attestations/<int:person_id>/envoi/",
                 view(self.certificate_mail_view), name="events_action_certificate_mail"),
            *super().get_urls(),
        ]  # fmt: skip
