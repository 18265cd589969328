"""Hostile input on every public filter, form and URL path parameter: never a 5xx, never
unescaped markup.

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


# Path segments -------------------------------------------------------------------------

# Each stands for one path segment, as sent (already percent-encoded where it must be).
SEGMENTS = (
    "%00",
    "a%00b",
    "x" * 300,
    quote("é" * 200),
    "..",
    "%2e%2e",
    "..%2f..%2fetc%2fpasswd",
    "%2fetc%2fpasswd",
    "%5c..%5cwin.ini",
    "%",
    "%ff%fe",
    "%c0%af",
    "%252e%252e",
    quote("\u202e\ufeff\U0001f600"),
    "99999999999999999999999",
    "-1",
    quote(MARKER, safe=""),
    "%0d%0aSet-Cookie:%20x=1",
)
# Values that let reverse() build the URL where a parameter has a fixed set of values.
FIXED = {"public_media": {"folder": "site"}, "admin:app_list": {"app_label": "members"}}


def _url_templates() -> list[tuple[str, str, list[str]]]:
    """(name, URL with a placeholder per parameter, the placeholders) of every named URL
    pattern taking parameters, outside the back office (which sends anyone but the staff
    to its login page before reading them)."""
    from django.urls import reverse

    from tests.test_permissions import all_patterns

    templates = []
    for pattern in all_patterns():
        params = list(pattern.pattern.pattern.regex.groupindex)
        if not pattern.name or not params or pattern.name.startswith("admin:"):
            continue
        fixed = FIXED.get(pattern.name, {})
        placeholders = {
            name: f"{i}9876543{i}" for i, name in enumerate(params) if name not in fixed
        }
        url = reverse(pattern.name, kwargs={**placeholders, **fixed})
        templates.append((pattern.name, url, list(placeholders.values())))
    return templates


@pytest.fixture
def member_client(make_user):
    """A client signed in as a member linked to an organisation, so that the member-space
    pages go as far as their queries."""
    from django.test import Client

    from tests.members.factories import MembershipFactory, OrganisationFactory, PersonFactory

    user = make_user("membre.fuzz@example.org")
    organisation = OrganisationFactory()
    PersonFactory(email=user.email, organisation=organisation, user=user, is_member_contact=True)
    MembershipFactory(organisation=organisation)
    client = Client()
    client.force_login(user)
    return client


def test_every_path_parameter_survives_hostile_segments(client, member_client):
    templates = _url_templates()
    assert len(templates) > 20  # the walk found the site's patterns
    errors = []
    for name, url, placeholders in templates:
        for placeholder in placeholders:
            for segment in SEGMENTS:
                path = url.replace(placeholder, segment)
                for visitor in (client, member_client):
                    cache.clear()  # rate limits
                    status = visitor.get(path).status_code
                    if status >= 500:
                        errors.append((name, path[:120], status))
    assert not errors, errors


@FUZZ
@given(data=st.data(), segment=st.text(min_size=1, max_size=400))
def test_path_parameters_survive_any_text(client, member_client, data, segment):
    cache.clear()
    _name, url, placeholders = data.draw(st.sampled_from(_url_templates()))
    path = url.replace(data.draw(st.sampled_from(placeholders)), quote(segment, safe=""))
    for visitor in (client, member_client):
        check(visitor.get(path))
