"""Info-doc answers: sent by email from the back office, then published as anonymised Q&As."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from infodoc.models import InfoRequest, RequestStatus
from infodoc.services.requests import info_request_transition
from portal.core.mail import email_build, mail_queue
from portal.core.models import SiteSettings
from portal.core.services import audit_log

ANSWER_TEMPLATE = "infodoc/emails/answer"
PUBLISHABLE = (RequestStatus.ANSWERED, RequestStatus.CLOSED)
REDACTED = "[…]"

# More than one empty line in a row (the prefilled answer leaves room to write).
BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")
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


# The letter staff write in -------------------------------------------------------------


@dataclass(frozen=True)
class AnswerFrame:
    """The lines around what staff write: the answer form is prefilled with them, and the
    email adds none of its own, so the requester reads one greeting and one closing."""

    greeting: str
    opening: str
    reply_hint: str
    closing: str
    signature: tuple[str, ...]

    def skeleton(self) -> str:
        """The prefilled answer: staff write between the opening and the reply hint."""
        return "\n".join(
            [self.greeting, "", self.opening, "", "", "", self.reply_hint, "", self.closing,
             *self.signature]
        )  # fmt: skip


def answer_frame(*, request: InfoRequest, signer=None) -> AnswerFrame:
    name = request.person.first_name.strip() if request.person_id else ""
    signer_name = signer.get_full_name().strip() if signer is not None else ""
    with translation.override(settings.LANGUAGE_CODE):
        return AnswerFrame(
            greeting=_("Hello %(name)s,") % {"name": name} if name else _("Hello,"),
            opening=_("Here is our answer to your information request %(reference)s (%(subject)s).")
            % {"reference": request.reference, "subject": request.subject},
            reply_hint=_("Do not hesitate to reply to this message if you need more."),
            closing=_("Kind regards,"),
            signature=tuple(line for line in (signer_name, SiteSettings.load().name) if line),
        )


def answer_body(*, request: InfoRequest, text: str | None = None) -> str:
    """What staff wrote themselves: the answer without the prefilled greeting, opening,
    reply hint, closing and signature. Empty when only the frame is there."""
    frame = answer_frame(request=request)
    text = request.answer if text is None else text
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    if frame.closing in lines:
        lines = lines[: len(lines) - lines[::-1].index(frame.closing) - 1]
    framing = {frame.greeting, frame.opening, frame.reply_hint}
    return "\n".join(line for line in lines if line not in framing).strip()


def _answer_message(request: InfoRequest, *, actor, with_files: bool = True):
    publications = [
        {"title": publication.title, "url": settings.SITE_URL + publication.get_absolute_url()}
        for publication in request.publications.order_by("title")
    ]
    resources = list(request.resources.order_by("title"))
    attachments = list(request.attachments.order_by("pk"))
    reply_to = [actor.email] if getattr(actor, "email", "") else None
    message = email_build(
        template=ANSWER_TEMPLATE,
        context={
            "request": request,
            "person": request.person,
            "answer": BLANK_LINES.sub("\n\n", request.answer.replace("\r\n", "\n").strip()),
            "publications": publications,
            "resources": resources,
            "attachments": attachments,
        },
        to=[request.person.email],
        reply_to=reply_to,
    )
    for attachment in attachments if with_files else ():
        name = attachment.download_name
        with attachment.file.open("rb") as handle:
            data = handle.read()
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        message.attach(name, data, mimetype)
    return message


def info_request_answer_preview(*, request: InfoRequest, actor) -> str:
    """The plain-text body of the answer email exactly as it will leave, for the
    confirmation page (attachments are listed in it by name, not read)."""
    return _answer_message(request, actor=actor, with_files=False).body


@transaction.atomic
def info_request_answer_send(*, request: InfoRequest, actor) -> None:
    """Email the answer, its attachments and publication links, and mark it answered.

    The request is checked under its row lock (a second click then finds it answered);
    the message is recorded in the same transaction and sent after commit by the mail
    task, which retries while the mail server is away (portal.core.mail): staff see it
    in « Courriels transactionnels ».
    """
    request = InfoRequest.objects.select_for_update().select_related("person").get(pk=request.pk)
    if request.status != RequestStatus.IN_PROGRESS:
        raise ValidationError(
            _("Only a request in progress can be answered; this one is « %(status)s ».")
            % {"status": RequestStatus(request.status).label},
            code="status",
        )
    if not answer_body(request=request):
        raise ValidationError(_("Write the answer before sending it."), code="no_answer")
    if not request.person.email:
        raise ValidationError(
            _("The requester has no email address: the answer cannot be sent."),
            code="no_email",
        )
    message = _answer_message(request, actor=actor)
    mail_queue(message)
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
