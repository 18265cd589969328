"""A year of publications, for the annual report: counts and titles by kind."""

from __future__ import annotations

from dataclasses import dataclass

from publications.models import Publication, PublicationKind, PublicationStatus


@dataclass(frozen=True)
class KindPublications:
    kind: str
    label: str
    titles: tuple[str, ...]


@dataclass(frozen=True)
class PublicationFigures:
    year: int
    count: int
    previous_count: int
    by_kind: tuple[KindPublications, ...]  # most titles first, then the label


def publication_rows(*, year: int) -> list[dict]:
    """The year's published publications, oldest first: date, kind, title, authors."""
    return list(
        Publication.objects.filter(status=PublicationStatus.PUBLISHED, published_on__year=year)
        .order_by("published_on", "pk")
        .values("pk", "published_on", "kind", "title", "authors")
    )


def publication_figures(*, year: int) -> PublicationFigures:
    """Publications published in `year` (and the count of the year before); 2 queries."""
    titles: dict[str, list[str]] = {}
    for row in publication_rows(year=year):
        titles.setdefault(row["kind"], []).append(row["title"])
    labels = dict(PublicationKind.choices)
    by_kind = sorted(
        (
            KindPublications(kind, str(labels.get(kind, kind)), tuple(names))
            for kind, names in titles.items()
        ),
        key=lambda k: (-len(k.titles), k.label.casefold()),
    )
    previous = Publication.objects.filter(
        status=PublicationStatus.PUBLISHED, published_on__year=year - 1
    ).count()
    return PublicationFigures(
        year=year,
        count=sum(len(k.titles) for k in by_kind),
        previous_count=previous,
        by_kind=tuple(by_kind),
    )
