"""Reads of the member space ("Mon espace") and of the public members page.

Every read of the member space is scoped by the signed-in person: a document or a
colleague is looked up inside these querysets, never by its id alone, so another
member's number or id simply does not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet

from members.models import (
    CreditNote,
    DuesRule,
    Invoice,
    Membership,
    MembershipCategory,
    Payment,
    Person,
)
from members.selectors.memberships import memberships_with_amounts, person_for_user
from portal.core.collation import french_key

ZERO = Decimal("0.00")
_money = DecimalField(max_digits=12, decimal_places=2)


def _membership_scope(person: Person, prefix: str = "") -> Q:
    """The memberships a person may see: their own, and their organisation's."""
    scope = Q(**{f"{prefix}person": person})
    if person.organisation_id:
        scope |= Q(**{f"{prefix}organisation_id": person.organisation_id})
    return scope


def space_memberships(*, person: Person, year: int | None = None) -> QuerySet[Membership]:
    """The person's and their organisation's memberships, with invoiced and paid amounts."""
    queryset = Membership.objects.filter(_membership_scope(person)).select_related(
        "organisation", "person"
    )
    if year is not None:
        queryset = queryset.filter(year=year)
    return memberships_with_amounts(queryset).order_by("-year", "organisation_id")


def space_invoices(*, person: Person) -> QuerySet[Invoice]:
    """Invoices of the person's memberships, with what is paid and whether it is overdue
    (Invoice.objects.with_balance())."""
    return (
        Invoice.objects.filter(_membership_scope(person, "membership__"))
        .with_balance()
        .order_by("-year", "-sequence")
    )


def space_credit_notes(*, person: Person) -> QuerySet[CreditNote]:
    return (
        CreditNote.objects.filter(_membership_scope(person, "invoice__membership__"))
        .select_related("invoice")
        .order_by("-year", "-sequence")
    )


def space_payments(*, person: Person) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(_membership_scope(person, "invoice__membership__"))
        .select_related("invoice")
        .order_by("-paid_on", "-sequence")
    )


def space_document_readable(*, user, record: Invoice | CreditNote | Payment) -> bool:
    """Whether `user` may open the PDF of `record`: the member space's own querysets
    decide, so the file view (portal.core.files) lets a member in exactly where Mon espace
    does."""
    selector = {Invoice: space_invoices, CreditNote: space_credit_notes, Payment: space_payments}
    person = person_for_user(user) if user.is_active else None
    if person is None:
        return False
    return selector[type(record)](person=person).filter(pk=record.pk).exists()


def space_people(*, organisation_id: int) -> QuerySet[Person]:
    """The people of one organisation, with their user account (for the account column)."""
    return (
        Person.objects.filter(organisation_id=organisation_id)
        .select_related("user")
        .order_by("last_name", "first_name", "pk")
    )


# The public members page -------------------------------------------------------------


@dataclass
class PublicMembers:
    """This year's members as the annual report groups them; individuals only counted."""

    year: int
    associations: list[str] = field(default_factory=list)
    individuals: int = 0
    cities: list[str] = field(default_factory=list)
    epcis: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)

    @property
    def local_authorities(self) -> int:
        return len(self.cities) + len(self.epcis)

    @property
    def total(self) -> int:
        return (
            len(self.associations)
            + self.individuals
            + len(self.cities)
            + len(self.epcis)
            + len(self.others)
        )


def public_members(*, year: int) -> PublicMembers:
    """Members of `year` (memberships not cancelled); never the names of individuals."""
    result = PublicMembers(year=year)
    groups = {
        MembershipCategory.ASSOCIATION: result.associations,
        MembershipCategory.CITY: result.cities,
        MembershipCategory.EPCI: result.epcis,
    }
    rows = (
        Membership.objects.active()
        .for_year(year)
        .values_list("category", "organisation__name", "person_id")
    )
    for category, organisation_name, person_id in rows:
        if person_id is not None or organisation_name is None:
            result.individuals += 1
        else:
            groups.get(category, result.others).append(organisation_name)
    for names in (result.associations, result.cities, result.epcis, result.others):
        names.sort(key=french_key)
    return result


def public_dues_rules(*, year: int) -> list[DuesRule]:
    """The year's dues rules in the order of the categories."""
    order = {value: index for index, value in enumerate(MembershipCategory.values)}
    return sorted(DuesRule.objects.filter(year=year), key=lambda rule: order[rule.category])
