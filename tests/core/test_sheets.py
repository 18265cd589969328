"""portal.core.sheets: files as people send them, cells as people type them, and the job
that checks, confirms and saves an import, in the request or in a real worker."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from newsletter.models import Subscriber
from portal.core.models import AuditEntry, Commune, Department, ImportJob, ImportJobStatus
from portal.core.sheets import columns as read
from portal.core.sheets.columns import CellError, Lookups
from portal.core.sheets.jobs import ImportRefused, import_job_confirm
from portal.core.sheets.reading import rows_read
from portal.core.text import loose_key
from tests.sheets import (
    csv_bytes,
    import_confirm,
    import_upload,
    last_job,
    ods_bytes,
    xlsx_bytes,
)

DATA = Path(__file__).resolve().parent.parent / "data"
KIND = "newsletter.subscribers"
HEADER = ["Courriel", "Nom", "Base du consentement"]


def cells(data: bytes) -> list[tuple]:
    return [row.cells for row in rows_read(data)]


def refusal(data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        rows_read(data)
    return caught.value.messages[0]


# Matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Type d'acteur", "Type d\u2019acteur"),
        ("TYPES D'ACTEURS", "type d acteur"),
        ("Agent de collectivité", "Agent·e de collectivité"),
        ("agent.e.s de collectivite", "Agents de collectivité"),
        ("Val-d'Oise", "Val d\u2019Oise"),
        ("Élu·es", "élu"),
        ("Chercheur·se ou expert·e", "Chercheur ou expert"),
        ("  Date  du consentement * ", "date du consentement"),
        ("habitant-es", "habitants"),
        ("élu-e-s", "élus"),
    ],
)
def test_spellings_of_the_same_label_match(typed, expected):
    assert loose_key(typed) == loose_key(expected)


def test_different_labels_stay_apart():
    assert loose_key("St.Denis") == loose_key("St Denis") != loose_key("St")
    assert loose_key("Villiers-le-Bel") == loose_key("Villiers le Bel") != loose_key("Villiers")
    assert loose_key("Yvelines") != loose_key("Hauts-de-Seine")


# Files ------------------------------------------------------------------------------------


def test_excel_csv_in_windows_1252_with_semicolons():
    data = "Nom;Type d\u2019acteur\r\nAgnès Éloi;Élu·e\r\n".encode("cp1252")
    assert cells(data) == [("Nom", "Type d\u2019acteur"), ("Agnès Éloi", "Élu·e")]


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbfNom,Ville\nAgn\xc3\xa8s,Cergy\n",  # UTF-8 with a BOM, commas
        "Nom\tVille\nAgnès\tCergy\n".encode("utf-16"),  # Excel's « Unicode text »
        "Nom;Ville\nAgnès;Cergy\n".encode(),
        b'"Nom";"Ville"\n"Agn\xe8s";"Cergy"\n',  # Latin-1 bytes, quoted
    ],
)
def test_encodings_and_separators_are_detected(data):
    assert cells(data) == [("Nom", "Ville"), ("Agnès", "Cergy")]


def test_row_numbers_are_the_spreadsheet_s_and_blank_rows_are_skipped():
    rows = rows_read(b"Nom;Ville\n;\nAgnes;Cergy\n\nPaul;Pontoise\n")
    assert [(row.line, row.cells) for row in rows] == [
        (1, ("Nom", "Ville")), (3, ("Agnes", "Cergy")), (5, ("Paul", "Pontoise")),
    ]  # fmt: skip


def test_xlsx_and_ods_give_the_same_cells():
    rows = [["Nom", "Date", "Nombre"], ["Agnès", date(2023, 3, 12), 42]]
    expected = [("Nom", "Date", "Nombre"), ("Agnès", date(2023, 3, 12), 42)]
    assert cells(ods_bytes(rows)) == cells(xlsx_bytes(rows)) == expected


def test_an_old_excel_97_workbook_is_read():
    data = (DATA / "abonnes-excel-97.xls").read_bytes()
    assert cells(data)[1] == (
        "agnes.eloi@exemple.fr", "Éloi", "Élu·e", "Fiche papier", date(2019, 3, 15),
    )  # fmt: skip


def test_a_workbook_s_rows_keep_their_numbers_below_empty_ones():
    rows = [[], [], ["Nom", "Date"], ["Agnès", date(2023, 3, 12)]]
    assert [row.line for row in rows_read(xlsx_bytes(rows))] == [3, 4]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"Nom;Ville\x00\n", "caractères nuls"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "ne peut pas être lu"),
        (b"%PDF-1.7\n", "PDF"),
        (b"PK\x03\x04garbage", "ne peut pas être lu"),
        (b"  \n", "vide"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused_in_french(data, words):
    assert words in refusal(data)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _megabyte in range(310):
                member.write(bytes(1024 * 1024))
    assert len(buffer.getvalue()) < 2 * 1024 * 1024
    assert "décompressé" in refusal(buffer.getvalue())


def test_too_many_lines_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 3
    assert "plus de 3 lignes" in refusal(b"Nom\na\nb\nc\nd\n")


# Cells ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12/03/2023", date(2023, 3, 12)),
        ("2023-03-12", date(2023, 3, 12)),
        ("12.03.23", date(2023, 3, 12)),
        ("1er mars 2023", date(2023, 3, 1)),
        ("12 Févr. 2024", date(2024, 2, 12)),
        (datetime(2023, 3, 12, 0, 0), date(2023, 3, 12)),  # noqa: DTZ001
        ("12/03/2023 09:30", date(2023, 3, 12)),
    ],
)
def test_dates_as_people_write_them(typed, expected):
    assert read.date_value(typed, None) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14h30", clock(14, 30)),
        ("14 h", clock(14)),
        ("9:05", clock(9, 5)),
        ("14 H 30", clock(14, 30)),
        (0.5, clock(12)),
        (clock(9, 30), clock(9, 30)),
    ],
)
def test_times_as_people_write_them(typed, expected):
    assert read.time_value(typed, None) == expected


def test_numbers_amounts_and_yes_no():
    assert read.integer()("62 760", None) == 62760
    assert read.integer()(12.0, None) == 12
    assert read.decimal()("839,20 €", None) == Decimal("839.20")
    assert read.yes_no("Oui", None) is True
    assert read.yes_no("x", None) is True
    assert read.yes_no("non", None) is False
    wrong = [
        (read.integer(), "12,5"),
        (read.decimal(), "abc"),
        (read.yes_no, "peut-être"),
        (read.date_value, "31/02/2024"),
        (read.time_value, "25h"),
    ]
    for reader, value in wrong:
        with pytest.raises(CellError):
            reader(value, None)


def test_a_formula_typed_as_text_is_refused_and_the_export_guard_is_removed():
    with pytest.raises(CellError, match="formule"):
        read.text(200)('=HYPERLINK("http://evil.example","clic")', None)
    assert read.text(200)("'+33 1 23 45 67 89", None) == "+33 1 23 45 67 89"


@pytest.mark.django_db
def test_places_by_code_or_name_whatever_their_spelling():
    val_doise = Department.objects.create(code="95", name="Val-d'Oise")
    ariege = Department.objects.create(code="09", name="Ariège")
    cergy = Commune.objects.create(insee_code="95127", name="Cergy", department=val_doise)
    Commune.objects.create(insee_code="09001", name="Saint-Martin", department=ariege)
    Commune.objects.create(insee_code="95001", name="Saint-Martin", department=val_doise)
    lookups = Lookups()
    for typed in ("95", "Val-d'Oise", "Val d\u2019Oise", "VAL D OISE", "Val-d'Oise (95)"):
        assert read.department(typed, lookups) == val_doise
    assert read.department(9, lookups) == ariege
    assert read.commune("cergy", lookups) == cergy
    assert read.commune(95127, lookups) == cergy
    assert read.commune("Saint-Martin (95)", lookups).insee_code == "95001"
    with pytest.raises(CellError, match="code INSEE"):
        read.commune("Saint-Martin", lookups)
    with pytest.raises(CellError, match="Finistère"):
        read.department("Finistère", lookups)


# The job ----------------------------------------------------------------------------------


def subscribers_file(count: int, *, bad: int = 0) -> bytes:
    rows = [HEADER]
    rows += [[f"abonne{n}@example.org", f"Nom {n}", "Fichier 2019"] for n in range(count)]
    rows += [[f"mauvaise-adresse-{n}", "Nom", "Fichier 2019"] for n in range(bad)]
    return csv_bytes(rows)


@pytest.mark.django_db
def test_a_title_line_above_the_header_and_unknown_columns_are_fine(staff_client):
    data = xlsx_bytes(
        [
            ["Liste des abonnés 2023"],
            [],
            ["Remarques", *HEADER],
            ["", "a@example.org", "A", "Salon"],
        ]
    )
    response = import_upload(staff_client, KIND, data, "liste.xlsx")
    job = last_job()
    assert job.status == ImportJobStatus.CHECKED
    assert job.result["counts"]["create"] == 1
    assert job.result["ignored_columns"] == ["Remarques"]
    assert "Remarques" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("write", [xlsx_bytes, ods_bytes])
def test_of_a_workbook_s_sheets_the_one_with_the_columns_is_read(staff_client, write):
    notes = [["Source : liste reprise en 2019"], ["Nom", "Remarque"], ["A", "rien"]]
    data = write([HEADER, ["a@example.org", "A", "Salon"]], before=notes)
    import_upload(staff_client, KIND, data, "liste.ods")
    job = last_job()
    assert job.result["counts"]["create"] == 1, job.result


@pytest.mark.django_db
def test_missing_columns_refuse_the_file_and_say_which(staff_client):
    import_upload(staff_client, KIND, csv_bytes([["Courriel", "Nom"], ["a@example.org", "A"]]))
    job = last_job()
    assert job.status == ImportJobStatus.FAILED
    assert "Base du consentement" in job.result["file_errors"][0]
    response = import_confirm(staff_client, job)
    assert "déjà été confirmé" in response.content.decode()
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
def test_the_template_marks_required_columns_and_lists_allowed_values(staff_client):
    response = staff_client.get(reverse("admin:core_importjob_template", args=[KIND]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert "Courriel *" in header and "Prénom" in header
    assert workbook.worksheets[1].title == "Colonnes"
    allowed = {
        column[0].value: [c.value for c in column[1:]] for column in workbook.worksheets[2].columns
    }
    assert "Élu·e" in allowed["Type d\u2019acteur"]


@pytest.mark.django_db
def test_the_page_of_a_big_wrong_file_stays_small(staff_client, settings):
    settings.IMPORT_INLINE_KB = 10_000
    import_upload(staff_client, KIND, subscribers_file(0, bad=7500), "abonnes.csv")
    job = last_job()
    assert job.result["counts"]["error"] == 7500
    response = staff_client.get(reverse("admin:core_importjob_change", args=[job.pk]))
    assert len(response.content) < 500_000
    assert "Et 7300 autres lignes" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_confirm_imports_once(staff_user):
    """Two confirmations at once, each on its own database connection."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.core.sheets.jobs import import_job_create

    job = import_job_create(
        kind=KIND,
        upload=SimpleUploadedFile("a.csv", subscribers_file(50)),
        options={},
        actor=staff_user,
    )
    outcomes: list[str] = []

    def confirm():
        try:
            import_job_confirm(job_id=job.pk, valid_only=False, actor=staff_user)
            outcomes.append("imported")
        except ImportRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["imported", "refused"]
    assert Subscriber.objects.count() == 50
    assert AuditEntry.objects.filter(action="import.done").count() == 1


