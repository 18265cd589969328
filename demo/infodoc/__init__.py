"""Demo info-doc: two past years shaped like the 2023 activity report, this year's queue alive.

Last year: 112 requests (116 the year before), about 45 % from cities, 19 % from state
services and institutions, 13 % from associations; 26 % from outside the centre's area;
CA Roissy Pays de France ≈ 10 %, CA de Cergy-Pontoise ≈ 8 %, then GPS&O, Vallée Sud Grand
Paris, Val Parisis and Plaine Vallée 4 to 6 %; territorial engineering and equality 19 %
each, prevention and youth about 7 %. Almost all answered within a few days. This year: a
few requests, the latest new or in progress. Two published Q&As. About forty resources
(websites, radio programmes, books, reports, articles), a few books lent, one overdue.

Idempotent: a year that already has requests is left alone; resources are recognised by
their title, loans exist once. Deterministic (one seeded generator); rows are bulk-created.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from demo.core import load_territories
from demo.infodoc.data import (
    ANSWERS,
    CELLS,
    IN,
    INDIVIDUALS,
    INSIDE_CODES,
    LAST_YEAR_REQUESTS,
    ORGANISATIONS,
    OUTSIDE_DEPARTMENTS,
    PRIMARY_THEMES,
    QUESTIONS_AND_ANSWERS,
    RESOURCES,
    RESPONSE_DAYS,
    RESPONSE_WEIGHTS,
    SECOND_THEMES,
    SEED,
    SUBJECTS,
    YEAR_BEFORE_REQUESTS,
    K,
)
from demo.names import french_faker
from infodoc.models import (
    Channel,
    InfoRequest,
    Loan,
    RequestCounter,
    RequestStatus,
    Resource,
)
from members.models import ActorType, Organisation, OrganisationKind, Person
from portal.core.models import Commune, Department, Epci, Theme


def _allocate(total: int, weights: dict) -> dict:
    """Split `total` by weights, the rounding going to the largest remainders."""
    exact = {key: total * weight / sum(weights.values()) for key, weight in weights.items()}
    parts = {key: int(value) for key, value in exact.items()}
    for key in sorted(exact, key=lambda k: parts[k] - exact[k])[: total - sum(parts.values())]:
        parts[key] += 1
    return parts


def _slug(text: str) -> str:
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())[:24]


class _Builder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.today = timezone.localdate()
        self.staff = get_user_model().objects.filter(email="equipe@demo.test").first()
        self.departments = {d.code: d for d in Department.objects.all()}
        for code, name in OUTSIDE_DEPARTMENTS.items():
            if code not in self.departments:
                self.departments[code] = Department.objects.create(code=code, name=name)
        self.epcis = {e.siren: e for e in Epci.objects.all()}
        self.communes: dict[str, list[Commune]] = {}
        for commune in Commune.objects.select_related("epci", "department").order_by("name"):
            if commune.epci_id:
                self.communes.setdefault(commune.epci.siren, []).append(commune)
        self.themes = {t.name: t for t in Theme.objects.all()}
        self.contacts = self._contacts()
        self.turn: dict = {}

    # Requesters ------------------------------------------------------------------------

    def _contacts(self) -> dict[int, Person]:
        """A contact person for every organisation that may ask, created when missing."""
        organisations = {o.name: o for o in Organisation.objects.all()}
        for entries in ORGANISATIONS.values():
            for name, kind, code in entries:
                if name not in organisations:
                    organisations[name] = Organisation.objects.create(
                        name=name, kind=kind, department=self.departments[code],
                        email=f"contact@{_slug(name)}.demo.test",
                    )  # fmt: skip
        for commune in Commune.objects.filter(organisations__isnull=True):
            organisation = Organisation.objects.create(
                name=f"Ville de {commune.name}", kind=OrganisationKind.COMMUNE,
                commune=commune, department_id=commune.department_id,
            )  # fmt: skip
            organisations[organisation.name] = organisation
        contacts: dict[int, Person] = {}
        for person in Person.objects.filter(organisation__isnull=False).order_by("pk"):
            contacts.setdefault(person.organisation_id, person)
        missing = [o for o in organisations.values() if o.pk not in contacts]
        staff_types = {
            OrganisationKind.COMMUNE: ActorType.COLLECTIVITY_STAFF,
            OrganisationKind.EPCI: ActorType.COLLECTIVITY_STAFF,
            OrganisationKind.DEPARTEMENT: ActorType.COLLECTIVITY_STAFF,
            OrganisationKind.ASSOCIATION: ActorType.ASSOCIATION,
        }
        fake = french_faker(SEED)
        created = Person.objects.bulk_create(
            Person(
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                email=f"infodoc.{_slug(o.name)}.{o.pk}@demo.test",
                organisation=o,
                department_id=o.department_id,
                actor_type=staff_types.get(o.kind, ActorType.STATE),
                job_title="Chargé·e de mission",
            )
            for o in missing
        )
        contacts.update({p.organisation_id: p for p in created})
        self.organisations = organisations
        return contacts

    def _individuals(self, area: str) -> list[Person]:
        key = ("individuals", area)
        if key not in self.turn:
            people = []
            fake = french_faker(SEED + (area == IN))  # the same people on every run
            for index in range(INDIVIDUALS):
                first, last = fake.first_name(), fake.last_name()
                code = (
                    INSIDE_CODES[index % 4] if area == IN else list(OUTSIDE_DEPARTMENTS)[index % 6]
                )
                person, _created = Person.objects.get_or_create(
                    email=f"{_slug(first)}.{_slug(last)}.{area}@infodoc.demo.test",
                    defaults={
                        "first_name": first, "last_name": last, "actor_type": ActorType.OTHER,
                        "department": self.departments[code],
                    },
                )  # fmt: skip
                people.append(person)
            self.turn[key] = people
        return self.turn[key]

    def _next(self, key, items: list):
        index = self.turn.get(key, 0)
        self.turn[key] = index + 1
        return items[index % len(items)]

    def _requester(self, kind: str, territory) -> dict:
        """Person, organisation and territory fields of a request of this cell."""
        if isinstance(territory, tuple) and territory[0] == "commune":
            commune = self._next(territory, self.communes[territory[1]])
            organisation = commune.organisations.first()
            return {
                "person": self.contacts[organisation.pk], "organisation": organisation,
                "commune": commune, "department": commune.department,
            }  # fmt: skip
        if isinstance(territory, tuple):  # an EPCI asking
            epci = self.epcis[territory[1]]
            organisation = Organisation.objects.filter(
                kind=OrganisationKind.EPCI, name=epci.name
            ).first() or Organisation.objects.create(
                name=epci.name, kind=OrganisationKind.EPCI, department=self.departments["95"]
            )
            if organisation.pk not in self.contacts:
                self.contacts[organisation.pk] = Person.objects.create(
                    first_name="Nadia", last_name="Bensaïd", organisation=organisation,
                    email=f"infodoc.{_slug(epci.name)}@demo.test",
                    department=self.departments["95"],
                    actor_type=ActorType.COLLECTIVITY_STAFF,
                )  # fmt: skip
            return {
                "person": self.contacts[organisation.pk], "organisation": organisation,
                "epci": epci, "department": self.departments["95"],
            }  # fmt: skip
        if kind in (K.PROFESSIONAL, K.STUDENT, K.OTHER):
            people = self._individuals(territory)
            if kind == K.PROFESSIONAL and territory == IN:
                people = list(Person.objects.filter(actor_type=ActorType.RESEARCHER)[:6]) or people
            person = self._next((kind, territory), people)
            return {"person": person, "organisation": None, "department": person.department}
        if (kind, territory) in ORGANISATIONS:
            names = [name for name, _kind, _code in ORGANISATIONS[(kind, territory)]]
            candidates = [self.organisations[name] for name in names]
        else:  # associations of the area
            candidates = [
                o for o in self.organisations.values()
                if o.kind == OrganisationKind.ASSOCIATION and o.department_id
                and self._code(o) in INSIDE_CODES
            ]  # fmt: skip
        organisation = self._next((kind, territory), candidates)
        return {
            "person": self.contacts[organisation.pk], "organisation": organisation,
            "department": organisation.department,
        }  # fmt: skip

    def _code(self, organisation: Organisation) -> str:
        return next(
            code for code, d in self.departments.items() if d.pk == organisation.department_id
        )

    # Requests --------------------------------------------------------------------------

    def _dates(self, count: int, first: date, last: date) -> list[date]:
        days = (last - first).days
        picked = []
        while len(picked) < count:
            day = first + timedelta(days=self.rng.randint(0, days))
            if day.weekday() < 5 or days < 7:
                picked.append(day)
        return sorted(picked)

    def _themes(self, count: int) -> list[list[Theme]]:
        scale = count / LAST_YEAR_REQUESTS
        primary = _allocate(count, PRIMARY_THEMES)
        second = _allocate(round(28 * scale), SECOND_THEMES)
        themes = [[name] for name, n in primary.items() for _i in range(n)]
        self.rng.shuffle(themes)
        order = list(range(count))
        self.rng.shuffle(order)
        for name, n in second.items():
            for index in order:
                if n and len(themes[index]) == 1 and themes[index][0] != name:
                    themes[index].append(name)
                    n -= 1
        return [[self.themes[name] for name in names if name in self.themes] for names in themes]

    def year(self, year: int, count: int) -> list[InfoRequest]:
        last = min(date(year, 12, 31), self.today)
        dates = self._dates(count, date(year, 1, 1), last)
        if year < self.today.year:
            cells = _allocate(count, {(kind, territory): n for kind, territory, n in CELLS})
        else:
            cells = {(kind, territory): 1 for kind, territory, _n in CELLS[:count]}
        slots = [key for key, n in cells.items() for _i in range(n)]
        self.rng.shuffle(slots)
        themes = self._themes(count)
        counter, _created = RequestCounter.objects.get_or_create(year=year)
        requests = []
        for number, (received_on, (kind, territory), request_themes) in enumerate(
            zip(dates, slots, themes, strict=True), start=counter.last_number + 1
        ):
            fields = self._requester(kind, territory)
            subject, question = self.rng.choice(SUBJECTS)
            age = (self.today - received_on).days
            status = (
                RequestStatus.NO_FOLLOW_UP if self.rng.random() < 0.06
                else RequestStatus.CLOSED if age > 30
                else RequestStatus.ANSWERED if age > 10
                else RequestStatus.IN_PROGRESS if age > 3 else RequestStatus.NEW
            )  # fmt: skip
            request = InfoRequest(
                reference=f"ID-{year}-{number:04d}", received_on=received_on,
                channel=self.rng.choice([Channel.EMAIL] * 5 + [Channel.WEB] * 3 + [Channel.PHONE]),
                requester_kind=kind, subject=subject, question=question, status=status,
                assignee=self.staff if status != RequestStatus.NEW else None,
                consent_at=timezone.now(), **fields,
            )  # fmt: skip
            if status in (RequestStatus.ANSWERED, RequestStatus.CLOSED):
                types = {_pick(self.rng, RESPONSE_WEIGHTS)}
                if self.rng.random() < 0.3:
                    types.add(_pick(self.rng, RESPONSE_WEIGHTS))
                request.response_types = sorted(types)
                request.answer = " ".join(ANSWERS[t] for t in request.response_types)
                days = min(self.rng.choice(RESPONSE_DAYS), age)
                request.answered_on = received_on + timedelta(days=days)
                request.minutes_spent = self.rng.choice([30, 45, 60, 90, 120, 180])
            request.demo_themes = request_themes
            requests.append(request)
        counter.last_number += len(requests)
        counter.save(update_fields=["last_number"])
        created = InfoRequest.objects.bulk_create(requests)
        through = InfoRequest.themes.through
        through.objects.bulk_create(
            through(inforequest_id=request.pk, theme_id=theme.pk)
            for request, built in zip(created, requests, strict=True)
            for theme in built.demo_themes
        )
        return created


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _resources() -> list[Resource]:
    existing = set(Resource.objects.values_list("title", flat=True))
    themes = {t.name: t for t in Theme.objects.all()}
    new = [row for row in RESOURCES if row[0] not in existing]
    created = Resource.objects.bulk_create(
        Resource(
            title=title, author=author, publisher=publisher, year=year, kind=kind, url=url,
            description=description, is_lendable=lendable,
        )
        for title, author, publisher, year, kind, url, description, _themes, lendable in new
    )  # fmt: skip
    through = Resource.themes.through
    through.objects.bulk_create(
        through(resource_id=resource.pk, theme_id=themes[name].pk)
        for resource, row in zip(created, new, strict=True)
        for name in row[7]
        if name in themes
    )
    return list(Resource.objects.order_by("pk"))


def _loans(resources: list[Resource], today: date) -> None:
    if Loan.objects.exists():
        return
    books = [r for r in resources if r.is_lendable][:4]
    people = list(Person.objects.exclude(email="").order_by("pk")[:4])
    if len(books) < 4 or len(people) < 4:
        return
    Loan.objects.bulk_create(
        [
            Loan(resource=books[0], person=people[0], lent_on=today - timedelta(days=45),
                 due_on=today - timedelta(days=15)),  # overdue, not yet reminded
            Loan(resource=books[1], person=people[1], lent_on=today - timedelta(days=7),
                 due_on=today + timedelta(days=21)),
            Loan(resource=books[2], person=people[2], lent_on=today - timedelta(days=90),
                 due_on=today - timedelta(days=60), returned_on=today - timedelta(days=62)),
            Loan(resource=books[3], person=people[3], lent_on=today - timedelta(days=40),
                 due_on=today - timedelta(days=10), returned_on=today - timedelta(days=12)),
        ]
    )  # fmt: skip


def _link_resources(requests: list[InfoRequest], resources: list[Resource], rng) -> None:
    through = InfoRequest.resources.through
    through.objects.bulk_create(
        through(inforequest_id=request.pk, resource_id=resource.pk)
        for request in requests
        if request.answered_on and rng.random() < 0.5
        for resource in rng.sample(resources, 2)
    )


def _publish(requests: list[InfoRequest]) -> None:
    closed = [r for r in requests if r.status == RequestStatus.CLOSED][:2]
    for request, (question, answer) in zip(closed, QUESTIONS_AND_ANSWERS, strict=False):
        request.public_question, request.public_answer, request.is_public = question, answer, True
    InfoRequest.objects.bulk_update(closed, ["public_question", "public_answer", "is_public"])


@transaction.atomic
def load_demo() -> None:
    load_territories()
    resources = _resources()
    builder = _Builder()
    this_year = builder.today.year
    day_of_year = builder.today.timetuple().tm_yday
    sizes = {
        this_year - 2: YEAR_BEFORE_REQUESTS,
        this_year - 1: LAST_YEAR_REQUESTS,
        this_year: max(6, min(len(CELLS), LAST_YEAR_REQUESTS * day_of_year // 365)),
    }
    for year, count in sizes.items():
        if InfoRequest.objects.filter(received_on__year=year).exists():
            continue
        created = builder.year(year, count)
        _link_resources(created, resources, builder.rng)
        if year == this_year - 1:
            _publish(created)
    _loans(resources, builder.today)
