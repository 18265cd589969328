"""Deliveries per issue: built to stay fast at a million rows (no full count, indexed
filters, a search by exact address through the lower(email) index)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models.functions import Lower

from newsletter.models import Delivery, Subscriber
from portal.core.admin.base import ReadOnlyAdmin
from portal.core.paginators import CappedCountPaginator


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["issue_number", "subscriber", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "issue"]
    list_select_related = ["issue", "subscriber"]
    search_fields = ["subscriber__email"]
    search_help_text = "adresse@exemple.org"
    ordering = ["-id"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 100
    readonly_fields = [
        "issue", "subscriber", "status", "attempts", "available_at", "lease_until",
        "sent_at", "message_id", "error",
    ]  # fmt: skip

    @admin.display(description=Delivery._meta.get_field("issue").verbose_name, ordering="issue")
    def issue_number(self, delivery: Delivery) -> int:
        return delivery.issue.number

    def get_search_results(self, request, queryset, search_term):
        """An exact address (any case), through the subscribers' lower(email) index."""
        term = search_term.strip().lower()
        if not term:
            return queryset, False
        subscribers = Subscriber.objects.annotate(email_lower=Lower("email")).filter(
            email_lower=term
        )
        return queryset.filter(subscriber__in=subscribers.values("pk")), False
