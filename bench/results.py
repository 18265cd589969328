"""Writing figures to bench/RESULTS.md: one section per benchmark, replaced on each run."""

from __future__ import annotations

import datetime
import os
import platform
import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = (
    "# Benchmark results\n\n"
    "Each section is rewritten by its benchmark; every figure is printed beside a\n"
    "reference measured in the same run on the same machine.\n"
)


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{platform.machine()}, {cpus} CPUs{memory}, Python {platform.python_version()}{servers()}"
    )


def servers() -> str:
    """The PostgreSQL and Redis the figures were measured on (their versions move them)."""
    from django.db import connection

    from portal.core.pagecache import redis_client

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    redis = redis_client().info("server")["redis_version"]
    return f", PostgreSQL {postgres}, Redis {redis}"


def section_write(title: str, body: str) -> None:
    """Replace (or add) the section `## title` of RESULTS.md."""
    text = RESULTS.read_text() if RESULTS.exists() else HEADER
    stamp = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    section = f"## {title}\n\n_{stamp} — {machine()}_\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _match: section + "\n", text).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
