"""The directory records retention erases (portal/privacy/retention.py, RGPD art. 5.1.e)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from members.models import Membership, Person
from members.selectors.memberships import holds_membership, memberships_with_amounts
from portal.core.subjects import ANONYMOUS_FIRST_NAME, ANONYMOUS_LAST_NAME


def _protected(now: datetime) -> Q:
    """Never erased: staff, unpaid invoices, a membership of this year or the last."""
    this_year = timezone.localdate(now).year
    unpaid = memberships_with_amounts(Membership.objects.all()).filter(
        invoiced_amount__gt=F("paid_amount")
    )
    return (
        Q(user__is_staff=True)
        | Q(user__is_superuser=True)
        | holds_membership(Membership.objects.filter(year__gte=this_year - 1))
        | holds_membership(unpaid)
    )


def people_inactive(*, now: datetime, traces: Q) -> QuerySet[Person]:
    """The records retention erases at `now`: not anonymised yet, not protected, and
    matching none of `traces` (every app's traces_since(), joined by the caller)."""
    anonymised = Q(first_name=ANONYMOUS_FIRST_NAME, last_name=ANONYMOUS_LAST_NAME, email="")
    return (
        Person.objects.exclude(anonymised).exclude(_protected(now)).exclude(traces).order_by("pk")
    )
