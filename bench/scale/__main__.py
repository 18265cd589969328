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


def measure_load(urls: dict[str, str], args, lines: list) -> list[float]:
    """Cold pages; then, with the page cache and a Celery worker, warm pages, the pages just
    after a write and the mixed load. What the forms wrote is deleted afterwards. Returns
    the cold pages' ratios to the trivial view."""
    from bench.scale import load, report, writes

    with load.serving(database=FULL, page_cache_seconds=0) as base:
        cold = load.measure(base=base, pages=urls, mode="cold", duration=args.duration)
    last = writes.rows_last()
    try:
        with load.serving(database=FULL, page_cache_seconds=300) as base:
            warm = load.measure(base=base, pages=urls, mode="warm", duration=args.duration)
            lines += report.load_lines(cold, warm)
            print("Just after a write…", flush=True)
            registration = writes.after_registration(base, urls["action page"])
            edit = writes.after_edit(base, urls["action page"])
            lines += report.after_write_lines(registration, edit)
            print("Mixed load…", flush=True)
            lines += report.mixed_lines(writes.mixed(base, urls, duration=args.duration))
    finally:
        writes.rows_delete(last)
    return [measured["page"]["rps"] / measured["trivial"]["rps"] for measured in cold.values()]


def measure_full(args, lines: list) -> tuple[str, list[float]]:
    """Everything measured on the full database; returns the description of the data and
    the cold pages' ratios to the trivial view."""
    from bench.scale import burst, inprocess, report
    from bench.scale.data import pages

    urls = pages()
    sizes = inprocess.table_sizes()
    print("Pages: " + ", ".join(urls.values()), flush=True)
    counts = inprocess.query_counts(urls)
    lines += report.query_lines(counts, args.small_counts)
    print("Load (wrk -t2 -c8, gunicorn with 3 workers):", flush=True)
    cold_ratios = measure_load(urls, args, lines)
    print("Admin change lists…", flush=True)
    reference, times = inprocess.admin_times()
    lines += report.admin_lines(reference, times, sizes)
    print("Registration burst…", flush=True)
    lines += report.burst_lines(burst.measure(threads=args.threads, count=args.registrations))
    described = ", ".join(f"{report.thousands(n)} {name}" for name, n in sizes.items())
    return described, cold_ratios


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
        described, cold_ratios = measure_full(args, lines)
    finally:
        data.database_drop(full, keepdb=args.keepdb)
    measured = time.perf_counter() - started
    lines += other_benchmarks(args)

    body = "\n".join([
        f"Ten-year dataset (seed 0): {described}; {built(full)} "
        f"(the scale {SMALL_SCALE} one: {built(small)}). gunicorn with 3 workers and "
        f"bench.settings (DEBUG off), wrk -t2 -c8 on the same machine, {args.duration} s per "
        "page in five slices. \"Cold\": page cache off, each slice of a page right after one "
        "of the trivial view and one of the layout alone (base.html, empty): both references "
        "beside it are from the same minutes. \"Warm\": page cache on, after one request, "
        "slices alternating with the trivial view's, and a Celery worker (2 processes, same "
        "settings) running the page cache's refresh task and the forms' mails, which go to "
        "Django's in-memory backend (nowhere). \"Just after a registration\": a POST of the "
        "registration form (CSRF cookie and token from a GET first), then another visitor's "
        "GET of the action page and of the home page; the session's seats left are read in the "
        "page's live fragment before and after. \"Just after an edit\": the action's title "
        "saved through the ORM; Redis polled every 50 ms until the refresh task has stored "
        "both pages again, then one request of each. Mixed load: a wrk Lua script, every 20th "
        "request a POST (registration, info-doc request, subscription in turn, each with a new "
        "address, the honeypot empty, consent ticked, one CSRF cookie and token), the others "
        "GETs of the public pages above in turn, in slices alternating with the trivial "
        "view's and with the same mix whose POSTs go to a minimal form (bench/urls.py: CSRF, "
        "one email field, one row inserted, a redirect), the floor of any form's writes on "
        "this machine, and to the same form recording one plain mail in its transaction, sent "
        "by the worker (portal.core.mail, as every public form's confirmation), the floor of "
        "the public forms; a POST refused (status ≥ 400 or the form "
        "shown again with an error) counts against it, a POST still in flight when a slice "
        "ends is neither redirected nor refused, and the rows written, counted in the "
        "database, must lie between the redirects and the POSTs sent. The forms' rate "
        "limits per IP are raised in bench.settings, as every "
        "POST comes from 127.0.0.1; the rows written are deleted afterwards. Admin lists and "
        "SQL queries through the test client in process. This part took "
        f"{measured / 60:.1f} min.",
        "",
        "Peers, measured the same way on this machine (gunicorn, no page cache, wrk -t2 -c8 "
        "in slices alternating with the peer's own trivial view): issue 22 cites Wagtail's "
        "index page listing 20 children at 0.04 to 0.05 x and pretix's event page at 0.01 x. "
        "Wagtail 7.4's bakerydemo (commit 8e2b625, PostgreSQL full-text search backend), "
        "re-measured in December 2026 with 2 and 3 workers: its index pages 0.005 to 0.019 x "
        "(20 children: 0.005 to 0.009 x), its search page 0.006 to 0.011 x (9 results, no "
        "facets, no highlighting), its layout alone 0.035 to 0.057 x. The portal's public "
        f"pages, cold, in this run: {min(cold_ratios):.3f} to {max(cold_ratios):.3f} x its "
        "trivial view.",
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
