"""`make run`: the whole portal on one machine, stopped by Ctrl-C.

Starts the embedded PostgreSQL and Redis when DATABASE_URL / REDIS_URL are
unset, migrates, loads the demo data, then runs the web server, a Celery worker
and Celery beat until interrupted. On Ctrl-C (or SIGTERM) it stops the three
processes and the embedded servers it started; the data stays in var/.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from portal import embedded
from portal.env import env_int, fail

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def check_reachable(database_url: str, redis_url: str) -> None:
    """Exit with one clear line when a named server does not answer."""
    import psycopg
    import redis

    try:
        psycopg.connect(database_url, connect_timeout=5).close()
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fail(
            f"cannot reach the database named by DATABASE_URL ({reason}). "
            "Set DATABASE_URL to a running PostgreSQL server, or unset it to use the embedded one."
        )
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        fail(
            f"cannot reach Redis at REDIS_URL ({exc}). "
            "Set REDIS_URL to a running Redis server, or unset it to use the embedded one."
        )


def manage(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(result.returncode)


def spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    # A session of its own: Ctrl-C reaches the launcher only, which stops children in order.
    return subprocess.Popen(args, cwd=BASE_DIR, env=env, start_new_session=True)  # noqa: S603


def stop_all(processes: list[subprocess.Popen]) -> None:
    """SIGTERM each main process: Celery then finishes its running tasks (warm shutdown).

    The web server's autoreloader child shares its group and goes with it; whatever
    is still alive after the grace period is killed with its whole group.
    """
    web, *celery = processes
    if web.poll() is None:
        os.killpg(web.pid, signal.SIGTERM)
    for process in celery:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 60
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> None:
    try:
        started = embedded.ensure_environment()
    except embedded.EmbeddedServiceError as exc:
        fail(str(exc))
    check_reachable(os.environ["DATABASE_URL"], os.environ["REDIS_URL"])

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings", PYTHONUNBUFFERED="1")
    env.setdefault("DEBUG", "1")
    port = env_int("PORT", 8000)

    manage("migrate", "--noinput", env=env)
    manage("load_demo", env=env)

    celery = [PYTHON, "-m", "celery", "-A", "portal"]
    processes = [
        spawn([PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}"], env),
        spawn([*celery, "worker", "--loglevel=INFO", "--concurrency=2"], env),
        spawn([*celery, "beat", "--loglevel=INFO"], env),
    ]
    stopping = False

    def request_stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    print(
        f"\n  Portal: http://127.0.0.1:{port}/   (back office: /admin/, health: /healthz)\n"
        "  Demo logins (demo data only), password demo-portal:\n"
        "    direction@demo.test  equipe@demo.test  membre@demo.test\n"
        "  Mail is written to var/mail/. Ctrl-C stops everything; data stays in var/.\n",
        flush=True,
    )
    try:
        while not stopping and all(process.poll() is None for process in processes):
            time.sleep(0.5)
    finally:
        print("\nStopping…", flush=True)
        stop_all(processes)
        embedded.stop(started)
    failed = [process for process in processes if process.returncode not in (0, -15, None)]
    if failed and not stopping:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
