"""The answer email is the letter staff see in the form: one greeting, one closing; its
attachments keep the titles staff gave them, in the email and when downloaded."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from infodoc.models import InfoRequest, RequestStatus, file_name_from_title
from infodoc.services.answers import answer_body, answer_frame, info_request_answer_send
from portal.core.models import SiteSettings
from portal.core.roles import STAFF_GROUP
from tests.infodoc.factories import AttachmentFactory, InfoRequestFactory
from tests.members.factories import PersonFactory
from tests.publications.factories import PublicationFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
WRITTEN = "Vous trouverez ci-joint une bibliographie sur la réussite éducative."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def jeanne(make_user):
    return make_user(
        "jeanne@centre.example.org",
        staff=True,
        groups=(STAFF_GROUP,),
        first_name="Jeanne",
        last_name="Martin",
    )


@pytest.fixture
def jeanne_client(client, jeanne):
    client.force_login(jeanne)
    return client


@pytest.fixture
def open_request():
    return InfoRequestFactory(
        status=RequestStatus.IN_PROGRESS,
        person=PersonFactory(first_name="Nadia", email="nadia@ville.example.org"),
        subject="Réussite éducative",
    )


def change_form_data(form, **changes) -> dict:
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("themes", "publications", "resources")
    }
    data.update(
        {
            "attachments-TOTAL_FORMS": 0,
            "attachments-INITIAL_FORMS": 0,
            "status_changes-TOTAL_FORMS": 0,
            "status_changes-INITIAL_FORMS": 0,
            **changes,
        }
    )
    return data


def mail_parts(message) -> tuple[str, str]:
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset())
        for part in message.walk()
        if part.get_content_type() in ("text/plain", "text/html")
    }
    return parts["text/plain"], parts["text/html"]


def test_the_form_is_prefilled_with_the_greeting_closing_and_signature(jeanne_client, open_request):
    url = reverse("admin:infodoc_inforequest_change", args=[open_request.pk])
    answer = jeanne_client.get(url).context["adminform"].form.initial["answer"]

    lines = answer.splitlines()
    assert lines[0] == "Bonjour Nadia,"
    assert lines[2].startswith("Voici notre réponse à votre demande")
    assert f"{open_request.reference} (Réussite éducative)." in lines[2]
    assert lines[-3:] == ["Bien cordialement,", "Jeanne Martin", SiteSettings.load().name]
    assert answer_body(request=open_request, text=answer) == ""


def test_an_answer_already_written_is_not_prefilled(jeanne_client):
    request = InfoRequestFactory(status=RequestStatus.IN_PROGRESS, answer="Déjà écrit.")
    url = reverse("admin:infodoc_inforequest_change", args=[request.pk])
    assert jeanne_client.get(url).context["adminform"].form.initial["answer"] == "Déjà écrit."


def test_the_mail_has_one_greeting_and_one_closing(
    jeanne_client, smtp_server, open_request, mail_flush
):
    """Staff fill in the prefilled form, save, confirm: the requester reads that letter."""
    url = reverse("admin:infodoc_inforequest_change", args=[open_request.pk])
    form = jeanne_client.get(url).context["adminform"].form
    letter = form.initial["answer"].replace("\n\n\n\n", f"\n\n{WRITTEN}\n\n", 1)
    response = jeanne_client.post(url, change_form_data(form, answer=letter))
    assert response.status_code == 302
    open_request.publications.add(PublicationFactory(title="Réussite éducative : repères"))

    confirm = reverse("admin:infodoc_inforequest_answer", args=[open_request.pk])
    page = jeanne_client.get(confirm).content.decode()
    assert page.count("Bonjour Nadia,") == 1  # the confirmation shows the email itself
    jeanne_client.post(confirm)
    mail_flush()  # the mail task, after commit

    assert len(smtp_server.messages) == 1
    text, html = mail_parts(smtp_server.messages[0])
    for body in (text, html):
        assert len(re.findall(r"\bBonjour\b", body)) == 1
        assert body.count("Bien cordialement") == 1
        assert body.count("Jeanne Martin") == 1
        assert WRITTEN in body
        assert "Réussite éducative : repères" in body
    assert text.startswith("Bonjour Nadia,")
    assert text.index("Bonjour") < text.index(WRITTEN) < text.index("Bien cordialement")
    assert "\n\n\n" not in text  # the room left to write is not sent
    open_request.refresh_from_db()
    assert open_request.status == RequestStatus.ANSWERED


def test_an_answer_with_only_the_prefilled_lines_is_not_sent(smtp_server, jeanne, open_request):
    skeleton = answer_frame(request=open_request, signer=jeanne).skeleton()
    InfoRequest.objects.filter(pk=open_request.pk).update(answer=skeleton)
    open_request.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        info_request_answer_send(request=open_request, actor=jeanne)

    assert error.value.code == "no_answer"
    assert smtp_server.envelopes == []


def test_the_public_answer_starts_without_the_greeting_and_signature(jeanne_client, jeanne):
    request = InfoRequestFactory(status=RequestStatus.IN_PROGRESS)
    frame = answer_frame(request=request, signer=jeanne)
    letter = frame.skeleton().replace("\n\n\n\n", f"\n\n{WRITTEN}\n\n", 1)
    InfoRequest.objects.filter(pk=request.pk).update(answer=letter, status="answered")

    url = reverse("admin:infodoc_inforequest_publish", args=[request.pk])
    form = jeanne_client.get(url).context["form"]

    assert form.initial["public_answer"] == WRITTEN


# Attachments --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "extension", "name"),
    [
        ("Bibliographie", ".pdf", "Bibliographie.pdf"),
        ("Données 2024 : QPV/EPCI", ".odt", "Données_2024_QPV_EPCI.odt"),
        ("Rapport.PDF", ".pdf", "Rapport.pdf"),
        ("Guide (version « finale »)", ".pdf", "Guide_version_finale.pdf"),
        ('  ..\\secret<>"|?*\x00 ', ".pdf", "secret.pdf"),
        ("", ".pdf", ""),
        ("x" * 300, ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_a_title_becomes_a_file_name(title, extension, name):
    assert file_name_from_title(title, extension=extension) == name


def test_the_stored_file_carries_the_title():
    attachment = AttachmentFactory(title="Bibliographie", file=ContentFile(PDF, "scan_0042.pdf"))
    assert attachment.file.name.startswith("infodoc/")
    assert attachment.file.name.endswith("/Bibliographie.pdf")
    assert attachment.download_name == "Bibliographie.pdf"
    twin = AttachmentFactory(title="Bibliographie", file=ContentFile(b"autre", "autre.pdf"))
    assert twin.download_name == "Bibliographie.pdf"  # a folder of its own, same name
    assert twin.file.name != attachment.file.name


def test_an_attachment_without_title_keeps_its_file_name():
    attachment = AttachmentFactory(title="", file=ContentFile(PDF, "note-interne.pdf"))
    assert attachment.download_name == "note-interne.pdf"
    assert attachment.file.name.endswith("/note-interne.pdf")


def test_attachments_keep_their_title_in_the_mail(smtp_server, jeanne, open_request, mail_flush):
    InfoRequest.objects.filter(pk=open_request.pk).update(answer=WRITTEN)
    open_request.refresh_from_db()
    AttachmentFactory(
        request=open_request, title="Bibliographie : réussite éducative",
        file=ContentFile(PDF, "scan_0042.pdf"),
    )  # fmt: skip

    info_request_answer_send(request=open_request, actor=jeanne)
    mail_flush()

    message = smtp_server.messages[0]
    names = [part.get_filename() for part in message.walk() if part.get_filename()]
    assert names == ["Bibliographie_réussite_éducative.pdf"]
    text, _html = mail_parts(message)
    assert "Bibliographie_réussite_éducative.pdf" in text


def test_the_admin_links_the_file_under_its_title(jeanne_client, open_request):
    AttachmentFactory(request=open_request, title="Bibliographie", file=ContentFile(PDF, "a.pdf"))
    url = reverse("admin:infodoc_inforequest_change", args=[open_request.pk])

    page = jeanne_client.get(url).content.decode()
    confirm = jeanne_client.get(
        reverse("admin:infodoc_inforequest_answer", args=[open_request.pk])
    ).content.decode()

    for content in (page, confirm):
        link = re.search(r'<a href="([^"]+)">Bibliographie\.pdf</a>', content)
        assert link is not None
        assert link.group(1).endswith("/Bibliographie.pdf")  # the name it is downloaded under


def test_a_new_title_renames_the_stored_file(
    jeanne_client, open_request, django_capture_on_commit_callbacks
):
    attachment = AttachmentFactory(
        request=open_request, title="Brouillon", file=ContentFile(PDF, "a.pdf")
    )
    old = attachment.file.name
    url = reverse("admin:infodoc_inforequest_change", args=[open_request.pk])
    form = jeanne_client.get(url).context["adminform"].form
    data = change_form_data(
        form,
        answer="",
        **{
            "attachments-TOTAL_FORMS": 1,
            "attachments-INITIAL_FORMS": 1,
            "attachments-0-id": attachment.pk,
            "attachments-0-request": open_request.pk,
            "attachments-0-title": "Bibliographie finale",
        },
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = jeanne_client.post(url, data)

    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.file.name.endswith("/Bibliographie_finale.pdf")
    assert attachment.download_name == "Bibliographie_finale.pdf"
    with attachment.file.open("rb") as handle:
        assert handle.read() == PDF
    assert not attachment.file.storage.exists(old)
