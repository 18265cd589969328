"""Benchmark of the annual report (issue 9): build time and peak memory beside WeasyPrint alone.

    .venv/bin/python bench/report.py [--keepdb] [--runs 3]

On the ten-year benchmark database (bench_portal, seed 0, scale 1, made by
bench.scale.data), the report of the latest complete year is built as the Celery task
builds it, annual_figures() then report_pdf(), in a fresh process each time so its
peak memory is the job's own. The reference, measured in the same run: WeasyPrint
alone rendering the same HTML (report_html(), saved to a file beforehand) with the
options of portal.core.pdf.render_pdf, also in a fresh process. In both, the clock
starts once Django is set up and WeasyPrint imported, as in a warm worker.

A database that already exists is reused (and kept); one this script creates is
dropped at the end unless --keepdb. The figures go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

DATABASE = "bench_portal"
TARGET_SECONDS = 15.0
TARGET_MB = 500.0
TARGET_RATIO = 1.3  # of WeasyPrint rendering the same HTML alone

FOREWORD = """\
{year} a confirmé la place du centre auprès des équipes des contrats de ville, des \
associations et des élu·es des trois départements : les démarches se sont multipliées, \
souvent à la demande des territoires eux-mêmes.

Les groupes d'échanges entre pairs ont accueilli de nouvelles professionnelles et de \
nouveaux professionnels, tandis que les cycles de qualification ont porté sur la \
participation des habitant·es, la santé et la réussite éducative.

Les publications ont suivi ce mouvement : fiches expériences, actes de rencontres et \
dossiers ressources rendent compte de ce qui se fait dans les quartiers.

Merci à toutes celles et à tous ceux qui ont fait vivre le réseau cette année."""

PERSPECTIVES = """\
L'année prochaine sera celle de la mise en œuvre des nouveaux contrats : le centre \
accompagnera les territoires dans leur animation et leur évaluation.

Un nouveau cycle sur la transition écologique dans les quartiers sera proposé, ainsi \
qu'un groupe d'échanges pour les coordinatrices et coordinateurs santé."""

BOARD = "\n".join(
    f"{name}, {role}"
    for name, role in [
        ("Hélène Marchand", "présidente"), ("Karim Benali", "vice-président"),
        ("Sophie Lefèvre", "trésorière"), ("Julien Roussel", "secrétaire"),
        ("Nadia Haddad", "Ville de Sarcelles"), ("Pierre Garnier", "CA de Cergy-Pontoise"),
        ("Amina Diallo", "Fédération des centres sociaux"), ("Luc Perrin", "personne qualifiée"),
        ("Claire Fontaine", "Ville d'Argenteuil"), ("Marc Aubert", "personne qualifiée"),
    ]
)  # fmt: skip


# Inside the measured processes -------------------------------------------------------------


def peak_kib() -> int:
    """This process's peak resident memory (VmHWM), in KiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def child_build(year: int) -> dict:
    """What the Celery task does: gather the figures, render the PDF, count its pages."""
    import django

    django.setup()
    import weasyprint  # noqa: F401 - loaded before the clock, as by the reference

    from portal.reports.pdf import report_pdf
    from portal.reports.selectors import annual_figures

    started = time.perf_counter()
    figures = annual_figures(year=year)
    gathered = time.perf_counter()
    document = report_pdf(figures)
    finished = time.perf_counter()
    return {
        "seconds": finished - started,
        "figures_seconds": gathered - started,
        "pages": document.pages,
        "bytes": len(document.content),
        "peak_kib": peak_kib(),
    }


def child_render(path: str) -> dict:
    """The reference: WeasyPrint alone on the saved HTML, with render_pdf's options."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    from portal.core.pdf import PDF_UA

    html = Path(path).read_text(encoding="utf-8")
    started = time.perf_counter()
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}))
    content = document.write_pdf(pdf_variant=PDF_UA, pdf_tags=True, attachments=[])
    finished = time.perf_counter()
    return {"seconds": finished - started, "bytes": len(content), "peak_kib": peak_kib()}


# The benchmark ---------------------------------------------------------------------------


def measured(kind: str, argument: str, *, pycache: str) -> dict:
    """Run one measure in a fresh Python process; its last line of output is JSON.

    Bytecode is written to and read from `pycache` (a directory of this run, so the
    work tree gets none), whatever PYTHONDONTWRITEBYTECODE says here.
    """
    env = dict(os.environ, BENCH_DATABASE_NAME=DATABASE, PYTHONPYCACHEPREFIX=pycache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    result = subprocess.run(  # noqa: S603 - this very script, fixed arguments
        [sys.executable, __file__, "--child", kind, argument],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise RuntimeError(f"the {kind} process failed (exit status {result.returncode})")
    return json.loads(result.stdout.strip().splitlines()[-1])


def database_exists(name: str) -> bool:
    from django.db import connection

    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def edition_ensure(year: int) -> None:
    """The directors' texts of a real report (the dataset has none): foreword, board…"""
    from portal.reports.models import ReportEdition

    ReportEdition.objects.get_or_create(
        year=year,
        defaults={
            "foreword": FOREWORD.format(year=year),
            "perspectives": PERSPECTIVES,
            "board": BOARD,
        },
    )


