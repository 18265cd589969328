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
    message_ids,
    received,
    sent_count,
    subscribers_create,
    wait_for,
    worker_env,
)

pytestmark = pytest.mark.worker


def worker_kill_mid_batch(worker, issue) -> set[int]:
    """SIGKILL the worker while it holds rows; return the ids of the rows it held.

    The worker is frozen first, so what it holds cannot change between the look and
    the kill; between two batches it holds nothing, and is let go on a moment.
    """
    while True:
        os.killpg(worker.pid, signal.SIGSTOP)
        time.sleep(0.2)  # commits already on their way land
        held = set(
            Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENDING).values_list(
                "pk", flat=True
            )
        )
        if held:
            break
        os.killpg(worker.pid, signal.SIGCONT)
        time.sleep(0.05)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    return held


def test_a_worker_killed_mid_campaign_loses_nothing_and_recovers_within_two_minutes(
    start_worker, sink, settings, record_property
):
    """With the lease and the sweeper's period of production (not the short test lease)."""
    lease = settings.NEWSLETTER_LEASE_SECONDS
    sweep_every = settings.CELERY_BEAT_SCHEDULE["newsletter-sweeper"]["schedule"].total_seconds()
    env = worker_env(sink, NEWSLETTER_LEASE_SECONDS=lease)
    addresses = subscribers_create(1500)
    issue = issue_ready()
    worker = start_worker(concurrency=2, **env)

    campaigns.issue_send_start(issue=issue, actor=None)
    wait_for(lambda: sent_count(issue) >= 300, timeout=60, sweep=False)
    held = worker_kill_mid_batch(worker, issue)
    killed_at = time.monotonic()
    assert sent_count(issue) < len(addresses), "the worker finished before it could be killed"

    start_worker(concurrency=2, **env)  # as the service manager restarts it
    held_sent = Delivery.objects.filter(pk__in=held, status=DeliveryStatus.SENT)
    wait_for(lambda: held_sent.count() == len(held), timeout=180, sweep_every=sweep_every)
    recovery = time.monotonic() - killed_at
    wait_for(issue_sent(issue), timeout=60, sweep_every=sweep_every)

    record_property("recovery_seconds", round(recovery))
    print(f"\nlease {lease} s, sweeper every {sweep_every:g} s: the killed worker's {len(held)} "
          f"rows sent again {recovery:.0f} s after the kill")  # fmt: skip
    assert recovery <= 120
    counts = received(sink)
    assert set(counts) == set(addresses)
    duplicates = {address for address, count in counts.items() if count > 1}
    assert len(duplicates) <= 2, "at most the message in flight of each killed pool process"
    ids = message_ids(sink)
    recorded = dict(
        Delivery.objects.filter(issue=issue).values_list("subscriber__email", "message_id")
    )
    assert all(ids[address] == {recorded[address]} for address in addresses), (
        "a copy sent again carries the Message-ID of the first"
    )
    assert sent_count(issue) == len(addresses)
    assert not Delivery.objects.filter(issue=issue).exclude(status=DeliveryStatus.SENT).exists()


def test_a_slow_but_alive_worker_keeps_its_rows(start_worker, sink):
    """Each message takes longer than a quarter of the lease, each batch longer than the
    whole lease: the batch renews its claim as it goes, and nothing is taken from it."""
    addresses = subscribers_create(12)
    sink.delay = 3
    issue = issue_ready()
    env = worker_env(sink, NEWSLETTER_LEASE_SECONDS=8, NEWSLETTER_BATCH_SIZE=6)
    start_worker(concurrency=2, **env)

    campaigns.issue_send_start(issue=issue, actor=None)
    returned = wait_for(issue_sent(issue), timeout=120)

    assert returned == 0
    counts = received(sink)
    assert set(counts) == set(addresses)
    assert max(counts.values()) == 1


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
