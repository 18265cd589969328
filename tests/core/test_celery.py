from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
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
