"""Back office of sessions: seats and counts at a glance, capacity changed through the
registration service, headcounts, and the staff pages of the day (check-in, sign-in
sheet) mounted under the session's admin URL. Sessions are imported with their actions,
attendance by events.imports (the session's page links to it, the session chosen)."""

from __future__ import annotations

import re

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.admin import checkin, signin_sheet
from events.admin.forms import SessionAdminForm
from events.models import Attendance, Headcount, RegistrationStatus, Session
from events.services.registrations import session_capacity_change
from portal.core.admin.base import ImportLinkMixin, ServiceErrorsMixin


def session_save(*, request, session: Session, form) -> None:
    """Save a session from an admin form; a new capacity goes through the service, which
    refuses less than the seats confirmed and promotes the waiting list."""
    if session.pk is None or "capacity" not in form.changed_data:
        session.save()
        return
    capacity = session.capacity
    session.capacity = form.initial.get("capacity")
    session.save()
    session_capacity_change(session=session, capacity=capacity, actor=request.user)
    session.capacity = capacity


class SessionInlineFormSet(BaseInlineFormSet):
    """A session with people registered or attending is cancelled, never deleted here."""

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            session = form.instance
            if session.pk and (
                session.registrations.active().exists() or session.attendances.exists()
            ):
                raise ValidationError(
                    gettext(
                        "The session of %(date)s has registrations or attendance: "
                        "mark it cancelled instead of deleting it."
                    )
                    % {"date": date_format(timezone.localtime(session.starts_at))}
                )


def _half_days_counted(session: Session | None) -> str | int:
    """Session.half_days: the override, else 1 up to five hours and 2 beyond (a full day)."""
    if session is None or session.starts_at is None or session.ends_at is None:
        return "—"
    return session.half_days


class SessionInline(admin.StackedInline):
    model = Session
    form = SessionAdminForm
    formset = SessionInlineFormSet
    fields = [
        ("starts_at", "ends_at", "half_days"), "title", ("venue", "commune"), "address",
        ("is_online", "online_url"), ("capacity", "mode"), "is_cancelled",
    ]  # fmt: skip
    readonly_fields = ["half_days"]
    autocomplete_fields = ["commune"]
    extra = 0
    show_change_link = True

    @admin.display(description=_("half-days counted"))
    def half_days(self, session: Session):
        return _half_days_counted(session)


class HeadcountInline(admin.TabularInline):
    model = Headcount
    fields = ["department", "actor_type", "count"]
    autocomplete_fields = ["department"]
    extra = 0


class PeriodFilter(admin.SimpleListFilter):
    title = _("period")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        return [("upcoming", _("Upcoming")), ("past", _("Past"))]

    def queryset(self, request, queryset):
        if self.value() == "upcoming":
            return queryset.filter(ends_at__gte=timezone.now())
        if self.value() == "past":
            return queryset.filter(ends_at__lt=timezone.now())
        return queryset


def sessions_with_counts(queryset):
    """Seats confirmed and waitlisted, people present and counted: four subtotals."""
    present = (
        Attendance.objects.filter(session=OuterRef("pk"), present=True)
        .order_by()
        .values("session")
        .annotate(total=Count("pk"))
        .values("total")
    )
    counted = (
        Headcount.objects.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(total=Sum("count"))
        .values("total")
    )
    return queryset.annotate(
        confirmed_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
        ),
        waitlisted_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
        present_count=Coalesce(Subquery(present, output_field=IntegerField()), 0),
        headcount_total=Coalesce(Subquery(counted, output_field=IntegerField()), 0),
    )


@admin.register(Session)
class SessionAdmin(ImportLinkMixin, ServiceErrorsMixin, admin.ModelAdmin):
    import_kind = "events.actions"
    form = SessionAdminForm
    list_display = [
        "starts_at", "reference", "action", "title", "half_days", "capacity", "confirmed_display",
        "waitlisted_count", "present_count", "headcount_total", "is_cancelled", "staff_links",
    ]  # fmt: skip
    list_display_links = ["starts_at"]
    list_filter = [PeriodFilter, "is_cancelled", "mode", "is_online", "action__format"]
    list_select_related = ["action"]
    search_fields = ["action__title", "title", "venue"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["action", "commune"]
    inlines = [HeadcountInline]
    readonly_fields = ["reference", "half_days_counted"]
    fieldsets = (
        (None, {"fields": (
            "reference", "action", "title", ("starts_at", "ends_at"),
            ("half_days_override", "half_days_counted"),
        )}),
        (_("Place"), {"fields": ("venue", "address", "commune", "is_online", "online_url")}),
        (
            _("Registration"),
            {
                "fields": (
                    "capacity", "mode", "registration_opens_at", "registration_closes_at",
                    "is_cancelled",
                )
            },
        ),
    )  # fmt: skip

    def get_queryset(self, request):
        return sessions_with_counts(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        """« S-000123 » finds that session too."""
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        match = re.fullmatch(r"\s*S-?0*(\d{1,12})\s*", search_term, re.IGNORECASE)
        if match:
            queryset |= self.model.objects.filter(pk=int(match.group(1)))
        return queryset, duplicates

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and (obj.registrations.active().exists() or obj.attendances.exists()):
            return False  # cancel it instead: people are attached to it
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj: Session, form, change: bool) -> None:
        session_save(request=request, session=obj, form=form)

    # Columns ------------------------------------------------------------------------

    @admin.display(description=_("reference"), ordering="pk")
    def reference(self, session: Session) -> str:
        return session.reference

    @admin.display(description=_("half-days"))
    def half_days(self, session: Session) -> int:
        return session.half_days

    @admin.display(description=_("half-days counted"))
    def half_days_counted(self, session: Session):
        return _half_days_counted(session)

    @admin.display(description=_("confirmed"), ordering="confirmed_count")
    def confirmed_display(self, session: Session):
        url = reverse("admin:events_registration_changelist")
        return format_html(
            '<a href="{}?session__id__exact={}">{}</a>', url, session.pk, session.confirmed_count
        )

    @admin.display(description=_("waiting list"), ordering="waitlisted_count")
    def waitlisted_count(self, session: Session) -> int:
        return session.waitlisted_count

    @admin.display(description=_("present"), ordering="present_count")
    def present_count(self, session: Session) -> int:
        return session.present_count

    @admin.display(description=_("headcount"), ordering="headcount_total")
    def headcount_total(self, session: Session) -> int:
        return session.headcount_total

    @admin.display(description=_("day of the session"))
    def staff_links(self, session: Session):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:events_session_checkin", args=[session.pk]),
            gettext("Check-in"),
            reverse("admin:events_session_signin_sheet", args=[session.pk]),
            gettext("Sign-in sheet"),
        )

    # Staff pages --------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/pointage/", view(checkin.checkin_view),
                 name="events_session_checkin"),
            path("<int:object_id>/pointage/<int:person_id>/", view(checkin.checkin_toggle_view),
                 name="events_session_checkin_toggle"),
            path("<int:object_id>/pointage/sans-inscription/", view(checkin.walk_in_view),
                 name="events_session_walk_in"),
            path("<int:object_id>/pointage/comptage/", view(checkin.headcount_view),
                 name="events_session_headcount"),
            path("<int:object_id>/emargement.pdf", view(signin_sheet.signin_sheet_view),
                 name="events_session_signin_sheet"),
            *super().get_urls(),
        ]  # fmt: skip
