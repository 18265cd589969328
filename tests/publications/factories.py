"""factory_boy factories for the publications pages, and a quick bulk maker for big lists."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from portal.core.models import Theme
from publications.models import Publication, PublicationKind, PublicationStatus


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Thème de test {n}")
    slug = factory.Sequence(lambda n: f"theme-de-test-{n}")


class PublicationFactory(factory.django.DjangoModelFactory):
    """A published study dated last month; pass themes=[...], departments=[...] etc."""

    class Meta:
        model = Publication
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Étude sur les quartiers prioritaires n°{n}")
    slug = factory.Sequence(lambda n: f"etude-quartiers-{n}")
    kind = PublicationKind.STUDY
    summary = "Une étude menée avec les villes du réseau."
    body = "<p>Le texte de l'étude, ses constats et ses recommandations.</p>"
    authors = "Marie Dupont; Karim Benali"
    status = PublicationStatus.PUBLISHED
    published_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set(extracted)

    @factory.post_generation
    def coproducers(self, create, extracted, **kwargs):
        if create and extracted:
            self.coproducers.set(extracted)

    @factory.post_generation
    def actions(self, create, extracted, **kwargs):
        if create and extracted:
            self.actions.set(extracted)


def bulk_publications(
    count: int,
    *,
    prefix: str = "bulk",
    themes: list[Theme] = (),
    title: str = "Fiche expérience sur la participation des habitants",
    body: str = "<p>Un atelier de quartier, ses acteurs et ce qu'il a changé.</p>",
    start: date | None = None,
) -> list[Publication]:
    """`count` published publications in one INSERT batch per thousand, dated a day apart.

    Each gets every theme of `themes` (one bulk insert into the through table).
    """
    start = start or timezone.localdate() - timedelta(days=1)
    kinds = [PublicationKind.EXPERIENCE_SHEET, PublicationKind.SYNTHESIS, PublicationKind.STUDY]
    publications = Publication.objects.bulk_create(
        [
            Publication(
                title=f"{title} {index}",
                slug=f"{prefix}-{index}",
                kind=kinds[index % len(kinds)],
                summary="Une initiative locale racontée par ses acteurs.",
                body=body,
                status=PublicationStatus.PUBLISHED,
                published_on=start - timedelta(days=index % 3650),
            )
            for index in range(count)
        ],
        batch_size=1000,
    )
    if themes:
        through = Publication.themes.through
        through.objects.bulk_create(
            [
                through(publication_id=publication.pk, theme_id=theme.pk)
                for publication in publications
                for theme in themes
            ],
            batch_size=2000,
        )
    return publications
