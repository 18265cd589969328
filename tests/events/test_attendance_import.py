"""Attendance imported from a spreadsheet: preview, all or nothing, clear refusals."""

import csv
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Attendance
from events.resources import attendance_file_read
from events.services.attendance_import import AttendanceRow, attendance_import
from members.models import Person
from portal.core.models import AuditEntry
from tests.events.factories import RegistrationFactory, SessionFactory
from tests.members.factories import OrganisationFactory, PersonFactory

HEADER = ["Nom", "Prénom", "Courriel", "Structure", "Présent"]


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def session(db):
    return SessionFactory()


def import_url(session) -> str:
    return reverse("admin:events_session_attendance_import", args=[session.pk])


def csv_upload(rows, *, encoding="utf-8", delimiter=";", name="presences.csv"):
    stream = io.StringIO()
    csv.writer(stream, delimiter=delimiter).writerows(rows)
    return SimpleUploadedFile(name, stream.getvalue().encode(encoding), "text/csv")


def xlsx_upload(rows, name="presences.xlsx"):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return SimpleUploadedFile(name, stream.getvalue())


def file_errors(response) -> list[str]:
    return response.context["form"].errors.get("import_file", [])


def test_preview_then_confirm_imports_every_line(staff_client, staff_user, session):
    registered = RegistrationFactory(session=session, person=PersonFactory(email="ines@ex.org"))
    OrganisationFactory(name="Centre social Agora")
    rows = [
        HEADER,
        ["Benali", "Inès", "INES@ex.org", "", "oui"],
        ["Nouveau", "Paul", "paul@ex.org", "centre social agora", "Oui"],
        ["Sans", "Courriel", "", "", "non"],
        ["", "", "", "", ""],  # blank lines are skipped
    ]

    preview = staff_client.post(import_url(session), {"import_file": csv_upload(rows)})

    assert preview.status_code == 200
    report = preview.context["report"]
    assert not report.has_errors
    assert [(o.line, o.new_person, o.present) for o in report.outcomes] == [
        (2, False, True),
        (3, True, True),
        (4, True, False),
    ]
    assert not Attendance.objects.exists() and Person.objects.count() == 1  # nothing yet
    token = preview.context["rows_token"]
    assert token

    response = staff_client.post(import_url(session), {"rows": token})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:events_session_checkin", args=[session.pk])
    attendances = {a.person.last_name: a for a in Attendance.objects.select_related("person")}
    assert set(attendances) == {registered.person.last_name, "Nouveau", "Sans"}
    assert attendances[registered.person.last_name].present
    assert not attendances[registered.person.last_name].is_walk_in
    paul = attendances["Nouveau"].person
    assert paul.email == "paul@ex.org" and paul.organisation.name == "Centre social Agora"
    assert attendances["Nouveau"].is_walk_in and attendances["Nouveau"].checked_by == staff_user
    assert attendances["Sans"].person.email == "" and not attendances["Sans"].present
    entry = AuditEntry.objects.get(action="attendance.imported")
    assert entry.changes["created"] == 3 and entry.changes["new_people"] == 2

    # The same file again changes nothing and creates nobody.
    preview = staff_client.post(import_url(session), {"import_file": csv_upload(rows)})
    assert [o.change for o in preview.context["report"].outcomes] == ["unchanged"] * 3
    staff_client.post(import_url(session), {"rows": preview.context["rows_token"]})
    assert Person.objects.count() == 3 and Attendance.objects.count() == 3


def test_an_xlsx_file_with_english_headers_and_true_false_cells(staff_client, session):
    rows = [
        ["First name", "Last name", "Email", "Present"],
        ["Lucie", "Bernard", "lucie@ex.org", True],
        ["Marc", "Petit", None, False],
    ]
    preview = staff_client.post(import_url(session), {"import_file": xlsx_upload(rows)})
    report = preview.context["report"]
    assert not report.has_errors
    assert [o.present for o in report.outcomes] == [True, False]
    staff_client.post(import_url(session), {"rows": preview.context["rows_token"]})
    assert Attendance.objects.filter(present=True).get().person.email == "lucie@ex.org"


def test_one_bad_line_imports_nothing_and_names_the_line(staff_client, session):
    rows = [
        HEADER,
        ["Benali", "Inès", "ines@ex.org", "", "oui"],
        ["Petit", "Marc", "pas-un-courriel", "", "oui"],
        ["Bernard", "", "", "", "peut-être"],
    ]
    response = staff_client.post(import_url(session), {"import_file": csv_upload(rows)})

    assert response.status_code == 200
    report = response.context["report"]
    assert report.has_errors and not response.context["rows_token"]
    assert len(report.errors) == 2
    assert (
        report.errors[0].startswith(("Line 3", "Ligne 3")) and "pas-un-courriel" in report.errors[0]
    )
    assert report.errors[1].startswith(("Line 4", "Ligne 4")) and "peut-être" in report.errors[1]
    assert not Attendance.objects.exists() and not Person.objects.exists()


def test_the_service_rolls_back_every_line_when_one_fails(session, staff_user):
    rows = [
        AttendanceRow(line=2, last_name="Benali", first_name="Inès", email="a@ex.org", present="x"),
        AttendanceRow(line=3, last_name="Benali", first_name="Inès", email="A@ex.org", present="x"),
    ]
    report = attendance_import(session=session, rows=rows, actor=staff_user)
    assert report.has_errors and "2" in report.errors[0]  # the same person as on line 2
    assert not Attendance.objects.exists() and not Person.objects.exists()


def test_a_tampered_confirmation_imports_nothing(staff_client, session):
    response = staff_client.post(import_url(session), {"rows": "forged:token"})
    assert response.status_code == 302
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (csv_upload([HEADER, ["Éluard", "Paul", "", "", "oui"]], encoding="latin-1"), "UTF-8"),
        (csv_upload([["Nom", "Courriel", "Signature"], ["Petit", "", ""]]), "Signature"),
        (SimpleUploadedFile("presences.xlsx", b"PK\x03\x04 not really a workbook"), "XLSX"),
        (SimpleUploadedFile("presences.xls", b"\xd0\xcf\x11\xe0 old excel"), ".xls"),
        (SimpleUploadedFile("presences.csv", b"\n\n"), None),
    ],
)
def test_unreadable_files_and_wrong_columns_get_a_clear_message(
    staff_client, session, upload, expected
):
    response = staff_client.post(import_url(session), {"import_file": upload})
    assert response.status_code == 200
    errors = file_errors(response)
    assert len(errors) == 1
    if expected:
        assert expected in errors[0]
    assert "report" not in response.context
    assert not Attendance.objects.exists()


def test_missing_columns_are_named():
    with pytest.raises(ValidationError) as error:
        attendance_file_read(b"Nom;Courriel\nPetit;\n", "f.csv")
    message = " ".join(error.value.messages)
    assert "Prénom" in message or "First name" in message
    assert "Courriel" not in message.split("(")[1].split(")")[0]  # a known, optional column


def test_the_page_loads_for_staff_only(client, member_user, staff_user, session):
    client.force_login(member_user)
    assert client.get(import_url(session)).status_code == 302
    client.force_login(staff_user)
    response = client.get(import_url(session))
    assert response.status_code == 200
    assert "Nom" in response.content.decode() or "Last name" in response.content.decode()
