"""The agenda's RSS feed (/agenda/flux.xml) and the links to it, read by an XML parser."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from events.models import ActionStatus
from portal.core.models import SiteSettings
from tests.events.factories import ActionFactory, SessionFactory
from tests.members.factories import CommuneFactory

pytestmark = pytest.mark.django_db

SITE = "https://ressources.example.org"
FEED = "/agenda/flux.xml"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    site = SiteSettings.load()
    site.name = "Pôle ressources"
    site.save()


def _items(client) -> list[ElementTree.Element]:
    response = client.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    return ElementTree.fromstring(response.content).findall("channel/item")


def test_the_feed_lists_upcoming_public_sessions_with_text_escaped_once(client):
    action = ActionFactory(
        title="Santé & quartiers",
        summary="Les habitant·es de l'ouest <ensemble>",
        slug="sante-quartiers",
    )
    session = SessionFactory(
        action=action, venue="Maison de l'emploi", commune=CommuneFactory(name="Cergy")
    )
    SessionFactory(action=ActionFactory(status=ActionStatus.DRAFT, title="Brouillon"))

    response = client.get(FEED)
    (item,) = _items(client)

    assert b"&amp;#x27;" not in response.content
    assert b"&amp;amp;" not in response.content
    assert item.findtext("title").startswith("Santé & quartiers (")
    assert item.findtext("description") == (
        "Les habitant·es de l'ouest <ensemble> — Maison de l'emploi, Cergy"
    )
    assert item.findtext("link") == f"{SITE}/agenda/sante-quartiers/"
    assert item.findtext("guid") == f"{SITE}/agenda/sante-quartiers/#session-{session.pk}"


def test_the_agenda_page_links_to_its_feed(client):
    content = client.get("/agenda/").content.decode()

    assert '<link rel="alternate" type="application/rss+xml"' in content
    assert f'href="{FEED}"' in content
    assert 'class="feed-link"' in content


def test_the_publications_page_links_to_its_feed(client):
    content = client.get("/publications/").content.decode()

    assert '<link rel="alternate" type="application/rss+xml"' in content
    assert '<p class="feed-link"><a href="/publications/flux.xml"' in content
