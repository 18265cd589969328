"""Members, dues, team and funders of a year, for the annual report (directors only)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Sum

from members.models import (
    CreditNote,
    Invoice,
    Membership,
    MembershipCategory,
    MembershipStatus,
    Organisation,
    Payment,
    Person,
)
from portal.core.collation import french_key

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CategoryMembers:
    category: str
    label: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class MemberFigures:
    year: int
    total: int
    previous_total: int
    # Associations, individuals, cities, EPCI, other organisations: the report's order.
    by_category: tuple[CategoryMembers, ...]


@dataclass(frozen=True)
class DuesFigures:
    year: int
    invoiced: Decimal  # invoices for the year's memberships, less their credit notes
    collected: Decimal  # payments received against those invoices
    outstanding: Decimal
    invoices: int


@dataclass(frozen=True)
class TeamMember:
    name: str
    job_title: str


REPORT_ORDER = (
    MembershipCategory.ASSOCIATION,
    MembershipCategory.INDIVIDUAL,
    MembershipCategory.CITY,
    MembershipCategory.EPCI,
    MembershipCategory.OTHER,
)


def member_rows(*, year: int) -> list[dict]:
    """The year's memberships (not cancelled): category, member's name, dues."""
    rows = (
        Membership.objects.active()
        .for_year(year)
        .select_related("organisation", "person")
        .order_by("category", "pk")
    )
    return [
        {
            "category": membership.category,
            "name": str(membership.member),
            "amount": membership.amount,
        }
        for membership in rows
    ]


def member_figures(*, year: int) -> MemberFigures:
    """Members by category with their names (individuals included: the report names them)."""
    names: dict[str, list[str]] = {category: [] for category in REPORT_ORDER}
    for row in member_rows(year=year):
        names.setdefault(row["category"], []).append(row["name"])
    labels = dict(MembershipCategory.choices)
    by_category = tuple(
        CategoryMembers(category, str(labels[category]), tuple(sorted(group, key=french_key)))
        for category, group in names.items()
    )
    return MemberFigures(
        year=year,
        total=sum(len(c.names) for c in by_category),
        previous_total=Membership.objects.active().for_year(year - 1).count(),
        by_category=by_category,
    )


# Statuses recorded before the portal (imported years) that mean « invoiced », and « paid ».
RECORDED_INVOICED = (
    MembershipStatus.INVOICED,
    MembershipStatus.PARTLY_PAID,
    MembershipStatus.PAID,
)


def _recorded_dues(year: int) -> tuple[Decimal, Decimal]:
    """What the year's memberships brought in from spreadsheets, without an invoice
    standing in the portal, were invoiced and paid (their status recorded then)."""
    standing = Invoice.objects.filter(membership=OuterRef("pk"), credit_note__isnull=True)
    totals = (
        Membership.objects.active()
        .for_year(year)
        .filter(recorded_status__in=RECORDED_INVOICED)
        .exclude(Exists(standing))
        .aggregate(
            invoiced=Sum("amount"),
            collected=Sum("amount", filter=Q(recorded_status=MembershipStatus.PAID)),
        )
    )
    return totals["invoiced"] or ZERO, totals["collected"] or ZERO


def dues_figures(*, year: int) -> DuesFigures:
    """Dues of the year's memberships: invoiced net of credit notes, and collected; a year
    brought in from spreadsheets counts the amounts of the statuses recorded then."""
    invoices = Invoice.objects.filter(membership__year=year)
    invoiced = invoices.aggregate(total=Sum("amount"))["total"] or ZERO
    credited = (
        CreditNote.objects.filter(invoice__in=invoices).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    collected = (
        Payment.objects.filter(invoice__in=invoices).aggregate(total=Sum("amount"))["total"] or ZERO
    )
    recorded_invoiced, recorded_collected = _recorded_dues(year)
    net = invoiced - abs(credited) + recorded_invoiced
    collected += recorded_collected
    return DuesFigures(
        year=year,
        invoiced=net,
        collected=collected,
        outstanding=max(net - collected, ZERO),
        invoices=invoices.filter(credit_note__isnull=True).count(),
    )


def team() -> tuple[TeamMember, ...]:
    """Staff with an active account and a directory record, by name."""
    people = Person.objects.filter(user__is_staff=True, user__is_active=True).filter(
        ~Q(job_title="")
    )
    return tuple(TeamMember(str(person), person.job_title) for person in people)


def funders() -> tuple[str, ...]:
    """Names of the active funders, each once (a funder may have several records)."""
    funding = Organisation.objects.filter(is_funder=True, is_active=True)
    return tuple(funding.values_list("name", flat=True).distinct().order_by("name"))
