"""Transactional mail: templated messages, recorded then sent by a task, none lost.

`email_build()` renders a message (a plain-text part always, an HTML part with its CSS
inlined, in French). `email_send()` builds and records it; `mail_queue()` records a
message already built (with attachments: an invoice's PDF, a session's .ics).

Recording stores the message as the bytes it will be sent as, its Message-ID and date
fixed then, in an `OutgoingMail` row of the caller's transaction: a rolled-back
registration sends nothing, a committed one cannot lose its message. After commit a
task (portal.core.tasks.mail_deliver_task) claims the row, sends it outside any
transaction and marks it sent. A temporary failure (server unreachable, 4xx reply) puts
the row back in the queue with exponential backoff and fails it after
MAIL_MAX_ATTEMPTS; a permanent one (5xx) fails it at once. If the task could not be
enqueued, or its worker died while sending, the sweeper (beat: "mail-sweeper", every
30 s) sends the row again, with the same Message-ID.
"""

from __future__ import annotations

import email.policy
import logging
import re
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from email import message_from_bytes
from functools import cached_property, partial

import css_inline
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.core.models import OutgoingMail, OutgoingMailStatus, SiteSettings

logger = logging.getLogger(__name__)

# A row claimed for sending is the worker's until then; after it, the sweeper takes it back.
# Sending one message is a connection and a send, each bounded by the SMTP timeout (30 s):
# a dead worker's message goes again within the lease and a sweep (30 s), two minutes.
LEASE = timedelta(seconds=90)
# A queued row whose task has not taken it after this long is sent by the sweeper.
SWEEP_AFTER = timedelta(minutes=1)
SWEEP_LIMIT = 1000


class FoldOncePolicy(email.policy.EmailPolicy):
    """Headers for messages that differ in a few of them.

    Parsing each header when it is set, and again to fold it when the message is written
    out, is most of the cost of a message. A header set with a value it had before (the
    From, the parts' Content-Type and encoding) is parsed once and remembered. Plain
    ASCII headers that fit on a line are written as they are (the standard folding writes
    them the same), the headers named in `unfolded` are never folded, and the rest (a
    French Subject, the From) are folded once and remembered.
    """

    unfolded: frozenset[str] = frozenset()

    def header_store_parse(self, name, value):
        if not isinstance(value, str) or hasattr(value, "name"):
            return super().header_store_parse(name, value)
        key = (type(self), name, value)
        parsed = _parsed.get(key)  # one lookup: another thread may clear it meanwhile
        if parsed is None:
            if len(_parsed) > 1000:
                _parsed.clear()
            parsed = _parsed[key] = super().header_store_parse(name, value)
        return parsed

    def fold_binary(self, name, value):
        text = str(value)
        if name.lower() in self.unfolded or (
            text.isascii() and "\n" not in text and len(name) + len(text) + 2 <= 78
        ):
            return f"{name}: {text}{self.linesep}".encode("ascii")
        key = (type(self), self.linesep, name, text)
        folded = _folded.get(key)
        if folded is None:
            if len(_folded) > 1000:
                _folded.clear()
            folded = _folded[key] = super().fold_binary(name, value)
        return folded


_folded: dict[tuple, bytes] = {}
_parsed: dict[tuple, tuple] = {}
# The policy messages are recorded with (their bytes with "\n" line ends).
RECORDING_POLICY = FoldOncePolicy()


def email_build(
    *,
    template: str,
    context: dict,
    to: Iterable[str],
    subject: str | None = None,
    reply_to: Iterable[str] | None = None,
) -> EmailMultiAlternatives:
    """Render `<template>.txt` and `<template>.html` (extending emails/layout.html).

    Without `subject`, the subject is rendered from `<template>_subject.txt`. Rendering
    happens in the site's language, so messages sent by Celery are French too. A caller
    that has loaded the site's settings already passes them as `site` in the context.
    """
    with translation.override(settings.LANGUAGE_CODE):
        context = {"site_url": settings.SITE_URL, **context}
        if "site" not in context:
            context["site"] = SiteSettings.load()
        if subject is None:
            subject = render_to_string(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}.txt", context)
        html = css_inline.inline(render_to_string(f"{template}.html", context))
    message = EmailMultiAlternatives(
        subject=" ".join(str(subject).split()),
        body=text,
        to=list(to),
        reply_to=list(reply_to) if reply_to else None,
    )
    message.attach_alternative(html, "text/html")
    return message


def email_send(**kwargs) -> OutgoingMail | None:
    """Build with email_build() and record the message for sending (see mail_queue)."""
    return mail_queue(email_build(**kwargs))


# Recording ------------------------------------------------------------------------------


