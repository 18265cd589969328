"""Factories for the feed and OAI-PMH tests, and a URLconf with the routes they need."""

from datetime import timedelta

import factory
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone

from portal.core.models import Theme
from publications.feeds import LatestPublicationsFeed
from publications.models import Publication, PublicationKind, PublicationStatus


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Renouvellement urbain {n}")
    slug = factory.Sequence(lambda n: f"renouvellement-urbain-{n}")


class PublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publication
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Les quartiers prioritaires en 2024, numéro {n}")
    slug = factory.Sequence(lambda n: f"quartiers-prioritaires-{n}")
    kind = PublicationKind.STUDY
    summary = "Une étude sur les quartiers."
    authors = "Marie Dupont; Karim Benali"
    status = PublicationStatus.PUBLISHED
    published_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)


def _page(request, slug=None):
    return HttpResponse("page")


# The publication pages the feed and records link to, and the two endpoints under test.
_publication_patterns = (
    [
        path("", _page, name="list"),
        path("flux.xml", LatestPublicationsFeed(), name="feed"),
        path("<slug:slug>/", _page, name="detail"),
        path("<slug:slug>/telecharger/", _page, name="download"),
    ],
    "publications",
)

urlpatterns = [
    path("publications/", include(_publication_patterns)),
    path("oai", include("publications.oai.urls")),
]
