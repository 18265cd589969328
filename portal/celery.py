"""The Celery application; configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _add_heartbeat() -> None:
    from portal.core.heartbeat import HeartbeatStep

    app.steps["worker"].add(HeartbeatStep)


_add_heartbeat()
