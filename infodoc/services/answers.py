"""Info-doc answers: sent by email from the back office, then published as anonymised Q&As."""

from __future__ import annotations

import mimetypes
import re
from pathlib import PurePosixPath
from smtplib import SMTPException

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from infodoc.models import InfoRequest, RequestStatus
from infodoc.services.requests import info_request_transition
from portal.core.mail import email_build
from portal.core.services import audit_log

ANSWER_TEMPLATE = "infodoc/emails/answer"
SEND_LOCK_SECONDS = 300
PUBLISHABLE = (RequestStatus.ANSWERED, RequestStatus.CLOSED)
REDACTED = "[…]"

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# French numbers (01 23 45 67 89, +33 1 23 45 67 89, 01.23.45.67.89) and other
# international ones (+44 20 7946 0958).
PHONE_RE = re.compile(
    r"(?:(?:\+|00)33[\s.-]?(?:\(0\))?[\s.-]?|\b0)[1-9](?:[\s.-]?\d{2}){4}\b"
    r"|\+\d{1,3}(?:[\s.-]?\d{2,4}){3,5}\b"
)


def text_anonymise(text: str) -> tuple[str, int]:
    """Replace email addresses and phone numbers; return the text and how many went."""
    text, emails = EMAIL_RE.subn(REDACTED, text)
    text, phones = PHONE_RE.subn(REDACTED, text)
    return text.strip(), emails + phones


def _lock_key(request: InfoRequest) -> str:
    return f"infodoc:answer-send:{request.pk}"


def _answer_message(request: InfoRequest, *, actor):
    publications = [
        {"title": publication.title, "url": settings.SITE_URL + publication.get_absolute_url()}
        for publication in request.publications.order_by("title")
    ]
    resources = list(request.resources.order_by("title"))
    reply_to = [actor.email] if getattr(actor, "email", "") else None
    message = email_build(
        template=ANSWER_TEMPLATE,
        context={
            "request": request,
            "person": request.person,
            "answer": request.answer,
            "publications": publications,
            "resources": resources,
            "attachments_count": request.attachments.count(),
        },
        to=[request.person.email],
        reply_to=reply_to,
    )
    for attachment in request.attachments.order_by("pk"):
        name = PurePosixPath(attachment.file.name).name
        with attachment.file.open("rb") as handle:
            data = handle.read()
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        message.attach(name, data, mimetype)
    return message


def info_request_answer_send(*, request: InfoRequest, actor) -> None:
    """Email the answer, its attachments and publication links, then mark it answered.

    The request is checked and claimed in a transaction (a cache lock keeps a second
    click from sending twice), the email leaves outside any transaction, and only a
    successful send moves the request to « answered ». A failed send leaves it in
    progress and raises a ValidationError saying so.
    """
    with transaction.atomic():
        request = (
            InfoRequest.objects.select_for_update().select_related("person").get(pk=request.pk)
        )
        if request.status != RequestStatus.IN_PROGRESS:
            raise ValidationError(
                _("Only a request in progress can be answered; this one is « %(status)s ».")
                % {"status": RequestStatus(request.status).label},
                code="status",
            )
        if not request.answer.strip():
            raise ValidationError(_("Write the answer before sending it."), code="no_answer")
        if not request.person.email:
            raise ValidationError(
                _("The requester has no email address: the answer cannot be sent."),
                code="no_email",
            )
        if not cache.add(_lock_key(request), actor.pk if actor else 0, SEND_LOCK_SECONDS):
            raise ValidationError(
                _("This answer is already being sent; wait a moment."), code="locked"
            )
    try:
        try:
            message = _answer_message(request, actor=actor)
            message.send()
        except (SMTPException, OSError) as error:
            audit_log(
                actor=actor,
                obj=request,
                action="info_request.answer_failed",
                changes={"error": str(error)[:200]},
            )
            raise ValidationError(
                _("The answer could not be sent (%(error)s); the request stays in progress.")
                % {"error": error.__class__.__name__},
                code="send_failed",
            ) from error
        with transaction.atomic():
            audit_log(
                actor=actor,
                obj=request,
                action="info_request.answer_sent",
                changes={
                    "to": request.person.email,
                    "attachments": [item[0] for item in message.attachments],
                },
            )
            info_request_transition(
                request=request,
                to_status=RequestStatus.ANSWERED,
                actor=actor,
                note=_("Answer sent by email to %(email)s") % {"email": request.person.email},
            )
    finally:
        cache.delete(_lock_key(request))


@transaction.atomic
def info_request_publish(
    *, request: InfoRequest, public_question: str, public_answer: str, actor
) -> InfoRequest:
    """Publish an answered request as an anonymised public question and answer.

    Staff write the anonymised texts; email addresses and phone numbers left in them
    are replaced as a safety net.
    """
    request = InfoRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in PUBLISHABLE:
        raise ValidationError(
            _("Only an answered or closed request can be published; this one is « %(status)s ».")
            % {"status": RequestStatus(request.status).label},
            code="status",
        )
    question, question_redacted = text_anonymise(public_question)
    answer, answer_redacted = text_anonymise(public_answer)
    if not question or not answer:
        raise ValidationError(
            _("Both the public question and the public answer are needed."), code="empty"
        )
    request.public_question = question
    request.public_answer = answer
    request.is_public = True
    request.save(update_fields=["public_question", "public_answer", "is_public", "updated_at"])
    audit_log(
        actor=actor,
        obj=request,
        action="info_request.published",
        changes={"redacted": question_redacted + answer_redacted},
    )
    return request


@transaction.atomic
def info_request_unpublish(*, request: InfoRequest, actor) -> InfoRequest:
    """Withdraw the public Q&A; the anonymised texts are kept for a later publication."""
    request = InfoRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_public:
        raise ValidationError(_("This request is not published."), code="not_public")
    request.is_public = False
    request.save(update_fields=["is_public", "updated_at"])
    audit_log(actor=actor, obj=request, action="info_request.unpublished")
    return request
