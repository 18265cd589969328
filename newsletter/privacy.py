"""A subscriber's data, found by email address, exported and erased on request.

Erasure keeps the rows the figures count: the subscriber row stays, with its département,
actor type and dates, under an address that is unique but can never receive mail
(`efface-<sha256 prefix>@efface.invalid`: the address must stay unique, and `.invalid`
is reserved); a subscriber who could still receive anything is unsubscribed. Delivery rows
stay for the sending figures; only the subject's address is replaced in their error text.
The contract this module fulfils: portal.privacy.registry.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newsletter.models import Issue, Subscriber, SubscriberStatus
from newsletter.selectors.subscribers import erased_address, subscribers_by_email
from portal.core.subjects import DataSubject, changes_apply, label, row_from, text_scrub

MODELS: tuple[str, ...] = ("newsletter.subscriber", "newsletter.delivery")
KEPT: dict[str, str] = {
    "newsletter.delivery": gettext_lazy(
        "Counted by the newsletter's sending figures; a delivery only points to the "
        "anonymised subscriber."
    ),
}

SUBSCRIBER_FIELDS = (
    "email", "first_name", "last_name", "organisation", "actor_type", "department", "status",
    "mail_format", "consent_at", "consent_source", "consent_basis", "consent_ip", "confirmed_at",
    "unsubscribed_at", "soft_bounces", "last_event_at", "last_event", "created_at", "updated_at",
)  # fmt: skip
# Statuses that may still be sent something (the confirmation, or the issues).
RECEIVING = (SubscriberStatus.ACTIVE, SubscriberStatus.PENDING)


def traces_since(*, cutoff: datetime) -> list[Q]:
    """A condition on a Person row: a subscription with their address, active or changed
    at or after `cutoff` (retention keeps them)."""
    subscriptions = Subscriber.objects.alias(address=Lower("email")).filter(
        Q(status=SubscriberStatus.ACTIVE)
        | Q(created_at__gte=cutoff)
        | Q(confirmed_at__gte=cutoff)
        | Q(unsubscribed_at__gte=cutoff),
        address=Lower(OuterRef("email")),
        address__gt="",
    )
    return [Q(Exists(subscriptions))]


def _subscriber(subject: DataSubject) -> Subscriber | None:
    if not subject.email:
        return None
    return subscribers_by_email(subject.email).select_related("department").first()


def subject_data(*, subject: DataSubject) -> dict[str, list[dict]]:
    """The subscription with its consent record, and what was sent to the address."""
    subscriber = _subscriber(subject)
    if subscriber is None:
        return {}
    deliveries = subscriber.deliveries.select_related("issue").order_by("issue__number", "pk")
    data = {
        _("Newsletter subscription"): [
            row_from(
                subscriber,
                SUBSCRIBER_FIELDS,
                **{
                    label(Subscriber, "themes"): ", ".join(
                        subscriber.themes.order_by("name").values_list("name", flat=True)
                    )
                },
            )
        ],
        _("Newsletter deliveries"): [
            row_from(
                d,
                ["status", "sent_at", "error"],
                **{
                    label(Issue, "number"): d.issue.number,
                    label(Issue, "title"): d.issue.title,
                },
            )
            for d in deliveries
        ],
    }
    return {title: rows for title, rows in data.items() if rows}


def subject_erase(*, subject: DataSubject, placeholder: str) -> dict[str, int]:
    """Anonymise the subscriber with the subject's address and scrub its deliveries' errors."""
    counts = {"newsletter.subscriber": 0, "newsletter.delivery": 0}
    subscriber = _subscriber(subject)
    if subscriber is None:
        return counts
    address = re.compile(re.escape(subscriber.email), re.IGNORECASE)
    for delivery in subscriber.deliveries.exclude(error="").filter(
        error__icontains=subscriber.email
    ):
        error = text_scrub(delivery.error, pattern=address, placeholder=placeholder)
        counts["newsletter.delivery"] += changes_apply(delivery, {"error": error})
    changes = {
        "email": erased_address(subscriber.email),
        "first_name": "",
        "last_name": "",
        "organisation": "",
        "consent_basis": "",
        "consent_ip": None,
        "last_event": "",
    }
    subscriber.themes.clear()  # a preference, counted nowhere
    if subscriber.status in RECEIVING:
        # Never sent anything again; gone from the figures from now on, not before.
        changes["status"] = SubscriberStatus.UNSUBSCRIBED
        changes["unsubscribed_at"] = subscriber.unsubscribed_at or timezone.now()
    counts["newsletter.subscriber"] += changes_apply(subscriber, changes)
    return counts
