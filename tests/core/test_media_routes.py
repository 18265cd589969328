"""Every route that serves a file, tried with the ways out of a folder an attacker would:
« .. » plain, percent-encoded, double-encoded, overlong UTF-8, with slashes or backslashes,
absolute paths, NUL, names too long. No private or unpublished file ever comes back, through
the test client or through a real HTTP server given the raw, non-normalised path."""

from __future__ import annotations

import http.client
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import PaymentMethod
from members.services.billing import invoice_issue, payment_record
from publications.models import PublicationStatus
from tests.members.factories import MembershipFactory, OrganisationFactory, PersonFactory
from tests.publications.factories import PublicationFactory

SECRET = b"%PDF-1.7\n% a private document\n%%EOF\n"
LOGIN = "/comptes/login/"

# (route prefix, how many « .. » climb from it to the media root)
ROUTES = (
    ("/media/publications/covers/", 2),
    ("/media/publications/thumbnails/", 2),
    ("/media/site/", 1),
    ("/fichiers/publications/covers/", 2),
    ("/fichiers/documents/", 1),
)
DOTS = ("..", "%2e%2e", "%2E%2E", ".%2e", "%252e%252e", "%c0%ae%c0%ae", "..;")
SLASHES = ("/", "%2f", "%5c", "\\", "%252f", "//")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db, make_user, staff_user):
    """Files of every kind of visibility: unpublished publications' PDF, sound and cover,
    a published one's PDF (public only through its download page), a member's invoice and
    receipt, and the public images."""
    today = timezone.localdate()
    draft = PublicationFactory(slug="brouillon", status=PublicationStatus.DRAFT)
    scheduled = PublicationFactory(
        slug="programmee", status=PublicationStatus.SCHEDULED, published_on=today + timedelta(5)
    )
    future = PublicationFactory(slug="a-venir", published_on=today + timedelta(days=5))
    published = PublicationFactory(slug="publiee")
    for publication in (draft, scheduled, future, published):
        publication.file.save(f"{publication.slug}.pdf", ContentFile(SECRET), save=True)
    draft.media_file.save("brouillon.mp3", ContentFile(SECRET), save=True)

    member = make_user("membre.a@example.org")
    organisation = OrganisationFactory()
    PersonFactory(email=member.email, organisation=organisation, user=member)
    membership = MembershipFactory(organisation=organisation)
    invoice = invoice_issue(membership=membership, issued_by=staff_user)
    payment = payment_record(
        invoice=invoice, amount=Decimal("50.00"), method=PaymentMethod.TRANSFER,
        paid_on=today, recorded_by=staff_user,
    )  # fmt: skip
    for document in (invoice, payment):
        document.pdf.save(f"{document.number}.pdf", ContentFile(SECRET), save=False)
        document.save(update_fields=["pdf"])

    # A draft's cover is the team's; a published one's is public.
    draft.cover.save("brouillon.jpg", ContentFile(SECRET), save=True)
    published.cover.save("couverture.jpg", ContentFile(b"\xff\xd8jpg"), save=True)
    default_storage.save("site/logo.png", ContentFile(b"\x89PNG"))
    return {
        "member": member,
        "invoice": invoice,
        "published": published,
        # What the traversals aim at: one file per folder a route could climb to.
        "targets": [draft.file.name, draft.media_file.name, draft.cover.name, invoice.pdf.name],
    }


def _climb(route: str, depth: int, dots: str, slash: str, name: str) -> str:
    return route + (dots + slash) * depth + name.replace("/", slash)


