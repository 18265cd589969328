"""Filters of the info-doc queue."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infodoc.models import InfoRequest, RequestStatus

# A request without an answer this long after it arrived is late, whatever was wished.
ANSWER_WITHIN_DAYS = 15
OPEN_STATUSES = (RequestStatus.NEW, RequestStatus.IN_PROGRESS)


def overdue_q(today: date | None = None) -> Q:
    """Still open, and past its wished deadline or received more than 15 days ago."""
    today = today or timezone.localdate()
    late = Q(wished_by__lt=today) | Q(received_on__lt=today - timedelta(days=ANSWER_WITHIN_DAYS))
    return Q(status__in=OPEN_STATUSES) & late


def is_overdue(request: InfoRequest, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    if request.status not in OPEN_STATUSES:
        return False
    if request.wished_by is not None and request.wished_by < today:
        return True
    return request.received_on < today - timedelta(days=ANSWER_WITHIN_DAYS)


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        users = (
            get_user_model()
            .objects.filter(assigned_info_requests__isnull=False)
            .distinct()
            .order_by("first_name", "last_name", "email")
        )
        return [
            ("mine", _("Mine")),
            ("none", _("Unassigned")),
            *((str(user.pk), user.get_full_name() or user.email) for user in users),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "mine":
            return queryset.filter(assignee=request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("On time"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(overdue_q())
        if self.value() == "no":
            return queryset.exclude(overdue_q())
        return queryset


class ReceivedYearFilter(admin.SimpleListFilter):
    title = _("year received")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = InfoRequest.objects.dates("received_on", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        value = self.value()
        return (
            queryset.filter(received_on__year=int(value))
            if value and value.isdigit()
            else (queryset)
        )
