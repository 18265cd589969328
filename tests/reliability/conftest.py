"""A campaign sent by real Celery workers to a real SMTP server, under stress."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.utils import timezone

from newsletter.models import (
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
    SubscriberStatus,
)
from newsletter.services import campaigns
from tests.conftest import SmtpSink, free_port
from tests.newsletter.factories import BlockFactory, IssueFactory

pytestmark = pytest.mark.worker


@pytest.fixture
def sink():
    """A real SMTP server on loopback that a test can stop and start again."""
    sink = SmtpSink(host="127.0.0.1", port=free_port())
    sink.controller = sink.start()
    yield sink
    if sink.controller is not None:
        sink.controller.stop()


def worker_env(sink: SmtpSink, **extra) -> dict[str, str]:
    """Settings of the worker processes: the sink, a short lease, small batches."""
    return {
        "EMAIL_URL": sink.url,
        "NEWSLETTER_LEASE_SECONDS": "8",
        "NEWSLETTER_BATCH_SIZE": "25",
        "NEWSLETTER_RATE_PER_SECOND": "150",
        **{name: str(value) for name, value in extra.items()},
    }


def subscribers_create(count: int) -> list[str]:
    Subscriber.objects.bulk_create(
        Subscriber(
            email=f"lecteur{n}@example.org", last_name=f"Lecteur {n}",
            status=SubscriberStatus.ACTIVE, consent_at=timezone.now(),
        )
        for n in range(count)
    )  # fmt: skip
    return [f"lecteur{n}@example.org" for n in range(count)]


def issue_ready() -> Issue:
    issue = IssueFactory(status=IssueStatus.READY)
    BlockFactory(issue=issue)
    return issue


def sent_count(issue: Issue) -> int:
    return Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENT).count()


def wait_for(condition, *, timeout: float, sweep: bool = True, sweep_every: float = 1) -> int:
    """Poll `condition`; meanwhile run the sweeper every `sweep_every` seconds, as beat
    would. Returns how many rows the sweeper queued again."""
    deadline = time.monotonic() + timeout
    swept_at = time.monotonic()
    returned = 0
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout} s")
        if sweep and time.monotonic() - swept_at >= sweep_every:
            returned += campaigns.deliveries_sweep()["returned"]
            swept_at = time.monotonic()
        time.sleep(0.5)
    return returned


def issue_sent(issue: Issue):
    return lambda: Issue.objects.get(pk=issue.pk).status == IssueStatus.SENT


def received(sink: SmtpSink) -> Counter:
    return Counter(address for envelope in sink.envelopes for address in envelope.rcpt_tos)


def message_ids(sink: SmtpSink) -> dict[str, set[str]]:
    """Each address → the Message-IDs of the copies it received."""
    ids: dict[str, set[str]] = {}
    for envelope, message in zip(sink.envelopes, sink.messages, strict=True):
        for address in envelope.rcpt_tos:
            ids.setdefault(address, set()).add(message["Message-ID"])
    return ids
