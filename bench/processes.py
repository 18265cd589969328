"""The processes the benchmarks start beside the portal: a free loopback port for a
server, and a Celery worker."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def celery_worker_start(env: dict[str, str]) -> subprocess.Popen:
    """A Celery worker with 2 pool processes and this environment (the command of
    tests/conftest.py's start_worker), in a session of its own; returned once its
    heartbeat is in Redis. The queue is emptied first: nothing left by an earlier run."""
    from portal.celery import app
    from portal.core import heartbeat

    app.control.purge()
    heartbeat.cache.delete(heartbeat.KEY)
    command = [
        sys.executable, "-m", "celery", "-A", "portal", "--quiet", "worker", "--concurrency=2",
        "--loglevel=WARNING", "--without-mingle", "--without-gossip", "--hostname=bench@%h",
    ]  # fmt: skip
    worker = subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while heartbeat.age() is None:
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            raise RuntimeError("the Celery worker did not start")
        time.sleep(0.2)
    return worker
