"""Ten years of dues: rules, memberships, invoices, credit notes and payment receipts.

Documents are numbered per year in the order of their date, in the numbering service's
format (`members.services.numbering`), and each (kind, year) counter row is left at the
last number given, so the next document issued by the portal follows without a gap.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bench.dataset import Context, bulk
from members.models import (
    PUBLIC_BODY_KINDS,
    CreditNote,
    DocumentKind,
    DocumentSequence,
    DuesMode,
    DuesRule,
    Invoice,
    Membership,
    MembershipCategory,
    OrganisationKind,
    Payment,
    PaymentMethod,
    Person,
)
from members.services.numbering import PREFIXES

K = OrganisationKind
MEMBER_SHARE = {
    K.COMMUNE: 0.9,
    K.EPCI: 0.5,
    K.ASSOCIATION: 0.05,
    K.SOCIAL_LANDLORD: 0.1,
    K.PUBLIC_AGENCY: 0.05,
}
INDIVIDUAL_MEMBERS = 10
CATEGORY = {
    K.COMMUNE: MembershipCategory.CITY,
    K.EPCI: MembershipCategory.EPCI,
    K.ASSOCIATION: MembershipCategory.ASSOCIATION,
}
CENT = Decimal("0.01")


def _rules(context: Context) -> dict[tuple[int, str], DuesRule]:
    rows = []
    for index, year in enumerate(context.years):
        bump = Decimal(index // 4) * 10  # the board raises flat dues every four years
        rows += [
            DuesRule(
                year=year,
                category=MembershipCategory.CITY,
                mode=DuesMode.PER_INHABITANT,
                rate=Decimal("0.03") if index < 3 else Decimal("0.04"),
            ),
            DuesRule(
                year=year,
                category=MembershipCategory.EPCI,
                mode=DuesMode.FLAT,
                flat_amount=Decimal(900) + bump * 10,
            ),
            DuesRule(
                year=year,
                category=MembershipCategory.ASSOCIATION,
                mode=DuesMode.FLAT,
                flat_amount=Decimal(80) + bump,
            ),
            DuesRule(
                year=year,
                category=MembershipCategory.INDIVIDUAL,
                mode=DuesMode.FLAT,
                flat_amount=Decimal(20),
            ),
            DuesRule(
                year=year,
                category=MembershipCategory.OTHER,
                mode=DuesMode.FLAT,
                flat_amount=Decimal(250) + bump * 5,
            ),
        ]
    return {(r.year, r.category): r for r in bulk(DuesRule, rows)}


def _memberships(context, organisations, people, rules) -> list[Membership]:
    rng, rows = context.rng, []
    candidates = [o for o in organisations if o.kind in MEMBER_SHARE]
    members = {o.pk for o in candidates if rng.random() < MEMBER_SHARE[o.kind]}
    individuals = set(
        rng.sample([p.pk for p in people], min(len(people), context.volume(INDIVIDUAL_MEMBERS)))
    )
    communes = {c.pk: c for c in context.shared["communes"]}
    for year in context.years:
        # About one member in twelve leaves each year, and about as many join.
        for o in candidates:
            if o.pk in members and rng.random() < 0.08:
                members.discard(o.pk)
            elif o.pk not in members and rng.random() < MEMBER_SHARE[o.kind] * 0.08:
                members.add(o.pk)
        created = context.moment(date(year, 1, 5), 11)
        for o in candidates:
            if o.pk not in members:
                continue
            rule = rules[(year, CATEGORY.get(o.kind, MembershipCategory.OTHER))]
            population = None
            if rule.mode == DuesMode.PER_INHABITANT:
                population = o.inhabitants or communes[o.commune_id].population
            amount = rule.amount_for(population)
            public = o.kind in PUBLIC_BODY_KINDS
            rows.append(
                Membership(
                    year=year,
                    category=rule.category,
                    organisation=o,
                    population_used=population,
                    rate_used=rule.rate,
                    amount=amount,
                    created_at=created,
                    commitment_number=f"EJ{rng.randint(10**9, 10**10 - 1)}" if public else "",
                    decision_reference=(
                        f"Délibération n° {year - 1}-{rng.randint(10, 250)}"
                        if o.kind == K.COMMUNE
                        else ""
                    ),
                )
            )
        rule = rules[(year, MembershipCategory.INDIVIDUAL)]
        for pk in sorted(individuals):
            rows.append(
                Membership(
                    year=year,
                    category=rule.category,
                    person_id=pk,
                    amount=rule.amount_for(None),
                    created_at=created,
                )
            )
    return bulk(Membership, rows)


def _numbered(rows, kind: str, key) -> None:
    """Number documents per year in the order of their date, as the service does."""
    last: dict[int, int] = {}
    for row in sorted(rows, key=key):
        last[row.year] = last.get(row.year, 0) + 1
        row.sequence = last[row.year]
        row.number = f"{PREFIXES[kind]}{row.year}-{row.sequence:04d}"
    DocumentSequence.objects.bulk_create(
        [DocumentSequence(kind=kind, year=y, last_number=n) for y, n in sorted(last.items())]
    )


def _payer(membership: Membership, people: dict[int, Person]) -> tuple[str, str]:
    member = membership.organisation or people[membership.person_id]
    org = membership.organisation
    address = f"{org.address}\n{org.postcode} {org.city}".strip() if org else ""
    return str(member), address


def _billing(context: Context, memberships: list[Membership], people) -> None:
    rng, today = context.rng, context.today
    invoices, notes, payments = [], [], []
    for m in memberships:
        current = m.year == today.year
        if current and rng.random() < 0.15:
            continue  # still to invoice
        issued_on = date(m.year, 1, 10) + timedelta(days=rng.randint(0, 80))
        issued_on = min(issued_on, today)
        org = m.organisation
        payer_name, payer_address = _payer(m, people)
        invoice = Invoice(
            year=issued_on.year,
            issued_on=issued_on,
            amount=m.amount,
            membership=m,
            due_on=issued_on + timedelta(days=30),
            payer_name=payer_name,
            payer_address=payer_address,
            payer_siret=org.siret if org else "",
            payer_service_code=org.chorus_service_code if org else "",
            commitment_number=m.commitment_number,
            is_facturx=bool(org and org.kind in PUBLIC_BODY_KINDS),
            issued_at=context.moment(issued_on, 10),
        )
        invoices.append(invoice)
        fate = rng.random()
        if fate < 0.03:  # cancelled by a credit note (entered twice, member left)
            note_on = min(issued_on + timedelta(days=rng.randint(10, 60)), today)
            notes.append(
                CreditNote(
                    year=note_on.year,
                    issued_on=note_on,
                    amount=invoice.amount,
                    invoice=invoice,
                    reason=rng.choice(
                        [
                            "Adhésion saisie en double",
                            "Départ de l'adhérent",
                            "Erreur sur la population",
                        ]
                    ),
                    issued_at=context.moment(note_on, 11),
                )
            )
            m.cancelled_at = context.moment(note_on, 11)
            continue
        paid_on = issued_on + timedelta(days=rng.randint(7, 110))
        if paid_on > today or (current and fate > 0.7):
            continue  # unpaid so far
        method = (
            PaymentMethod.MANDAT
            if invoice.is_facturx
            else context.pick(
                {PaymentMethod.TRANSFER: 70, PaymentMethod.CHEQUE: 25, PaymentMethod.CARD: 5}
            )
        )
        parts = [invoice.amount]
        if fate > 0.95 and invoice.amount >= 2:  # paid in two instalments
            first = (invoice.amount / 2).quantize(CENT, ROUND_HALF_UP)
            parts = [first, invoice.amount - first]
        for index, amount in enumerate(parts):
            day = paid_on + timedelta(days=45 * index)
            if day > today:
                break  # the second instalment is still awaited
            payments.append(
                Payment(
                    year=day.year,
                    issued_on=day,
                    amount=amount,
                    invoice=invoice,
                    method=method,
                    paid_on=day,
                    reference=f"{method[:3].upper()}-{rng.randint(100000, 999999)}",
                    issued_at=context.moment(day, 15),
                )
            )
    _numbered(invoices, DocumentKind.INVOICE, key=lambda r: (r.issued_on, r.membership.pk))
    invoices = bulk(Invoice, invoices)
    _numbered(notes, DocumentKind.CREDIT_NOTE, key=lambda r: (r.issued_on, r.invoice.pk))
    for note in notes:
        note.invoice_id = note.invoice.pk
    bulk(CreditNote, notes)
    _numbered(payments, DocumentKind.RECEIPT, key=lambda r: (r.paid_on, r.invoice.pk))
    for payment in payments:
        payment.invoice_id = payment.invoice.pk
    bulk(Payment, payments)
    cancelled = [m for m in memberships if m.cancelled_at]
    Membership.objects.bulk_update(cancelled, ["cancelled_at"], batch_size=1000)
    context.counts.update(invoices=len(invoices), credit_notes=len(notes), payments=len(payments))


def generate(context: Context) -> None:
    organisations, people = context.shared["organisations"], context.shared["people"]
    rules = _rules(context)
    memberships = _memberships(context, organisations, people, rules)
    _billing(context, memberships, {p.pk: p for p in people})
    context.counts.update(dues_rules=len(rules), memberships=len(memberships))
