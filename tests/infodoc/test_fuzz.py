"""Fuzzing the public info-doc form and follow link: never a server error, always escaped."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infodoc.models import InfoRequest
from tests.strategies import MARKER, nasty, value

pytestmark = pytest.mark.django_db

INDEX = reverse("infodoc:index")
FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "organisation_name",
    "requester_kind",
    "department",
    "commune",
    "subject",
    "question",
    "themes",
    "wished_by",
    "consent",
    "website",
)
HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

payload = st.dictionaries(st.sampled_from(FIELDS), value, max_size=len(FIELDS))


def valid_base() -> dict:
    return {
        "first_name": "Camille",
        "last_name": "Durand",
        "email": "camille@example.org",
        "requester_kind": "other",
        "subject": "Sujet",
        "question": "Question",
        "consent": "on",
    }


def _check(response):
    assert response.status_code in (200, 302, 429), response.status_code
    if response.status_code == 302:
        return
    content = response.content.decode()
    assert MARKER not in content
    assert "onerror=alert(1)>" not in content


@HYPOTHESIS
@given(data=payload)
def test_random_input_never_breaks_the_form(client, data):
    _check(client.post(INDEX, data))


@HYPOTHESIS
@given(field=st.sampled_from(FIELDS), bad=value)
def test_one_bad_field_in_an_otherwise_valid_request(client, field, bad):
    data = {**valid_base(), field: bad}
    before = InfoRequest.objects.count()
    response = client.post(INDEX, data)
    _check(response)
    if response.status_code == 302:
        done = client.get(response["Location"])
        _check(done)
        # Recorded, or the honeypot was hit: then nothing at all was stored.
        recorded = done.context["info_request"]
        assert InfoRequest.objects.count() == before + (1 if recorded else 0)
        if field != "website":
            assert recorded is not None
    else:
        assert InfoRequest.objects.count() == before


@HYPOTHESIS
@given(text=st.one_of(st.text(max_size=200), nasty))
def test_stored_text_is_escaped_on_the_thank_you_and_follow_pages(client, text):
    from django.core.cache import cache

    cache.clear()  # the rate limit would answer 429 after a few examples
    data = {**valid_base(), "subject": f"{MARKER}{text}"[:200]}
    response = client.post(INDEX, data)
    _check(response)
    if response.status_code == 302:
        done = client.get(response["Location"])
        _check(done)
        follow = client.get(reverse("infodoc:follow", args=[done.context["follow_token"]]))
        _check(follow)


@HYPOTHESIS
@given(token=st.one_of(st.text(max_size=300), nasty, st.binary(max_size=100).map(repr)))
def test_random_follow_tokens_never_break_the_page(client, token):
    response = client.get(f"/infodoc/suivi/{quote(token, safe='')}/")
    assert response.status_code in (400, 404)
