from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portal.core.models import Commune, Department, Epci

DATA = Path(__file__).resolve().parents[2] / "portal" / "core" / "data"

pytestmark = pytest.mark.django_db


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_the_demo_files_import_the_centre_territories():
    call_command(
        "import_territories",
        str(DATA / "demo_communes.csv"),
        epci=str(DATA / "demo_epci.csv"),
        year=2021,
        approximate=True,
    )
    assert set(Department.objects.values_list("code", flat=True)) == {"95", "78", "92"}
    antony = Commune.objects.get(insee_code="92002")
    assert antony.population == 62760
    assert antony.population_is_approximate
    assert antony.department.code == "92"
    assert antony.epci.name == "EPT Vallée Sud - Grand Paris"
    assert Epci.objects.get(siren="249500109").communes.count() == 5


def test_a_second_import_updates_instead_of_duplicating(tmp_path):
    first = write(
        tmp_path, "a.csv", "DEP;Département;COM;Commune;PMUN\n95;Val-d'Oise;95127;Cergy;66000\n"
    )
    second = write(
        tmp_path, "b.csv", "DEP,Département,COM,Commune,PTOT\n95,Val-d'Oise,95127,Cergy,67000\n"
    )
    call_command("import_territories", str(first), year=2020)
    call_command("import_territories", str(second), year=2021)
    cergy = Commune.objects.get(insee_code="95127")
    assert (cergy.population, cergy.population_year) == (67000, 2021)
    assert Commune.objects.count() == 1


def test_departments_filter_keeps_only_the_centre_area(tmp_path):
    path = write(
        tmp_path,
        "c.csv",
        "DEP;Département;COM;Commune;PMUN\n95;Val-d'Oise;95127;Cergy;1\n75;Paris;75056;Paris;2\n",
    )
    call_command("import_territories", str(path), departments="95,78,92")
    assert list(Commune.objects.values_list("insee_code", flat=True)) == ["95127"]


@pytest.mark.parametrize(
    ("content", "encoding", "message"),
    [
        ("DEP;COM;Commune;PMUN\n95;95127;Cergy;-3\n", "utf-8", "négative"),
        ("DEP;COM;Commune;PMUN\n95;95127;Cergy;beaucoup\n", "utf-8", "nombre entier"),
        ("DEP;CODE;NOM\n95;95127;Cergy\n", "utf-8", "colonnes"),
        ("DEP;COM;Commune;PMUN\n95;95127;Éragny;3\n", "latin-1", "UTF-8"),
        ("DEP;COM;Commune;PMUN\n95;9512;Cergy;3\n", "utf-8", "INSEE"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_saved(
    tmp_path, content, encoding, message
):
    path = write(tmp_path, "bad.csv", content, encoding)
    with pytest.raises(CommandError) as error:
        call_command("import_territories", str(path))
    assert message in str(error.value)
    assert not Commune.objects.exists()
