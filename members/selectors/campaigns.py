"""What a dues campaign will do, and what it did: the preview before it starts, its calls after.

The preview is the one account of a campaign's rows: the start page shows it, the start
service refuses to start while it names a missing rule, and the run walks its rows, so
what staff saw is what is done. Each row is last year's membership of a member to renew.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from members.documents import rate_display
from members.models import (
    CreditNote,
    DuesCampaign,
    DuesMode,
    DuesRule,
    Invoice,
    Membership,
    MembershipCategory,
    Person,
)
from portal.core.formats import format_number


class RowState(enum.StrEnum):
    ISSUE = "issue"  # a dues call will be issued
    BLOCKED = "blocked"  # data is missing: skipped, listed as an error of the campaign
    INVOICED = "invoiced"  # the year's call was issued already
    NOTHING = "nothing"  # the year's membership is cancelled, or its dues are zero


@dataclass(frozen=True)
class CampaignRow:
    previous: Membership
    member: str
    category: str
    basis: str
    amount: Decimal | None
    state: RowState
    problems: tuple[str, ...] = ()
    for_chorus: bool = False  # deposited on Chorus Pro instead of mailed
    has_email: bool = True

    @property
    def problems_text(self) -> str:
        """« no billing address (…) and no SIRET »."""
        return get_text_list(list(self.problems), _("and"))


@dataclass
class CampaignPreview:
    year: int
    rows: list[CampaignRow] = field(default_factory=list)
    missing_rules: list[MembershipCategory] = field(default_factory=list)

    @property
    def to_issue(self) -> list[CampaignRow]:
        return [row for row in self.rows if row.state == RowState.ISSUE]

    @property
    def blocked(self) -> list[CampaignRow]:
        return [row for row in self.rows if row.state == RowState.BLOCKED]

    @property
    def done_already(self) -> int:
        return sum(row.state in (RowState.INVOICED, RowState.NOTHING) for row in self.rows)

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.to_issue), Decimal("0.00"))

    @property
    def to_mail(self) -> int:
        return sum(not row.for_chorus for row in self.to_issue)

    @property
    def for_chorus(self) -> int:
        return sum(row.for_chorus for row in self.to_issue)

    @property
    def without_email(self) -> list[CampaignRow]:
        return [row for row in self.to_issue if not row.for_chorus and not row.has_email]

    @property
    def can_start(self) -> bool:
        return not self.missing_rules


def campaign_memberships_to_renew(*, year: int) -> QuerySet[Membership]:
    """Last year's memberships to renew: not cancelled, of an active organisation or a person.

    Annotated with `has_email`: whether a dues call could be mailed to the member (its
    organisation's address or a member contact's, or the individual member's own)."""
    contact = Person.objects.filter(
        organisation=OuterRef("organisation"), is_member_contact=True
    ).exclude(email="")
    return (
        Membership.objects.filter(year=year - 1, cancelled_at__isnull=True)
        .filter(Q(organisation__is_active=True) | Q(person__isnull=False))
        .select_related("organisation__commune", "person")
        .annotate(
            has_email=(
                (Q(organisation__isnull=False) & ~Q(organisation__email=""))
                | Exists(contact)
                | (Q(person__isnull=False) & ~Q(person__email=""))
            )
        )
        .order_by("pk")
    )


def _basis(*, population: int | None, rate: Decimal | None) -> str:
    """« 62 760 inhabitants × 0,04 € », or « Flat amount »."""  # noqa: RUF002
    if population is None or rate is None:
        return str(DuesMode.FLAT.label)
    return _("%(population)s inhabitants × %(rate)s") % {  # noqa: RUF001
        "population": format_number(population),
        "rate": rate_display(rate),
    }


def _public_body_problems(previous: Membership) -> list[str]:
    """What a public body's invoice needs to be paid: a billing address and a SIRET (its
    Factur-X names both, and Chorus Pro finds the payer by its SIRET)."""
    organisation = previous.organisation
    if organisation is None or not organisation.is_public_body:
        return []
    problems = []
    if not (organisation.address.strip() and organisation.postcode and organisation.city):
        problems.append(_("no billing address (street, postcode and town)"))
    if not organisation.siret:
        problems.append(_("no SIRET"))
    return problems


def _row(
    previous: Membership, *, year: int, rules: dict[str, DuesRule], existing: dict
) -> CampaignRow:
    key = (previous.organisation_id, None if previous.organisation_id else previous.person_id)
    current: Membership | None = existing.get(key)
    category = current.category if current else previous.category
    row = {
        "previous": previous,
        "member": str(previous.member),
        "category": str(MembershipCategory(category).label),
        "has_email": previous.has_email,
    }
    problems: list[str] = []
    amount = population = rate = None
    if current is not None:
        if current.cancelled_at or current.has_invoice or current.amount <= 0:
            state = RowState.INVOICED if current.has_invoice else RowState.NOTHING
            return CampaignRow(**row, basis="", amount=current.amount, state=state)
        amount, population, rate = current.amount, current.population_used, current.rate_used
    elif (rule := rules.get(category)) is None:
        problems.append(
            _("no dues rule for %(category)s in %(year)s")
            % {"category": row["category"], "year": year}
        )
    else:
        rate = rule.rate
        if rule.mode == DuesMode.PER_INHABITANT:
            population = previous.organisation.population() if previous.organisation else None
            if population is None:
                problems.append(_("no population: set its commune or its inhabitants"))
        if not problems:
            amount = rule.amount_for(population)
            if amount <= 0:
                return CampaignRow(**row, basis="", amount=amount, state=RowState.NOTHING)
    problems += _public_body_problems(previous)
    organisation = previous.organisation
    # An invoice of a public body is Factur-X (members.services.billing); it is deposited on
    # Chorus Pro when it carries a SIRET or a service code (Invoice.is_for_chorus).
    for_chorus = bool(
        organisation
        and organisation.is_public_body
        and (organisation.siret or organisation.chorus_service_code)
    )
    return CampaignRow(
        **row,
        basis=_basis(population=population, rate=rate) if amount is not None else "",
        amount=amount,
        state=RowState.BLOCKED if problems else RowState.ISSUE,
        problems=tuple(problems),
        for_chorus=for_chorus,
    )


def campaign_preview(*, year: int) -> CampaignPreview:
    """Every member to renew for `year`, with what it will be invoiced or what is missing."""
    rules = {rule.category: rule for rule in DuesRule.objects.filter(year=year)}
    invoiced = Invoice.objects.filter(membership=OuterRef("pk"))
    existing = {
        (m.organisation_id, m.person_id if m.organisation_id is None else None): m
        for m in Membership.objects.filter(year=year).annotate(has_invoice=Exists(invoiced))
    }
    preview = CampaignPreview(year=year)
    missing: set[str] = set()
    for previous in campaign_memberships_to_renew(year=year).iterator(chunk_size=500):
        row = _row(previous, year=year, rules=rules, existing=existing)
        preview.rows.append(row)
        key = (previous.organisation_id, None if previous.organisation_id else previous.person_id)
        if key not in existing and previous.category not in rules:
            missing.add(previous.category)
    preview.rows.sort(key=lambda row: row.member.casefold())
    preview.missing_rules = [category for category in MembershipCategory if category in missing]
    return preview


def campaign_invoices(campaign: DuesCampaign) -> QuerySet[Invoice]:
    """The dues calls a campaign issued, with whether each was cancelled since."""
    return (
        Invoice.objects.filter(campaign=campaign)
        .annotate(cancelled=Exists(CreditNote.objects.filter(invoice=OuterRef("pk"))))
        .order_by("sequence")
    )


def campaign_chorus_invoices(campaign: DuesCampaign) -> QuerySet[Invoice]:
    """The calls to deposit on Chorus Pro: the campaign's, for Chorus, not cancelled since."""
    return campaign_invoices(campaign).for_chorus().filter(cancelled=False)


def campaign_unmailed_invoices(campaign: DuesCampaign) -> QuerySet[Invoice]:
    """The campaign's calls to mail that were not mailed (yet, or for lack of an address)."""
    return campaign_invoices(campaign).to_mail().filter(sent_at__isnull=True, cancelled=False)
