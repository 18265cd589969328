"""The RSS feed of the latest publications, read by a real feed parser."""

from datetime import date, timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone, translation

from portal.core.models import SiteSettings
from publications.models import PublicationKind, PublicationStatus
from tests.publications.oai_factories import PublicationFactory, ThemeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.publications.oai_factories")]

SITE = "https://ressources.example.org"
FEED = "/publications/flux.xml"


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path
    site = SiteSettings.load()
    site.name = "Pôle ressources Val-d'Oise"
    site.save()


def fetch(client):
    response = client.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    ElementTree.fromstring(response.content)  # well-formed
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_feed_lists_published_publications_newest_first_with_absolute_links(client):
    older = PublicationFactory(published_on=date(2024, 1, 15), title="Étude sur l'emploi")
    newer = PublicationFactory(
        published_on=date(2024, 6, 1), title="Actes : la rénovation urbaine & ses <suites>"
    )
    PublicationFactory(status=PublicationStatus.DRAFT, title="Brouillon")
    PublicationFactory(published_on=timezone.localdate() + timedelta(days=3), title="À venir")

    parsed = fetch(client)

    assert parsed.version == "rss20"
    with translation.override("fr"):
        title = translation.gettext("%(site)s: publications") % {
            "site": "Pôle ressources Val-d'Oise"
        }
    assert parsed.feed.title == title
    assert "Pôle ressources Val-d'Oise" in parsed.feed.description
    assert parsed.feed.language == "fr"
    assert parsed.feed.link == f"{SITE}/publications/"
    assert [entry.title for entry in parsed.entries] == [newer.title, older.title]
    assert [entry.link for entry in parsed.entries] == [
        f"{SITE}/publications/{newer.slug}/",
        f"{SITE}/publications/{older.slug}/",
    ]
    # Midnight of the publication date in Paris (feedparser's *_parsed values are UTC).
    assert parsed.entries[0].published == "Sat, 01 Jun 2024 00:00:00 +0200"
    published = parsed.entries[0].published_parsed
    assert (published.tm_mon, published.tm_mday, published.tm_hour) == (5, 31, 22)
    assert parsed.entries[0].id == f"oai:ressources.example.org:publication:{newer.pk}"


def test_entry_carries_summary_authors_categories_and_pdf_enclosure(client):
    theme = ThemeFactory(name="Emploi & insertion", slug="emploi")
    publication = PublicationFactory(
        kind=PublicationKind.PROCEEDINGS,
        summary="Synthèse des échanges : 3 < 5.",
        authors="Marie Dupont; Karim Benali",
        themes=[theme],
    )
    content = b"%PDF-1.4 " + b"x" * 1000
    publication.file.save("actes.pdf", ContentFile(content), save=True)

    entry = fetch(client).entries[0]

    assert _descriptions(client) == ["Synthèse des échanges : 3 < 5."]  # escaped once
    assert entry.author == "Marie Dupont, Karim Benali"
    terms = {tag.term for tag in entry.tags}
    assert terms == {str(PublicationKind.PROCEEDINGS.label), "Emploi & insertion"}
    (enclosure,) = entry.enclosures
    assert enclosure.type == "application/pdf"
    assert enclosure.length == str(len(content))
    assert enclosure.href == f"{SITE}/publications/{publication.slug}/telecharger/"


def test_missing_file_gives_no_enclosure_and_control_characters_are_dropped(client):
    publication = PublicationFactory(title="Titre\x0b avec contrôle", summary="")
    publication.file.name = "publications/2024/absent.pdf"
    publication.save()

    entry = fetch(client).entries[0]

    assert entry.title == "Titre avec contrôle"
    assert entry.enclosures == []


def test_feed_is_limited_to_the_latest_thirty(client, django_assert_max_num_queries):
    theme = ThemeFactory()
    for day in range(35):
        PublicationFactory(published_on=date(2024, 1, 1) + timedelta(days=day), themes=[theme])

    with django_assert_max_num_queries(5):
        parsed = fetch(client)

    assert len(parsed.entries) == 30
    assert parsed.entries[0].published.startswith("Sun, 04 Feb 2024")
    assert parsed.entries[-1].published.startswith("Sat, 06 Jan 2024")


def _descriptions(client) -> list[str]:
    """The <description> of each item, as an XML parser reads it (entities decoded once)."""
    root = ElementTree.fromstring(client.get(FEED).content)
    return [item.findtext("description") for item in root.iter("item")]


def test_descriptions_are_plain_text_escaped_once(client):
    PublicationFactory(
        published_on=date(2024, 3, 1),
        summary="",
        body="<p>Les quartiers de l&#x27;ouest &amp; le <strong>centre</strong></p>",
    )
    PublicationFactory(published_on=date(2024, 2, 1), summary="Synthèse de l'ouest & du nord")

    response = client.get(FEED)

    assert b"&amp;#x27;" not in response.content
    assert b"&amp;amp;" not in response.content
    assert _descriptions(client) == [
        "Les quartiers de l'ouest & le centre",
        "Synthèse de l'ouest & du nord",
    ]
