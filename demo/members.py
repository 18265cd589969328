"""Demo members drawn from the 2023 activity report (../shared/seeds), with dues in every state.

Idempotent: what exists is left alone, so `load_demo` can run at every start.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from demo.core import load_territories
from members.models import (
    ActorType,
    DuesMode,
    DuesRule,
    Membership,
    MembershipCategory,
    Organisation,
    OrganisationKind,
    PaymentMethod,
    Person,
)
from members.services.billing import credit_note_issue, invoice_issue, payment_record
from members.services.memberships import membership_cancel, membership_create
from portal.core.models import Commune, Department, Epci

ASSOCIATIONS = [
    ("Alter Ego", "Eaubonne"),
    ("ACI", "Sarcelles"),
    ("APPC", "Sarcelles"),
    ("CAUE 95", "Cergy"),
    ("Centre de Services aux Associations", "Eaubonne"),
    ("École et Famille", "Cergy"),
    ("Essivam", "Taverny"),
    ("Fédération des Centres Sociaux du Val d'Oise", "Cergy"),
    ("Les Francas du Val d'Oise", "Cergy"),
    ("Ifac", "Franconville"),
    ("IMAJ 95", "Bouffémont"),
    ("Initiactive 95", "Cergy"),
    ("La Sauvegarde 95", "Cergy"),
    ("Mission Locale Vallée de Montmorency", "Montmorency"),
    ("PTCE Pays de France", "Sarcelles"),
]
INDIVIDUALS = [
    ("Sylvie", "Collinet"),
    ("Athika", "Daouadji"),
    ("Christine", "Erard"),
    ("Gilles", "Jeanmougin"),
    ("Pierre", "Le Lohé"),
    ("Anne", "Morin-Pellet"),
    ("Daniela", "Pennini"),
    ("Emmanuel", "Potier"),
    ("Laura", "Weidmann"),
]
EPCIS = {"249500109": "CA de Cergy-Pontoise", "200055655": "CA Roissy Pays de France"}
# The member city of the demo login membre@demo.test.
MEMBER_CITY = "95127"  # Cergy

RULES = [  # category, mode, rate or flat amount
    (MembershipCategory.CITY, DuesMode.PER_INHABITANT, Decimal("0.04")),
    (MembershipCategory.EPCI, DuesMode.FLAT, Decimal("1000")),
    (MembershipCategory.ASSOCIATION, DuesMode.FLAT, Decimal("100")),
    (MembershipCategory.INDIVIDUAL, DuesMode.FLAT, Decimal("20")),
    (MembershipCategory.OTHER, DuesMode.FLAT, Decimal("300")),
]


def _rules(year: int) -> None:
    for category, mode, value in RULES:
        DuesRule.objects.get_or_create(
            year=year,
            category=category,
            defaults={
                "mode": mode,
                "rate": value if mode == DuesMode.PER_INHABITANT else None,
                "flat_amount": value if mode == DuesMode.FLAT else None,
            },
        )


def _city_name(commune: str) -> str:
    """« Ville de Cergy », « Ville d'Antony », « Ville des Mureaux »."""
    if commune.startswith("Les "):
        return f"Ville des {commune[4:]}"
    if commune[0] in "AEIOUYÉÈÊ":
        return f"Ville d'{commune}"
    return f"Ville de {commune}"


def _slug(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())[:20]


