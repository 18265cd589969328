"""Parts of public pages kept in each process's memory, keyed by the content version."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.core import pagecache
from portal.core.models import SiteSettings
from tests.publications.factories import PublicationFactory

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")


def _publication_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    return sum("publications_publication" in query["sql"] for query in queries)


def test_the_home_page_keeps_its_latest_publications_until_the_content_changes(client):
    SiteSettings.load()
    PublicationFactory(title="Habiter les quartiers")

    assert _publication_queries(client) == 1
    assert _publication_queries(client) == 0

    # Another process's commit moves the version on: the part is made again.
    pagecache.redis_client().incr(pagecache.VERSION_KEY)
    assert _publication_queries(client) == 1


def test_a_write_shows_at_once_in_the_process_that_made_it(client):
    SiteSettings.load()
    client.get(HOME)

    PublicationFactory(title="Vivre ensemble à Sarcelles")

    assert "Vivre ensemble à Sarcelles" in client.get(HOME).content.decode()


def test_the_menu_marks_the_section_of_each_page(client):
    agenda = client.get(reverse("events:agenda")).content.decode()
    publications = client.get(reverse("publications:list")).content.decode()

    assert f'href="{reverse("events:agenda")}" aria-current="page"' in agenda
    assert f'href="{reverse("publications:list")}" aria-current="page"' in publications
    assert 'aria-current="page"' not in client.get(HOME).content.decode()


def test_an_empty_form_is_kept_but_a_prefilled_one_is_made_for_its_visitor(client, member_user):
    url = reverse("infodoc:index")
    client.get(url)  # the empty form's fields are kept

    client.force_login(member_user)
    prefilled = client.get(url).content.decode()
    client.logout()
    empty = client.get(url).content.decode()

    assert f'value="{member_user.email}"' in prefilled
    assert member_user.email not in empty