def traversals(names: list[str]) -> list[str]:
    """Paths that try to reach each of `names` (stored names) from each file route."""
    paths = []
    for name in names:
        for route, depth in ROUTES:
            paths += [_climb(route, depth, dots, slash, name) for dots in DOTS for slash in SLASHES]
            paths += [
                _climb(route, depth + 3, "..", "/", name),  # above the media root
                route + "./" + "../" * depth + name,
                route + "/" + name,
                route + name,
                route + name.replace("/", "%2f"),
                route + "../" * depth + name + "%00.jpg",
                route + "..%00/" * depth + name,
            ]
        paths += [
            f"/media/{name}",
            f"/media//{name}",
            f"/media/./{name}",
            f"/MEDIA/publications/covers/../../{name}",
            f"/media/Publications/Covers/../../{name}",
            f"/fichiers//{name}",
            f"/fichiers/./{name}",
            f"/fichiers/{name}/",
            f"/fichiers/{name.upper()}",
        ]
    for route, _depth in ROUTES:
        paths += [
            route + "/etc/passwd",
            route + "%2fetc%2fpasswd",
            route + "..%2f" * 8 + "etc%2fpasswd",
            route + "C:%5cWindows%5cwin.ini",
            route + "x" * 300,
            route + "%C3%A9" * 200,
            route + "a/" * 600 + "b",
            route + "%00",
        ]
    return paths


def expected_status(path: str, role: str) -> int:
    """400 for a NUL in the path, the login page for an anonymous visitor of the private
    route, 404 for everything else."""
    if "%00" in path:
        return 400
    if role == "anonymous" and path.startswith("/fichiers/"):
        return 302
    return 404


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_no_traversal_variant_reaches_a_private_file(world, role):
    client = Client()
    if role == "member":
        client.force_login(world["member"])
    wrong = []
    for path in traversals(world["targets"]):
        response = client.get(path)
        body = _body(response)
        if response.status_code != expected_status(path, role) or SECRET in body:
            wrong.append((path, response.status_code))
        elif response.status_code == 302:
            assert response["Location"].startswith(LOGIN), path
    assert not wrong, wrong


def test_unpublished_files_only_through_their_checked_pages(world, client):
    member = Client()
    member.force_login(world["member"])
    for visitor in (client, member):
        for slug in ("brouillon", "programmee", "a-venir"):
            for name in ("publications:download", "publications:media"):
                response = visitor.get(reverse(name, args=[slug]), {"preview": "1"})
                assert response.status_code == 404, (slug, name)
        # A published publication's PDF: to anyone from its page, never by its stored name.
        response = visitor.get(reverse("publications:download", args=["publiee"]))
        assert response.status_code == 200
        assert _body(response) == SECRET
        assert visitor.get(f"/media/{world['published'].file.name}").status_code == 404
    assert client.get(world["published"].file.url).status_code == 302
    assert member.get(world["published"].file.url).status_code == 404
    # The member's own invoice, by its checked route.
    number = world["invoice"].number
    response = member.get(reverse("members:space_invoice_pdf", args=[number]))
    assert response.status_code == 200 and _body(response) == SECRET


def test_public_images_stay_public(world, client):
    for path, start in (
        ("/media/publications/covers/couverture.jpg", b"\xff\xd8"),
        ("/media/site/logo.png", b"\x89PNG"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _body(response).startswith(start)


def test_a_nul_in_a_document_number_is_a_clear_400(world):
    member = Client()
    member.force_login(world["member"])
    for path in (
        "/espace/factures/%00/",
        "/espace/avoirs/a%00b/",
        "/espace/recus/%00/",
        "/espace/demandes/%00/",
    ):
        response = member.get(path)
        assert response.status_code == 400, path
        assert "Requête incomprise" in response.content.decode(), path


# The same through a real HTTP server: the raw path reaches Django as sent. --------------


@pytest.fixture
def http_server(settings):
    """Django's own threaded WSGI server on a free port, without the media handler of
    pytest-django's live_server (which would answer /media/ itself)."""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    server = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join()


def raw_get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_raw_paths_over_http_reach_no_private_file(world, http_server):
    wrong = []
    for path in traversals(world["targets"]):
        if "\\" in path:  # http.client refuses to send it; the test client sent it above
            continue
        status, body = raw_get(http_server, path)
        if status != expected_status(path, "anonymous") or SECRET in body:
            wrong.append((path, status))
    assert not wrong, wrong
    status, body = raw_get(http_server, "/media/publications/covers/couverture.jpg")
    assert status == 200 and body.startswith(b"\xff\xd8")