def mail_queue(message: EmailMessage) -> OutgoingMail | None:
    """Record `message` in the current transaction; a task sends it after commit.

    Returns the row, or None when the message has no recipient (nothing to send).
    """
    recipients = message.recipients()
    if not recipients:
        return None
    # Sets the Date and the Message-ID a resend keeps.
    mime = message.message(policy=RECORDING_POLICY)
    mail = OutgoingMail.objects.create(
        to=", ".join(message.to + message.cc) or ", ".join(recipients),
        subject=str(message.subject)[:255],
        recipients=recipients,
        from_email=str(message.from_email),
        message_id=mime["Message-ID"],
        content=mime.as_bytes(),
    )
    transaction.on_commit(partial(_enqueue, mail.pk))
    return mail


def _enqueue(mail_id: int) -> None:
    """Hand the row to a worker; if the broker is down, the row waits for the sweeper."""
    from portal.core.tasks import mail_deliver_task

    try:
        mail_deliver_task.delay(mail_id)
    except Exception:  # the row stays queued: mail_sweep() sends it
        logger.warning("Mail %s could not be enqueued; the sweeper will send it.", mail_id)


class RecordedMessage(EmailMultiAlternatives):
    """A recorded message, sent as the very bytes recorded (same Message-ID and date).

    Sending needs only the envelope and message(). The subject, addresses, body, HTML
    alternative and attachments are read back from the bytes when first asked for, so a
    reader of the message (the test outbox, a backend calling a provider's API) sees what
    was built, and an SMTP send does not decode the parts it writes out again.
    """

    READ_BACK = frozenset(
        {"subject", "body", "to", "cc", "bcc", "reply_to", "alternatives", "attachments"}
    )

    def __init__(self, mail: OutgoingMail):
        super().__init__(from_email=mail.from_email, headers={"Message-ID": mail.message_id})
        for name in self.READ_BACK:  # read back on first use (__getattr__)
            del self.__dict__[name]
        self._content = bytes(mail.content)
        self._recipients = list(mail.recipients)

    def __getattr__(self, name: str):
        # Only called for an attribute not set: the fields read back from the bytes.
        if name not in RecordedMessage.READ_BACK:
            raise AttributeError(name)
        self._read_back()
        return self.__dict__[name]

    def _read_back(self) -> None:
        parsed = message_from_bytes(self._content, policy=email.policy.default)
        plain = parsed.get_body(("plain",))
        html = parsed.get_body(("html",))
        self.subject = str(parsed["Subject"] or "")
        self.body = plain.get_content() if plain is not None else ""
        self.to = _addresses(parsed, "To")
        self.cc = _addresses(parsed, "Cc")
        self.bcc = [address for address in self._recipients if address not in self.to + self.cc]
        self.reply_to = _addresses(parsed, "Reply-To")
        self.alternatives = []
        self.attachments = []
        if html is not None:
            self.attach_alternative(html.get_content(), "text/html")
        for part in parsed.iter_attachments():
            self.attach(part.get_filename(), part.get_content(), part.get_content_type())

    def message(self, *, policy=email.policy.default):
        return RecordedMime(self._content, policy=policy)

    def recipients(self) -> list[str]:
        return list(self._recipients)


class RecordedMime:
    """A recorded message as a mail backend asks for it (message()): as_bytes() gives the
    recorded bytes back with the policy's line ends, as parsing and writing them out
    again would, without the cost of either; anything else reads them parsed."""

    def __init__(self, content: bytes, *, policy):
        self._content = content
        self.policy = policy

    def as_bytes(self, unixfrom: bool = False, policy=None) -> bytes:
        if unixfrom:
            return self._parsed.as_bytes(unixfrom=True, policy=policy)
        linesep = (policy or self.policy).linesep.encode()
        return LINE_END.sub(linesep, self._content)

    @cached_property
    def _parsed(self):
        return message_from_bytes(self._content, policy=self.policy)

    def __bytes__(self) -> bytes:
        return self.as_bytes()

    def __getattr__(self, name: str):
        if name.startswith("_"):  # not set yet (a copy being made): not the message's
            raise AttributeError(name)
        return getattr(self._parsed, name)

    def __getitem__(self, name: str):
        return self._parsed[name]

    def __contains__(self, name: str) -> bool:
        return name in self._parsed


# Every line end, as the email package's generator finds them.
LINE_END = re.compile(rb"\r\n|\r|\n")


def _addresses(parsed, header: str) -> list[str]:
    value = parsed[header]
    return [str(address) for address in value.addresses] if value is not None else []


# Sending --------------------------------------------------------------------------------


def backoff_seconds(attempt: int) -> int:
    """The wait after the `attempt`-th temporary failure: 10 s, 20 s, 40 s... 30 min at most."""
    base = settings.MAIL_RETRY_SECONDS
    return min(base * 2 ** max(attempt - 1, 0), 30 * 60)


def smtp_error_code(error: smtplib.SMTPException) -> int | None:
    """The SMTP reply code of a refusal (the worst one when recipients were refused)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return max(codes) if codes else None
    return getattr(error, "smtp_code", None)


def smtp_error_describe(error: Exception) -> str:
    """A refusal as the server wrote it (« 550 5.1.1 Mailbox unknown »)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
            for code, message in error.recipients.values()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        return f"{error.smtp_code} {text}"
    return f"{type(error).__name__}: {error}"


