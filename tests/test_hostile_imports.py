"""Every import of the back office, sent hostile files (issue 18): wrong columns, bad values,
a 50 MB file, a zip bomb dressed as XLSX, formulas, NUL bytes. Each gets a French message,
never a server error, and writes nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.html import escape

from portal.core.models import ImportJob, ImportJobStatus
from portal.core.sheets.registry import importers
from tests.sheets import csv_bytes, import_confirm, import_upload, last_job, xlsx_bytes

pytestmark = pytest.mark.django_db

KINDS = [importer.key for importer in importers()]
OPTIONS = {"core.populations": {"year": "2021"}}  # the options an import requires
# The records an import may create, whichever it is: none may appear.
WATCHED = [
    "core.department", "core.commune", "core.epci", "members.organisation", "members.person",
    "members.duesrule", "members.membership", "events.action", "events.session",
    "events.attendance", "events.headcount", "publications.publication", "infodoc.inforequest",
    "newsletter.subscriber", "newsletter.issue",
]  # fmt: skip


def records() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in WATCHED}


def zip_bomb() -> bytes:
    """A few hundred KB that would unpack into 310 MB, named like a workbook."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _megabyte in range(310):
                member.write(bytes(1024 * 1024))
    return buffer.getvalue()


def header(kind: str) -> list[str]:
    return [str(column.label) for column in next(i for i in importers() if i.key == kind).columns]


def hostile_files(kind: str) -> dict[str, tuple[bytes, str]]:
    labels = header(kind)
    formulas = [['=HYPERLINK("http://evil.example","clic")'] * len(labels)] * 2
    return {
        "wrong columns": (csv_bytes([["Colonne", "Autre"], ["a", "b"]]), "mauvais.csv"),
        "bad values": (csv_bytes([labels, ["x" * 300, "31/02/2024", "abc"] * 8]), "valeurs.csv"),
        "formulas": (xlsx_bytes([labels, *formulas]), "formules.xlsx"),
        "nul bytes": (b"\x00".join(label.encode() for label in labels) + b"\n\x00\x00\n", "a.csv"),
        "zip bomb": (zip_bomb(), "classeur.xlsx"),
        "not a spreadsheet": (b"%PDF-1.7\n%\xe2\xe3\n", "liste.xlsx"),
    }


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_files_get_a_french_message_and_write_nothing(staff_client, kind, settings):
    settings.IMPORT_INLINE_KB = 10_000  # checked in the request, as a small file is
    before = records()
    for case, (data, name) in hostile_files(kind).items():
        response = import_upload(staff_client, kind, data, name, **OPTIONS.get(kind, {}))
        assert response.status_code == 200, case
        job = last_job()
        assert job.status in (ImportJobStatus.FAILED, ImportJobStatus.CHECKED), case
        problems = job.result.get("file_errors") or [m for _line, m in job.result["errors"]]
        assert problems, f"{case}: no message"
        assert not job.result.get("counts", {}).get("create"), case
        text = response.content.decode()
        assert escape(problems[0]) in text, case  # shown on the page, in French (see locale)
        assert "None" not in text, case
        confirm = import_confirm(staff_client, job)
        assert confirm.status_code == 200, case
        assert records() == before, case


@pytest.mark.parametrize("kind", KINDS)
def test_a_50_mb_file_is_refused_before_it_is_read(staff_client, kind):
    data = b"a;b\n" * (50 * 1024 * 1024 // 4)
    response = import_upload(staff_client, kind, data, "gros.csv", **OPTIONS.get(kind, {}))
    assert response.status_code == 200
    assert "Ce fichier dépasse 20 Mo" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_unknown_kind_is_not_found(staff_client):
    response = staff_client.get(reverse("admin:core_importjob_upload", args=["no.such.kind"]))
    assert response.status_code == 404
