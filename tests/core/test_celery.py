import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from celery.fixups.django import DjangoWorkerFixup
from celery.signals import task_postrun, task_prerun
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from portal.celery import app
from portal.core.tasks import clear_expired_sessions


def test_celery_is_configured_for_json_redis_and_time_limits():
    conf = app.conf
    assert conf.broker_url.startswith(("redis://", "redis+socket://", "rediss://"))
    assert conf.result_backend == conf.broker_url
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.task_acks_late is False
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert "clear-expired-sessions" in conf.beat_schedule


@pytest.mark.worker
def test_a_real_worker_runs_a_task_sent_through_redis(celery_worker):
    """The task travels through Redis to a separate worker process that writes to the database."""
    expired = Session.objects.create(
        session_key="expired-session-key-0001",
        session_data="{}",
        expire_date=timezone.now() - timedelta(days=1),
    )
    alive = Session.objects.create(
        session_key="alive-session-key-0001",
        session_data="{}",
        expire_date=timezone.now() + timedelta(days=1),
    )

    result = clear_expired_sessions.delay()
    result.get(timeout=60)

    assert not Session.objects.filter(pk=expired.pk).exists()
    assert Session.objects.filter(pk=alive.pk).exists()


def test_a_worker_keeps_its_database_connection_from_task_to_task():
    """Celery's Django fixup reads the reuse count as CELERY_DB_REUSE_MAX; without it, it
    closes the connection after every task and each mail paid a new PostgreSQL backend."""
    fixup = DjangoWorkerFixup(app)

    assert fixup.db_reuse_max >= 100


class _Task:
    def __init__(self, *, eager: bool):
        self.request = SimpleNamespace(is_eager=eager)


@pytest.mark.django_db(transaction=True)
def test_around_a_task_an_old_connection_is_closed_and_a_sound_one_kept():
    connection.ensure_connection()
    kept = connection.connection

    task_prerun.send(sender=_Task(eager=False), task_id="1", task=None)
    assert connection.connection is kept

    connection.close_at = time.monotonic() - 1  # older than CONN_MAX_AGE
    task_postrun.send(sender=_Task(eager=False), task_id="1", task=None)
    assert connection.connection is None


@pytest.mark.django_db
def test_a_task_run_in_place_leaves_its_callers_transaction_alone():
    connection.ensure_connection()
    connection.close_at = time.monotonic() - 1

    task_prerun.send(sender=_Task(eager=True), task_id="1", task=None)

    assert connection.connection is not None and connection.in_atomic_block
