"""INSEE's territory files, through the back office's import pages and through the command:
the same importers (portal.core.imports) either way."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from demo import DATA as DEMO_DATA
from portal.core.models import Commune, Department, Epci, ImportJobStatus
from portal.core.territories import territories_import
from tests.sheets import csv_bytes, import_through_pages, import_upload, last_job, ods_bytes
from tests.sheets import xlsx_bytes as xlsx

pytestmark = pytest.mark.django_db

POPULATIONS = "core.populations"
EPCI = "core.epci"
# As INSEE's donnees_communes.csv: more columns than the import needs.
HEADER = ["REG", "Région", "DEP", "Département", "CODARR", "CODCAN", "CODCOM", "COM", "Commune",
          "PMUN", "PCAP", "PTOT"]  # fmt: skip
EPCI_HEADER = ["CODGEO", "LIBGEO", "EPCI", "LIBEPCI", "DEP", "REG"]


def commune(dep: str, name_dep: str, code: str, name: str, pmun, ptot=None) -> list:
    return ["11", "Île-de-France", dep, name_dep, "1", "01", code[2:], code, name, pmun, 0, ptot]


ROWS = [
    commune("95", "Val-d'Oise", "95127", "Cergy", 66322, 67000),
    commune("95", "Val-d'Oise", "95218", "Éragny", 17660),
    commune("78", "Yvelines", "78423", "Les Mureaux", 33250),
    commune("75", "Paris", "75056", "Paris", 2133111),
]
EPCI_ROWS = [
    ["95127", "Cergy", "249500109", "CA de Cergy-Pontoise", "95", "11"],
    ["95218", "Éragny", "249500109", "CA de Cergy-Pontoise", "95", "11"],
    ["78423", "Les Mureaux", "200059889", "CU Grand Paris Seine et Oise", "78", "11"],
    ["75056", "Paris", "200054781", "Métropole du Grand Paris", "75", "11"],
    ["97501", "Saint-Pierre", "ZZZZZZZZZ", "Sans objet", "975", "07"],
]


def write(tmp_path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# Through the pages ---------------------------------------------------------------------------


def test_a_windows_csv_of_insee_then_the_epci_file_from_the_back_office(staff_client):
    data = csv_bytes([HEADER, *ROWS], encoding="cp1252")
    job = import_through_pages(
        staff_client, POPULATIONS, data, "donnees_communes.csv", year="2021", departments=""
    )
    assert job.result["counts"] == {"create": 4, "update": 0, "unchanged": 0, "error": 0}
    eragny = Commune.objects.select_related("department").get(insee_code="95218")
    assert (eragny.name, eragny.population, eragny.population_year) == ("Éragny", 17660, 2021)
    assert eragny.department.name == "Val-d'Oise"
    assert not eragny.population_is_approximate
    assert Commune.objects.get(insee_code="95127").population == 66322  # PMUN before PTOT

    job = import_through_pages(staff_client, EPCI, xlsx([EPCI_HEADER, *EPCI_ROWS]), "epci.xlsx")
    # Saint-Pierre is not in the portal: left aside, not an error.
    assert job.result["counts"] == {"create": 4, "update": 0, "unchanged": 1, "error": 0}
    assert Epci.objects.get(siren="249500109").communes.count() == 2
    assert Commune.objects.get(insee_code="75056").epci.name == "Métropole du Grand Paris"
    assert Epci.objects.count() == 3


def test_the_same_files_twice_update_and_never_duplicate(staff_client):
    import_through_pages(staff_client, POPULATIONS, xlsx([HEADER, *ROWS]), year="2020")
    import_through_pages(staff_client, EPCI, csv_bytes([EPCI_HEADER, *EPCI_ROWS]), "e.csv")
    rows = [list(row) for row in ROWS]
    rows[0][9] = 67500
    again = import_through_pages(staff_client, POPULATIONS, xlsx([HEADER, *rows]), year="2020")
    assert again.result["counts"] == {"create": 0, "update": 1, "unchanged": 3, "error": 0}
    assert Commune.objects.get(insee_code="95127").population == 67500

    newer = import_through_pages(staff_client, POPULATIONS, xlsx([HEADER, *rows]), year="2021")
    assert newer.result["counts"]["update"] == 4  # the year changed for every commune
    epci_rows = [list(row) for row in EPCI_ROWS]
    epci_rows[2][2:4] = ["249500109", "CA de Cergy-Pontoise"]  # Les Mureaux moves
    moved = import_through_pages(staff_client, EPCI, csv_bytes([EPCI_HEADER, *epci_rows]), "e.csv")
    assert moved.result["counts"] == {"create": 0, "update": 1, "unchanged": 4, "error": 0}
    assert (Commune.objects.count(), Department.objects.count()) == (4, 3)
    assert Epci.objects.get(siren="249500109").communes.count() == 3


def test_the_departments_option_keeps_the_centre_area_only(staff_client):
    data = ods_bytes([HEADER, *ROWS])
    job = import_through_pages(
        staff_client, POPULATIONS, data, "communes.ods", year="2021", departments="95, 78"
    )
    assert job.result["counts"] == {"create": 3, "update": 0, "unchanged": 1, "error": 0}
    assert set(Commune.objects.values_list("insee_code", flat=True)) == {"95127", "95218", "78423"}
    assert set(Department.objects.values_list("code", flat=True)) == {"95", "78"}

    job = import_through_pages(
        staff_client, EPCI, xlsx([EPCI_HEADER, *EPCI_ROWS]), departments="95"
    )
    assert job.result["counts"]["create"] == 2
    assert Commune.objects.get(insee_code="78423").epci is None


def test_errors_name_the_line_and_nothing_is_written(staff_client):
    rows = [
        ROWS[0],
        commune("95", "Val-d'Oise", "9512", "Trop court", 3),
        commune("95", "Val-d'Oise", "95218", "Éragny", "beaucoup"),
        commune("95", "Val-d'Oise", "95127", "Cergy encore", 1),
        commune("Val-d'Oise", "", "95500", "Pontoise", -3),
    ]
    import_upload(staff_client, POPULATIONS, csv_bytes([HEADER, *rows]), "p.csv", year="2021")
    job = last_job()
    errors = dict(job.result["errors"])
    assert set(errors) == {3, 4, 5, 6}
    assert "code Insee" in errors[3]
    assert "nombre entier" in errors[4]
    assert "ligne 2" in errors[5]  # a duplicate
    assert "code de département" in errors[6] and "compris entre" in errors[6]
    assert not Commune.objects.exists()


def test_a_wrong_file_and_a_wrong_option_are_refused_in_french(staff_client):
    response = import_upload(
        staff_client, POPULATIONS, csv_bytes([["DEP", "CODE", "NOM"], ["95", "95127", "Cergy"]]),
        "p.csv", year="2021",
    )  # fmt: skip
    job = last_job()
    assert job.status == ImportJobStatus.FAILED
    assert "COM" in job.result["file_errors"][0] and "Commune" in job.result["file_errors"][0]
    assert "colonnes obligatoires" in response.content.decode()

    response = import_upload(
        staff_client, POPULATIONS, xlsx([HEADER, *ROWS]), year="", departments="95, Corse"
    )
    assert response.status_code == 200
    assert last_job() == job  # no job for a form with errors
    assert "Corse" in response.content.decode()


def test_staff_who_only_view_territories_may_import_insee_files(staff_client, make_user, client):
    page = staff_client.get(reverse("admin:core_commune_changelist"))
    assert reverse("admin:core_importjob_upload", args=[POPULATIONS]) in page.content.decode()
    assert not page.context["has_add_permission"]
    kinds = staff_client.get(reverse("admin:core_importjob_add")).content.decode()
    assert reverse("admin:core_importjob_upload", args=[EPCI]) in kinds

    client.force_login(make_user("stagiaire@example.org", staff=True))
    response = client.get(reverse("admin:core_importjob_upload", args=[POPULATIONS]))
    assert response.status_code == 403


def test_the_template_marks_the_required_columns(staff_client):
    response = staff_client.get(reverse("admin:core_importjob_template", args=[POPULATIONS]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert header == ["DEP *", "Département", "COM *", "Commune *", "PMUN", "PTOT"]


# Through the command -------------------------------------------------------------------------


def test_the_command_imports_the_demo_files_and_says_what_it_did(capsys):
    call_command(
        "import_territories",
        str(DEMO_DATA / "demo_communes.csv"),
        epci=str(DEMO_DATA / "demo_epci.csv"),
        year=2021,
        approximate=True,
    )
    assert set(Department.objects.values_list("code", flat=True)) == {"95", "78", "92"}
    antony = Commune.objects.get(insee_code="92002")
    assert (antony.population, antony.population_year) == (62760, 2021)
    assert antony.population_is_approximate
    assert antony.department.code == "92"
    assert antony.epci.name == "EPT Vallée Sud - Grand Paris"
    assert Epci.objects.get(siren="249500109").communes.count() == 5
    output = capsys.readouterr().out
    assert "demo_communes.csv : 31 nouvelles lignes, 0 mises à jour" in output
    assert "demo_epci.csv : 31 nouvelles lignes" in output


def test_the_command_updates_with_a_windows_csv_and_an_xlsx(tmp_path, capsys):
    first = write(tmp_path, "a.xlsx", xlsx([HEADER, ROWS[0]]))
    rows = [list(ROWS[0])]
    rows[0][8], rows[0][9] = "Cergy-le-Haut", 68000
    second = write(tmp_path, "b.csv", csv_bytes([HEADER, *rows], encoding="cp1252", delimiter=","))
    call_command("import_territories", str(first), year=2020)
    call_command("import_territories", str(second), year=2021)
    cergy = Commune.objects.get(insee_code="95127")
    assert (cergy.name, cergy.population, cergy.population_year) == ("Cergy-le-Haut", 68000, 2021)
    assert Commune.objects.count() == 1
    assert "b.csv : 0 nouvelles lignes, 1 mises à jour" in capsys.readouterr().out


def test_the_command_keeps_the_departments_asked_for(tmp_path):
    path = write(tmp_path, "c.csv", csv_bytes([HEADER, *ROWS]))
    call_command("import_territories", str(path), departments="95,78,92")
    assert set(Commune.objects.values_list("insee_code", flat=True)) == {"95127", "95218", "78423"}


def test_the_command_dry_run_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, "c.csv", csv_bytes([HEADER, *ROWS]))
    call_command("import_territories", str(path), dry_run=True)
    assert not Commune.objects.exists()
    assert "4 nouvelles lignes" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["DEP", "COM", "Commune", "PMUN"], ["95", "95127", "Cergy", "-3"]], "compris entre"),
        ([["DEP", "COM", "Commune", "PMUN"], ["95", "95127", "Cergy", "beaucoup"]], "entier"),
        ([["DEP", "CODE", "NOM"], ["95", "95127", "Cergy"]], "colonnes obligatoires"),
        ([["DEP", "COM", "Commune", "PMUN"], ["95", "9512", "Cergy", "3"]], "Ligne 2 :"),
    ],
)
def test_the_command_refuses_a_bad_file_in_french_and_saves_nothing(tmp_path, rows, message):
    path = write(tmp_path, "bad.csv", csv_bytes(rows))
    with pytest.raises(CommandError) as error:
        call_command("import_territories", str(path))
    assert message in str(error.value)
    assert not Commune.objects.exists()


def test_a_bad_epci_file_undoes_the_populations_of_the_same_command(tmp_path):
    communes = write(tmp_path, "c.csv", csv_bytes([HEADER, *ROWS]))
    epci = write(tmp_path, "e.csv", csv_bytes([EPCI_HEADER, ["95127", "Cergy", "12", "X"]]))
    with pytest.raises(CommandError) as error:
        call_command("import_territories", str(communes), epci=str(epci))
    assert "SIREN" in str(error.value)
    assert not Commune.objects.exists()


def test_the_demo_loader_runs_the_same_importers():
    territories_import(
        communes_file=DEMO_DATA / "demo_communes.csv",
        epci_file=DEMO_DATA / "demo_epci.csv",
        population_year=2021,
        approximate=True,
    )
    assert Commune.objects.filter(population_is_approximate=True).count() == 31
    assert Commune.objects.filter(epci__isnull=True).count() == 0
