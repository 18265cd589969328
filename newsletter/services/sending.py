"""Sending an issue: deliveries created in bulk, claimed in batches, sent, recorded.

A campaign runs as a few chains of batch tasks (tasks.deliveries_send). Each step
claims up to NEWSLETTER_BATCH_SIZE queued rows with SKIP LOCKED and a lease, sends
them over one SMTP connection outside any transaction, and marks each row sent
right after the server accepted it. A batch at work renews its lease every quarter of
it; a worker killed mid-batch leaves its rows "sending" until the lease expires and the
sweeper queues them again, so at most the message in flight is sent twice, with the
same Message-ID. Temporary errors wait (backoff), permanent ones fail only their row.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from newsletter import rendering
from newsletter.models import Delivery, DeliveryStatus, Issue, IssueStatus, SubscriberStatus
from newsletter.selectors.segments import issue_recipients
from newsletter.services.messages import delivery_message_id, newsletter_mailer
from newsletter.services.outbox import Outbox
from newsletter.services.throttle import throttle_wait
from portal.core.mail import smtp_error_code, smtp_error_describe
from portal.core.services import audit_log

logger = logging.getLogger(__name__)

# Every this many messages, and at least every quarter of the lease, re-read the issue's
# status (pause and cancel act fast) and renew the lease on the rows still to send.
STATUS_CHECK_EVERY = 20
# The last time a chain of batch tasks worked on an issue (see deliveries_sweep).
ACTIVITY_KEY = "newsletter:activity:{issue_id}"


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    released: int = 0
    # Run the chain's next step after this many seconds; None ends the chain.
    next_in: float | None = None
    connection_failed: bool = False


def backoff_seconds(attempt: int) -> int:
    """5 s, 10 s, 20 s ... up to 5 minutes."""
    return min(5 * 2 ** max(attempt - 1, 0), 300)


def lease() -> timedelta:
    return timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)


def activity_touch(issue_id: int, *, seconds: float = 0) -> None:
    """Say a chain is alive on this issue, for at least a lease and `seconds` more."""
    ttl = int(settings.NEWSLETTER_LEASE_SECONDS + seconds) + 1
    cache.set(ACTIVITY_KEY.format(issue_id=issue_id), timezone.now().isoformat(), ttl)


def activity_alive(issue_id: int) -> bool:
    return cache.get(ACTIVITY_KEY.format(issue_id=issue_id)) is not None


# Preparing -----------------------------------------------------------------------


def deliveries_create(*, issue_id: int) -> int:
    """One queued delivery per active subscriber of the issue's segment, in a single
    statement; safe to repeat.

    Returns the issue's number of deliveries. Subscribers who join while the issue
    is sending are not added (they get the next one).
    """
    table = Delivery._meta.db_table
    issue = Issue.objects.get(pk=issue_id)
    recipients = issue_recipients(issue=issue).order_by().values("id")
    subquery, params = recipients.query.sql_with_params()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table} (issue_id, subscriber_id, status, attempts, message_id, error)
                SELECT %s, recipient.id, %s, 0, '', '' FROM ({subquery}) AS recipient
                ORDER BY recipient.id
                ON CONFLICT (issue_id, subscriber_id) DO NOTHING
                """,  # noqa: S608 (the table comes from the model, the subquery from the ORM)
                [issue_id, DeliveryStatus.QUEUED, *params],
            )
        total = Delivery.objects.filter(issue_id=issue_id).count()
        Issue.objects.filter(pk=issue_id).update(recipients_count=total)
    return total


# One batch -------------------------------------------------------------------------


