"""Private files behind one checked view: every document link of the back office, followed
by each role; the member space's own rules; X-Accel-Redirect; no way out of the media root."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from urllib.parse import unquote, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from infodoc.models import Attachment
from members.models import PaymentMethod
from members.services.billing import credit_note_issue, invoice_issue, payment_record
from portal.reports.models import BuildStatus, ReportBuild
from publications.models import PublicationStatus
from tests.infodoc.factories import InfoRequestFactory
from tests.members.factories import MembershipFactory, OrganisationFactory, PersonFactory
from tests.publications.factories import PublicationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine("2026-03-10 10:00 +01:00", tick=False),
]

PDF_BYTES = b"%PDF-1.7\n% a private document\n%%EOF\n"
ROLES = ("anonymous", "member_a", "member_b", "staff", "director")
LOGINS = ("/comptes/login/", "/admin/login/")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _pdf(record, field: str = "pdf", name: str = "") -> None:
    getattr(record, field).save(name or f"{record.number}.pdf", ContentFile(PDF_BYTES), save=False)
    record.save(update_fields=[field])


def _organisation(label: str, user, staff) -> dict:
    organisation = OrganisationFactory(name=f"Organisation {label}")
    PersonFactory(email=user.email, organisation=organisation, user=user, is_member_contact=True)
    invoice = invoice_issue(
        membership=MembershipFactory(organisation=organisation), issued_by=staff
    )
    _pdf(invoice)
    payment = payment_record(
        invoice=invoice, amount=Decimal("50.00"), method=PaymentMethod.TRANSFER,
        paid_on=timezone.localdate(), recorded_by=staff,
    )  # fmt: skip
    _pdf(payment)
    old = invoice_issue(
        membership=MembershipFactory(organisation=organisation, year=2025), issued_by=staff
    )
    _pdf(old)
    credit_note = credit_note_issue(invoice=old, reason="Erreur", issued_by=staff)
    _pdf(credit_note)
    return {"invoice": invoice, "payment": payment, "old": old, "credit_note": credit_note}


@pytest.fixture
def world(make_user, staff_user, director_user):
    member_a, member_b = make_user("membre.a@example.org"), make_user("membre.b@example.org")
    a, b = _organisation("A", member_a, staff_user), _organisation("B", member_b, staff_user)
    draft = PublicationFactory(status=PublicationStatus.DRAFT)
    draft.file.save("brouillon.pdf", ContentFile(PDF_BYTES), save=True)
    request = InfoRequestFactory()
    attachment = Attachment(request=request, title="Bibliographie")
    attachment.file.save("bibliographie.pdf", ContentFile(PDF_BYTES), save=True)
    build = ReportBuild(
        year=2025, status=BuildStatus.DONE, progress=100, requested_at=timezone.now(),
        finished_at=timezone.now(), size=len(PDF_BYTES), pages=1,
    )  # fmt: skip
    build.file.save("rapport-activite.pdf", ContentFile(PDF_BYTES), save=True)
    return {
        "users": {
            "member_a": member_a,
            "member_b": member_b,
            "staff": staff_user,
            "director": director_user,
        },
        "a": a,
        "b": b,
        "draft": draft,
        "request": request,
        "attachment": attachment,
        "build": build,
    }


def client_for(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def admin_pages(world) -> list[tuple[str, str]]:
    """(page, the role who opens it) for every back-office page that shows a document."""
    pages = []
    for key in ("a", "b"):
        docs = world[key]
        pages += [
            (reverse("admin:members_invoice_change", args=[docs["invoice"].pk]), "staff"),
            (reverse("admin:members_invoice_change", args=[docs["old"].pk]), "staff"),
            (reverse("admin:members_creditnote_change", args=[docs["credit_note"].pk]), "staff"),
            (reverse("admin:members_payment_change", args=[docs["payment"].pk]), "staff"),
        ]
    return [
        *pages,
        (reverse("admin:publications_publication_change", args=[world["draft"].pk]), "staff"),
        (reverse("admin:infodoc_inforequest_change", args=[world["request"].pk]), "staff"),
        (reverse("admin:reports_reportbuild_change", args=[world["build"].pk]), "director"),
    ]


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _is_document(response) -> bool:
    return response.status_code == 200 and "Content-Disposition" in response


def document_links(client: Client, page: str, followed: dict[str, bool]) -> set[str]:
    """The links of `page` that answer a file: every local href is followed (once per
    client: `followed` remembers which ones answered a file)."""
    html = client.get(page).content.decode()
    found = set()
    for href in {unescape(h) for h in re.findall(r'href="([^"#]+)"', html)}:
        if not href.startswith("/") or href.startswith(("/static/", "/comptes/logout")):
            continue
        if href not in followed:
            followed[href] = _is_document(client.get(href))
        if followed[href]:
            found.add(href)
    return found


def _owner(world, href: str) -> str | None:
    """The member whose own document `href` serves (in Mon espace, or the file view)."""
    path = unquote(urlsplit(href).path)
    for role, key in (("member_a", "a"), ("member_b", "b")):
        for document in world[key].values():
            if path.endswith(document.pdf.name):
                return role
    return None


def test_every_document_link_of_the_back_office_for_each_role(world):
    links: dict[str, str] = {}  # href → the page it was found on
    clients = {role: client_for(world, role) for role in ("staff", "director")}
    followed: dict[str, dict[str, bool]] = {"staff": {}, "director": {}}
    for page, role in admin_pages(world):
        found = document_links(clients[role], page, followed[role])
        assert found, f"{page} shows no document link"
        links.update(dict.fromkeys(found, page))
    # Nothing links a private file by its storage path under /media/.
    assert not [href for href in links if href.startswith("/media/")]
    # Every document of the world is reached from the back office.
    names = {unquote(urlsplit(href).path) for href in links}
    expected = [
        *(doc.pdf.name for key in ("a", "b") for doc in world[key].values()),
        world["draft"].file.name,
    ]
    for name in expected:
        assert any(path.endswith(name) for path in names), name
    assert reverse("reports:download", args=[2025]) in links
    assert any("piece-jointe" in href or "infodoc/" in href for href in links)

    for href, page in sorted(links.items()):
        owner = _owner(world, href)
        directors_only = href == reverse("reports:download", args=[2025])
        for role in ROLES:
            response = client_for(world, role).get(href)
            where = f"{href} (from {page}) as {role}"
            if role == "anonymous":
                assert response.status_code == 302, where
                assert response["Location"].startswith(LOGINS), where
            elif role == "director" or (role == "staff" and not directors_only) or role == owner:
                assert response.status_code == 200, where
                assert response["Content-Type"] == "application/pdf", where
                assert _body(response).startswith(b"%PDF"), where
            elif role == "staff":
                assert response.status_code == 403, where
            else:  # a member on a document not theirs
                assert response.status_code in (403, 404) or (
                    response.status_code == 302 and response["Location"].startswith("/admin/login/")
                ), f"{where}: {response.status_code}"


def test_the_file_view_opens_a_pdf_in_the_browser_and_keeps_it_private(world, staff_client):
    invoice = world["a"]["invoice"]
    url = invoice.pdf.url

    assert url == reverse("core:private_file", kwargs={"name": invoice.pdf.name})
    response = staff_client.get(url)

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{invoice.number}.pdf"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert staff_client.post(url).status_code == 405


def test_the_member_space_rules_are_unchanged(world):
    a, b = world["a"], world["b"]
    client = client_for(world, "member_a")
    for name, document in (
        ("members:space_invoice_pdf", a["invoice"]),
        ("members:space_credit_note_pdf", a["credit_note"]),
        ("members:space_receipt_pdf", a["payment"]),
    ):
        response = client.get(reverse(name, args=[document.number]))
        assert response.status_code == 200, name
        assert response["Content-Disposition"] == f'attachment; filename="{document.number}.pdf"'
        assert _body(response).startswith(b"%PDF")
    for name, document in (
        ("members:space_invoice_pdf", b["invoice"]),
        ("members:space_credit_note_pdf", b["credit_note"]),
        ("members:space_receipt_pdf", b["payment"]),
    ):
        assert client.get(reverse(name, args=[document.number])).status_code == 404, name
    # The file view answers the same: A's own invoice, not B's.
    assert client.get(a["invoice"].pdf.url).status_code == 200
    assert client.get(b["invoice"].pdf.url).status_code == 404
    assert client.get(world["draft"].file.url).status_code == 404


def test_a_team_member_without_the_directors_permission_gets_403(world, staff_client):
    assert staff_client.get(world["build"].file.url).status_code == 403
    assert client_for(world, "director").get(world["build"].file.url).status_code == 200


def test_behind_nginx_the_proxy_sends_the_file(world, staff_client, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/media-privee/"
    invoice = world["a"]["invoice"]

    response = staff_client.get(invoice.pdf.url)

    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/media-privee/{invoice.pdf.name}"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{invoice.number}.pdf"'
    # The member space and the public download go through the proxy too.
    space = client_for(world, "member_a").get(
        reverse("members:space_invoice_pdf", args=[invoice.number])
    )
    assert space["X-Accel-Redirect"] == f"/media-privee/{invoice.pdf.name}"
    assert space["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    published = PublicationFactory(slug="etude-publique")
    published.file.save("etude.pdf", ContentFile(PDF_BYTES), save=True)
    public = Client().get(reverse("publications:download", args=["etude-publique"]))
    assert public["X-Accel-Redirect"] == f"/media-privee/{published.file.name}"
    assert public["Content-Type"] == "application/pdf"
    # A lost file is a 404 from the portal, not an empty 200.
    default_storage.delete(invoice.pdf.name)
    assert staff_client.get(invoice.pdf.url).status_code == 404


def test_a_name_with_accents_is_quoted_for_the_proxy(world, staff_client, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/media-privee"
    draft = world["draft"]
    draft.file.save("synthèse-été.pdf", ContentFile(PDF_BYTES), save=True)

    response = staff_client.get(draft.file.url)

    quoted = draft.file.name.replace("è", "%C3%A8").replace("é", "%C3%A9")
    assert response["X-Accel-Redirect"] == f"/media-privee/{quoted}"
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''synth%C3%A8se")


def test_no_path_leaves_the_media_root_or_reaches_a_file_without_its_record(world, staff_client):
    invoice = world["a"]["invoice"]
    stray = default_storage.save("documents/2026/sans-fiche.pdf", ContentFile(PDF_BYTES))
    folder = invoice.pdf.name.rsplit("/", 1)[0]
    for path in (
        f"/fichiers/{stray}",  # on disk, but no record holds it
        f"/fichiers/{folder}/../2026/{invoice.pdf.name.rsplit('/', 1)[1]}",
        f"/fichiers/{folder}/%2E%2E/%2E%2E/{invoice.pdf.name}",
        "/fichiers/..%2F..%2Fetc%2Fpasswd",
        "/fichiers//etc/passwd",
        "/fichiers/documents\\2026\\x.pdf",
        f"/media/{invoice.pdf.name}",
        f"/media/publications/covers/%2E%2E/%2E%2E/{invoice.pdf.name}",
        f"/media/publications/covers/../../{invoice.pdf.name}",
        f"/media/site/%2E%2E/{world['draft'].file.name}",
    ):
        response = staff_client.get(path)
        assert response.status_code == 404, (path, response.status_code)


def test_public_images_stay_public(world, client):
    publication = PublicationFactory()
    publication.cover.save("couverture.jpg", ContentFile(b"\xff\xd8jpg"), save=True)
    cover = publication.cover.name
    logo = default_storage.save("site/logo.png", ContentFile(b"\x89PNG"))
    assert default_storage.url(cover) == f"/media/{cover}"
    for name in (cover, logo):
        response = client.get(f"/media/{name}")
        assert response.status_code == 200, name
        assert _body(response).startswith((b"\xff\xd8", b"\x89PNG"))
