"""Organisations and people: the directory the other apps draw from."""

from __future__ import annotations

from datetime import date

from bench.dataset import Context, ascii_slug, bulk, words
from demo.core import load_territories
from members.models import (
    PUBLIC_BODY_KINDS,
    Organisation,
    OrganisationKind,
    Person,
)
from portal.core.models import Commune, Department

ORGANISATIONS, PEOPLE = 800, 15_000
OTHER_DEPARTMENTS = {
    "75": "Paris",
    "93": "Seine-Saint-Denis",
    "91": "Essonne",
    "94": "Val-de-Marne",
    "60": "Oise",
    "77": "Seine-et-Marne",
}
K = OrganisationKind
KIND_SHARES = {
    K.ASSOCIATION: 55,
    K.STATE: 9,
    K.PUBLIC_AGENCY: 8,
    K.SOCIAL_LANDLORD: 9,
    K.COMPANY: 12,
    K.OTHER: 7,
}
ACTOR_BY_KIND = {
    K.COMMUNE: "collectivity_staff",
    K.EPCI: "collectivity_staff",
    K.DEPARTEMENT: "collectivity_staff",
    K.STATE: "state",
    K.PUBLIC_AGENCY: "state",
    K.SOCIAL_LANDLORD: "other",
    K.ASSOCIATION: "association",
    K.COMPANY: "other",
    K.OTHER: "researcher",
}
DEPARTMENT_SHARES = {"95": 46, "78": 25, "92": 21, "other": 8}
# Share of organisations of a kind that are members in a given year.


def _territories(context: Context) -> None:
    load_territories()
    for code, name in OTHER_DEPARTMENTS.items():
        Department.objects.get_or_create(code=code, defaults={"name": name})
    departments = {d.code: d for d in Department.objects.all()}
    context.shared["departments"] = departments
    context.shared["centre_departments"] = [departments[c] for c in ("95", "78", "92")]
    context.shared["other_departments"] = [departments[c] for c in OTHER_DEPARTMENTS]
    context.shared["communes"] = list(Commune.objects.select_related("department", "epci"))


def department_for(context: Context):
    code = context.pick(DEPARTMENT_SHARES)
    if code == "other":
        return context.rng.choice(context.shared["other_departments"])
    return context.shared["departments"][code]


def _city_name(commune: str) -> str:
    if commune.startswith("Les "):
        return f"Ville des {commune[4:]}"
    return f"Ville d'{commune}" if commune[0] in "AEIOUYÉÈÊ" else f"Ville de {commune}"


def _organisations(context: Context) -> list[Organisation]:
    rng, communes = context.rng, context.shared["communes"]
    created = context.moment(date(context.years[0], 1, 2))
    rows = []

    def add(name: str, kind: str, department, **extra) -> None:
        number = len(rows) + 1
        rows.append(
            Organisation(
                name=name,
                kind=kind,
                department=department,
                created_at=created,
                updated_at=created,
                email=f"contact@{ascii_slug(name)[:24]}{number}.orga.test",
                address=f"{rng.randint(1, 120)} {context.fake.street_name()}",
                chorus_service_code="POLITIQUE-VILLE" if kind in PUBLIC_BODY_KINDS else "",
                is_funder=kind == K.STATE and rng.random() < 0.5,
                **extra,
            )
        )

    total = context.volume(ORGANISATIONS)
    for commune in communes[: max(1, total // 25)]:
        add(
            _city_name(commune.name),
            K.COMMUNE,
            commune.department,
            commune=commune,
            city=commune.name,
            postcode=f"{commune.department.code}000",
        )
    epcis = {c.epci_id: c.epci for c in communes if c.epci_id}
    for epci in list(epcis.values())[: max(1, total // 100)]:
        population = sum(c.population or 0 for c in communes if c.epci_id == epci.pk)
        add(epci.name, K.EPCI, context.shared["departments"]["95"], inhabitants=population)
    for department in context.shared["centre_departments"]:
        add(f"Conseil départemental — {department.name}", K.DEPARTEMENT, department)
    while len(rows) < total:
        kind = context.pick(KIND_SHARES)
        commune = rng.choice(communes)
        if kind == K.ASSOCIATION:
            pattern = rng.choice(words.ASSOCIATION_NAMES)
        else:
            pattern = rng.choice(words.ORG_NAMES[kind])
        name = pattern.format(
            place=rng.choice(words.PLACES),
            town=commune.name,
            word=rng.choice(words.NAME_WORDS),
            dep=commune.department.name,
        )
        add(name, kind, commune.department, city=commune.name)
    return bulk(Organisation, rows)


def _people(context: Context, organisations: list[Organisation]) -> list[Person]:
    rng, rows = context.rng, []
    for number in range(1, context.volume(PEOPLE) + 1):
        first, last = context.fake.first_name(), context.fake.last_name()
        organisation = rng.choice(organisations) if rng.random() < 0.75 else None
        if organisation is not None:
            actor = ACTOR_BY_KIND[organisation.kind]
            if organisation.kind == K.COMMUNE and rng.random() < 0.12:
                actor = "elected"
            department = organisation.department
        else:
            actor = context.pick({"resident": 60, "researcher": 20, "other": 20})
            department = department_for(context)
        created = context.moment(context.day_in(rng.choice(context.years)), 10)
        rows.append(
            Person(
                first_name=first,
                last_name=last,
                email=f"{ascii_slug(first)}.{ascii_slug(last)}.{number}@{rng.choice(words.DOMAINS)}",
                job_title=rng.choice(words.JOB_TITLES[actor]),
                actor_type=actor,
                organisation=organisation,
                department=department,
                consent_processing_at=created,
                created_at=created,
                updated_at=created,
            )
        )
    return bulk(Person, rows)


def generate(context: Context) -> None:
    _territories(context)
    organisations = _organisations(context)
    people = _people(context, organisations)
    context.shared.update(organisations=organisations, people=people)
    context.counts.update(organisations=len(organisations), people=len(people))