def deliveries_claim(*, issue_id: int, limit: int) -> list[Delivery]:
    """Claim up to `limit` queued rows that are due, skipping rows other workers hold."""
    now = timezone.now()
    with transaction.atomic():
        if not Issue.objects.filter(pk=issue_id, status=IssueStatus.SENDING).exists():
            return []
        ids = list(
            Delivery.objects.filter(issue_id=issue_id, status=DeliveryStatus.QUEUED)
            .filter(Q(available_at__isnull=True) | Q(available_at__lte=now))
            .order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        Delivery.objects.filter(id__in=ids).update(
            status=DeliveryStatus.SENDING, lease_until=now + lease()
        )
    return list(Delivery.objects.filter(id__in=ids).select_related("subscriber").order_by("id"))


def _issue_is_sending(issue_id: int) -> bool:
    return Issue.objects.filter(pk=issue_id, status=IssueStatus.SENDING).exists()


_MARK_SENT = (
    f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s, lease_until = NULL, "  # noqa: S608 (the table name comes from the model)
    "message_id = %s, error = '' WHERE id = %s AND status = %s"
)


def _mark_sent(delivery: Delivery, message_id: str) -> None:
    """Once per message, so in plain SQL: the ORM would cost more than the update."""
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_SENT,
            [DeliveryStatus.SENT.value, timezone.now(), message_id[:250], delivery.pk,
             DeliveryStatus.SENDING.value],
        )  # fmt: skip


@contextlib.contextmanager
def _asynchronous_commit():
    """Let PostgreSQL acknowledge this connection's commits before they reach the disk.

    One commit per message would otherwise wait for a disk flush each time. A database
    crash may then forget the last "sent" marks of a batch: those messages go again,
    the same at-most-the-message-in-flight duplicate as a worker crash.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _mark_failed(delivery: Delivery, error: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.FAILED, lease_until=None, error=error[:500]
    )


def _retry_later(delivery: Delivery, error: str) -> None:
    """A temporary refusal of this address: try again later, fail after the last attempt."""
    attempts = delivery.attempts + 1
    if attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
        Delivery.objects.filter(pk=delivery.pk).update(attempts=attempts)
        _mark_failed(delivery, error)
        return
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.QUEUED, attempts=attempts, lease_until=None, error=error[:500],
        available_at=timezone.now() + timedelta(seconds=backoff_seconds(attempts)),
    )  # fmt: skip


def _leases_renew(deliveries: list[Delivery]) -> None:
    """Extend the claim on the rows still to send: a slow batch keeps what it holds,
    and only a dead worker's rows outlive their lease."""
    Delivery.objects.filter(
        pk__in=[delivery.pk for delivery in deliveries], status=DeliveryStatus.SENDING
    ).update(lease_until=timezone.now() + lease())


def deliveries_release(deliveries: list[Delivery], *, delay: float = 0) -> int:
    """Give claimed rows back to the queue (connection lost, issue paused)."""
    available_at = timezone.now() + timedelta(seconds=delay) if delay else None
    return Delivery.objects.filter(
        pk__in=[delivery.pk for delivery in deliveries], status=DeliveryStatus.SENDING
    ).update(status=DeliveryStatus.QUEUED, lease_until=None, available_at=available_at)


_rendered_cache: dict[tuple[int, str], rendering.RenderedIssue] = {}


def rendered_issue(issue: Issue) -> rendering.RenderedIssue:
    """The issue rendered once per worker process (and again only if it was edited)."""
    key = (issue.pk, issue.updated_at.isoformat())
    if key not in _rendered_cache:
        _rendered_cache.clear()
        _rendered_cache[key] = rendering.issue_render(issue)
    return _rendered_cache[key]


def batch_send(*, issue_id: int, failures: int = 0) -> BatchResult:
    """One step of a chain: claim a batch, send it over one connection, say what next.

    `failures` counts the chain's connection failures in a row, for the backoff.
    """
    result = BatchResult()
    activity_touch(issue_id)
    deliveries = deliveries_claim(issue_id=issue_id, limit=settings.NEWSLETTER_BATCH_SIZE)
    if not deliveries:
        result.next_in = _next_due_in(issue_id)
        if result.next_in is None:
            issue_finish_if_done(issue_id=issue_id)
        return result
    issue = Issue.objects.get(pk=issue_id)
    mailer = newsletter_mailer()
    try:
        mailer.open()
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("Résonances n° %s: SMTP server unreachable (%s)", issue.number, error)
        return _connection_lost(result, deliveries, failures)
    try:
        with _asynchronous_commit():
            outbox = Outbox(mailer, rendered_issue(issue))
            return _send_all(result, issue, outbox, deliveries, failures)
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            mailer.close()


