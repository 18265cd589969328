"""The questionnaire sent after a session, and the answers to it.

Each present participant with an email gets one message per session. A message is
claimed by setting `Attendance.evaluation_sent_at` (a conditional UPDATE, so two runs
never claim the same row) in the transaction that records it; the mail task sends it,
retrying while the mail server is away (portal.core.mail). It is never sent twice.

The link carries a signed token (session and person ids): no account is needed, and
a tampered or expired link is refused with a clear message.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from events.models import Attendance, Evaluation, Session
from members.models import Person
from portal.core.mail import email_build, mail_queue
from portal.core.models import SiteSettings

TOKEN_SALT = "events.evaluation"  # noqa: S105 (a signing salt, not a secret)
# Sessions that ended within this period get their questionnaire.
SEND_WITHIN = timedelta(days=7)
# How long the link of a questionnaire stays valid.
TOKEN_MAX_AGE = timedelta(days=60)


def evaluation_token(*, session_id: int, person_id: int) -> str:
    """The signed token of a participant's questionnaire link."""
    return signing.dumps({"s": session_id, "p": person_id}, salt=TOKEN_SALT)


def evaluation_from_token(token: str) -> tuple[Session, Person]:
    """The session and person a token was made for; ValidationError if it is not valid."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            _("This questionnaire link has expired: the questionnaire is closed."),
            code="expired",
        ) from None
    except signing.BadSignature:
        data = None
    try:
        session = Session.objects.select_related("action").get(pk=data["s"])
        person = Person.objects.get(pk=data["p"])
    except (TypeError, KeyError, ValueError, Session.DoesNotExist, Person.DoesNotExist):
        raise ValidationError(
            _("This questionnaire link is not valid. Use the link of the email you received."),
            code="bad_token",
        ) from None
    return session, person


def evaluation_url(*, session_id: int, person_id: int) -> str:
    token = evaluation_token(session_id=session_id, person_id=person_id)
    return settings.SITE_URL + reverse("events_evaluation:form", args=[token])


def _message_build(attendance: Attendance) -> EmailMultiAlternatives:
    session = attendance.session
    starts = timezone.localtime(session.starts_at)
    site = SiteSettings.load()
    return email_build(
        template="events/emails/evaluation",
        context={
            "person": attendance.person,
            "session": session,
            "action": session.action,
            "date": date_format(starts, "DATE_FORMAT"),
            "url": evaluation_url(session_id=session.pk, person_id=attendance.person_id),
        },
        to=[attendance.person.email],
        reply_to=[site.email] if site.email else None,
    )


def _due(now: datetime) -> QuerySet[Attendance]:
    """Present attendees with an email, of sessions ended lately, not yet sent nor answered."""
    answered = Evaluation.objects.filter(
        session_id=OuterRef("session_id"), person_id=OuterRef("person_id")
    )
    return (
        Attendance.objects.filter(
            present=True,
            evaluation_sent_at__isnull=True,
            session__is_cancelled=False,
            session__ends_at__lte=now,
            session__ends_at__gt=now - SEND_WITHIN,
        )
        .exclude(person__email="")
        .exclude(Exists(answered))
        .select_related("session__action", "person")
        .order_by("session__ends_at", "pk")
    )


def evaluations_send(*, now: datetime | None = None) -> int:
    """Email the questionnaire of sessions ended in the last days; returns how many were sent.

    Safe to run twice or in parallel: each attendance is claimed in the transaction that
    records its message (sent by the mail task, portal.core.mail).
    """
    now = now or timezone.now()
    due = list(_due(now))
    if not due:
        return 0
    sent = 0
    for attendance in due:
        with transaction.atomic():
            claimed = Attendance.objects.filter(
                pk=attendance.pk, evaluation_sent_at__isnull=True
            ).update(evaluation_sent_at=now)
            if not claimed:
                continue  # another run took it
            mail_queue(_message_build(attendance))
        sent += 1
    return sent


@transaction.atomic
def evaluation_submit(
    *,
    session: Session,
    person: Person,
    satisfaction: int,
    usefulness: int,
    comments: str = "",
) -> Evaluation:
    """Record a participant's answer; a second answer is refused politely."""
    if Evaluation.objects.filter(session=session, person=person).exists():
        raise ValidationError(
            _("You have already answered this questionnaire. Thank you!"), code="answered"
        )
    evaluation = Evaluation(
        session=session,
        person=person,
        satisfaction=satisfaction,
        usefulness=usefulness,
        comments=comments.strip(),
    )
    evaluation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError:  # the same answer sent twice at the same instant
        raise ValidationError(
            _("You have already answered this questionnaire. Thank you!"), code="answered"
        ) from None
    return evaluation
