"""Shared fixtures: users per role, a real SMTP server, a real Celery worker."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from portal.core.roles import DIRECTOR_GROUP, STAFF_GROUP

BASE_DIR = Path(__file__).resolve().parent.parent


def pytest_sessionfinish(session, exitstatus):
    """Stop the embedded servers this run started; the next run starts them again."""
    from django.conf import settings

    from portal import embedded

    embedded.stop(getattr(settings, "EMBEDDED_STARTED", []))


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches (the test Redis database, the parts of pages
    kept in memory), so rate limits, cached settings, heartbeats and pages never leak from
    one test to the next."""
    from django.core.cache import caches

    from portal.core import pagecache

    caches["default"].clear()
    caches["fragments"].clear()
    pagecache._live_kept.clear()


@pytest.fixture
def page_cache_on(db, settings):
    """The anonymous page cache turned on (the test settings turn it off)."""
    from portal.core.models import SiteSettings

    settings.PAGE_CACHE_SECONDS = 300
    SiteSettings.load()  # else created by the first page, which is a change


# Users ---------------------------------------------------------------------------


@pytest.fixture
def make_user(db, django_user_model):
    def make(email: str, *, staff: bool = False, groups: tuple[str, ...] = (), **extra):
        user = django_user_model.objects.create_user(
            email, "correct-horse-battery", is_staff=staff, **extra
        )
        user.groups.add(*Group.objects.filter(name__in=groups))
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return make


@pytest.fixture
def member_user(make_user):
    return make_user("membre@example.org", first_name="Sophie")


@pytest.fixture
def staff_user(make_user):
    return make_user("equipe@example.org", staff=True, groups=(STAFF_GROUP,))


@pytest.fixture
def staff_client(client, staff_user):
    """The test client, signed in as a member of the team."""
    client.force_login(staff_user)
    return client


@pytest.fixture
def director_user(make_user):
    return make_user("direction@example.org", staff=True, groups=(DIRECTOR_GROUP, STAFF_GROUP))


# Mail: a real SMTP server on loopback ------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpSink:
    """Collects every message accepted by the local SMTP server."""

    host: str
    port: int
    envelopes: list = field(default_factory=list)
    # Address → the reply refusing it (e.g. "550 5.1.1 Mailbox unknown").
    refusals: dict[str, str] = field(default_factory=dict)
    # Seconds the server takes to accept each message (a slow server, not a dead one).
    delay: float = 0
    controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refusals:
            return self.refusals[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> Controller:
        """Listen on the sink's port (again, after stop(): a test may cut the server off)."""
        self.controller = Controller(self, hostname=self.host, port=self.port)
        self.controller.start()
        return self.controller

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[Message]:
        return [message_from_bytes(envelope.content) for envelope in self.envelopes]


@pytest.fixture
def smtp_server(settings):
    """A real aiosmtpd server; Django's SMTP backend is pointed at it for the test."""
    sink = SmtpSink(host="127.0.0.1", port=free_port())
    sink.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": sink.host, "port": sink.port, "timeout": 10},
        }
    }
    yield sink
    sink.stop()


@pytest.fixture
def test_database_url(db) -> str:
    """A URL of pytest-django's test database, for processes started by a test."""
    from urllib.parse import quote

    from django.db import connection

    config = connection.settings_dict
    host = quote(config["HOST"] or "localhost", safe="")
    credentials = quote(config["USER"] or "", safe="")
    if config["PASSWORD"]:
        credentials += ":" + quote(config["PASSWORD"], safe="")
    port = f":{config['PORT']}" if config["PORT"] else ""
    return f"postgresql://{credentials}@{host}{port}/{config['NAME']}"


# Celery: a real worker process consuming the test broker ---------------------------------


def _worker_env(**extra: str) -> dict[str, str]:
    from django.db import connection

    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.settings",
        TEST_DATABASE_NAME=connection.settings_dict["NAME"],
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
        **extra,
    )


def _worker_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def start_worker(transactional_db, settings):
    """Start `celery worker` subprocesses on the test database and the test Redis.

    `start_worker(concurrency=2, NAME="value", ...)` passes extra environment variables
    (read by the settings, e.g. EMAIL_URL) and returns once the worker's heartbeat is
    in Redis. Each worker leads its own process group, so a test can SIGKILL it whole.
    """
    from portal.celery import app
    from portal.core import heartbeat

    app.control.purge()
    started: list[subprocess.Popen] = []

    def start(*, concurrency: int = 1, **env: str) -> subprocess.Popen:
        heartbeat.cache.delete(heartbeat.KEY)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker",
             f"--concurrency={concurrency}", "--loglevel=WARNING", "--without-mingle",
             "--without-gossip", f"--hostname=test{len(started)}@%h"],
            cwd=BASE_DIR,
            env=_worker_env(**env),
            start_new_session=True,
        )  # fmt: skip
        started.append(process)
        deadline = time.monotonic() + 60
        while heartbeat.age() is None:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Celery worker did not start")
            time.sleep(0.2)
        return process

    yield start
    for process in started:
        _worker_stop(process)
    app.control.purge()
    heartbeat.cache.delete(heartbeat.KEY)


@pytest.fixture
def celery_worker(start_worker):
    """One real worker process (concurrency 1)."""
    return start_worker()


# Transactional mail: recorded, then sent by the mail task ----------------------------------


@pytest.fixture
def form_mail_tasks_inline(monkeypatch):
    """Run the mail task enqueued after commit at once, in this process (no worker), for
    tests of what a page records and mails; tests/e2e/test_public_forms.py has the
    messages sent by a real worker."""
    from portal.core.tasks import mail_deliver_task

    monkeypatch.setattr(mail_deliver_task, "delay", mail_deliver_task)


def mail_send_queued() -> int:
    """Send the recorded messages still queued, in this process, as the mail task does
    after commit (portal.core.mail); returns how many it tried."""
    from portal.core.mail import mail_deliver
    from portal.core.models import OutgoingMail, OutgoingMailStatus

    queued = OutgoingMail.objects.filter(status=OutgoingMailStatus.QUEUED).order_by("pk")
    ids = list(queued.values_list("pk", flat=True))
    for mail_id in ids:
        mail_deliver(mail_id=mail_id)
    return len(ids)


@pytest.fixture
def mail_flush(db):
    """`mail_flush()`: see mail_send_queued()."""
    return mail_send_queued