@pytest.mark.worker
def test_a_large_file_is_checked_and_imported_by_the_worker(
    staff_user, client, settings, celery_worker
):
    settings.IMPORT_INLINE_KB = 0
    client.force_login(staff_user)
    import_upload(client, KIND, subscribers_file(3000, bad=2), "abonnes.csv")
    job = last_job()

    def settled() -> ImportJob:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if not job.is_running:
                return job
            progress = client.get(reverse("admin:core_importjob_progress", args=[job.pk])).json()
            assert 0 <= progress["percent"] <= 100
            time.sleep(0.2)
        raise AssertionError("the worker did not finish")

    assert settled().status == ImportJobStatus.CHECKED
    assert job.result["counts"] == {"create": 3000, "update": 0, "unchanged": 0, "error": 2}
    response = import_confirm(client, job, valid_only=True)
    assert "en cours" in response.content.decode()
    assert settled().status == ImportJobStatus.DONE
    assert Subscriber.objects.count() == 3000


@pytest.mark.django_db
def test_old_spreadsheets_are_deleted_and_their_jobs_kept(staff_user, settings):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from portal.core.sheets.jobs import import_files_purge, import_job_create

    def sent(days_ago: int, status: str) -> ImportJob:
        job = import_job_create(
            kind=KIND,
            upload=SimpleUploadedFile("a.csv", subscribers_file(2)),
            options={},
            actor=staff_user,
        )
        created = timezone.now() - timedelta(days=days_ago)
        ImportJob.objects.filter(pk=job.pk).update(created_at=created, status=status)
        return job

    old, recent, running = sent(31, "done"), sent(29, "checked"), sent(40, "importing")
    stored = old.file.name
    assert import_files_purge() == 1
    for job in (old, recent, running):
        job.refresh_from_db()
    assert not old.file and recent.file and running.file
    assert not default_storage.exists(stored)
    assert old.result["counts"]  # what it imported stays on record
