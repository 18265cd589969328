"""The anonymous page cache: served from Redis, dropped at the first change."""

from __future__ import annotations

import re

import pytest
from django.contrib import messages
from django.contrib.auth.models import Group
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import reverse
from django.utils.safestring import mark_safe

from events.services.attendance import attendance_toggle
from portal.core import pagecache
from portal.core.consent import consent_record
from portal.core.models import ConsentPurpose
from portal.core.pagecache import TOKEN_SLOT as CSRF_SLOT
from portal.core.pagecache import _storable, _with_token_slots
from portal.core.services import audit_log
from tests.events.factories import RegistrationFactory, SessionFactory
from tests.members.factories import MembershipRequestFactory
from tests.newsletter.factories import SubscriberFactory
from tests.publications.factories import PublicationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


def test_an_anonymous_page_is_served_from_the_cache_the_second_time(client):
    PublicationFactory(title="Habiter les quartiers")
    url = reverse("publications:list")

    first, second = client.get(url), client.get(url)

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    # The headers every page carries are still there on a cached one.
    assert "Content-Security-Policy" in second
    assert second["Content-Type"].startswith("text/html")


def test_an_edit_shows_at_once_to_anonymous_visitors(client, django_capture_on_commit_callbacks):
    publication = PublicationFactory(title="Habiter les quartiers")
    url = reverse("publications:detail", args=[publication.slug])
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        publication.title = "Habiter et vivre les quartiers"
        publication.save()

    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Habiter et vivre les quartiers" in response.content.decode()


def test_rows_no_public_page_shows_keep_the_cache(
    client, member_user, staff_user, django_capture_on_commit_callbacks
):
    """A day's frequent writes that no public page shows: a subscription's consent, a
    request to join, a sign-in, a check-in. The public pages stay in the cache."""
    registration = RegistrationFactory()
    url = reverse("publications:list")
    client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        consent_record(
            purpose=ConsentPurpose.NEWSLETTER, email="nadia@example.org", wording="J'accepte",
            source="newsletter:subscribe",
        )  # fmt: skip
        MembershipRequestFactory()
        Client().force_login(member_user)  # saves the account's last_login
        attendance_toggle(
            session=registration.session,
            person=registration.person,
            actor=staff_user,
            present=True,
        )

    assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_new_session_shows_on_the_cached_home_page_at_once(
    client, django_capture_on_commit_callbacks
):
    client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        session = SessionFactory(action__title="Rencontre régionale des délégués du préfet")

    page = client.get("/").content.decode()

    assert session.action.title in page


def test_each_app_declares_the_models_its_public_pages_show():
    assert {
        "core.theme", "members.organisation", "events.session", "events.action",
        "publications.publication", "infodoc.inforequest", "newsletter.issue",
    } <= pagecache.public_models  # fmt: skip
    assert not {
        "core.user", "core.auditentry", "members.invoice", "events.attendance",
        "newsletter.subscriber", "sessions.session",
    } & pagecache.public_models  # fmt: skip


def test_a_write_to_a_model_no_app_declares_keeps_the_cache(
    client, staff_user, django_capture_on_commit_callbacks
):
    """Rows of undeclared models (a subscriber, an audit entry, an account's groups, a
    many-to-many link on a model no public page shows) leave the public pages cached."""
    url = reverse("publications:list")
    client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        subscriber = SubscriberFactory()
        audit_log(actor=staff_user, obj=subscriber, action="newsletter.subscriber_added")
        staff_user.groups.add(Group.objects.create(name="Lecteurs"))

    assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_public_many_to_many_link_drops_the_cache(client, django_capture_on_commit_callbacks):
    publication = PublicationFactory(title="Habiter les quartiers")
    url = reverse("publications:detail", args=[publication.slug])
    client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        publication.actions.add(SessionFactory().action)

    assert client.get(url)["X-Page-Cache"] == "miss"


def _version() -> int:
    return int(pagecache.redis_client().get(pagecache.VERSION_KEY))


@pytest.mark.django_db(transaction=True)
def test_the_cache_is_dropped_after_the_commit_once_per_transaction(client):
    """Between a write and its commit the stored page stays (no visitor can store the old
    page under a new number); the commit drops it, once however many rows changed."""
    publication = PublicationFactory(title="Habiter les quartiers")
    url = reverse("publications:detail", args=[publication.slug])
    client.get(url)
    before = _version()

    with transaction.atomic():
        publication.title = "Habiter et vivre les quartiers"
        publication.save()
        PublicationFactory.create_batch(3)
        assert client.get(url)["X-Page-Cache"] == "hit"
        assert _version() == before

    assert _version() == before + 1
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Habiter et vivre les quartiers" in response.content.decode()


class Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_drops_nothing(client):
    publication = PublicationFactory(title="Habiter les quartiers")
    url = reverse("publications:detail", args=[publication.slug])
    client.get(url)
    before = _version()

    with pytest.raises(Rollback), transaction.atomic():
        publication.title = "Jamais publié"
        publication.save()
        raise Rollback

    assert _version() == before
    assert client.get(url)["X-Page-Cache"] == "hit"


@pytest.mark.django_db(transaction=True)
def test_a_write_after_a_rolled_back_savepoint_still_drops_the_cache(client):
    """The invalidation a rolled-back savepoint scheduled goes with it; the next write of
    the same transaction schedules its own."""
    publication = PublicationFactory(title="Habiter les quartiers")
    url = reverse("publications:detail", args=[publication.slug])
    client.get(url)
    before = _version()

    with transaction.atomic():
        with pytest.raises(Rollback), transaction.atomic():
            PublicationFactory(title="Jamais publié")
            raise Rollback
        publication.title = "Habiter et vivre les quartiers"
        publication.save()

    assert _version() == before + 1
    assert client.get(url)["X-Page-Cache"] == "miss"


def test_query_strings_are_cached_apart(client):
    PublicationFactory(title="Santé mentale et quartiers")
    PublicationFactory(title="Emploi des jeunes")
    url = reverse("publications:list")

    found = client.get(url, {"q": "santé"}).content.decode()
    other = client.get(url, {"q": "emploi"}).content.decode()

    assert "mentale et quartiers" in found and "mentale et quartiers" not in other


def test_signed_in_people_are_never_served_nor_stored(client, member_user):
    url = reverse("publications:list")
    client.force_login(member_user)

    assert "X-Page-Cache" not in client.get(url)
    assert "X-Page-Cache" not in client.get(url)
    client.logout()
    assert client.get(url)["X-Page-Cache"] == "miss"  # nothing was stored for the member


def _token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([a-zA-Z0-9]{64})"', page)[1]


def test_a_page_with_a_form_is_shared_with_each_visitors_own_token():
    url = reverse("newsletter:subscribe")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    stored, served = first.get(url), second.get(url)

    assert (stored["X-Page-Cache"], served["X-Page-Cache"]) == ("miss", "hit")
    assert "private" in served["Cache-Control"]
    assert CSRF_SLOT not in served.content
    # Each visitor has a token of their own, which their cookie validates.
    assert second.cookies["csrftoken"].value != first.cookies["csrftoken"].value
    token = _token(served.content.decode())
    assert token != _token(stored.content.decode())
    refused = first.post(url, {"email": "", "csrfmiddlewaretoken": token})
    accepted = second.post(url, {"email": "", "csrfmiddlewaretoken": token})
    assert refused.status_code == 403
    assert accepted.status_code == 200  # the form's own errors: the token was accepted


def test_a_page_showing_its_token_outside_a_form_input_is_never_stored(rf):
    request = rf.get("/")
    token = get_token(request)

    in_input = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'.encode()
    in_script = f'<div data-csrf="{get_token(request)}"></div>'.encode()

    assert _with_token_slots(request, in_input) == in_input.replace(token.encode(), CSRF_SLOT)
    assert _with_token_slots(request, in_input + in_script) is None
    assert _with_token_slots(rf.get("/"), b"<p>No form here</p>") == b"<p>No form here</p>"


def test_the_cache_can_be_turned_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/")
    assert "X-Page-Cache" not in client.get("/")


def test_a_visitor_with_a_session_gets_their_own_page(client):
    session = client.session
    session["infodoc_request"] = 1
    session.save()
    client.cookies["sessionid"] = session.session_key

    assert "X-Page-Cache" not in client.get("/")
    assert "X-Page-Cache" not in client.get("/")


