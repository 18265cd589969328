"""The Celery application; configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _database_connections_renew(sender, **kwargs) -> None:
    """Around each task a worker runs, as Django around each request: a connection older
    than CONN_MAX_AGE, or broken, is closed; a sound one is kept (settings.CELERY_DB_REUSE_MAX
    keeps Celery from closing it after every task). A task run in place (apply()) shares its
    caller's connection and transaction: left alone."""
    from django.db import close_old_connections

    if not getattr(sender.request, "is_eager", False):
        close_old_connections()


def _add_heartbeat() -> None:
    from portal.core.heartbeat import HeartbeatStep

    app.steps["worker"].add(HeartbeatStep)


_add_heartbeat()
