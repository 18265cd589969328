"""Seats and registration state stay right on pages served from the page cache: a
registration or a cancellation changes only them, so the pages stay cached and each
one served renders them again (events.views.live)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import RegistrationMode
from events.services.registrations import registration_cancel, registration_create
from portal.core import pagecache
from tests.events.factories import ActionFactory, RegistrationFactory, SessionFactory
from tests.events.test_registration_views import form_data
from tests.members.factories import PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

FULL_NOTE = "complet : vous serez sur la liste d&#x27;attente"


def _pages(session) -> list[str]:
    return [session.action.get_absolute_url(), reverse("events:agenda"), "/"]


def _cached(urls: list[str]) -> None:
    visitor = Client()
    for url in urls:
        visitor.get(url)
        assert visitor.get(url)["X-Page-Cache"] == "hit", url


def _served(url: str) -> str:
    response = Client().get(url)
    assert response["X-Page-Cache"] == "hit", url
    return response.content.decode()


def test_a_registration_shows_its_seats_on_the_cached_pages(django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=3, action__title="Rencontre des adultes-relais")
    RegistrationFactory(session=session)
    person = PersonFactory()
    _cached(_pages(session))

    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=session, person=person)

    for url in _pages(session):
        page = _served(url)
        assert "1 place restante" in page, url
        assert "2 places restantes" not in page, url


@pytest.mark.usefixtures("form_mail_tasks_inline")
def test_a_registration_sent_from_the_action_page_shows_on_the_cached_pages(
    django_capture_on_commit_callbacks,
):
    session = SessionFactory(capacity=1, title="Atelier")
    SessionFactory(action=session.action)
    _cached(_pages(session))

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(session.action.get_absolute_url(), form_data(session))

    assert response.status_code == 302
    for url in _pages(session):
        assert "Complet \u2013 liste d&#x27;attente" in _served(url), url
    assert FULL_NOTE in _served(session.action.get_absolute_url())


def test_the_last_seat_taken_shows_full_on_the_cached_pages(django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=1, title="Atelier")
    SessionFactory(action=session.action)  # a second choice in the form
    person = PersonFactory()
    _cached(_pages(session))

    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=session, person=person)

    for url in _pages(session):
        assert "Complet \u2013 liste d&#x27;attente" in _served(url), url
    action_page = _served(session.action.get_absolute_url())
    assert action_page.count(FULL_NOTE) == 1


def test_a_cancellation_frees_its_seat_on_the_cached_pages(django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=1)
    registration = RegistrationFactory(session=session)
    _cached(_pages(session))
    assert FULL_NOTE in _served(session.action.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=registration)

    for url in _pages(session):
        page = _served(url)
        assert "1 place restante" in page, url
        assert "Complet" not in page, url
    assert FULL_NOTE not in _served(session.action.get_absolute_url())


def test_a_cached_page_reads_the_seats_kept_in_the_process_until_a_registration(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    action = ActionFactory()
    sessions = SessionFactory.create_batch(4, action=action, capacity=5)
    SessionFactory(action=action, mode=RegistrationMode.ON_REQUEST)
    RegistrationFactory(session=sessions[0])
    person = PersonFactory()
    _cached([action.get_absolute_url(), reverse("events:agenda")])

    for url in (action.get_absolute_url(), reverse("events:agenda")):
        with django_assert_num_queries(0):
            page = _served(url)
        assert page.count("5 places restantes") == 3
        assert page.count("4 places restantes") == 1
        assert "Inscription sur demande" in page

    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=sessions[1], person=person)
    # One query for every session's seats of the page, then none again.
    for queries in (1, 0):
        with django_assert_num_queries(queries):
            page = _served(action.get_absolute_url())
        assert page.count("5 places restantes") == 2
        assert page.count("4 places restantes") == 2


def test_a_cached_page_and_its_seats_take_one_round_trip_to_redis(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    session, person = SessionFactory(capacity=5), PersonFactory()
    url = session.action.get_absolute_url()
    _cached([url])
    client, reads = pagecache.redis_client(), []
    mget = client.mget
    monkeypatch.setattr(client, "mget", lambda *keys: reads.append(keys) or mget(*keys))

    assert "5 places restantes" in _served(url)
    assert len(reads) == 1  # the page, the content version and the count of live writes

    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=session, person=person)
    reads.clear()
    assert "4 places restantes" in _served(url)
    assert len(reads) == 2  # a live write committed: the seats' own write counters too

    # Without the page cache, a page reads the version and the count with its first kept
    # part, and fills its seats from them.
    settings.PAGE_CACHE_SECONDS = 0
    reads.clear()
    assert "4 places restantes" in Client().get(url).content.decode()
    assert len(reads) == 1


def test_a_fresh_page_shows_the_same_as_a_served_one():
    session = SessionFactory(capacity=2, title="Atelier")
    RegistrationFactory(session=session)
    url = session.action.get_absolute_url()

    fresh, served = Client().get(url), Client().get(url)

    assert (fresh["X-Page-Cache"], served["X-Page-Cache"]) == ("miss", "hit")
    token = 'name="csrfmiddlewaretoken" value="'

    def without_token(page: bytes) -> str:
        text = page.decode()
        start = text.index(token) + len(token)
        return text[:start] + text[start + 64 :]

    assert without_token(served.content) == without_token(fresh.content)
    assert "1 place restante" in served.content.decode()


def test_a_sessions_fragments_are_kept_until_the_clock_changes_its_state():
    session = SessionFactory(registration_closes_at=timezone.now() + timedelta(minutes=10))
    _cached(_pages(session))

    _stamp, _seen, expiry, _row = pagecache._live_kept["session", session.pk]

    # Registration closes in ten minutes: the badge « open » is not kept past that.
    assert 0 < expiry - time.monotonic() <= 10 * 60
