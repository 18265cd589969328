"""Benchmark of newsletter sending (issue 7): messages per second and worker memory.

    .venv/bin/python bench/newsletter.py [--subscribers 7500] [--memory-recipients 100000]

A local aiosmtpd sink runs in a process of its own. The reference is a raw smtplib
loop sending the same ~35 KB message over one connection. Between two runs of it (their
mean is the reference: it sees the same minutes of a machine whose speed drifts), one
Celery worker with 2 processes sends an issue to --subscribers subscribers through the
real path (deliveries, skip-locked batches, one SMTP connection per batch, rows marked
one by one), with no rate limit. Then the same worker sends to --memory-recipients
subscribers while its resident memory is sampled. Last, with the delivery table filled
up to --deliveries rows, it times the back office's subscriber and delivery lists.

It works on a database of its own (bench_newsletter) on the servers the tests use
(embedded unless DATABASE_URL / REDIS_URL say otherwise), and writes its figures to
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import email.policy
import multiprocessing
import os
import signal
import smtplib
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"

from bench.processes import celery_worker_start, free_port  # noqa: E402 (after sys.path)

TARGET_RATE = 125  # messages per second
TARGET_RATIO = 0.8  # of the raw smtplib loop
MEMORY_GROWTH_LIMIT = 0.10  # resident memory may grow 10 % from 10 % to 100 % of the run
TARGET_ADMIN_MS = 300  # server time of a back-office list


# The SMTP sink, in its own process ------------------------------------------------------


def sink_serve(port: int, received, ready) -> None:
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server, session, envelope):
            with received.get_lock():
                received.value += len(envelope.rcpt_tos)
            return "250 Message accepted"

    Controller(Counting(), hostname="127.0.0.1", port=port).start()
    ready.set()
    signal.sigwait([signal.SIGTERM])


# Measures ----------------------------------------------------------------------------------


def raw_rate(port: int, message: bytes, count: int) -> float:
    """The reference: one smtplib connection, the same bytes to `count` recipients."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(count):
            smtp.sendmail("resonances@example.org", [f"raw{n}@example.org"], message)
    return count / (time.perf_counter() - started)


