"""Mailing a person's attendance certificate on request, through the durable mail path.

A « send it » click is recorded (a CertificateMailing row, audited) in the request's
transaction, and a task renders the certificate after commit. The click carries the key
of the confirmation form it came from: the same key again (a double click, a resubmitted
form) finds the first row and sends nothing. The task renders the PDF, then claims the
row (queued → sent) in the transaction that records the message; the mail task sends it,
retrying while the mail server is away (portal.core.mail). A redelivered task finds the
row claimed and records nothing more.
"""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Action, CertificateMailing, CertificateMailingStatus
from events.selectors.certificates import Certificate, certificate_get
from members.models import Person
from portal.core.mail import email_build, mail_queue
from portal.core.models import SiteSettings
from portal.core.services import audit_log


def certificate_mailing_request(
    *, action: Action, person: Person, request_key: UUID, actor
) -> tuple[CertificateMailing, bool]:
    """Record a request to mail the certificate and send it after commit.

    Returns the row and whether this call created it (False: that click was already
    recorded, nothing more is sent). Refused (ValidationError) when the person attended
    no session of the action or has no email address.
    """
    if certificate_get(action_id=action.pk, person_id=person.pk) is None:
        raise ValidationError(
            _("%(person)s attended no session of this action: there is no certificate to send.")
            % {"person": person},
            code="no_attendance",
        )
    recipient = (person.email or "").strip()
    if not recipient:
        raise ValidationError(
            _("%(person)s has no email address: add one to the person first.") % {"person": person},
            code="no_email",
        )
    with transaction.atomic():
        mailing, created = CertificateMailing.objects.get_or_create(
            request_key=request_key,
            defaults={
                "action": action,
                "person": person,
                "recipient": recipient,
                "requested_by": actor if getattr(actor, "is_authenticated", False) else None,
            },
        )
        if created:
            audit_log(
                actor=actor,
                obj=mailing,
                action="attendance_certificate.mail_requested",
                changes={"action": action.title, "person": str(person), "recipient": recipient},
            )
            transaction.on_commit(lambda: _enqueue(mailing.pk))
    return mailing, created


def _enqueue(mailing_id: int) -> None:
    from events import tasks

    tasks.certificate_mailing_send.delay(mailing_id)


def certificate_message_build(
    *, certificate: Certificate, recipient: str, pdf: bytes
) -> EmailMultiAlternatives:
    site = SiteSettings.load()
    message = email_build(
        template="events/emails/certificate",
        context={
            "certificate": certificate,
            "space_url": settings.SITE_URL + reverse("events_space:registrations"),
        },
        to=[recipient],
        reply_to=[site.email] if site.email else None,
    )
    message.attach(certificate.file_name, pdf, "application/pdf")
    return message


def _fail(mailing: CertificateMailing, *, error: str) -> None:
    with transaction.atomic():
        CertificateMailing.objects.filter(pk=mailing.pk).update(
            status=CertificateMailingStatus.FAILED, error=error[:300]
        )
        audit_log(
            actor=None,
            obj=mailing,
            action="attendance_certificate.failed",
            changes={"recipient": mailing.recipient, "error": error},
        )


def certificate_mailing_send(*, mailing_id: int) -> bool:
    """Render and record the message of a requested certificate (the task's body);
    returns whether a message was recorded. Safe to run twice: only a queued row is
    claimed. A certificate gone since the click (attendance corrected) marks the request
    failed (staff see it and may ask again)."""
    from events.documents import render_certificate_pdf

    mailing = CertificateMailing.objects.filter(
        pk=mailing_id, status=CertificateMailingStatus.QUEUED
    ).first()
    if mailing is None:
        return False
    certificate = certificate_get(action_id=mailing.action_id, person_id=mailing.person_id)
    if certificate is None:  # the attendance was corrected since the click
        _fail(mailing, error="no attendance")
        return False
    message = certificate_message_build(
        certificate=certificate,
        recipient=mailing.recipient,
        pdf=render_certificate_pdf(certificate),
    )
    with transaction.atomic():
        claimed = CertificateMailing.objects.filter(
            pk=mailing_id, status=CertificateMailingStatus.QUEUED
        ).update(status=CertificateMailingStatus.SENT, sent_at=timezone.now())
        if not claimed:
            return False  # another run took it
        mail_queue(message)
        audit_log(
            actor=None,
            obj=mailing,
            action="attendance_certificate.mailed",
            changes={"recipient": mailing.recipient},
        )
    return True