def _message_cookie(rf, text: str) -> str:
    """The messages cookie a redirect after a form leaves with the visitor."""
    storage = CookieStorage(rf.get("/"))
    storage.add(message_levels.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    return response.cookies[CookieStorage.cookie_name].value


def test_a_visitor_with_a_pending_message_gets_a_fresh_page_that_shows_it(client, rf):
    """After a form's redirect, the page says what happened: never the shared copy,
    and the page made for this visitor (with their message) is never shared."""
    url = reverse("publications:list")
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    client.cookies[CookieStorage.cookie_name] = _message_cookie(
        rf, "Merci : votre demande est envoyée."
    )
    response = client.get(url)

    assert "X-Page-Cache" not in response
    assert "Merci : votre demande est envoyée." in response.content.decode()
    shared = client.get(url)  # the message was shown once, and its page not stored
    assert shared["X-Page-Cache"] == "hit"
    assert "votre demande est envoyée" not in shared.content.decode()


def test_a_page_that_adds_a_message_is_never_stored(rf):
    request = rf.get("/")
    request._messages = CookieStorage(request)
    page = HttpResponse("<p>Page</p>")
    assert _storable(request, page)

    messages.info(request, "Votre lien a expiré.")

    assert not _storable(request, page)


# Live fragments ------------------------------------------------------------------------


def test_live_fragments_are_rendered_again_each_time_a_stored_page_is_served(rf, monkeypatch):
    """Each renderer is called once per page with every fragment of its kinds; a kind
    nobody registered, and a key the renderer leaves out, keep what was stored."""
    calls = []

    def renderer(keys):
        calls.append(keys)
        now = {key: f"<b>{key[0]} {key[1]} now</b>" for key in keys if key[1] != 3}
        return {key: mark_safe(html) for key, html in now.items()}  # noqa: S308

    monkeypatch.setattr(pagecache, "_live_renderers", {})
    pagecache.live_register(["test-seats", "test-note"], renderer)
    stored = b"".join(
        pagecache.live_fragment(kind, pk, "<i>then</i>" if pk == 1 else "then").encode()
        for kind, pk in [("test-seats", 1), ("test-note", 2), ("test-seats", 3), ("other", 4)]
    )
    assert stored.startswith(b"<!--live:test-seats:1-->&lt;i&gt;then&lt;/i&gt;<!--/live-->")

    served = pagecache._served(rf.get("/"), stored + stored, "text/html").content.decode()

    assert calls == [[("test-seats", 1), ("test-note", 2), ("test-seats", 3)]]
    assert served.count("<!--live:test-seats:1--><b>test-seats 1 now</b><!--/live-->") == 2
    assert "<!--live:test-note:2--><b>test-note 2 now</b><!--/live-->" in served
    assert "<!--live:test-seats:3-->then<!--/live-->" in served
    assert "<!--live:other:4-->then<!--/live-->" in served


def test_a_stored_page_without_live_fragments_calls_no_renderer(rf, monkeypatch):
    monkeypatch.setattr(pagecache, "_live_renderers", {})
    pagecache.live_register(["test-seats"], lambda keys: pytest.fail("called"))

    served = pagecache._served(rf.get("/"), b"<p>Nothing live</p>", "text/html")

    assert served.content == b"<p>Nothing live</p>"


def test_live_rows_are_read_once_then_kept_until_a_write_commits(
    django_capture_on_commit_callbacks,
):
    loads = []

    def load(ids):
        loads.append(ids)
        return {pk: {"read": len(loads)} for pk in ids}

    assert pagecache.live_rows("test", [1, 2], load) == {1: {"read": 1}, 2: {"read": 1}}
    assert pagecache.live_rows("test", [2, 1], load) == {1: {"read": 1}, 2: {"read": 1}}
    with django_capture_on_commit_callbacks(execute=True):
        pagecache.live_row_changed("test", 2)
    assert pagecache.live_rows("test", [1, 2], load) == {1: {"read": 1}, 2: {"read": 2}}
    # Any committed change of the content moves the version on: every row is read again.
    pagecache.redis_client().incr(pagecache.VERSION_KEY)
    pagecache.live_rows("test", [1], load)

    assert loads == [[1, 2], [2], [1]]


def test_live_rows_read_before_a_write_committed_are_not_kept_as_current():
    def load_while_a_write_commits(ids):
        pagecache.redis_client().incr(pagecache._live_key("test", 1))
        return {1: {"seats": 3}}

    pagecache.live_rows("test", [1], load_while_a_write_commits)

    assert pagecache.live_rows("test", [1], lambda ids: {1: {"seats": 2}}) == {1: {"seats": 2}}


def test_a_request_reads_the_content_version_once(rf):
    seen = []

    def view(request):
        seen.append(pagecache.content_version())
        pagecache.redis_client().incr(pagecache.VERSION_KEY)  # another process commits meanwhile
        seen.append(pagecache.content_version())
        return HttpResponse("ok")

    middleware = pagecache.PageCacheMiddleware(view)
    middleware(rf.post("/"))
    middleware(rf.post("/"))

    assert seen[0] == seen[1] != seen[2] == seen[3]
    assert pagecache.content_version() != seen[3]  # outside a request, read each time