def smtp_error_is_permanent(error: Exception) -> bool:
    """A 5xx reply about this message (its recipients or content) will be given again: no
    retry. Anything else may pass and is tried again, up to MAIL_MAX_ATTEMPTS: a server
    out of reach, a dropped connection, a 4xx reply, refused credentials or sender (the
    relay's settings, fixed for every message at once), a task stopped by its time limit."""
    if isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused):
        return False
    if isinstance(error, smtplib.SMTPException):
        code = smtp_error_code(error)
        return code is not None and code >= 500
    return False


# Takes a queued, due row and reads it in one statement.
CLAIM = """
    UPDATE core_outgoingmail SET status = %s, lease_until = %s, attempts = attempts + 1
    WHERE id = %s AND status = %s AND (available_at IS NULL OR available_at <= %s)
    RETURNING *
"""


def _claim(mail_id: int) -> OutgoingMail | None:
    """Take a queued, due row for this worker (one UPDATE: two workers never both get it)."""
    now = timezone.now()
    claimed = OutgoingMail.objects.raw(
        CLAIM,
        [
            OutgoingMailStatus.SENDING.value,
            now + LEASE,
            mail_id,
            OutgoingMailStatus.QUEUED.value,
            now,
        ],
    )
    return next(iter(claimed), None)


def mail_deliver(*, mail_id: int) -> int | None:
    """Send one recorded message if it is queued and due; safe to run twice.

    Returns in how many seconds to try again after a temporary failure, else None
    (sent, failed for good, or nothing to do).
    """
    mail = _claim(mail_id)
    if mail is None:
        return None
    sending = OutgoingMail.objects.filter(pk=mail.pk, status=OutgoingMailStatus.SENDING)
    try:
        RecordedMessage(mail).send()
    except Exception as error:
        description = smtp_error_describe(error)[:2000]
        if smtp_error_is_permanent(error) or mail.attempts >= settings.MAIL_MAX_ATTEMPTS:
            logger.warning("Mail %s to %s failed: %s", mail.pk, mail.to, description)
            sending.update(
                status=OutgoingMailStatus.FAILED, lease_until=None, last_error=description
            )
            return None
        delay = backoff_seconds(mail.attempts)
        logger.info("Mail %s to %s: %s; retry in %s s", mail.pk, mail.to, description, delay)
        sending.update(
            status=OutgoingMailStatus.QUEUED,
            lease_until=None,
            last_error=description,
            available_at=timezone.now() + timedelta(seconds=delay),
        )
        return delay
    sending.update(
        status=OutgoingMailStatus.SENT, lease_until=None, sent_at=timezone.now(), last_error=""
    )
    return None


def mail_retry(*, mail_ids: Iterable[int], actor) -> int:
    """Queue failed messages again (staff, once the address or the relay is fixed): a new
    round of tries, the same Message-ID. Returns how many were queued."""
    from portal.core.services import audit_log

    failed = list(
        OutgoingMail.objects.select_for_update().filter(
            pk__in=list(mail_ids), status=OutgoingMailStatus.FAILED
        )
    )
    for mail in failed:
        OutgoingMail.objects.filter(pk=mail.pk).update(
            status=OutgoingMailStatus.QUEUED, attempts=0, available_at=None, lease_until=None
        )
        audit_log(actor=actor, obj=mail, action="mail.retried", changes={"error": mail.last_error})
        transaction.on_commit(partial(_enqueue, mail.pk))
    return len(failed)


def mail_sweep() -> int:
    """Queue again the rows of a worker that died while sending, and enqueue the queued
    rows no task took (the broker was down at commit, a retry was lost). Returns how
    many rows were enqueued. Sent and failed rows older than MAIL_KEEP_DAYS are deleted:
    they hold people's addresses and messages."""
    from portal.core.tasks import mail_deliver_task

    now = timezone.now()
    OutgoingMail.objects.filter(
        status__in=[OutgoingMailStatus.SENT, OutgoingMailStatus.FAILED],
        created_at__lt=now - timedelta(days=settings.MAIL_KEEP_DAYS),
    ).delete()
    OutgoingMail.objects.filter(status=OutgoingMailStatus.SENDING, lease_until__lt=now).update(
        status=OutgoingMailStatus.QUEUED, lease_until=None
    )
    late = now - SWEEP_AFTER
    due = list(
        OutgoingMail.objects.filter(status=OutgoingMailStatus.QUEUED)
        .filter(Q(available_at__lte=late) | Q(available_at__isnull=True, created_at__lte=late))
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    # Swept again only after another SWEEP_AFTER: a backlog the workers have not reached
    # yet is not enqueued once more every minute.
    OutgoingMail.objects.filter(pk__in=due).update(available_at=now)
    for mail_id in due:
        mail_deliver_task.delay(mail_id)
    return len(due)
