"""Pages rendered again after a change: once a change to public content commits, a
task renders the public pages it affects into the page cache, so that the first
visitor afterwards is served from the cache, with the change (portal.core.pagecache)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from portal.core import pagecache
from portal.core.tasks import page_cache_refresh_task
from tests.events.factories import SessionFactory
from tests.publications.factories import PublicationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture(autouse=True)
def _no_pending_invalidation(monkeypatch):
    """No invalidation left by an earlier test's transaction, never committed."""
    monkeypatch.setattr(pagecache, "_pending", threading.local())


@pytest.fixture
def refresh_inline(monkeypatch):
    """The refresh enqueued after commit runs at once, in this process."""
    ran = []

    def refresh(version, changed):
        ran.append(changed)
        return page_cache_refresh_task(version, changed)

    monkeypatch.setattr(page_cache_refresh_task, "delay", refresh)
    return ran


def _version() -> int:
    return int(pagecache.redis_client().get(pagecache.VERSION_KEY))


def _stored(url: str) -> bool:
    """Whether the page is in the cache under the current version (without asking it)."""
    return pagecache._lookup(pagecache._key(pagecache._anonymous_request(url)))[2] is not None


def test_the_pages_a_change_affects_are_served_from_the_cache_at_once(
    refresh_inline, django_capture_on_commit_callbacks
):
    session = SessionFactory(action__title="Rencontre des adultes-relais")
    publication = PublicationFactory(title="Habiter les quartiers")
    action_url, publication_url = session.action.get_absolute_url(), publication.get_absolute_url()
    Client().get("/")  # the version exists before the change

    with django_capture_on_commit_callbacks(execute=True):
        session.action.title = "Rencontre régionale des adultes-relais"
        session.action.save()
        publication.title = "Habiter et vivre les quartiers"
        publication.save()
        session.save()

    [changed] = refresh_inline
    assert sorted(changed) == [
        ("events.action", session.action.pk),
        ("events.session", session.pk),  # the action's page again: rendered once
        ("publications.publication", publication.pk),
    ]
    for url, change in [
        ("/", "Rencontre régionale des adultes-relais"),
        (reverse("events:agenda"), "Rencontre régionale des adultes-relais"),
        (action_url, "Rencontre régionale des adultes-relais"),
        (reverse("publications:list"), "Habiter et vivre les quartiers"),
        (publication_url, "Habiter et vivre les quartiers"),
    ]:
        response = Client().get(url)
        assert response["X-Page-Cache"] == "hit", url
        assert change in response.content.decode(), url
    for url in (
        reverse("events:agenda") + "?page=2",
        reverse("newsletter:archive"),
        reverse("infodoc:index"),
        reverse("infodoc:qa_list"),
        reverse("members:public_list"),
    ):
        assert Client().get(url)["X-Page-Cache"] == "hit", url


def test_a_refresh_skips_the_pages_already_stored_and_stops_when_the_version_moves_on():
    Client().get("/")
    version = _version()
    everything = pagecache.page_cache_refresh(version=version)
    assert everything == len(pagecache.warm_pages) - 1  # all but the home page

    assert pagecache.page_cache_refresh(version=version) == 0
    assert pagecache.page_cache_refresh(version=version - 1) == 0


def test_a_refresh_renders_nothing_for_a_row_deleted_since():
    publication = PublicationFactory()
    changed = [("publications.publication", publication.pk)]
    url = publication.get_absolute_url()
    publication.delete()
    Client().get("/")

    pagecache.page_cache_refresh(version=_version(), changed=changed)

    assert not _stored(url)


def test_the_pages_of_one_change_are_capped(django_capture_on_commit_callbacks, monkeypatch):
    ran = []
    monkeypatch.setattr(page_cache_refresh_task, "delay", lambda *args: ran.append(args))

    with django_capture_on_commit_callbacks(execute=True):
        PublicationFactory.create_batch(pagecache.MAX_CHANGED_PAGES + 5)

    [(version, changed)] = ran
    assert version == _version()
    assert len(changed) == pagecache.MAX_CHANGED_PAGES


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_changed_pages_into_the_cache(start_worker):
    session = SessionFactory(action__title="Rencontre des adultes-relais")
    action_url = session.action.get_absolute_url()
    start_worker(TEST_PAGE_CACHE_SECONDS="300")

    with transaction.atomic():
        session.action.title = "Rencontre régionale des adultes-relais"
        session.action.save()

    deadline = time.monotonic() + 60
    while not (_stored("/") and _stored(action_url)):
        assert time.monotonic() < deadline, "the worker did not render the pages"
        time.sleep(0.1)
    for url in ("/", action_url):
        response = Client().get(url)
        assert response["X-Page-Cache"] == "hit", url
        assert "Rencontre régionale des adultes-relais" in response.content.decode(), url
