"""Entry point of bench/run (see bench/scale/__init__.py)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
FULL, SMALL = "bench_portal", "bench_portal_small"
SMALL_SCALE = 0.05


def other_benchmarks(args) -> list:
    """bench/newsletter.py and bench/report.py when present: their exit status is a line."""
    lines = []
    for name in ("newsletter.py", "report.py"):
        script = BASE_DIR / "bench" / name
        if not script.exists() or (name == "newsletter.py" and args.no_newsletter):
            continue
        print(f"Running bench/{name}…", flush=True)
        started = time.perf_counter()
        status = subprocess.run([sys.executable, str(script)], cwd=BASE_DIR, check=False)  # noqa: S603
        minutes = (time.perf_counter() - started) / 60
        lines.append((
            f"bench/{name} (its own section)", f"exit status {status.returncode}",
            f"{minutes:.1f} min", "exit status 0", status.returncode == 0,
        ))  # fmt: skip
    return lines


def built(database) -> str:
    if database.generated:
        return f"built in {database.seconds:.0f} s"
    return "kept from an earlier run (--keepdb)"


def measure_full(args, lines: list) -> str:
    """Everything measured on the full database; returns the description of the data."""
    from bench.scale import burst, inprocess, load, report
    from bench.scale.data import pages

    urls = pages()
    sizes = inprocess.table_sizes()
    print("Pages: " + ", ".join(urls.values()), flush=True)
    counts = inprocess.query_counts(urls)
    lines += report.query_lines(counts, args.small_counts)
    print("Load (wrk -t2 -c8, gunicorn with 3 workers):", flush=True)
    lines += report.load_lines(load.measure(pages=urls, database=FULL, duration=args.duration))
    print("Admin change lists…", flush=True)
    reference, times = inprocess.admin_times()
    lines += report.admin_lines(reference, times, sizes)
    print("Registration burst…", flush=True)
    lines += report.burst_lines(burst.measure(threads=args.threads, count=args.registrations))
    return ", ".join(f"{report.thousands(n)} {name}" for name, n in sizes.items())


def main() -> int:
    parser = argparse.ArgumentParser(description="Scale benchmark on a ten-year dataset.")
    parser.add_argument("--keepdb", action="store_true", help="reuse (and keep) the databases")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--registrations", type=int, default=320)
    parser.add_argument("--no-newsletter", action="store_true", help="skip bench/newsletter.py")
    args = parser.parse_args()

    started = time.perf_counter()
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    os.environ.pop("BENCH_DATABASE_NAME", None)
    import django

    django.setup()
    from bench.results import section_write
    from bench.scale import data, inprocess, report

    lines: list = []
    small = data.database_prepare(name=SMALL, scale=SMALL_SCALE, keepdb=args.keepdb)
    try:
        args.small_counts = inprocess.query_counts(data.pages())
    finally:
        data.database_drop(small, keepdb=args.keepdb)
    full = data.database_prepare(name=FULL, scale=1.0, keepdb=args.keepdb)
    try:
        described = measure_full(args, lines)
    finally:
        data.database_drop(full, keepdb=args.keepdb)
    measured = time.perf_counter() - started
    lines += other_benchmarks(args)

    body = "\n".join([
        f"Ten-year dataset (seed 0): {described}; {built(full)} "
        f"(the scale {SMALL_SCALE} one: {built(small)}). gunicorn with 3 workers and "
        f"bench.settings (DEBUG off), wrk -t2 -c8 on the same machine, {args.duration} s per "
        "page in five slices alternating with as many of the trivial view (its figure beside "
        "each page is from those slices); \"cold\": page cache off, \"warm\": on, after one "
        "request. Admin lists and SQL queries through the test client in process. This part took "
        f"{measured / 60:.1f} min.",
        "",
        report.table(lines),
    ])  # fmt: skip
    section_write("Scale (bench/run)", body)
    print(report.console(lines))
    failed = sum(not ok for *_rest, ok in lines)
    total = (time.perf_counter() - started) / 60
    print(f"{len(lines) - failed} PASS, {failed} FAIL, {total:.1f} min in all")
    return 0 if lines and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
