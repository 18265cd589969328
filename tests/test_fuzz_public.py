"""Hostile input on every public filter and form: never a 5xx, never unescaped markup.

The info-doc request form has its own, deeper fuzzing in tests/infodoc/test_fuzz.py.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import MARKER, nasty, raw_encoded, value

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Public GET pages: their query parameters and the content type they answer with.
PAGES = {
    "/agenda/": (("theme", "format", "departement", "month", "q", "page"), "text/html"),
    "/agenda/passees/": (("page",), "text/html"),
    "/agenda/agenda.ics": (("theme", "format", "departement", "month", "q"), "text/calendar"),
    "/publications/": (
        ("q", "kind", "theme", "year", "territory", "after", "before", "page", "preview"),
        "text/html",
    ),
    "/publications/flux.xml": (("q", "theme", "kind"), "xml"),
    "/resonances/": (("page", "year"), "text/html"),
    "/infodoc/": (("q", "theme", "page"), "text/html"),
    "/adherents/": (("category", "page"), "text/html"),
    "/oai": (
        ("verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken"),
        "xml",
    ),
}
OAI_VERBS = st.sampled_from(
    ["Identify", "ListRecords", "ListIdentifiers", "GetRecord", "ListSets",
     "ListMetadataFormats", "Bogus", ""]
)  # fmt: skip


@pytest.fixture(autouse=True)
def _content():
    """A little of everything the public pages list, so filters have rows to work on."""
    from tests.events.factories import SessionFactory
    from tests.newsletter.factories import IssueFactory
    from tests.publications.factories import PublicationFactory, ThemeFactory

    theme = ThemeFactory(slug="habitat")
    PublicationFactory(themes=[theme])
    SessionFactory()
    IssueFactory(status="sent")


def check(response, content_type: str | None = None) -> None:
    assert response.status_code < 500, response.status_code
    if response.status_code in (301, 302, 303, 304):
        return
    body = response.content.decode(errors="replace")
    assert MARKER not in body, "a submitted <script> came back unescaped"
    assert "onerror=alert(1)>" not in body
    if content_type and response.status_code == 200:
        assert content_type in response["Content-Type"], response["Content-Type"]


query = st.dictionaries(st.text(max_size=5), value, max_size=3)


@FUZZ
@given(path=st.sampled_from(sorted(PAGES)), data=st.data())
def test_public_filters_survive_hostile_parameters(client, path, data):
    cache.clear()
    names, content_type = PAGES[path]
    params = data.draw(st.dictionaries(st.sampled_from(names), value, min_size=1))
    if path == "/oai" and data.draw(st.booleans()):
        params["verb"] = data.draw(OAI_VERBS)
    params.update(data.draw(query))
    check(client.get(path, params), content_type)


@FUZZ
@given(
    path=st.sampled_from(sorted(PAGES)),
    name=st.text(max_size=10),
    raw=st.lists(raw_encoded, min_size=1, max_size=4).map("".join),
    text=nasty,
)
def test_public_filters_survive_invalid_utf8(client, path, name, raw, text):
    cache.clear()
    names, content_type = PAGES[path]
    for param in (*names[:3], quote(name)):
        url = f"{path}?{param}={raw}&{param}2={quote(text[:2000])}{raw}"
        check(client.get(url), content_type)


# Public forms ----------------------------------------------------------------------------


def _action_page():
    from tests.events.factories import SessionFactory

    session = SessionFactory()
    return reverse("events:action", args=[session.action.slug]), session


FORMS = {
    "registration": (
        "session", "first_name", "last_name", "email", "organisation_name", "job_title",
        "actor_type", "department", "consent", "website",
    ),
    "membership": (
        "organisation_name", "kind", "first_name", "last_name", "email", "phone", "job_title",
        "town", "message", "consent", "website",
    ),
    "subscribe": (
        "email", "first_name", "last_name", "organisation", "actor_type", "department",
        "consent", "website",
    ),
    "preferences": (
        "first_name", "last_name", "organisation", "actor_type", "department", "mail_format",
    ),
}  # fmt: skip


def _form_url(kind: str) -> str:
    from newsletter.tokens import manage_token_make
    from tests.newsletter.factories import SubscriberFactory

    if kind == "registration":
        return _action_page()[0]
    if kind == "membership":
        return reverse("members:public_list")
    if kind == "subscribe":
        return reverse("newsletter:subscribe")
    return reverse("newsletter:preferences", args=[manage_token_make(SubscriberFactory().pk)])


@FUZZ
@given(kind=st.sampled_from(sorted(FORMS)), data=st.data())
def test_public_forms_survive_hostile_input(client, smtp_server, kind, data):
    cache.clear()  # rate limits
    url = _form_url(kind)
    fields = FORMS[kind]
    payload = data.draw(st.dictionaries(st.sampled_from(fields), value, max_size=len(fields)))
    response = client.post(url, payload)
    check(response)
    if response.status_code == 302:
        check(client.get(response["Location"]))


@FUZZ
@given(
    kind=st.sampled_from(sorted(FORMS)),
    raw=st.lists(st.one_of(raw_encoded, nasty.map(quote)), min_size=1, max_size=4).map("".join),
)
def test_public_forms_survive_invalid_utf8_bodies(client, smtp_server, kind, raw):
    cache.clear()
    url = _form_url(kind)
    body = "&".join(f"{field}={raw}" for field in FORMS[kind])
    check(client.post(url, body, content_type="application/x-www-form-urlencoded"))


TOKEN_PAGES = (
    "newsletter:unsubscribe",
    "newsletter:preferences",
    "newsletter:confirm",
    "events:registration_cancel",
    "events_evaluation:form",
)
token = st.one_of(
    st.text(min_size=1, max_size=300),
    nasty,
    st.binary(min_size=1, max_size=100).map(repr),
)


@FUZZ
@given(name=st.sampled_from(TOKEN_PAGES), token=token, tamper=st.booleans())
def test_tampered_tokens_never_break_the_pages(client, name, token, tamper):
    from newsletter.tokens import manage_token_make
    from tests.newsletter.factories import SubscriberFactory

    cache.clear()
    if tamper:  # a real token with a changed or appended tail
        real = manage_token_make(SubscriberFactory().pk)
        token = real[: len(real) // 2] + token[:50]
    path = reverse(name, args=["TOKEN"]).replace("TOKEN", quote(token, safe=""))
    for response in (
        client.get(path),
        client.post(path, {"confirm": "1", "List-Unsubscribe": "One-Click", "q": MARKER}),
    ):
        check(response)


def test_oai_echoes_hostile_arguments_escaped(client):
    response = client.get(
        "/oai", {"verb": MARKER, "identifier": MARKER, "metadataPrefix": "oai_dc"}
    )
    check(response, "xml")
    assert "&lt;script&gt;" in response.content.decode() or MARKER[1:7] not in response.text
