"""Info-doc requests with their status history, and the resource catalogue."""

from __future__ import annotations

from datetime import timedelta

from bench.dataset import Context, bulk, bulk_m2m, words
from bench.dataset.publications import paragraph
from infodoc.models import (
    Channel,
    InfoRequest,
    RequestCounter,
    RequesterKind,
    RequestStatus,
    Resource,
    ResponseType,
    StatusChange,
)
from portal.core.models import Theme

REQUESTS, RESOURCES = 1200, 400
KIND_BY_ORGANISATION = {
    "commune": RequesterKind.CITY,
    "epci": RequesterKind.EPCI,
    "departement": RequesterKind.DEPARTEMENT,
    "state": RequesterKind.STATE,
    "public_agency": RequesterKind.STATE,
    "association": RequesterKind.ASSOCIATION,
    "social_landlord": RequesterKind.SOCIAL_LANDLORD,
    "company": RequesterKind.PROFESSIONAL,
    "other": RequesterKind.OTHER,
}
S = RequestStatus
PATHS = {
    S.CLOSED: [S.IN_PROGRESS, S.ANSWERED, S.CLOSED],
    S.ANSWERED: [S.IN_PROGRESS, S.ANSWERED],
    S.NO_FOLLOW_UP: [S.NO_FOLLOW_UP],
    S.IN_PROGRESS: [S.IN_PROGRESS],
    S.NEW: [],
}


def _resources(context: Context, themes: dict[str, int]) -> list[Resource]:
    rng, rows, meta = context.rng, [], []
    kinds = {"website": 20, "radio": 10, "book": 35, "report": 25, "article": 10}
    for number in range(1, context.volume(RESOURCES) + 1):
        theme = rng.choice(list(words.TOPICS))
        subject = rng.choice(words.TOPICS[theme])
        year = rng.choice(context.years)
        title = rng.choice(words.RESOURCE_TITLES).format(topic=subject)
        created = context.moment(context.day_in(year), 14)
        rows.append(
            Resource(
                title=title,
                kind=context.pick(kinds),
                year=year,
                author=context.fake.name(),
                publisher=rng.choice(
                    [
                        "La Documentation française",
                        "ANCT",
                        "Éditions de l'Aube",
                        "Presses universitaires",
                        "Observatoire national",
                    ]
                ),
                url=f"https://ressources.test/{number}",
                description=paragraph(context, theme, 2),
                created_at=created,
            )
        )
        meta.append(theme)
        rows[-1].is_lendable = rows[-1].kind in ("book", "report")
    resources = bulk(Resource, rows)
    bulk_m2m(Resource.themes, [(r.pk, themes[t]) for r, t in zip(resources, meta, strict=True)])
    return resources


def _request(context, person, organisation, received_on, theme):
    rng, today = context.rng, context.today
    subject = rng.choice(words.TOPICS[theme])
    age = (today - received_on).days
    if age > 60:
        status = context.pick({S.CLOSED: 85, S.ANSWERED: 7, S.NO_FOLLOW_UP: 8})
    else:
        status = context.pick({S.NEW: 25, S.IN_PROGRESS: 35, S.ANSWERED: 30, S.NO_FOLLOW_UP: 10})
    answered = status in (S.ANSWERED, S.CLOSED)
    answered_on = min(received_on + timedelta(days=rng.randint(1, 20)), today) if answered else None
    commune = next(
        (c for c in context.shared["communes"] if organisation and organisation.commune_id == c.pk),
        None,
    )
    kind = (
        KIND_BY_ORGANISATION[organisation.kind]
        if organisation
        else context.pick(
            {RequesterKind.PROFESSIONAL: 40, RequesterKind.STUDENT: 40, RequesterKind.OTHER: 20}
        )
    )
    created = context.moment(received_on, 10, rng.randint(0, 59))
    return InfoRequest(
        received_on=received_on,
        channel=context.pick(
            {Channel.WEB: 55, Channel.EMAIL: 30, Channel.PHONE: 12, Channel.ON_SITE: 3}
        ),
        person_id=person.pk,
        organisation=organisation,
        requester_kind=kind,
        commune=commune,
        epci_id=commune.epci_id if commune else None,
        department_id=person.department_id,
        subject=rng.choice(words.INFO_SUBJECTS).format(topic=subject)[:200],
        question=f"Bonjour, je travaille sur {subject}. "
        + paragraph(context, theme, 2)
        + " Pourriez-vous m'indiquer des ressources ?",
        status=status,
        response_types=sorted(rng.sample(list(ResponseType.values), rng.randint(1, 2)))
        if answered
        else [],
        answer=("Voici une sélection de documents et de contacts. " + paragraph(context, theme, 2))
        if answered
        else "",
        minutes_spent=rng.randint(20, 240) if answered else 0,
        answered_on=answered_on,
        consent_at=created,
        created_at=created,
        updated_at=created,
    ), status


def generate(context: Context) -> None:
    rng, themes = context.rng, {t.slug: t.pk for t in Theme.objects.all()}
    resources = _resources(context, themes)
    people = context.shared["people"]
    organisations = {o.pk: o for o in context.shared["organisations"]}
    rows, meta = [], []
    for year in context.years:
        days = sorted(context.day_in(year) for _ in range(context.volume(REQUESTS / 10)))
        for number, received_on in enumerate(days, start=1):
            person = rng.choice(people)
            theme = rng.choice(list(words.TOPICS))
            request, status = _request(
                context, person, organisations.get(person.organisation_id), received_on, theme
            )
            request.reference = f"ID-{year}-{number:04d}"
            rows.append(request)
            meta.append((theme, status))
        RequestCounter.objects.create(year=year, last_number=len(days))
    requests = bulk(InfoRequest, rows)
    bulk_m2m(
        InfoRequest.themes, [(r.pk, themes[t]) for r, (t, _s) in zip(requests, meta, strict=True)]
    )
    publications = [p.pk for p in context.shared["publications"]]
    answered = [r for r in requests if r.answered_on]
    bulk_m2m(
        InfoRequest.publications,
        [(r.pk, rng.choice(publications)) for r in answered for _ in range(rng.randint(0, 3))],
    )
    bulk_m2m(
        InfoRequest.resources,
        [(r.pk, rng.choice(resources).pk) for r in answered for _ in range(rng.randint(0, 2))],
    )
    changes = []
    for request, (_theme, status) in zip(requests, meta, strict=True):
        previous, when = S.NEW, request.created_at
        for step in PATHS[status]:
            when += timedelta(days=rng.randint(0, 5), hours=rng.randint(1, 6))
            changes.append(
                StatusChange(request=request, from_status=previous, to_status=step, changed_at=when)
            )
            previous = step
    bulk(StatusChange, changes)
    context.shared["resources"] = resources
    context.counts.update(
        info_requests=len(requests), status_changes=len(changes), resources=len(resources)
    )
