"""Back office of registrations and attendance: confirm or cancel through the services,
export participant lists as CSV or XLSX."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.imports.exports import AttendanceResource, ParticipantResource
from events.models import Attendance, Registration, RegistrationSource, RegistrationStatus
from events.services.registrations import (
    registration_cancel,
    registration_confirm,
    registration_create,
)
from portal.core.admin.base import (
    ExportFormatsMixin,
    ImportLinkMixin,
    ServiceErrorsMixin,
    error_text,
)

PERSON_SEARCH = [
    "person__first_name", "person__last_name", "person__email", "person__organisation__name",
]  # fmt: skip


class PersonColumnsMixin:
    """Name and organisation columns, read through list_select_related (no per-row query)."""

    @admin.display(description=_("person"), ordering="person__last_name")
    def person_display(self, obj) -> str:
        return f"{obj.person.last_name.upper()} {obj.person.first_name}"

    @admin.display(description=_("organisation"), ordering="person__organisation__name")
    def organisation_display(self, obj) -> str:
        person = obj.person
        return person.organisation.name if person.organisation_id else "—"


@admin.register(Registration)
class RegistrationAdmin(
    PersonColumnsMixin, ServiceErrorsMixin, ExportFormatsMixin, admin.ModelAdmin
):
    resource_classes = [ParticipantResource]
    list_display = [
        "person_display", "organisation_display", "session", "status", "source", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "source", ("session__starts_at", admin.DateFieldListFilter)]
    list_select_related = ["person__organisation", "session__action"]
    search_fields = [*PERSON_SEARCH, "session__action__title"]
    autocomplete_fields = ["session", "person"]
    actions = ["confirm_registrations", "cancel_registrations"]
    date_hierarchy = "created_at"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["session", "person"]
        return [
            "session", "person", "status", "source", "cycle_key", "created_at", "cancelled_at",
            "reminder_sent_at",
        ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a registration is cancelled, never deleted

    def save_model(self, request, obj: Registration, form, change: bool) -> None:
        """A registration by staff takes a seat like any other (or the waiting list)."""
        if change:
            return
        created = registration_create(
            session=obj.session, person=obj.person, source=RegistrationSource.STAFF
        )
        obj.pk = created.pk
        obj.status = created.status
        obj._state.adding = False

    def get_export_queryset(self, request):
        present = Attendance.objects.filter(
            session=OuterRef("session"), person=OuterRef("person")
        ).values("present")[:1]
        return (
            super()
            .get_export_queryset(request)
            .select_related("person__organisation", "person__department", "session__action")
            .annotate(present=Subquery(present))
            .order_by("session__starts_at", "person__last_name", "person__first_name")
        )

    # Actions ------------------------------------------------------------------------

    def _each(self, request, queryset, service, done: str) -> None:
        for registration in queryset.select_related("person", "session__action"):
            try:
                service(registration=registration, actor=request.user)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("%(registration)s: %(error)s")
                    % {"registration": registration, "error": error_text(error)},
                    messages.ERROR,
                )
            else:
                self.message_user(request, done % {"registration": registration}, messages.SUCCESS)

    @admin.action(description=_("Confirm the selected registrations"), permissions=["change"])
    def confirm_registrations(self, request, queryset) -> None:
        self._each(
            request,
            queryset.exclude(status=RegistrationStatus.CONFIRMED),
            registration_confirm,
            gettext("%(registration)s: confirmed."),
        )

    @admin.action(description=_("Cancel the selected registrations"), permissions=["change"])
    def cancel_registrations(self, request, queryset) -> None:
        self._each(
            request,
            queryset.exclude(status=RegistrationStatus.CANCELLED),
            registration_cancel,
            gettext("%(registration)s: cancelled."),
        )


@admin.register(Attendance)
class AttendanceAdmin(PersonColumnsMixin, ImportLinkMixin, ExportFormatsMixin, admin.ModelAdmin):
    import_kind = "events.attendance"
    resource_classes = [AttendanceResource]
    list_display = [
        "person_display", "organisation_display", "session", "present", "is_walk_in",
        "checked_at", "checked_by", "evaluation_sent_at",
    ]  # fmt: skip
    list_filter = [
        "present", "is_walk_in", ("session__starts_at", admin.DateFieldListFilter),
    ]  # fmt: skip
    list_select_related = ["person__organisation", "session__action", "checked_by"]
    search_fields = [*PERSON_SEARCH, "session__action__title"]
    autocomplete_fields = ["session", "person"]
    fields = [
        "session", "person", "present", "is_walk_in", "checked_at", "checked_by",
        "evaluation_sent_at",
    ]  # fmt: skip
    readonly_fields = ["checked_at", "checked_by", "evaluation_sent_at"]

    def save_model(self, request, obj: Attendance, form, change: bool) -> None:
        if "present" in form.changed_data or not change:
            obj.checked_at = timezone.now()
            obj.checked_by = request.user
        super().save_model(request, obj, form, change)

    def get_export_queryset(self, request):
        return (
            super()
            .get_export_queryset(request)
            .select_related("person__organisation", "person__department", "session__action")
            .order_by("session__starts_at", "person__last_name", "person__first_name")
        )
