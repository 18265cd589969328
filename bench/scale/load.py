"""HTTP load: gunicorn serving bench.settings, wrk measuring throughput and p95 latency."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
WORKERS = 3  # as in the Dockerfile and docker-compose.yml
# Each page is loaded in this many slices, each right after a slice of the trivial view:
# a shared machine's speed drifts within minutes, and the ratio must compare like with like.
SLICES = 5
TRIVIAL = "trivial view"
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(95), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


@contextmanager
def gunicorn(*, database: str, page_cache_seconds: int):
    """gunicorn on a loopback port with bench.settings; yields the base URL."""
    port = _free_port()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.settings",
        BENCH_DATABASE_NAME=database,
        PAGE_CACHE_SECONDS=str(page_cache_seconds),
    )
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


def page_cache_state(url: str) -> str:
    """One request: the X-Page-Cache header it came back with ('' when none)."""
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
        response.read()
        return response.headers.get("X-Page-Cache", "")


def wrk(url: str, *, duration: int, threads: int = 2, connections: int = 8) -> dict:
    """Requests per second and p95 latency (ms) of `url` under wrk."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
        "-s", script.name, url,
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)  # noqa: S603
    try:
        output, _ = process.communicate(timeout=duration + 60)
    finally:
        _stop(process)
        os.unlink(script.name)
    line = next((x for x in output.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary for {url}:\n{output}")
    requests, duration_us, p95_us, bad_status, socket_errors = map(int, line.split()[1:])
    return {
        "requests": requests,
        "seconds": duration_us / 1e6,
        "p95_ms": p95_us / 1000,
        "errors": bad_status + socket_errors,
    }


def _combined(runs: list[dict]) -> dict:
    """The slices of one URL as one figure: requests over time; p95, the slices' median."""
    p95s = sorted(run["p95_ms"] for run in runs)
    return {
        "rps": sum(run["requests"] for run in runs) / sum(run["seconds"] for run in runs),
        "p95_ms": p95s[len(p95s) // 2],
        "errors": sum(run["errors"] for run in runs),
    }


def _alternated(base: str, path: str, trivial: str, *, duration: int) -> tuple[dict, dict]:
    """The page and the trivial view, each for `duration` seconds in SLICES alternating
    slices: (the page's figures, the trivial view's of the same minutes)."""
    seconds = max(duration // SLICES, 1)
    page_runs, trivial_runs = [], []
    for _ in range(SLICES):
        trivial_runs.append(wrk(base + trivial, duration=seconds))
        page_runs.append(wrk(base + path, duration=seconds))
    return _combined(page_runs), _combined(trivial_runs)


def measure(*, pages: dict[str, str], database: str, duration: int) -> dict[str, dict]:
    """For each page, with the page cache off (cold) and on after one request (warm):
    {"page": figures, "trivial": the trivial view's, measured alternately with it}."""
    results: dict[str, dict] = {"cold": {}, "warm": {}, "cache": {}}
    for mode, seconds in (("cold", 0), ("warm", 300)):
        with gunicorn(database=database, page_cache_seconds=seconds) as base:
            for path in pages.values():  # every worker imports and renders each page once
                for _ in range(2 * WORKERS):
                    page_cache_state(base + path)
            wrk(base + pages[TRIVIAL], duration=2)  # warm-up, not counted
            for label, path in pages.items():
                if label == TRIVIAL:
                    continue
                if mode == "warm":  # stored by the warm-up requests
                    results["cache"][label] = page_cache_state(base + path)
                page, trivial = _alternated(base, path, pages[TRIVIAL], duration=duration)
                print(
                    f"  {mode:<4} {label:<20} {page['rps']:8.1f} req/s  "
                    f"p95 {page['p95_ms']:7.1f} ms  errors {page['errors']}  "
                    f"(trivial view meanwhile: {trivial['rps']:.1f} req/s)",
                    flush=True,
                )
                results[mode][label] = {"page": page, "trivial": trivial}
    return results
