"""Retention of the newsletter's data: subscriptions never confirmed, old delivery rows.

Called by portal/privacy/retention.py with the cut-off moments it computed. Each
function that lists what would go has a twin that deletes exactly that, so a dry run
and the real run agree. The issues keep their number and recipient count; the annual
figures of a year whose delivery rows are gone lose their delivery rate
(newsletter.selectors.figures counts the rows).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce

from newsletter.models import Delivery, DeliveryStatus, Issue, Subscriber, SubscriberStatus
from newsletter.services.subscribers import email_digest
from portal.core.models import AuditEntry

# Rows deleted per statement (and per transaction).
DELIVERY_CHUNK = 10_000
# Rows still being worked on by the sending are never touched.
DELIVERY_FINAL = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED)


def pending_subscriptions_expired(*, before: datetime) -> QuerySet[Subscriber]:
    """Subscriptions asked for before `before` and never confirmed (no consent proven).

    A former subscriber asking again (confirmed once) is left alone: their row carries
    the history the yearly subscriber counts read.
    """
    return Subscriber.objects.filter(
        status=SubscriberStatus.PENDING, confirmed_at__isnull=True, updated_at__lt=before
    )


@transaction.atomic
def pending_subscriptions_delete(*, ids: Iterable[int], before: datetime) -> list[str]:
    """Delete those of `ids` still pending since before `before`; their addresses.

    The audit trail names them by the sha256 of their address only, as on erasure.
    """
    subscribers = list(
        pending_subscriptions_expired(before=before)
        .filter(pk__in=list(ids))
        .select_for_update()
        .only("pk", "email")
    )
    if not subscribers:
        return []
    for subscriber in subscribers:
        AuditEntry.objects.for_object(subscriber).update(
            object_repr=f"sha256:{email_digest(subscriber.email)}"
        )
    Subscriber.objects.filter(pk__in=[s.pk for s in subscribers]).delete()
    return [subscriber.email for subscriber in subscribers]


def _old_deliveries(*, before: datetime, issue_ids: Iterable[int]) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(issue_id__in=list(issue_ids), status__in=DELIVERY_FINAL)
        .alias(sent=Coalesce(F("sent_at"), F("issue__sent_at"), F("issue__created_at")))
        .filter(sent__lt=before)
    )


def _issues_before(before: datetime) -> list[int]:
    """Issues whose rows may be old: a row is never sent before its issue is created."""
    issues = Issue.objects.filter(created_at__lt=before).order_by("pk")
    return list(issues.values_list("pk", flat=True))


def old_deliveries_count(*, before: datetime) -> int:
    """Delivery rows sent (or, never sent, of an issue sent or created) before `before`."""
    return _old_deliveries(before=before, issue_ids=_issues_before(before)).count()


def old_deliveries_ids(*, before: datetime) -> list[int]:
    """The ids old_deliveries_delete() would delete (for checks on small data)."""
    queryset = _old_deliveries(before=before, issue_ids=_issues_before(before))
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def _outcomes_archive(issue_id: int, deliveries: QuerySet[Delivery]) -> None:
    """Add the outcomes of `deliveries`, about to be deleted, to their issue's counts."""
    outcomes = deliveries.aggregate(
        delivered=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
        failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
    )
    Issue.objects.filter(pk=issue_id).update(
        delivered_archived=F("delivered_archived") + outcomes["delivered"],
        failed_archived=F("failed_archived") + outcomes["failed"],
    )


def old_deliveries_delete(*, before: datetime, chunk: int = DELIVERY_CHUNK) -> int:
    """Delete those rows issue by issue, `chunk` rows per transaction; the number deleted.

    Each chunk commits on its own, with its outcomes added to the issue's archived
    counts, so an interrupted run keeps what it did and the next run goes on from there.
    """
    deleted = 0
    for issue_id in _issues_before(before):
        while True:
            with transaction.atomic():
                ids = list(
                    _old_deliveries(before=before, issue_ids=[issue_id])
                    .order_by("pk")
                    .values_list("pk", flat=True)[:chunk]
                )
                if not ids:
                    break
                _outcomes_archive(issue_id, Delivery.objects.filter(pk__in=ids))
                # One DELETE, without loading the rows to send post_delete signals for
                # each (nothing observes deliveries; the page cache never shows them).
                deleted += Delivery.objects.filter(pk__in=ids)._raw_delete(Delivery.objects.db)
    return deleted