def _organisations() -> list[Organisation]:
    val_doise = Department.objects.get(code="95")
    members = []
    communes = Commune.objects.filter(organisations__isnull=True)
    for commune in communes.select_related("department"):
        members.append(
            Organisation.objects.create(
                name=_city_name(commune.name),
                kind=OrganisationKind.COMMUNE,
                commune=commune,
                department=commune.department,
                city=commune.name,
                address="Hôtel de ville",
                email=f"politique.ville@{_slug(commune.name)}.demo.test",
                chorus_service_code="POLITIQUE-VILLE",
            )
        )
    for siren, name in EPCIS.items():
        epci = Epci.objects.get(siren=siren)
        if not Organisation.objects.filter(name=name).exists():
            population = sum(epci.communes.values_list("population", flat=True))
            members.append(
                Organisation.objects.create(
                    name=name,
                    kind=OrganisationKind.EPCI,
                    department=val_doise,
                    inhabitants=population,
                    email=f"contact@{_slug(name)}.demo.test",
                )
            )
    for name, town in ASSOCIATIONS:
        if not Organisation.objects.filter(name=name).exists():
            members.append(
                Organisation.objects.create(
                    name=name,
                    kind=OrganisationKind.ASSOCIATION,
                    city=town,
                    department=val_doise,
                    email=f"contact@{_slug(name)}.demo.test",
                )
            )
    return members


def _individuals() -> list[Person]:
    people = []
    for first_name, last_name in INDIVIDUALS:
        email = f"{_slug(first_name)}.{_slug(last_name)}@demo.test"
        person, created = Person.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "actor_type": ActorType.RESEARCHER,
                "department": Department.objects.get(code="95"),
            },
        )
        if created:
            people.append(person)
    return people


def _member_login(actor) -> None:
    """membre@demo.test: the politique de la ville contact of the demo city."""
    user = get_user_model().objects.get(email="membre@demo.test")
    city = Organisation.objects.get(commune__insee_code=MEMBER_CITY)
    Person.objects.update_or_create(
        email=user.email,
        defaults={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "organisation": city,
            "user": user,
            "job_title": "Cheffe de projet politique de la ville",
            "actor_type": ActorType.COLLECTIVITY_STAFF,
            "department": city.department,
            "is_member_contact": True,
            "consent_processing_at": timezone.now(),
        },
    )


def _cycle(members: list, year: int, actor, *, states: bool) -> None:
    """Memberships of `year`; with `states`, spread them over every status."""
    today = timezone.localdate()
    issued_on = date(year, 1, 20) if year < today.year else today - timedelta(days=75)
    for index, member in enumerate(members):
        field = "person" if isinstance(member, Person) else "organisation"
        if Membership.objects.filter(year=year, **{field: member}).exists():
            continue
        try:
            membership = membership_create(year=year, actor=actor, **{field: member})
        except ValidationError:
            continue
        state = index % 6 if states else 4
        if getattr(member, "commune_id", None) and member.commune.insee_code == MEMBER_CITY:
            state = 1  # the demo login's city: a Factur-X invoice waiting for payment
        if state == 0:
            continue  # to invoice
        invoice = invoice_issue(membership=membership, issued_by=actor, issued_on=issued_on)
        if state == 1:
            continue  # invoiced, unpaid: reminders will follow
        if state == 5:
            credit_note_issue(invoice=invoice, reason="Adhésion saisie en double", issued_by=actor)
            membership_cancel(membership=membership, actor=actor, reason="Saisie en double")
            continue
        amount = invoice.amount if state in (3, 4) else (invoice.amount / 2).quantize(Decimal("1"))
        method = (
            PaymentMethod.MANDAT
            if getattr(member, "is_public_body", False)
            else (PaymentMethod.TRANSFER)
        )
        payment_record(
            invoice=invoice,
            amount=amount,
            method=method,
            paid_on=min(issued_on + timedelta(days=40), today),
            reference=f"VIR-{invoice.number}",
            recorded_by=actor,
        )


@transaction.atomic
def load_demo() -> None:
    load_territories()
    this_year = timezone.localdate().year
    for year in (this_year - 1, this_year):
        _rules(year)
    actor = get_user_model().objects.filter(email="equipe@demo.test").first()
    members = _organisations() + _individuals()
    _member_login(actor)
    _cycle(members, this_year - 1, actor, states=False)
    _cycle(members, this_year, actor, states=True)
