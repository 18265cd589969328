"""The answer email through a real SMTP server; publishing the anonymised Q&A."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from infodoc.models import RequestStatus
from infodoc.services.answers import (
    info_request_answer_send,
    info_request_publish,
    info_request_unpublish,
    text_anonymise,
)
from portal.core.models import AuditEntry, OutgoingMail, OutgoingMailStatus
from tests.infodoc.factories import AttachmentFactory, InfoRequestFactory, ResourceFactory
from tests.members.factories import PersonFactory
from tests.publications.factories import PublicationFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n" + bytes(range(256))
ODT = b"PK\x03\x04mimetypeapplication/vnd.oasis.opendocument.text" + bytes(range(255, -1, -1))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://portail.example.org"


@pytest.fixture
def request_with_answer():
    request = InfoRequestFactory(
        status=RequestStatus.IN_PROGRESS,
        person=PersonFactory(first_name="Nadia", email="nadia@ville.example.org"),
        subject="Diagnostic jeunesse",
        answer="Voici une bibliographie et des données sur la jeunesse en QPV.",
    )
    AttachmentFactory(request=request, title="Bibliographie", file=ContentFile(PDF, "biblio.pdf"))
    AttachmentFactory(request=request, title="Données", file=ContentFile(ODT, "note.odt"))
    publication = PublicationFactory(title="Jeunesse et quartiers", slug="jeunesse-et-quartiers")
    request.publications.add(publication)
    request.resources.add(ResourceFactory(title="Guide jeunesse", url="https://example.org/g"))
    return request


def actions_of(request) -> list[str]:
    return list(AuditEntry.objects.for_object(request).values_list("action", flat=True))


def test_answer_goes_through_smtp_with_attachments(
    smtp_server, staff_user, request_with_answer, mail_flush
):
    request = request_with_answer

    info_request_answer_send(request=request, actor=staff_user)
    mail_flush()  # the mail task, after commit

    assert len(smtp_server.envelopes) == 1
    assert smtp_server.envelopes[0].rcpt_tos == ["nadia@ville.example.org"]
    message = smtp_server.messages[0]
    assert request.reference in message["Subject"]
    assert message.get_content_type() == "multipart/mixed"
    parts = list(message.walk())
    types = [part.get_content_type() for part in parts]
    assert "text/plain" in types
    assert "text/html" in types
    files = {
        part.get_filename(): (part.get_content_type(), part.get_payload(decode=True))
        for part in parts
        if part.get_filename()
    }
    assert files == {  # named after the titles staff gave them
        "Bibliographie.pdf": ("application/pdf", PDF),
        "Données.odt": ("application/vnd.oasis.opendocument.text", ODT),
    }
    text = next(p for p in parts if p.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode(text.get_content_charset())
    assert body.startswith("Voici une bibliographie et des données")  # as staff wrote it
    assert "https://portail.example.org/" in body
    assert "jeunesse-et-quartiers" in body
    html = next(p for p in parts if p.get_content_type() == "text/html")
    assert 'href="https://portail.example.org/' in html.get_payload(decode=True).decode()

    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    assert request.answered_on is not None
    change = request.status_changes.order_by("pk").last()
    assert (change.from_status, change.to_status, change.changed_by) == (
        "in_progress",
        "answered",
        staff_user,
    )
    assert "nadia@ville.example.org" in change.note
    assert {"info_request.answer_sent", "info_request.status"} <= set(actions_of(request))


def test_an_answer_waits_while_the_server_is_down_and_leaves_once_it_is_back(
    smtp_server, staff_user, request_with_answer, mail_flush
):
    smtp_server.stop()
    info_request_answer_send(request=request_with_answer, actor=staff_user)
    request_with_answer.refresh_from_db()
    assert request_with_answer.status == RequestStatus.ANSWERED  # recorded with the answer
    mail_flush()  # the mail task's first try: the server is away
    recorded = OutgoingMail.objects.get()
    assert (recorded.status, recorded.attempts) == (OutgoingMailStatus.QUEUED, 1)
    assert recorded.last_error
    assert smtp_server.envelopes == []

    smtp_server.start()
    OutgoingMail.objects.update(available_at=timezone.now())  # the backoff is over
    mail_flush()
    assert OutgoingMail.objects.get().status == OutgoingMailStatus.SENT
    assert len(smtp_server.envelopes) == 1
    assert smtp_server.messages[0]["Message-ID"] == recorded.message_id


def test_a_second_send_is_refused(smtp_server, staff_user, request_with_answer, mail_flush):
    info_request_answer_send(request=request_with_answer, actor=staff_user)
    with pytest.raises(ValidationError) as error:
        info_request_answer_send(request=request_with_answer, actor=staff_user)
    assert error.value.code == "status"
    mail_flush()
    assert len(smtp_server.envelopes) == 1


@pytest.mark.parametrize(
    ("status", "answer", "email", "code"),
    [
        (RequestStatus.NEW, "Oui", "a@example.org", "status"),
        (RequestStatus.ANSWERED, "Oui", "a@example.org", "status"),
        (RequestStatus.IN_PROGRESS, "  ", "a@example.org", "no_answer"),
        (RequestStatus.IN_PROGRESS, "Oui", "", "no_email"),
    ],
)
def test_send_refused_before_anything_leaves(smtp_server, staff_user, status, answer, email, code):
    request = InfoRequestFactory(status=status, answer=answer, person=PersonFactory(email=email))
    with pytest.raises(ValidationError) as error:
        info_request_answer_send(request=request, actor=staff_user)
    assert error.value.code == code
    assert smtp_server.envelopes == []
    request.refresh_from_db()
    assert request.status == status


# Publication -----------------------------------------------------------------------


@pytest.mark.parametrize("status", [RequestStatus.ANSWERED, RequestStatus.CLOSED])
def test_publish_answered_request(staff_user, status):
    request = InfoRequestFactory(status=status)
    info_request_publish(
        request=request,
        public_question="Comment mener un diagnostic jeunesse ?",
        public_answer="Plusieurs guides existent.",
        actor=staff_user,
    )
    request.refresh_from_db()
    assert request.is_public
    assert request.public_question == "Comment mener un diagnostic jeunesse ?"
    entry = AuditEntry.objects.for_object(request).get(action="info_request.published")
    assert entry.actor == staff_user
    assert entry.changes == {"redacted": 0}


@pytest.mark.parametrize(
    "status", [RequestStatus.NEW, RequestStatus.IN_PROGRESS, RequestStatus.NO_FOLLOW_UP]
)
def test_publish_refused_unless_answered(staff_user, status):
    request = InfoRequestFactory(status=status, answer="Réponse")
    with pytest.raises(ValidationError):
        info_request_publish(
            request=request, public_question="Q ?", public_answer="R.", actor=staff_user
        )
    request.refresh_from_db()
    assert not request.is_public
    assert request.public_answer == ""


def test_publish_strips_emails_and_phone_numbers(staff_user):
    request = InfoRequestFactory(status=RequestStatus.ANSWERED)
    info_request_publish(
        request=request,
        public_question="Écrire à jean.dupont@mairie-cergy.fr ou au 01 34 56 78 90 ?",
        public_answer="Appelez le +33 6 12 34 56 78 ou le 01.23.45.67.89, en 2024 (QPV 95).",
        actor=staff_user,
    )
    request.refresh_from_db()
    assert "@" not in request.public_question
    assert "34 56 78 90" not in request.public_question
    assert "12 34 56" not in request.public_answer
    assert "45.67.89" not in request.public_answer
    assert "en 2024 (QPV 95)" in request.public_answer
    assert request.public_question.count("[…]") == 2
    entry = AuditEntry.objects.for_object(request).get(action="info_request.published")
    assert entry.changes == {"redacted": 4}


def test_publish_refuses_empty_texts(staff_user):
    request = InfoRequestFactory(status=RequestStatus.ANSWERED)
    with pytest.raises(ValidationError):
        info_request_publish(
            request=request, public_question="   ", public_answer="Oui.", actor=staff_user
        )


def test_anonymise_keeps_ordinary_numbers():
    text, count = text_anonymise("Budget 2024 : 150 000 €, 12 QPV, code 95127.")
    assert count == 0
    assert text == "Budget 2024 : 150 000 €, 12 QPV, code 95127."


def test_unpublish(staff_user):
    request = InfoRequestFactory(status=RequestStatus.ANSWERED)
    info_request_publish(
        request=request, public_question="Q ?", public_answer="R.", actor=staff_user
    )
    info_request_unpublish(request=request, actor=staff_user)
    request.refresh_from_db()
    assert not request.is_public
    assert request.public_answer == "R."  # kept for a later publication
    assert "info_request.unpublished" in actions_of(request)
    with pytest.raises(ValidationError):
        info_request_unpublish(request=request, actor=staff_user)