def _send_all(result, issue, outbox: Outbox, deliveries, failures) -> BatchResult:
    renew_every = settings.NEWSLETTER_LEASE_SECONDS / 4
    checked_at = time.monotonic()
    for position, delivery in enumerate(deliveries):
        if position and (
            position % STATUS_CHECK_EVERY == 0 or time.monotonic() - checked_at >= renew_every
        ):
            if not _issue_is_sending(issue.pk):
                result.released += deliveries_release(deliveries[position:])
                return result
            _leases_renew(deliveries[position:])
            activity_touch(issue.pk)
            checked_at = time.monotonic()
        outcome = _send_one(outbox, delivery)
        if outcome == "sent":
            result.sent += 1
        elif outcome == "failed":
            result.failed += 1
        elif outcome == "connection":
            logger.warning("Résonances n° %s: SMTP connection lost", issue.number)
            return _connection_lost(result, deliveries[position:], failures)
    result.next_in = 0
    return result


def _connection_lost(result: BatchResult, rest: list[Delivery], failures: int) -> BatchResult:
    delay = backoff_seconds(failures + 1)
    result.released += deliveries_release(rest, delay=delay)
    result.next_in = delay
    result.connection_failed = True
    return result


REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused)


def _send_one(outbox: Outbox, delivery: Delivery) -> str:
    """Send one message; record its outcome; return sent, failed, later or connection."""
    subscriber = delivery.subscriber
    if subscriber.status != SubscriberStatus.ACTIVE:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.CANCELLED, lease_until=None,
            error=f"subscriber {subscriber.get_status_display()}",
        )  # fmt: skip
        return "skipped"
    throttle_wait()
    try:
        message_id = outbox.deliver(subscriber, message_id=delivery_message_id(delivery.pk))
    except ValueError as error:  # an address Django refuses to put in a header
        _mark_failed(delivery, f"invalid address: {error}")
        return "failed"
    except REFUSALS as error:
        code = smtp_error_code(error) or 0
        if code == 421 or (isinstance(error, smtplib.SMTPSenderRefused) and code < 500):
            return "connection"
        if code >= 500:
            _mark_failed(delivery, smtp_error_describe(error))
            return "failed"
        _retry_later(delivery, smtp_error_describe(error))
        return "later"
    except (OSError, smtplib.SMTPException):
        return "connection"
    _mark_sent(delivery, message_id)
    return "sent"


def _next_due_in(issue_id: int) -> float | None:
    """Seconds until a queued row of the issue is due again; None when none is queued."""
    earliest = Delivery.objects.filter(issue_id=issue_id, status=DeliveryStatus.QUEUED).aggregate(
        earliest=Min("available_at")
    )["earliest"]
    if earliest is None:
        queued = Delivery.objects.filter(issue_id=issue_id, status=DeliveryStatus.QUEUED)
        return 0 if queued.exists() and _issue_is_sending(issue_id) else None
    if not _issue_is_sending(issue_id):
        return None
    return max((earliest - timezone.now()).total_seconds(), 0) + 0.1


def issue_finish_if_done(*, issue_id: int) -> bool:
    """Mark a sending issue sent once no row is queued or being sent."""
    pending = Delivery.objects.filter(
        issue_id=issue_id, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
    )
    with transaction.atomic():
        issue = Issue.objects.select_for_update().filter(pk=issue_id).first()
        if issue is None or issue.status != IssueStatus.SENDING or pending.exists():
            return False
        issue.status = IssueStatus.SENT
        issue.sent_at = timezone.now()
        issue.save(update_fields=["status", "sent_at", "updated_at"])
        audit_log(actor=None, obj=issue, action="newsletter.sent")
    return True


# Sweeper -----------------------------------------------------------------------------


def leases_expire() -> int:
    """Queue again the rows whose lease expired (their worker died mid-batch)."""
    return Delivery.objects.filter(
        status=DeliveryStatus.SENDING, lease_until__lt=timezone.now()
    ).update(status=DeliveryStatus.QUEUED, lease_until=None)


def issues_stalled() -> list[int]:
    """Sending issues with work left that no chain has touched for a lease."""
    sending = Issue.objects.filter(status=IssueStatus.SENDING).values_list("pk", flat=True)
    return [issue_id for issue_id in sending if not activity_alive(issue_id)]