def html_save(year: int, directory: str) -> tuple[str, dict]:
    """The report's HTML, as render_pdf lays it out, and a description of the year."""
    from portal.reports.pdf import report_html
    from portal.reports.selectors import annual_figures

    figures = annual_figures(year=year)
    path = Path(directory) / f"rapport-{year}.html"
    path.write_text(report_html(figures), encoding="utf-8")
    described = {
        "actions": figures.participation.actions,
        "participations": figures.participation.participations,
        "publications": figures.publications.count,
        "requests": figures.requests.requests,
        "members": figures.members.total,
        "html_kb": path.stat().st_size / 1024,
    }
    return str(path), described


def thousands(count: float) -> str:
    return f"{count:,.0f}".replace(",", "\u202f")


def measure(year: int, runs: int) -> bool:
    from bench.results import section_write, verdict

    with tempfile.TemporaryDirectory(prefix="bench-report-") as directory:
        path, described = html_save(year, directory)
        pycache = str(Path(directory) / "pycache")
        # Untimed warm-up, one of each: compiles the bytecode the measured runs read, and
        # warms the caches of the system and PostgreSQL. Its figures are those of a cold
        # start without compiled bytecode.
        cold_build = measured("build", str(year), pycache=pycache)
        cold_render = measured("render", path, pycache=pycache)
        print(
            f"Warm-up: build {cold_build['seconds']:.2f} s, "
            f"WeasyPrint alone {cold_render['seconds']:.2f} s",
            flush=True,
        )
        builds, renders = [], []
        for run in range(1, runs + 1):
            builds.append(measured("build", str(year), pycache=pycache))
            renders.append(measured("render", path, pycache=pycache))
            print(
                f"Run {run}: build {builds[-1]['seconds']:.2f} s "
                f"({builds[-1]['peak_kib'] / 1024:.0f} MB), WeasyPrint alone "
                f"{renders[-1]['seconds']:.2f} s ({renders[-1]['peak_kib'] / 1024:.0f} MB)",
                flush=True,
            )

    build_s = median(b["seconds"] for b in builds)
    figures_s = median(b["figures_seconds"] for b in builds)
    render_s = median(r["seconds"] for r in renders)
    build_mb = median(b["peak_kib"] for b in builds) / 1024
    render_mb = median(r["peak_kib"] for r in renders) / 1024
    ratio = build_s / render_s
    pages, size_kb = builds[-1]["pages"], builds[-1]["bytes"] / 1024

    reference = f"WeasyPrint alone: {render_s:.2f} s"
    lines = [
        (f"build time, report {year} ({pages} pages)",
         f"{build_s:.2f} s (figures {figures_s:.2f} s)", reference,
         f"≤ {TARGET_SECONDS:.0f} s", build_s <= TARGET_SECONDS),
        ("build peak memory", f"{build_mb:.0f} MB", f"WeasyPrint alone: {render_mb:.0f} MB",
         f"≤ {TARGET_MB:.0f} MB", build_mb <= TARGET_MB),
        ("build / WeasyPrint alone", f"{ratio:.2f}", f"1.00 ({reference})",
         f"≤ {TARGET_RATIO}", ratio <= TARGET_RATIO),
    ]  # fmt: skip
    for label, value, ref, target, ok in lines:
        print(f"{verdict(ok)}  {label}: {value} | {ref} | target {target}", flush=True)

    body = "\n".join([
        f"Report of {year}, the latest complete year of the ten-year dataset (seed 0): "
        f"{described['actions']} actions, {thousands(described['participations'])} "
        f"participations, {described['publications']} publications, "
        f"{described['requests']} info-doc requests, {described['members']} members; "
        f"{described['html_kb']:.0f} KB of HTML, a PDF of {pages} pages and {size_kb:.0f} KB. "
        f"Median of {runs} runs, each in a fresh process (peak memory: its VmHWM); the clock "
        "starts once Django is set up and WeasyPrint imported, in both. The build is "
        "annual_figures() + report_pdf(), as the Celery task runs them; the reference is "
        "WeasyPrint alone rendering the same HTML, saved beforehand, with render_pdf's "
        "options (PDF/UA-1, tagged, data: URLs only). An untimed warm-up run of each "
        "compiles the bytecode the measured runs read; without it (PYTHONDONTWRITEBYTECODE=1, "
        f"as in the Dockerfile) the first build in a process took {cold_build['seconds']:.2f} s "
        f"and WeasyPrint alone {cold_render['seconds']:.2f} s.",
        "",
        "| figure | portal | reference (same run) | target | verdict |",
        "|---|---|---|---|---|",
        *(f"| {label} | {value} | {ref} | {target} | {verdict(ok)} |"
          for label, value, ref, target, ok in lines),
    ])  # fmt: skip
    section_write("Annual report (bench/report.py)", body)
    return all(ok for *_rest, ok in lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keepdb", action="store_true", help="keep the database at the end")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "ARGUMENT"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, argument = args.child
        result = child_build(int(argument)) if kind == "build" else child_render(argument)
        print(json.dumps(result))
        return 0

    import django

    django.setup()
    from django.utils import timezone

    from bench.scale.data import database_drop, database_prepare

    year = timezone.localdate().year - 1  # the dataset ends on 1 July of this year
    keep = args.keepdb or database_exists(DATABASE)
    if keep and not args.keepdb:
        print(f"{DATABASE} exists already: reused, and kept at the end.", flush=True)
    database = database_prepare(name=DATABASE, scale=1.0, keepdb=keep)
    try:
        edition_ensure(year)
        passed = measure(year, args.runs)
    finally:
        database_drop(database, keepdb=keep)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
