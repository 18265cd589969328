"""Spreadsheets as people send them, and the import pages driven as staff drive them.

`xlsx_bytes`, `ods_bytes` and `csv_bytes` write rows of cells (the first row: the
headers) the way Excel and LibreOffice do; `import_upload` sends a file to an import's
page, `import_confirm` confirms it, `import_through_pages` does both and checks that
every line went in.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from xml.sax.saxutils import escape

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.core.models import ImportJob, ImportJobStatus


def xlsx_bytes(rows: list[list], *, title: str = "Feuille1", before: list[list] = ()) -> bytes:
    """A workbook whose sheet `title` holds `rows`, after a sheet of `before` if given."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if before:
        sheet.title = "Notes"
        for row in before:
            sheet.append(row)
        sheet = workbook.create_sheet()
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: list[list], *, encoding: str = "utf-8", delimiter: str = ";", bom: bool = False
) -> bytes:
    """CSV as spreadsheets save it: Excel on French Windows writes cp1252 and « ; »."""
    stream = io.StringIO()
    csv.writer(stream, delimiter=delimiter, lineterminator="\r\n").writerows(
        [["" if cell is None else _csv_cell(cell) for cell in row] for row in rows]
    )
    data = stream.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def _csv_cell(cell) -> str:
    if isinstance(cell, date | datetime):
        return cell.strftime("%d/%m/%Y")
    return str(cell)


def _ods_cell(cell) -> str:
    if cell is None:
        return "<table:table-cell/>"
    if isinstance(cell, bool):
        value = "true" if cell else "false"
        return f'<table:table-cell office:value-type="boolean" office:boolean-value="{value}"/>'
    if isinstance(cell, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{cell}">'
            f"<text:p>{cell}</text:p></table:table-cell>"
        )
    if isinstance(cell, date | datetime):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{cell.isoformat()}">'
            f"<text:p>{cell:%d/%m/%Y}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(str(cell))}</text:p>'
        "</table:table-cell>"
    )


def _ods_table(name: str, rows: list[list]) -> str:
    body = "".join(
        "<table:table-row>"
        + "".join(_ods_cell(cell) for cell in row)
        + '<table:table-cell table:number-columns-repeated="1020"/></table:table-row>'
        for row in rows
    )
    return (
        f'<table:table table:name="{name}">{body}'
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        "</table:table>"
    )


def ods_bytes(rows: list[list], *, before: list[list] = ()) -> bytes:
    """An OpenDocument spreadsheet as LibreOffice writes it: the sheet's unused rest as
    repeated empty rows and cells; a first sheet of `before` if given."""
    tables = (_ods_table("Notes", before) if before else "") + _ods_table("Feuille1", rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.3"><manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return buffer.getvalue()


# The pages -------------------------------------------------------------------------------


def import_upload(client, kind: str, data: bytes, name: str = "fichier.xlsx", **options):
    """Send `data` to the import `kind` (as its page does); the response, followed."""
    upload = SimpleUploadedFile(name, data)
    return client.post(
        reverse("admin:core_importjob_upload", args=[kind]),
        {"file": upload, **options},
        follow=True,
    )


def last_job() -> ImportJob:
    return ImportJob.objects.order_by("-pk").first()


def import_confirm(client, job: ImportJob, *, valid_only: bool = False):
    data = {"valid_only": "1"} if valid_only else {}
    return client.post(reverse("admin:core_importjob_confirm", args=[job.pk]), data, follow=True)


def import_through_pages(client, kind: str, data: bytes, name: str = "fichier.xlsx", **options):
    """Upload, check that every line is valid, confirm, check that it is done; the job."""
    response = import_upload(client, kind, data, name, **options)
    assert response.status_code == 200, response.status_code
    job = last_job()
    assert job.status == ImportJobStatus.CHECKED, (job.status, job.error, job.result)
    assert not job.result["errors"], job.result["errors"][:10]
    response = import_confirm(client, job)
    assert response.status_code == 200
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE, (job.status, job.error, job.result.get("errors"))
    return job
