"""The publications' import (publications.imports) through the back office's pages: a
spreadsheet with its PDFs in a ZIP archive or as files, checked, then confirmed."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.core.models import AuditEntry, ImportJobStatus
from publications.models import Publication, PublicationKind, PublicationStatus
from tests.publications.admin_factories import (
    AdminPublicationFactory,
    DepartmentFactory,
    media_root,  # noqa: F401 - fixture
    pdf_bytes,
    zip_bytes,
)
from tests.sheets import (
    csv_bytes,
    import_confirm,
    import_through_pages,
    import_upload,
    last_job,
    ods_bytes,
    xlsx_bytes,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("media_root"),
    pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=False),
]

KIND = "publications.publications"
HEADER = ["titre", "type", "date", "résumé", "thèmes", "territoires", "auteurs", "fichier", "lien"]
ROWS = [
    ["Recueil fiches expériences", "Recueil", "18/12/2024", "Les fiches de l'année.",
     "Jeunesse, Santé", "95, 78", "L'équipe", "recueil.pdf", ""],
    ["Actes de la rencontre", "actes", "14/09/2025", "", "participation-des-habitantes", "95",
     "", "dossier/actes.PDF", ""],
    ["Kit Limit's", "Kit pédagogique", "03/10/2024", "Un kit.", "", "", "", "", ""],
]  # fmt: skip


@pytest.fixture(autouse=True)
def departments(db):
    return [
        DepartmentFactory(code="95", name="Val-d'Oise"),
        DepartmentFactory(code="78", name="Yvelines"),
    ]


def archive(*names: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("pdf.zip", zip_bytes({name: pdf_bytes() for name in names}))


def pdf(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if data is None else data, "application/pdf")


def kept_files() -> list[Path]:
    """The files sent beside the spreadsheets, waiting with their jobs."""
    root = Path(settings.MEDIA_ROOT) / "imports" / "attachments"
    return [path for path in root.rglob("*") if path.is_file()]


# Happy paths ---------------------------------------------------------------------------------


def test_an_xlsx_and_a_zip_of_pdfs_are_checked_then_imported(
    staff_client, staff_user, django_capture_on_commit_callbacks
):
    data = xlsx_bytes([HEADER, *ROWS])
    pdfs = archive("recueil.pdf", "dossier/actes.pdf")
    import_upload(staff_client, KIND, data, "publications.xlsx", archive=pdfs)
    job = last_job()
    assert job.status == ImportJobStatus.CHECKED
    assert job.result["counts"] == {"create": 3, "update": 0, "unchanged": 0, "error": 0}
    assert not Publication.objects.exists()  # a dry run
    assert len(kept_files()) == 1  # the archive waits with the job

    with django_capture_on_commit_callbacks(execute=True):
        import_confirm(staff_client, job)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE
    recueil = Publication.objects.get(slug="recueil-fiches-experiences")
    assert recueil.kind == PublicationKind.EXPERIENCE_COLLECTION
    assert recueil.status == PublicationStatus.PUBLISHED
    assert recueil.published_on == date(2024, 12, 18)
    assert {t.slug for t in recueil.themes.all()} == {"jeunesse", "sante"}
    assert {d.code for d in recueil.departments.all()} == {"95", "78"}
    assert (recueil.summary, recueil.authors) == ("Les fiches de l'année.", "L'équipe")
    with recueil.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    actes = Publication.objects.get(slug="actes-de-la-rencontre")
    assert actes.status == PublicationStatus.SCHEDULED  # dated after today
    assert actes.file.name.endswith("actes.pdf")  # found in its folder, whatever the case
    assert not Publication.objects.get(slug="kit-limits").file
    entry = AuditEntry.objects.for_object(recueil).get(action="publication.created")
    assert entry.actor == staff_user
    assert not kept_files()  # the PDFs sent went with the job's end


def test_a_windows_csv_with_the_pdfs_as_files_and_drafts(staff_client):
    themes = "Santé | participation des habitant.es"  # names typed loosely
    rows = [["Synthèse régionale", "Synthèse", "2023-04-14", "", themes, "Val d\u2019Oise", "",
             "SYNTHESE.pdf", ""]]  # fmt: skip
    data = csv_bytes([HEADER, *rows], encoding="cp1252", delimiter=",")
    import_through_pages(
        staff_client, KIND, data, "publications.csv",
        files=[pdf("synthese.pdf"), pdf("autre.pdf")], as_draft="on",
    )  # fmt: skip
    publication = Publication.objects.get()
    assert (publication.title, publication.status) == ("Synthèse régionale", "draft")
    assert publication.file
    assert {t.slug for t in publication.themes.all()} == {"sante", "participation-des-habitantes"}
    assert [d.code for d in publication.departments.all()] == ["95"]


def test_an_ods_with_headers_and_values_as_people_write_them(staff_client):
    header = ["TITRE", "Type de publication", "Date de publication", "Résumé", "Thématiques",
              "Départements", "Auteur·es", "Lien du média"]  # fmt: skip
    rows = [["Le podcast des quartiers", "webinaire", date(2025, 2, 3), "", "JEUNESSE",
             "Val-d'Oise (95)", "Awa Diallo; Jean Morel", "www.example.org/replay"]]  # fmt: skip
    import_through_pages(staff_client, KIND, ods_bytes([header, *rows]), "publications.ods")
    publication = Publication.objects.get()
    assert publication.kind == PublicationKind.REPLAY
    assert publication.media_url == "https://www.example.org/replay"
    assert publication.author_names == ["Awa Diallo", "Jean Morel"]
    assert publication.published_on == date(2025, 2, 3)


# The same file twice ---------------------------------------------------------------------


def test_the_same_file_twice_updates_and_never_duplicates(
    staff_client, django_capture_on_commit_callbacks
):
    data = xlsx_bytes([HEADER, *ROWS])
    import_through_pages(staff_client, KIND, data, archive=archive("recueil.pdf", "actes.pdf"))
    again = import_through_pages(
        staff_client, KIND, data, archive=archive("recueil.pdf", "actes.pdf")
    )
    assert again.result["counts"] == {"create": 0, "update": 0, "unchanged": 3, "error": 0}

    rows = [list(row) for row in ROWS]
    rows[0][0] = "RECUEIL fiches expériences"  # the same title, loosely
    rows[0][3] = "Les fiches de l'année 2024."
    rows[0][7] = ""  # no PDF this time: the one imported stays
    rows[2][4] = "Santé"
    with django_capture_on_commit_callbacks(execute=True):
        job = import_through_pages(
            staff_client, KIND, xlsx_bytes([HEADER, *rows]), archive=archive("actes.pdf")
        )
    assert job.result["counts"] == {"create": 0, "update": 2, "unchanged": 1, "error": 0}
    assert Publication.objects.count() == 3
    recueil = Publication.objects.get(slug="recueil-fiches-experiences")
    assert recueil.summary == "Les fiches de l'année 2024."
    assert recueil.title == "RECUEIL fiches expériences"
    assert recueil.file
    assert [t.slug for t in Publication.objects.get(slug="kit-limits").themes.all()] == ["sante"]
    assert len(kept_files()) == 2  # the first two jobs' (no commit in this test)


def test_another_year_is_another_publication_with_its_own_address(staff_client):
    rows = [
        ROWS[0],
        ["Recueil fiches expériences", "Recueil", "15/01/2025", "", "", "", "", "", ""],
    ]
    job = import_through_pages(
        staff_client, KIND, xlsx_bytes([HEADER, *rows]), archive=archive("recueil.pdf")
    )
    assert job.result["counts"]["create"] == 2
    assert set(Publication.objects.values_list("slug", flat=True)) == {
        "recueil-fiches-experiences", "recueil-fiches-experiences-2025",
    }  # fmt: skip


def test_an_update_keeps_the_status_the_address_and_what_cells_leave_empty(staff_client):
    published = AdminPublicationFactory(
        title="Kit Limit's", slug="le-kit", kind=PublicationKind.TEACHING_KIT,
        published_on=date(2024, 10, 3), status=PublicationStatus.DRAFT, summary="Écrit à la main.",
        authors="Léa Roux",
    )  # fmt: skip
    job = import_through_pages(staff_client, KIND, xlsx_bytes([HEADER, ROWS[2]]))
    assert job.result["counts"]["update"] == 1
    published.refresh_from_db()
    assert (published.slug, published.status) == ("le-kit", PublicationStatus.DRAFT)
    assert (published.summary, published.authors) == ("Un kit.", "Léa Roux")


# Errors ------------------------------------------------------------------------------------


def test_each_error_names_its_line_and_nothing_is_written(staff_client, settings):
    settings.PUBLICATION_MAX_UPLOAD_MB = 0.005
    rows = [
        ["Zéro", "actes", "01/01/2024"],
        ["Un", "brochure", "01/01/2024"],
        ["Deux", "actes", "31/02/2023"],
        ["Trois", "actes", "01/01/2024", "", "", "", "", "absent.pdf"],
        ["Quatre", "actes", "01/01/2024", "", "", "", "", "notes.pdf"],
        ["Cinq", "actes", "01/01/2024", "", "", "", "", "gros.pdf"],
        ["Six", "actes", "01/01/2024", "", "Astrologie", "Corse"],
        ["Sept", "podcast", "01/01/2024"],
        ["ZERO", "actes", "12/05/2024"],
        ["", "actes", "01/01/2024"],
        ["Huit", "actes", "01/01/2024", "", "", "", "", "", "pas un lien"],
    ]
    files = {"notes.pdf": b"Compte rendu\n" * 10, "gros.pdf": pdf_bytes() * 2}
    upload = SimpleUploadedFile("pdf.zip", zip_bytes(files))
    response = import_upload(
        staff_client, KIND, csv_bytes([HEADER, *rows]), "p.csv", archive=upload
    )
    errors = dict(last_job().result["errors"])
    assert set(errors) == set(range(3, 13))
    assert "brochure" in errors[3] and "« Type »" in errors[3]
    assert "31/02/2023" in errors[4]
    assert "absent.pdf" in errors[5] and "n\u2019a pas été envoyé" in errors[5]
    assert "notes.pdf" in errors[6] and "PDF" in errors[6]
    assert "gros.pdf" in errors[7] and "trop volumineux" in errors[7]
    assert "Astrologie" in errors[8] and "Corse" in errors[8]
    assert "Un podcast ou un replay doit avoir le lien" in errors[9]
    assert "ligne 2" in errors[10]  # the same title in the same year
    assert "« Titre » est obligatoire" in errors[11]
    assert "pas un lien" in errors[12]
    assert "None" not in response.content.decode()
    import_confirm(staff_client, last_job())
    assert not Publication.objects.exists()


def test_two_publications_with_the_title_of_a_line_are_an_error(staff_client):
    for slug in ("kit-a", "kit-b"):
        AdminPublicationFactory(title="Kit Limit's", slug=slug, published_on=date(2024, 1, 2))
    import_upload(staff_client, KIND, xlsx_bytes([HEADER, ROWS[2]]))
    (error,) = dict(last_job().result["errors"]).values()
    assert "Plusieurs publications de 2024" in error


def test_a_broken_archive_is_refused_before_any_check(staff_client):
    upload = SimpleUploadedFile("pdf.zip", b"PK\x03\x04 not a zip")
    response = import_upload(staff_client, KIND, xlsx_bytes([HEADER, *ROWS]), archive=upload)
    assert response.status_code == 200
    assert "L\u2019archive n\u2019est pas un fichier ZIP lisible." in response.content.decode()
    assert last_job() is None


def test_a_cancelled_import_drops_the_pdfs_it_kept(
    staff_client, django_capture_on_commit_callbacks
):
    import_upload(staff_client, KIND, xlsx_bytes([HEADER, *ROWS]), files=[pdf("recueil.pdf")])
    job = last_job()
    assert len(kept_files()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("admin:core_importjob_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJobStatus.CANCELLED
    assert not kept_files()
    assert not Publication.objects.exists()


def test_a_file_refused_outright_drops_the_pdfs_too(staff_client):
    data = xlsx_bytes([["nom", "type"], ["x", "y"]])
    import_upload(staff_client, KIND, data, archive=archive("recueil.pdf"))
    job = last_job()
    assert job.status == ImportJobStatus.FAILED
    assert "« Titre »" in job.result["file_errors"][0]
    assert not kept_files()


# The pages around it ---------------------------------------------------------------------


def test_the_list_leads_to_the_import_and_its_template(staff_client):
    page = staff_client.get(reverse("admin:publications_publication_changelist"))
    upload_url = reverse("admin:core_importjob_upload", args=[KIND])
    assert upload_url in page.content.decode()
    form = staff_client.get(upload_url).content.decode()
    assert 'name="archive"' in form and 'name="files"' in form and 'name="as_draft"' in form

    response = staff_client.get(reverse("admin:core_importjob_template", args=[KIND]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert header[:3] == ["Titre *", "Type *", "Date *"]
    assert "Résumé" in header and "Fichier" in header
