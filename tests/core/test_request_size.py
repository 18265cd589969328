"""Bodies larger than their path may send get the French 413 page before anything reads them."""

import http.client
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from newsletter.models import Subscriber
from publications.models import Publication
from tests.publications.admin_factories import media_root, pdf_upload  # noqa: F401 - fixture

SUBSCRIBE = reverse("newsletter:subscribe")
MB = 1024 * 1024


def subscription(**overrides) -> dict:
    return {
        "email": "camille.durand@example.org",
        "first_name": "Camille",
        "last_name": "Durand",
        "actor_type": "collectivity_staff",
        "consent": "on",
        **overrides,
    }


def test_a_public_form_refuses_a_body_over_the_limit_and_saves_nothing(client, db, settings):
    settings.REQUEST_MAX_MB = 2
    response = client.post(SUBSCRIBE, subscription(), CONTENT_LENGTH=str(2 * MB + 1))
    assert response.status_code == 413
    content = response.content.decode()
    assert "Trop volumineux" in content and "2 Mo au plus" in content
    assert not Subscriber.objects.exists()


def test_a_public_form_under_the_limit_still_works(client, db):
    response = client.post(SUBSCRIBE, subscription())
    assert response.status_code == 302
    assert Subscriber.objects.filter(email="camille.durand@example.org").exists()


@pytest.mark.usefixtures("media_root")
def test_the_back_office_takes_an_upload_over_the_public_limit(staff_client, settings):
    settings.REQUEST_MAX_MB = 0.01  # about 10 KB: the test PDF is larger
    settings.PUBLICATION_MAX_UPLOAD_MB = 1
    form = {
        "title": "Synthèse de la journée des adultes-relais",
        "slug": "synthese-journee-adultes-relais",
        "kind": "synthesis",
        "summary": "La synthèse d'une journée départementale.",
        "body": "<p>Le corps.</p>",
        "status": "draft",
        "published_on": "2024-06-20",
        "file": pdf_upload(),
    }
    assert staff_client.post(SUBSCRIBE, subscription(note="x" * 20_000)).status_code == 413
    response = staff_client.post(reverse("admin:publications_publication_add"), form)
    assert response.status_code == 302
    assert Publication.objects.get().file


def post_start(url: str, headers: dict[str, str], first_part: bytes) -> http.client.HTTPResponse:
    """Send a POST's headers and only the first part of its body, then read the answer: the
    server answers without waiting for the rest."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.putrequest("POST", address.path)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders(first_part)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_a_200_mb_body_is_refused_from_its_headers(live_server, transactional_db):
    response = post_start(
        live_server.url + SUBSCRIBE,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(200 * MB),
        },
        b"email=camille.durand%40example.org&note=" + b"x" * 65536,
    )
    assert response.status == 413
    assert "Trop volumineux" in response.body.decode()
    assert not Subscriber.objects.exists()


def test_a_chunked_body_is_not_read(live_server, transactional_db):
    chunk = b"x" * 65536
    response = post_start(
        live_server.url + SUBSCRIBE,
        {"Content-Type": "application/x-www-form-urlencoded", "Transfer-Encoding": "chunked"},
        b"%x\r\n%s\r\n" % (len(chunk), chunk),
    )
    # Django reads no body without Content-Length: the form gets nothing, not even its token.
    assert response.status == 403
    assert not Subscriber.objects.exists()
