"""HTTP load: gunicorn serving bench.settings (with a Celery worker when the page cache is
on), wrk measuring throughput and p95 latency of each page.

Cold (page cache off), each page is loaded in slices alternating with a slice of the
trivial view and one of the layout alone: its two references are from the same minutes.
Warm (page cache on, after one request), each page alternates with the trivial view.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from bench.processes import celery_worker_start, free_port

BASE_DIR = Path(__file__).resolve().parent.parent.parent
WORKERS = 3  # as in the Dockerfile and docker-compose.yml
# Each page is loaded in this many slices, each right after a slice of the trivial view:
# a shared machine's speed drifts within minutes, and the ratio must compare like with like.
SLICES = 5
TRIVIAL = "trivial view"
LAYOUT = "layout alone"
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(95), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _stop(process: subprocess.Popen) -> None:
    """End a process started in a session of its own, with all its children."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    except ProcessLookupError:
        pass


def _environment(*, database: str, page_cache_seconds: int) -> dict[str, str]:
    """gunicorn's and the worker's: the forms' INFO lines (one per write) left out."""
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.settings",
        BENCH_DATABASE_NAME=database,
        PAGE_CACHE_SECONDS=str(page_cache_seconds),
        LOG_LEVEL="WARNING",
    )


@contextmanager
def gunicorn(*, database: str, page_cache_seconds: int):
    """gunicorn on a loopback port with bench.settings; yields the base URL."""
    port = free_port()
    env = _environment(database=database, page_cache_seconds=page_cache_seconds)
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {process.returncode}")
            try:
                with urllib.request.urlopen(f"{base}/__bench__/trivial/", timeout=5):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer within 60 s") from None
                time.sleep(0.3)
        yield base
    finally:
        _stop(process)


@contextmanager
def celery_worker(*, database: str, page_cache_seconds: int):
    """A Celery worker with gunicorn's settings and environment: it runs the page cache's
    refresh task and sends the forms' mails (to bench.settings' in-memory backend).
    Stopped, and its queue emptied, on leaving."""
    from portal.celery import app

    process = celery_worker_start(
        _environment(database=database, page_cache_seconds=page_cache_seconds)
    )
    try:
        yield process
    finally:
        _stop(process)
        app.control.purge()


@contextmanager
def serving(*, database: str, page_cache_seconds: int):
    """gunicorn, and a Celery worker when the page cache is on; yields the base URL."""
    with gunicorn(database=database, page_cache_seconds=page_cache_seconds) as base:
        if page_cache_seconds <= 0:
            yield base
            return
        with celery_worker(database=database, page_cache_seconds=page_cache_seconds):
            yield base


def page_cache_state(url: str) -> str:
    """One request: the X-Page-Cache header it came back with ('' when none)."""
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
        response.read()
        return response.headers.get("X-Page-Cache", "")


def wrk(
    url: str, *, duration: int, threads: int = 2, connections: int = 8, script: str = ""
) -> dict:
    """Requests per second and p95 latency (ms) of `url` under wrk; `script`, Lua loaded after
    the summary's (what it prints is returned in "output")."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script_file:
        script_file.write(WRK_SCRIPT + script)
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
        "-s", script_file.name, url,
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)  # noqa: S603
    try:
        output, _ = process.communicate(timeout=duration + 60)
    finally:
        _stop(process)
        os.unlink(script_file.name)
    line = next((x for x in output.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary for {url}:\n{output}")
    requests, duration_us, p95_us, bad_status, socket_errors = map(int, line.split()[1:])
    return {
        "requests": requests,
        "seconds": duration_us / 1e6,
        "p95_ms": p95_us / 1000,
        "errors": bad_status + socket_errors,
        "output": output,
    }


def _combined(runs: list[dict]) -> dict:
    """The slices of one URL as one figure: requests over time; p95, the slices' median."""
    p95s = sorted(run["p95_ms"] for run in runs)
    return {
        "rps": sum(run["requests"] for run in runs) / sum(run["seconds"] for run in runs),
        "p95_ms": p95s[len(p95s) // 2],
        "errors": sum(run["errors"] for run in runs),
        "output": "".join(run["output"] for run in runs),
    }


def alternated(
    base: str, paths: list[str], *, duration: int, scripts: dict[int, str] | None = None
) -> list[dict]:
    """Each of `paths` for `duration` seconds in SLICES slices taken in turn, so that all are
    measured in the same minutes: their figures, in the same order. `scripts` (Lua, by
    the index of the path it drives) get the slice's number in `slice`."""
    seconds = max(duration // SLICES, 1)
    runs: list[list[dict]] = [[] for _ in paths]
    for number in range(SLICES):
        for index, path in enumerate(paths):
            script = (scripts or {}).get(index, "")
            lua = f"slice = {number}\n{script}" if script else ""
            runs[index].append(wrk(base + path, duration=seconds, script=lua))
    return [_combined(path_runs) for path_runs in runs]


def measure(*, base: str, pages: dict[str, str], mode: str, duration: int) -> dict[str, dict]:
    """Each page on the server at `base`: {"page": figures, "trivial": the trivial view's,
    and cold, "layout": the layout alone's, measured in the slices between the page's};
    warm, "cache": the X-Page-Cache header of a request once warm."""
    for path in pages.values():  # every worker imports and renders each page once
        for _ in range(2 * WORKERS):
            page_cache_state(base + path)
    wrk(base + pages[TRIVIAL], duration=2)  # warm-up, not counted
    references = [TRIVIAL, LAYOUT] if mode == "cold" else [TRIVIAL]
    results: dict[str, dict] = {}
    for label, path in pages.items():
        if label in (TRIVIAL, LAYOUT):
            continue
        cache = page_cache_state(base + path) if mode == "warm" else ""
        *measured, page = alternated(
            base, [pages[name] for name in references] + [path], duration=duration
        )
        results[label] = {"page": page, **dict(zip(("trivial", "layout"), measured, strict=False))}
        if mode == "warm":  # stored by the warm-up requests
            results[label]["cache"] = cache
        layout = f", layout alone {measured[1]['rps']:.1f}" if mode == "cold" else ""
        print(
            f"  {mode:<4} {label:<20} {page['rps']:8.1f} req/s  "
            f"p95 {page['p95_ms']:7.1f} ms  errors {page['errors']}  "
            f"(meanwhile: trivial view {measured[0]['rps']:.1f}{layout} req/s)",
            flush=True,
        )
    return results
