"""Publications with French titles, summaries and bodies that the full-text search finds."""

from __future__ import annotations

from datetime import timedelta

from django.utils.text import slugify

from bench.dataset import Context, bulk, bulk_m2m, words
from portal.core.models import Theme
from publications.models import Publication, PublicationKind, PublicationStatus

PUBLICATIONS = 2000
K = PublicationKind
KIND_SHARES = {
    K.EXPERIENCE_SHEET: 35,
    K.SYNTHESIS: 14,
    K.PROCEEDINGS: 10,
    K.STUDY: 6,
    K.DOSSIER: 8,
    K.PRESS_KIT: 5,
    K.TEACHING_KIT: 3,
    K.BOOKLET: 4,
    K.PODCAST: 5,
    K.REPLAY: 6,
    K.NETWORK_CONTRIBUTION: 3,
    K.EXPERIENCE_COLLECTION: 1,
}
AUTHORS = "Pôle ressources ville et développement social"


def sentence(context: Context, theme: str) -> str:
    rng = context.rng
    subject = rng.choice(words.TOPICS[theme] + rng.choice(list(words.TOPICS.values())))
    return (
        f"{rng.choice(words.SUBJECTS)} {rng.choice(words.VERBS)} {subject} "
        f"{rng.choice(words.COMPLEMENTS)}."
    )


def paragraph(context: Context, theme: str, sentences: int) -> str:
    parts = [sentence(context, theme) for _ in range(sentences)]
    if context.rng.random() < 0.6:
        parts.append(context.rng.choice(words.FINDINGS))
    return " ".join(parts)


def _at(town: str) -> str:
    """« À Cergy », « Aux Mureaux », « Au Chesnay »."""
    if town.startswith("Les "):
        return f"Aux {town[4:]}"
    return f"Au {town[3:]}" if town.startswith("Le ") else f"À {town}"


def _body(context: Context, theme: str, subject: str, town: str) -> str:
    rng = context.rng
    sections = [
        (
            "Contexte",
            f"{_at(town)}, {subject} est au cœur du contrat de ville. "
            + paragraph(context, theme, rng.randint(2, 4)),
        ),
        ("La démarche", paragraph(context, theme, rng.randint(3, 5))),
        ("Les partenaires", paragraph(context, theme, rng.randint(2, 3))),
        ("Enseignements", paragraph(context, theme, rng.randint(2, 4))),
    ]
    return "".join(f"<h2>{title}</h2><p>{text}</p>" for title, text in sections)


def generate(context: Context) -> None:
    rng, today = context.rng, context.today
    themes = {t.slug: t.pk for t in Theme.objects.all()}
    communes = context.shared["communes"]
    people = context.shared["people"]
    actions_by_year: dict[int, list[int]] = {}
    for action in context.shared["actions"]:
        actions_by_year.setdefault(action.created_at.year, []).append(action.pk)
    rows, meta = [], []
    for year in context.years:
        for _ in range(context.volume(PUBLICATIONS / 10)):
            kind = context.pick(KIND_SHARES)
            theme = rng.choice(list(words.TOPICS))
            subject = rng.choice(words.TOPICS[theme])
            town = rng.choice(communes).name
            title = words.PUBLICATION_TITLES[kind].format(topic=subject, town=town)
            title = title[:1].upper() + title[1:]
            published_on = context.day_in(year)
            status = PublicationStatus.PUBLISHED
            if year == today.year and rng.random() < 0.05:
                status = PublicationStatus.DRAFT
            created = context.moment(published_on - timedelta(days=rng.randint(1, 30)), 11)
            author = rng.choice(people)
            number = len(rows) + 1
            rows.append(
                Publication(
                    title=title[:250],
                    slug=f"{slugify(title)[:200]}-{number}",
                    kind=kind,
                    summary=(
                        f"{subject[:1].upper()}{subject[1:]} : " + paragraph(context, theme, 2)
                    )[:1000],
                    body=_body(context, theme, subject, town),
                    authors=f"{AUTHORS}; {author.first_name} {author.last_name}",
                    published_on=published_on,
                    status=status,
                    media_url="https://media.pole-ressources.test/" + str(number)
                    if kind in (K.PODCAST, K.REPLAY)
                    else "",
                    created_at=created,
                    updated_at=created,
                )
            )
            meta.append((year, theme))
    publications = bulk(Publication, rows)
    theme_ids = list(themes.values())
    bulk_m2m(
        Publication.themes,
        [(p.pk, themes[t]) for p, (_y, t) in zip(publications, meta, strict=True)]
        + [(p.pk, rng.choice(theme_ids)) for p in publications if rng.random() < 0.4],
    )
    departments = context.shared["centre_departments"]
    bulk_m2m(
        Publication.departments,
        [(p.pk, d.pk) for p in publications for d in rng.sample(departments, rng.randint(0, 2))],
    )
    linked = [K.PROCEEDINGS, K.SYNTHESIS, K.REPLAY]
    bulk_m2m(
        Publication.actions,
        [
            (p.pk, rng.choice(actions_by_year[y]))
            for p, (y, _t) in zip(publications, meta, strict=True)
            if p.kind in linked and actions_by_year.get(y)
        ],
    )
    coproducers = [o.pk for o in context.shared["organisations"] if o.kind != "commune"]
    bulk_m2m(
        Publication.coproducers,
        [(p.pk, rng.choice(coproducers)) for p in publications if rng.random() < 0.15],
    )
    context.shared["publications"] = publications
    context.counts["publications"] = len(publications)
