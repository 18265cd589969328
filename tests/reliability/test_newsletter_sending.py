"""Reliability of newsletter sending (issue 7): a worker killed, a campaign started twice,
the SMTP server down for 30 s, an address refused for good. Each runs real Celery
worker processes against a real SMTP server on loopback."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from newsletter.models import Delivery, DeliveryStatus, IssueStatus
from newsletter.services import campaigns
from tests.reliability.conftest import (
    issue_ready,
    issue_sent,
    received,
    sent_count,
    subscribers_create,
    wait_for,
    worker_env,
)

pytestmark = pytest.mark.worker


def test_a_worker_killed_mid_campaign_loses_nothing(start_worker, sink):
    addresses = subscribers_create(1500)
    issue = issue_ready()
    worker = start_worker(concurrency=2, **worker_env(sink))

    campaigns.issue_send_start(issue=issue, actor=None)
    wait_for(lambda: sent_count(issue) >= 300, timeout=60, sweep=False)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    sent_before = sent_count(issue)
    assert sent_before < len(addresses), "the worker finished before it could be killed"
    assert Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENDING).exists()

    start_worker(concurrency=2, **worker_env(sink))
    wait_for(issue_sent(issue), timeout=120)

    counts = received(sink)
    assert set(counts) == set(addresses)
    duplicates = sum(count - 1 for count in counts.values())
    assert duplicates <= 2, "at most the message in flight of each killed pool process"
    assert sent_count(issue) == len(addresses)
    assert not Delivery.objects.filter(issue=issue).exclude(status=DeliveryStatus.SENT).exists()


def test_a_campaign_started_twice_at_once_sends_each_message_once(start_worker, sink):
    addresses = subscribers_create(300)
    issue = issue_ready()
    start_worker(concurrency=2, **worker_env(sink))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press_send():
        try:
            barrier.wait()
            campaigns.issue_send_start(issue=issue, actor=None)
            outcomes.append("started")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=press_send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # A broker may deliver a task twice: the campaign task runs again, on purpose.
    from newsletter.tasks import campaign_start

    campaign_start.delay(issue.pk)
    wait_for(issue_sent(issue), timeout=60)

    assert sorted(outcomes) == ["refused", "started"]
    counts = received(sink)
    assert set(counts) == set(addresses)
    assert max(counts.values()) == 1


def test_the_smtp_server_down_for_30_seconds_delays_but_loses_nothing(start_worker, sink):
    addresses = subscribers_create(600)
    issue = issue_ready()
    start_worker(concurrency=2, **worker_env(sink, NEWSLETTER_RATE_PER_SECOND=40))

    campaigns.issue_send_start(issue=issue, actor=None)
    wait_for(lambda: sent_count(issue) >= 100, timeout=60, sweep=False)
    sink.controller.stop()
    sink.controller = None
    down_at = time.monotonic()
    time.sleep(30)
    sent_while_down = sent_count(issue)
    sink.controller = sink.start()

    wait_for(issue_sent(issue), timeout=180)

    assert sent_while_down < len(addresses)
    assert time.monotonic() - down_at >= 30
    counts = received(sink)
    assert set(counts) == set(addresses)
    # A message the server took just as it stopped may come again, one per chain at most.
    assert sum(count - 1 for count in counts.values()) <= 4
    assert not Delivery.objects.filter(issue=issue).exclude(status=DeliveryStatus.SENT).exists()


def test_a_permanent_refusal_fails_only_its_delivery(start_worker, sink):
    addresses = subscribers_create(200)
    refused = addresses[57]
    sink.refusals[refused] = "550 5.1.1 <lecteur57@example.org>: Recipient address rejected"
    issue = issue_ready()
    start_worker(concurrency=2, **worker_env(sink))

    campaigns.issue_send_start(issue=issue, actor=None)
    wait_for(issue_sent(issue), timeout=60)

    failed = Delivery.objects.get(issue=issue, status=DeliveryStatus.FAILED)
    assert failed.subscriber.email == refused
    assert failed.error.startswith("550")
    assert set(received(sink)) == set(addresses) - {refused}
    assert sent_count(issue) == len(addresses) - 1
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
