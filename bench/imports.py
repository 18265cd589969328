"""Benchmark of the spreadsheet imports (issue 18): a real list, checked then saved, beside
a plain bulk_create of the same rows.

    .venv/bin/python bench/imports.py [--runs 3]

Two files as a centre sends them: 7,500 subscribers (Excel's CSV: Windows-1252, « ; »)
and 60,000 attendance lines over 300 sessions (an XLSX workbook: 15,000 people, each at
four sessions). Each is checked (the dry run) and then saved as the worker does it
(portal.core.sheets.jobs: import_job_check, then import_job_save), each step in a fresh
Python process, so its peak memory (VmHWM) is the step's own. The reference, measured in
the same run in a fresh process: the same rows parsed from the same file and written with
one bulk_create per model, with no check at all. Targets: each step at most 5 times the reference,
and ≤ 30 s for the 7,500 subscribers.

The benchmark's own empty database (bench_imports) is created, then dropped at the end.
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

DATABASE = "bench_imports"
SUBSCRIBERS = 7_500
PEOPLE, SESSIONS, ATTENDED = 15_000, 300, 4  # 60,000 attendance lines
TARGET_RATIO = 5.0
TARGET_SUBSCRIBER_SECONDS = 30.0
DEPARTMENTS = (("95", "Val-d'Oise"), ("78", "Yvelines"), ("92", "Hauts-de-Seine"))
SUBSCRIBER_HEADER = ("Courriel", "Prénom", "Nom", "Structure", "Type d'acteur", "Département",
                     "Base du consentement", "Date du consentement")  # fmt: skip
ACTOR_TYPES = ("Agent·e de collectivité", "Association", "Élu·e", "Habitant·e")


def peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


# The files ---------------------------------------------------------------------------------


def subscribers_file(path: Path) -> None:
    import csv

    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(SUBSCRIBER_HEADER)
        for n in range(SUBSCRIBERS):
            code, name = DEPARTMENTS[n % 3]
            writer.writerow([
                f"abonne.{n}@exemple-{n % 97}.fr", f"Prénom{n}", f"Nom{n}", f"Structure {n % 400}",
                ACTOR_TYPES[n % 4], name if n % 2 else code, "Liste reprise en 2019", "15/03/2019",
            ])  # fmt: skip


def attendance_file(path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Présences")
    sheet.append(["Séance", "Nom", "Prénom", "Courriel", "Structure", "Département",
                  "Type d'acteur", "Présent"])  # fmt: skip
    for session in range(SESSIONS):
        for seat in range(PEOPLE * ATTENDED // SESSIONS):
            n = (session * 50 + seat) % PEOPLE
            sheet.append([
                session_reference(session), f"Nom{n}", f"Prénom{n}", f"personne.{n}@exemple.fr",
                f"Structure {n % 400}", DEPARTMENTS[n % 3][0], ACTOR_TYPES[n % 4], "oui",
            ])  # fmt: skip
    workbook.save(path)


KINDS = {
    "newsletter.subscribers": ("abonnes.csv", subscribers_file),
    "events.attendance": ("presences.xlsx", attendance_file),
}


def session_reference(index: int) -> str:
    return f"S{index + 1:06d}"


def sessions_prepare() -> None:
    """300 past sessions of 60 actions, whose references the attendance file names."""
    import datetime

    from django.utils import timezone

    from events.models import Action, ActionStatus, Session

    actions = Action.objects.bulk_create(
        Action(title=f"Action {n}", slug=f"action-{n}", format="workshop",
               status=ActionStatus.PUBLISHED)
        for n in range(60)
    )  # fmt: skip
    start = timezone.make_aware(datetime.datetime(2024, 1, 8, 9, 30))  # noqa: DTZ001
    Session.objects.bulk_create(
        Session(
            id=index + 1,
            action=actions[index % 60],
            starts_at=start + datetime.timedelta(days=index),
            ends_at=start + datetime.timedelta(days=index, hours=3),
        )
        for index in range(SESSIONS)
    )


# Inside the measured processes -------------------------------------------------------------


def child(kind: str, step: str, path: str) -> dict:
    import django

    django.setup()
    from django.db import connection

    from portal.core.models import ImportJob, ImportJobStatus
    from portal.core.sheets.jobs import import_job_check, import_job_save

    started = time.perf_counter()
    if step == "reference":
        rows = reference_write(kind, Path(path))
    else:
        job = ImportJob.objects.get(kind=kind, status__in=["checking", "importing"])
        if step == "check":
            import_job_check(job_id=job.pk)
        else:
            import_job_save(job_id=job.pk)
        job.refresh_from_db()
        rows = job.result.get("rows", 0)
        if (
            job.status not in (ImportJobStatus.CHECKED, ImportJobStatus.DONE)
            or job.result["counts"]["error"]
        ):
            raise RuntimeError(f"{kind} {step}: {job.status} {job.error} {job.result}")
    seconds = time.perf_counter() - started
    connection.close()
    return {"seconds": seconds, "rows": rows, "peak_kib": peak_kib()}


def reference_write(kind: str, path: Path) -> int:
    """The same rows, parsed from the same file, written with one bulk_create per model."""
    from django.db import transaction

    from members.models import Person
    from newsletter.models import Subscriber
    from portal.core.models import Department
    from portal.core.sheets.reading import rows_read

    departments = dict(Department.objects.values_list("code", "pk"))
    names = {name: code for code, name in DEPARTMENTS}
    body = rows_read(path.read_bytes())[1:]
    with transaction.atomic():
        if kind == "newsletter.subscribers":
            Subscriber.objects.bulk_create(
                [
                    Subscriber(
                        email=c[0], first_name=c[1], last_name=c[2], organisation=c[3],
                        department_id=departments[names.get(c[5], c[5])], status="active",
                        consent_basis=c[6], consent_source="import",
                    )
                    for c in (row.cells for row in body)
                ],
                batch_size=1000,
            )  # fmt: skip
        else:
            from events.models import Attendance

            people = {}
            for row in body:
                c = row.cells
                people.setdefault(c[3], Person(
                    last_name=c[1], first_name=c[2], email=c[3], department_id=departments[c[5]],
                ))  # fmt: skip
            Person.objects.bulk_create(people.values(), batch_size=1000)
            Attendance.objects.bulk_create(
                [
                    Attendance(session_id=int(row.cells[0][1:]), person=people[row.cells[3]],
                               present=True)
                    for row in body
                ],
                batch_size=1000,
            )  # fmt: skip
    return len(body)


# The benchmark ---------------------------------------------------------------------------


def measured(kind: str, step: str, path: Path, pycache: str) -> dict:
    env = dict(os.environ, BENCH_DATABASE_NAME=DATABASE, PYTHONPYCACHEPREFIX=pycache)
    result = subprocess.run(  # noqa: S603 - this very script, fixed arguments
        [sys.executable, __file__, "--child", kind, step, str(path)],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise RuntimeError(f"{kind} {step} failed (exit status {result.returncode})")
    return json.loads(result.stdout.strip().splitlines()[-1])


def job_start(kind: str, path: Path) -> None:
    """A job as the upload page leaves it for the worker (the file stored, to be checked)."""
    from django.core.files import File

    from portal.core.models import ImportJob

    job = ImportJob(kind=kind, file_name=path.name)
    with path.open("rb") as handle:
        job.file.save(path.name, File(handle), save=False)
    job.save()


def records_clear() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE newsletter_subscriber, events_attendance, members_person, "
            "core_importjob, core_auditentry CASCADE"
        )


def run_kind(kind: str, path: Path, runs: int, pycache: str) -> dict:
    from portal.core.models import ImportJob, ImportJobStatus

    figures: dict[str, list[dict]] = {"reference": [], "check": [], "save": []}
    records_clear()
    measured(kind, "reference", path, pycache)  # untimed warm-up: bytecode, caches
    for run in range(1, runs + 1):
        records_clear()
        figures["reference"].append(measured(kind, "reference", path, pycache))
        records_clear()  # the import writes the same rows again, into empty tables
        job_start(kind, path)
        figures["check"].append(measured(kind, "check", path, pycache))
        ImportJob.objects.filter(kind=kind).update(status=ImportJobStatus.IMPORTING)
        figures["save"].append(measured(kind, "save", path, pycache))
        print(
            f"{kind} run {run}: "
            + ", ".join(
                f"{step} {values[-1]['seconds']:.2f} s" for step, values in figures.items()
            ),
            flush=True,
        )
    return {
        step: {
            "seconds": median(v["seconds"] for v in values),
            "peak_mb": median(v["peak_kib"] for v in values) / 1024,
            "rows": values[-1]["rows"],
        }
        for step, values in figures.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    parser.add_argument(
        "--child", nargs=3, metavar=("KIND", "STEP", "PATH"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from bench.results import section_write, verdict
    from portal.core.models import Department

    connection.settings_dict["TEST"]["NAME"] = DATABASE
    old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"},
                                 serialized_aliases=set())  # fmt: skip
    try:
        with tempfile.TemporaryDirectory(prefix="bench-imports-") as directory:
            folder = Path(directory)
            Department.objects.bulk_create(Department(code=c, name=n) for c, n in DEPARTMENTS)
            sessions_prepare()
            files = {kind: folder / KINDS[kind][0] for kind in args.kinds}
            for kind, path in files.items():
                KINDS[kind][1](path)
            results = {
                kind: run_kind(kind, path, args.runs, str(folder / "pycache"))
                for kind, path in files.items()
            }
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)

    lines = []
    for kind, label, limit in (
        ("newsletter.subscribers", f"{SUBSCRIBERS:,} subscribers (CSV)", TARGET_SUBSCRIBER_SECONDS),
        ("events.attendance", f"{PEOPLE * ATTENDED:,} attendance lines (XLSX)", None),
    ):
        if kind not in results:
            continue
        figures = results[kind]
        reference = figures["reference"]
        for step, name in (("check", "dry run"), ("save", "confirm")):
            seconds, ratio = (
                figures[step]["seconds"],
                figures[step]["seconds"] / reference["seconds"],
            )
            ok = ratio <= TARGET_RATIO and (limit is None or seconds <= limit)
            target = f"≤ {TARGET_RATIO:.0f} x" + (f", ≤ {limit:.0f} s" if limit else "")
            lines.append((
                f"{label.replace(',', chr(0x202F))}: {name}",
                f"{seconds:.2f} s ({ratio:.1f} x), peak {figures[step]['peak_mb']:.0f} MB",
                f"bulk_create: {reference['seconds']:.2f} s, peak {reference['peak_mb']:.0f} MB",
                target, ok,
            ))  # fmt: skip
    for label, value, ref, target, ok in lines:
        print(f"{verdict(ok)}  {label}: {value} | {ref} | target {target}", flush=True)
    body = "\n".join([
        f"Median of {args.runs} runs. Each step runs in a fresh process, as a worker runs it "
        "(portal.core.sheets.jobs: import_job_check, then import_job_save on the stored file); "
        "peak memory is the process's VmHWM, Django included. The reference parses the same "
        "file and writes the same rows with one bulk_create per model, without any check. "
        "Subscribers: Excel's CSV (Windows-1252, « ; »), 7,500 new addresses. Attendance: an "
        "XLSX of 60,000 lines over 300 sessions, 15,000 people created, 60,000 attendances.",
        "",
        "| figure | import | reference (same run) | target | verdict |",
        "|---|---|---|---|---|",
        *(f"| {label} | {value} | {ref} | {target} | {verdict(ok)} |"
          for label, value, ref, target, ok in lines),
    ])  # fmt: skip
    section_write("Imports (bench/imports.py)", body)
    return 0 if all(ok for *_rest, ok in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
