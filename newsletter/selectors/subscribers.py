"""Reads of subscribers: lookups by address or by the id a signed link carries."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.db.models.functions import Lower

from newsletter.models import Subscriber


def email_normalise(email: str) -> str:
    """The form an address is compared in: no surrounding spaces, lower case."""
    return (email or "").strip().lower()


# The domain of the address an erased subscriber keeps (`.invalid` is reserved: RFC 2606).
ERASED_DOMAIN = "efface.invalid"


def erased_address(email: str) -> str:
    """The address a subscriber keeps once erased (newsletter.privacy): unique, naming no
    one, accepted by no mail server; the same address always gives the same one."""
    digest = hashlib.sha256(email_normalise(email).encode()).hexdigest()[:24]
    return f"efface-{digest}@{ERASED_DOMAIN}"


def subscribers_by_email(email: str) -> QuerySet[Subscriber]:
    """The subscriber with this address whatever its case (at most one row).

    Filters on Lower(email) so that PostgreSQL uses the unique case-insensitive index.
    """
    return Subscriber.objects.alias(email_lower=Lower("email")).filter(
        email_lower=email_normalise(email)
    )


def subscriber_by_email(email: str) -> Subscriber | None:
    return subscribers_by_email(email).first()


def subscriber_for_link(subscriber_id: int | None) -> Subscriber | None:
    """The subscriber a signed link points to; None when erased since."""
    if subscriber_id is None:
        return None
    return Subscriber.objects.select_related("department").filter(pk=subscriber_id).first()
