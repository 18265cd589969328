"""Reads of the members app for views, other apps and the annual report."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from members.models import (
    Invoice,
    Membership,
    MembershipRequest,
    MembershipRequestStatus,
    MembershipStatus,
    Organisation,
    Payment,
    Person,
)
from portal.core.space import user_person

ZERO = Decimal("0.00")
_money = DecimalField(max_digits=12, decimal_places=2)


def holds_membership(memberships: QuerySet[Membership]) -> Q:
    """A condition on a Person row: one of `memberships` is theirs, or their
    organisation's when they are its member contact."""
    own = memberships.filter(person=OuterRef("pk"))
    organisation = memberships.filter(
        organisation__isnull=False, organisation=OuterRef("organisation")
    )
    return Exists(own) | (Q(is_member_contact=True) & Exists(organisation))


def memberships_with_amounts(queryset: QuerySet[Membership] | None = None) -> QuerySet[Membership]:
    """Memberships annotated with `invoiced_amount` (invoices not cancelled) and `paid_amount`."""
    queryset = Membership.objects.all() if queryset is None else queryset
    invoiced = (
        Invoice.objects.filter(membership=OuterRef("pk"), credit_note__isnull=True)
        .values("membership")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    paid = (
        Payment.objects.filter(invoice__membership=OuterRef("pk"))
        .values("invoice__membership")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return queryset.annotate(
        invoiced_amount=Coalesce(Subquery(invoiced, output_field=_money), Value(ZERO)),
        paid_amount=Coalesce(Subquery(paid, output_field=_money), Value(ZERO)),
    )


def membership_status(membership: Membership) -> MembershipStatus:
    """The derived status; uses the annotations of memberships_with_amounts() when present.

    Without an invoice standing, a membership brought in from the centre's spreadsheets
    has the status recorded then (`recorded_status`): a past year paid before the portal
    is « paid », not « to invoice » forever."""
    if not hasattr(membership, "invoiced_amount"):
        membership = memberships_with_amounts(Membership.objects.filter(pk=membership.pk)).get()
    if membership.cancelled_at:
        return MembershipStatus.CANCELLED
    if membership.invoiced_amount <= 0:
        return MembershipStatus(membership.recorded_status or MembershipStatus.TO_INVOICE)
    if membership.paid_amount >= membership.invoiced_amount:
        return MembershipStatus.PAID
    if membership.paid_amount > 0:
        return MembershipStatus.PARTLY_PAID
    return MembershipStatus.INVOICED


def person_for_user(user) -> Person | None:
    """The user's directory record with its organisation, or None (the member space's guard
    reads it the same way: portal.core.space.user_person)."""
    return user_person(user)


def organisation_for_user(user) -> Organisation | None:
    """The organisation whose member space the user may see (None for individuals)."""
    person = person_for_user(user)
    return person.organisation if person else None


def pending_membership_request(*, pk: int) -> MembershipRequest | None:
    """A request to join still waiting for the centre (for the page after sending it)."""
    return MembershipRequest.objects.filter(pk=pk, status=MembershipRequestStatus.PENDING).first()
