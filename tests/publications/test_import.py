"""Bulk import of existing publications: preview, all or nothing, clear errors, no 500."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from publications.import_files import import_files_from
from publications.imports import publications_import_check, publications_import_run
from publications.models import Publication, PublicationKind, PublicationStatus
from tests.publications.admin_factories import (
    AdminPublicationFactory,
    DepartmentFactory,
    media_root,  # noqa: F401 - fixture
    pdf_bytes,
    zip_bytes,
)

pytestmark = pytest.mark.usefixtures("media_root")

URL = "admin:publications_publication_import"
HEADER = ["titre", "type", "date", "résumé", "thèmes", "territoires", "auteurs", "fichier"]


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def departments(db):
    return [DepartmentFactory(code="95", name="Val-d'Oise"), DepartmentFactory(code="78")]


def csv_bytes(rows, *, header=HEADER, delimiter=";", encoding="utf-8") -> bytes:
    stream = io.StringIO()
    csv.writer(stream, delimiter=delimiter).writerows([header, *rows])
    return stream.getvalue().encode(encoding)


def upload(name: str, data: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type)


def last_year(month: int, day: int) -> str:
    return f"{day:02d}/{month:02d}/{timezone.localdate().year - 1}"


def good_rows():
    future = (timezone.localdate() + timedelta(days=30)).strftime("%d/%m/%Y")
    return [
        ["Recueil fiches expériences", "Recueil", last_year(12, 18),
         "Les fiches de l'année.", "Jeunesse, Santé", "95, 78", "L'équipe", "recueil.pdf"],
        ["Actes de la rencontre", "actes", future, "", "participation-des-habitantes", "95", "",
         "dossier/actes.PDF"],
        ["Kit Limit's", "Kit pédagogique", last_year(10, 3), "Un kit.", "", "", "", ""],
    ]  # fmt: skip


def preview(client, csv_data: bytes, *, archive: bytes | None = None, files=(), **extra):
    data = {"csv_file": upload("publications.csv", csv_data, "text/csv"), **extra}
    if archive is not None:
        data["archive"] = upload("pdf.zip", archive, "application/zip")
    if files:
        data["files"] = [upload(name, content, "application/pdf") for name, content in files]
    return client.post(reverse(URL), data)


def row_errors(response) -> dict[int, list[str]]:
    return {row.line: row.errors for row in response.context["report"].rows if row.errors}


# Happy paths ---------------------------------------------------------------------------


def test_a_csv_and_a_zip_are_previewed_then_imported(staff_client, departments, settings):
    archive = zip_bytes({"recueil.pdf": pdf_bytes(), "dossier/actes.pdf": pdf_bytes()})
    response = preview(staff_client, csv_bytes(good_rows()), archive=archive)

    assert response.status_code == 200
    report = response.context["report"]
    assert report.is_valid and len(report.rows) == 3
    assert response.context["token"]
    assert not Publication.objects.exists()  # a dry run

    done = staff_client.post(reverse(URL), {"confirm": "1", "token": response.context["token"]})
    assert done.status_code == 302
    assert Publication.objects.count() == 3
    recueil = Publication.objects.get(slug="recueil-fiches-experiences")
    assert recueil.kind == PublicationKind.EXPERIENCE_COLLECTION
    assert recueil.status == PublicationStatus.PUBLISHED
    assert {t.slug for t in recueil.themes.all()} == {"jeunesse", "sante"}
    assert {d.code for d in recueil.departments.all()} == {"95", "78"}
    assert recueil.authors == "L'équipe"
    with recueil.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    actes = Publication.objects.get(slug="actes-de-la-rencontre")
    assert actes.status == PublicationStatus.SCHEDULED  # dated in the future
    assert actes.file.name.endswith("actes.pdf")  # the file found, whatever the case
    assert not Publication.objects.get(slug="kit-limits").file
    staging = Path(settings.MEDIA_ROOT) / "imports" / "publications"
    assert not any(staging.rglob("*.*"))  # the staged files are gone


def test_separate_files_commas_and_drafts(staff_client, departments):
    themes = "Santé | participation des habitant-es"  # names typed loosely are recognised
    rows = [["Actes", "Proceedings", "2023-04-14", "", themes, "val d'oise", "", "ACTES.pdf"]]
    response = preview(
        staff_client,
        csv_bytes(rows, delimiter=","),
        files=[("actes.pdf", pdf_bytes())],
        as_draft="on",
    )
    assert response.context["report"].is_valid
    staff_client.post(reverse(URL), {"confirm": "1", "token": response.context["token"]})
    publication = Publication.objects.get()
    assert publication.status == PublicationStatus.DRAFT
    assert publication.file
    assert {t.slug for t in publication.themes.all()} == {"sante", "participation-des-habitantes"}
    assert [d.code for d in publication.departments.all()] == ["95"]


# Errors: all or nothing, per line, in words -------------------------------------------------


def test_one_bad_line_imports_nothing_and_says_which_and_why(staff_client, departments):
    rows = [*good_rows(), ["Fiche", "Fiche expérience", last_year(1, 15), "", "Astrologie"]]
    archive = zip_bytes({"recueil.pdf": pdf_bytes(), "actes.pdf": pdf_bytes()})
    response = preview(staff_client, csv_bytes(rows), archive=archive)

    assert response.status_code == 200
    assert row_errors(response) == {
        5: [gettext("unknown theme “%(value)s”.") % {"value": "Astrologie"}]
    }
    assert not response.context["token"]  # nothing to confirm
    assert "Astrologie" in response.content.decode()
    assert not Publication.objects.exists()


def test_each_kind_of_row_error_is_reported(staff_client, departments, settings):
    settings.PUBLICATION_MAX_UPLOAD_MB = 0.001
    rows = [
        ["Un", "brochure", last_year(1, 1)],
        ["Deux", "actes", "31/02/2023"],
        ["Trois", "actes", last_year(1, 1), "", "", "", "", "absent.pdf"],
        ["Quatre", "actes", last_year(1, 1), "", "", "", "", "notes.pdf"],
        ["Cinq", "actes", last_year(1, 1), "", "", "", "", "gros.pdf"],
        ["Six", "actes", last_year(1, 1), "", "", "Corse"],
    ]
    archive = zip_bytes({"notes.pdf": b"Compte rendu\n" * 10, "gros.pdf": pdf_bytes()})
    errors = row_errors(preview(staff_client, csv_bytes(rows), archive=archive))

    assert errors[2] == [gettext("unknown type “%(value)s”.") % {"value": "brochure"}]
    assert errors[3] == [
        gettext("the date “%(value)s” is not a date (use DD/MM/YYYY).") % {"value": "31/02/2023"}
    ]
    assert "absent.pdf" in errors[4][0]
    assert "notes.pdf" in errors[5][0] and "PDF" in errors[5][0]
    assert "gros.pdf" in errors[6][0]
    assert errors[7] == [gettext("unknown territory “%(value)s”.") % {"value": "Corse"}]
    assert not Publication.objects.exists()


def test_an_existing_title_is_refused(staff_client, departments):
    AdminPublicationFactory(slug="kit-limits")
    rows = [["Kit Limit's", "kit", last_year(10, 3)]]
    errors = row_errors(preview(staff_client, csv_bytes(rows)))
    assert "kit-limits" in errors[2][0]


def test_a_csv_that_is_not_utf8_gets_a_clear_message(staff_client, departments):
    data = csv_bytes([["Synthèse régionale", "synthèse", last_year(3, 3)]], encoding="cp1252")
    response = preview(staff_client, data)
    assert response.status_code == 200
    assert response.context["report"].errors == [
        gettext(
            "The CSV file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8” "
            "and send it again."
        )
    ]


def test_wrong_columns_get_a_clear_message(staff_client, departments):
    data = csv_bytes([["x", "y"]], header=["nom", "type"])
    response = preview(staff_client, data)
    assert response.status_code == 200
    (message,) = response.context["report"].errors
    assert "titre" in message and "date" in message and "nom" in message


def test_a_broken_zip_or_a_binary_csv_never_gives_a_500(staff_client, departments):
    response = preview(staff_client, csv_bytes(good_rows()), archive=b"PK\x03\x04 not a zip")
    assert response.status_code == 200
    assert response.context["report"].errors == [gettext("The archive is not a readable ZIP file.")]

    response = preview(staff_client, b"\x00\x01\x02binary")
    assert response.status_code == 200
    assert response.context["report"].errors


def test_a_confirmation_without_a_preview_is_refused(staff_client):
    response = staff_client.post(reverse(URL), {"confirm": "1", "token": "0" * 32})
    assert response.status_code == 302
    assert response["Location"] == reverse(URL)
    assert len(list(get_messages(response.wsgi_request))) == 1


def test_a_conflict_between_preview_and_confirmation_imports_nothing(staff_client, departments):
    archive = zip_bytes({"recueil.pdf": pdf_bytes(), "actes.pdf": pdf_bytes()})
    response = preview(staff_client, csv_bytes(good_rows()), archive=archive)
    AdminPublicationFactory(slug="kit-limits")  # created by someone else meanwhile

    done = staff_client.post(reverse(URL), {"confirm": "1", "token": response.context["token"]})
    assert done.status_code == 200
    assert Publication.objects.count() == 1
    assert 4 in row_errors(done)


def test_the_run_is_all_or_nothing_without_the_admin(departments, staff_user):
    files = import_files_from(archive=None, uploads=[])
    rows = [["Bon", "actes", last_year(1, 1)], ["Mauvais", "actes", "hier"]]
    report = publications_import_run(csv_data=csv_bytes(rows), files=files, actor=staff_user)
    assert not report.is_valid and not report.created
    assert not Publication.objects.exists()

    check = publications_import_check(csv_data=csv_bytes(rows[:1]), files=files)
    assert check.is_valid and not Publication.objects.exists()