def worker_pids(pid: int) -> list[int]:
    """A worker's main process and its pool processes."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return [pid, *map(int, children)]


def rss_kib(pid: int) -> int:
    """Resident memory of a worker: its main process and its pool processes."""
    total = 0
    for one in worker_pids(pid):
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


# The portal's path ----------------------------------------------------------------------


def worker_start(*, port: int) -> subprocess.Popen:
    """One worker, 2 pool processes, on the benchmark database, sending to the sink."""
    from django.db import connection

    return celery_worker_start(
        dict(
            os.environ,
            TEST_DATABASE_NAME=connection.settings_dict["NAME"],
            EMAIL_URL=f"smtp://127.0.0.1:{port}",
            NEWSLETTER_RATE_PER_SECOND="0",
        )
    )


def issue_build(number: int):
    """An issue with four pages of text, about the size of a real one."""
    from newsletter.models import Block, BlockPage, Issue, IssueStatus, NewsScope

    issue = Issue.objects.create(
        number=number, month=datetime.date(2026, 11, 1), status=IssueStatus.READY,
        title="Les quartiers face aux transitions",
        editorial="Retour sur les rencontres régionales de la politique de la ville. " * 4,
    )  # fmt: skip
    paragraph = (
        "Les équipes des contrats de ville Engagements Quartiers 2030 ont partagé leurs "
        "pratiques de participation des habitants, de gestion urbaine de proximité et "
        "d'accompagnement des associations. "
    )
    for position in range(6):
        Block.objects.create(
            issue=issue, page=BlockPage.ACTIVITY, position=position,
            title=f"Cycle de qualification, séance {position + 1}", body=paragraph * 3,
            url="https://www.example.org/agenda/",
        )  # fmt: skip
    for position in range(7):
        Block.objects.create(
            issue=issue, page=BlockPage.NEWS, position=position,
            scope=NewsScope.NATIONAL if position % 2 else NewsScope.LOCAL,
            title=f"Actualité {position + 1}", body=paragraph * 2,
            url="https://www.example.org/actualites/",
        )  # fmt: skip
    return issue


def subscribers_fill(count: int) -> None:
    from django.utils import timezone

    from newsletter.models import Subscriber, SubscriberStatus

    Subscriber.objects.all().delete()
    now = timezone.now()
    Subscriber.objects.bulk_create(
        (
            Subscriber(
                email=f"lecteur{n}@example.org", first_name="Camille", last_name=f"L{n}",
                status=SubscriberStatus.ACTIVE, consent_at=now,
            )
            for n in range(count)
        ),
        batch_size=5000,
    )  # fmt: skip


def campaign_send(issue, *, worker=None, samples: list | None = None) -> float:
    """Send the issue through the worker; return the seconds from "send" to "sent"."""
    from newsletter.models import Delivery, DeliveryStatus, Issue, IssueStatus
    from newsletter.services.campaigns import issue_send_start

    started = time.perf_counter()
    issue_send_start(issue=issue, actor=None)
    while Issue.objects.get(pk=issue.pk).status == IssueStatus.SENDING:
        time.sleep(0.5 if samples is None else 2)
        if samples is not None:
            sent = Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENT).count()
            samples.append((sent, rss_kib(worker.pid)))
    return time.perf_counter() - started


def thousands(count: int) -> str:
    return f"{count:,}".replace(",", "\u202f")


def measure(*, port: int, worker, received, args) -> bool:
    from bench.results import section_write, verdict
    from newsletter.rendering import issue_render
    from newsletter.services.messages import campaign_message

    issue = issue_build(1)
    message = campaign_message(
        rendered=issue_render(issue), to="lecteur@example.org",
        unsubscribe_url="https://portail.example.org/resonances/desinscription/1.abc/",
        preferences_url="https://portail.example.org/resonances/preferences/1.abc/",
    ).message(policy=email.policy.SMTP).as_bytes()  # fmt: skip
    size_kb = len(message) / 1024
    print(f"Message size: {size_kb:.1f} KB", flush=True)

    subscribers_fill(args.subscribers)
    raw_before = raw_rate(port, message, args.subscribers)
    before = received.value
    cpu_before = cpu_seconds(worker.pid)
    elapsed = campaign_send(issue)
    worker_cpu_ms = (cpu_seconds(worker.pid) - cpu_before) / args.subscribers * 1000
    delivered = received.value - before
    raw_after = raw_rate(port, message, args.subscribers)
    reference = (raw_before + raw_after) / 2
    raw = f"raw smtplib loop: {reference:.0f} (before {raw_before:.0f}, after {raw_after:.0f})"
    print(raw.capitalize() + " messages/s", flush=True)
    rate = args.subscribers / elapsed
    ratio = rate / reference
    print(f"Portal, 1 worker with 2 processes: {rate:.0f} messages/s ({ratio:.2f} of raw), "
          f"{delivered} received, worker CPU {worker_cpu_ms:.2f} ms per message",
          flush=True)  # fmt: skip

    subscribers_fill(args.memory_recipients)
    samples: list[tuple[int, int]] = []
    campaign_send(issue_build(2), worker=worker, samples=samples)
    memory = memory_figures(samples, args.memory_recipients)
    print(memory["line"], flush=True)

    lists = admin_lists(args.deliveries)
    for label, took in lists["pages"]:
        print(f"{label}: {took:.0f} ms (admin home: {lists['reference']:.0f} ms)", flush=True)

    rate_ok = rate >= TARGET_RATE
    ratio_ok = ratio >= TARGET_RATIO
    lists_ok = all(took <= TARGET_ADMIN_MS for _label, took in lists["pages"])
    report = "\n".join([
        f"Message of {size_kb:.1f} KB (HTML + text), aiosmtpd sink in its own process, "
        f"one Celery worker with 2 processes, no rate limit.",
        "",
        "| figure | portal | reference (same run) | target | verdict |",
        "|---|---|---|---|---|",
        f"| messages per second, {thousands(args.subscribers)} subscribers | {rate:.0f} | "
        f"{raw} | ≥ {TARGET_RATE} | {verdict(rate_ok)} |",
        f"| ratio to the raw loop | {ratio:.2f} | 1.00 | ≥ {TARGET_RATIO} | {verdict(ratio_ok)} |",
        f"| worker memory, {thousands(args.memory_recipients)} recipients | {memory['cell']} | "
        f"at 10 %: {memory['start_mb']:.0f} MB | growth ≤ {MEMORY_GROWTH_LIMIT:.0%} | "
        f"{verdict(memory['ok'])} |",
        *(
            f"| {label} | {took:.0f} ms | admin home page: {lists['reference']:.0f} ms | "
            f"≤ {TARGET_ADMIN_MS} ms | {verdict(took <= TARGET_ADMIN_MS)} |"
            for label, took in lists["pages"]
        ),
    ])  # fmt: skip

    section_write("Newsletter sending", report)
    print(report)
    return rate_ok and ratio_ok and memory["ok"] and lists_ok


def admin_lists(deliveries: int) -> dict:
    """Server time of the back office's big lists, with `deliveries` delivery rows.

    More sent issues are added in bulk (one INSERT ... SELECT each) until the table
    holds that many rows; each page is the median of 5 requests through Django's test
    client, beside the admin home page measured the same way.
    """
    from statistics import median

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from newsletter.models import Delivery, Issue, IssueStatus, Subscriber

    subscribers = Subscriber.objects.count()
    number = Issue.objects.count() + 1
    while Delivery.objects.count() + subscribers <= deliveries:
        issue = issue_build(number)
        Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENT)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO newsletter_delivery (issue_id, subscriber_id, status, attempts,"
                " message_id, error, sent_at) SELECT %s, id, 'sent', 0, '', '', now()"
                " FROM newsletter_subscriber",
                [issue.pk],
            )
        number += 1
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE newsletter_delivery; ANALYZE newsletter_subscriber")
    total = Delivery.objects.count()
    print(f"{total} deliveries, {subscribers} subscribers", flush=True)

    setup_test_environment()
    client = Client()
    client.force_login(
        get_user_model().objects.create_superuser("bench@example.org", "bench-password")
    )
    issue = Issue.objects.order_by("pk").first()
    last = Subscriber.objects.order_by("-pk").first()

    def took(url: str) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        return median(times)

    n_rows = f"{thousands(total)} rows"
    pages = [
        (f"subscribers list, {thousands(subscribers)} rows", "/admin/newsletter/subscriber/"),
        ("subscribers, filtered by status", "/admin/newsletter/subscriber/?status__exact=active"),
        ("subscribers, search by address", f"/admin/newsletter/subscriber/?q={last.email}"),
        (f"deliveries list, {n_rows}", "/admin/newsletter/delivery/"),
        ("deliveries of one issue, sent",
         f"/admin/newsletter/delivery/?issue__id__exact={issue.pk}&status__exact=sent"),
        ("deliveries, search by address", f"/admin/newsletter/delivery/?q={last.email}"),
    ]  # fmt: skip
    return {
        "reference": took("/admin/"),
        "pages": [(label, took(url)) for label, url in pages],
    }


def memory_figures(samples: list[tuple[int, int]], total: int) -> dict:
    """Resident memory once warm (10 % sent) against the end of the run."""
    warm = [rss for sent, rss in samples if sent >= total * 0.1] or [0]
    start, end, peak = warm[0] / 1024, warm[-1] / 1024, max(warm) / 1024
    growth = (end - start) / start if start else 0.0
    steps = [f"{rss / 1024:.0f}" for sent, rss in samples[:: max(len(samples) // 8, 1)]]
    return {
        "start_mb": start,
        "ok": bool(start) and growth <= MEMORY_GROWTH_LIMIT,
        "cell": f"{start:.0f} → {end:.0f} MB (peak {peak:.0f}, {growth:+.1%})",
        "line": f"Worker memory over {total} recipients (MB, sampled): {' '.join(steps)}",
    }


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by a worker and its pool processes (user + system)."""
    ticks = 0
    for one in worker_pids(pid):
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=7500)
    parser.add_argument("--memory-recipients", type=int, default=100_000)
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    args = parser.parse_args()

    port = free_port()
    received = multiprocessing.Value("q", 0)
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=sink_serve, args=(port, received, ready), daemon=True)
    sink.start()
    ready.wait(10)

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    connection.settings_dict["TEST"]["NAME"] = "bench_newsletter"
    print("Creating the benchmark database…", flush=True)
    databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    worker = None
    try:
        worker = worker_start(port=port)
        passed = measure(port=port, worker=worker, received=received, args=args)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        teardown_databases(databases, verbosity=0)
        sink.terminate()
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
