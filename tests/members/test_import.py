"""Spreadsheet import (dry-run preview, all-or-nothing) and export of the directory."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import Organisation, OrganisationKind, Person
from members.resources import MembershipResource, OrganisationResource, PersonResource
from tests.members.factories import (
    CityFactory,
    CommuneFactory,
    DepartmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

CSV_FORMAT, XLSX_FORMAT = "0", "1"
VALID_SIRET = "21920002900011"


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def val_d_oise(db):
    return DepartmentFactory(code="95", name="Val-d'Oise")


def labels(resource) -> dict[str, str]:
    """Field name → column header in the active language (French on the site)."""
    return {name: str(field.column_name) for name, field in resource().fields.items()}


def csv_upload(rows: list[list[str]], *, delimiter=";", encoding="utf-8", name="import.csv"):
    stream = io.StringIO()
    csv.writer(stream, delimiter=delimiter).writerows(rows)
    return SimpleUploadedFile(name, stream.getvalue().encode(encoding), "text/csv")


def import_post(client, model: str, upload, file_format=CSV_FORMAT):
    return client.post(
        reverse(f"admin:members_{model}_import"),
        {"resource": "0", "format": file_format, "import_file": upload},
    )


def form_errors(response) -> list[str]:
    return response.context["form"].errors.get("import_file", [])


def organisation_rows(*rows):
    column = labels(OrganisationResource)
    header = [column[name] for name in ("name", "kind", "siret", "department", "email")]
    return [header, *rows]


# Import -----------------------------------------------------------------------------


def test_import_previews_then_creates_on_confirmation(staff_client, val_d_oise):
    upload = csv_upload(
        organisation_rows(
            ["Association Quartiers Solidaires", "association", "", "95", "qs@example.org"],
            ["Ville de Garges", "commune", "219 200 029 00011", "95", ""],
        )
    )
    response = import_post(staff_client, "organisation", upload)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert len(result.valid_rows()) == 2
    assert not Organisation.objects.exists()  # a dry run

    confirm = response.context["confirm_form"]
    response = staff_client.post(
        reverse("admin:members_organisation_process_import"),
        {name: confirm.initial.get(name, "") for name in confirm.fields},
    )
    assert response.status_code == 302
    city = Organisation.objects.get(name="Ville de Garges")
    assert city.kind == "commune"
    assert city.siret == VALID_SIRET
    assert city.department == val_d_oise
    assert Organisation.objects.count() == 2


def test_one_bad_row_imports_nothing_and_names_the_row_and_column(staff_client, val_d_oise):
    upload = csv_upload(
        organisation_rows(
            ["Association A", "association", "", "95", "a@example.org"],
            ["Ville B", "commune", "12345678901234", "95", ""],
            ["Association C", "association", "", "99", "c@example.org"],
            ["Association D", "club de foot", "", "95", "pas-une-adresse"],
        )
    )
    response = import_post(staff_client, "organisation", upload)
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    column = labels(OrganisationResource)
    errors = {row.number: row.error_dict for row in response.context["result"].invalid_rows}
    assert set(errors) == {2, 3, 4}
    assert "12345678901234" in errors[2][column["siret"]][0]
    assert "99" in errors[3][column["department"]][0]
    assert column["kind"] in errors[4] and column["email"] in errors[4]
    assert not Organisation.objects.exists()


def test_people_rows_with_bad_or_duplicate_emails_are_reported(staff_client, val_d_oise):
    PersonFactory(email="deja@example.org")
    OrganisationFactory(name="Centre social Lumière")
    column = labels(PersonResource)
    header = [column[n] for n in ("first_name", "last_name", "email", "organisation", "department")]
    upload = csv_upload(
        [
            header,
            ["Awa", "Diallo", "awa@example.org", "centre social lumière", "95"],
            ["Karim", "Haddad", "karim@", "", ""],
            ["Awa", "Diallo", "AWA@example.org", "", ""],
            ["Léa", "Roux", "Deja@Example.org", "", ""],
            ["Paul", "Petit", "paul@example.org", "Inconnue", ""],
        ]
    )
    response = import_post(staff_client, "person", upload)
    assert response.status_code == 200
    invalid = {row.number: row for row in response.context["result"].invalid_rows}
    assert set(invalid) == {2, 3, 4, 5}
    assert column["email"] in invalid[2].error_dict
    assert invalid[3].non_field_specific_errors  # the same address twice in the file
    assert invalid[4].non_field_specific_errors  # an address already in the directory
    assert "Inconnue" in invalid[5].error_dict[column["organisation"]][0]
    assert Person.objects.count() == 1


def test_import_pages_load(staff_client):
    for model in ("organisation", "person"):
        response = staff_client.get(reverse(f"admin:members_{model}_import"))
        assert response.status_code == 200
    changelist = staff_client.get(reverse("admin:members_organisation_changelist"))
    assert reverse("admin:members_organisation_import") in changelist.content.decode()
    assert reverse("admin:members_organisation_export") in changelist.content.decode()
    export_page = staff_client.get(reverse("admin:members_membership_export"))
    assert export_page.status_code == 200
    assert labels(MembershipResource)["invoiced"] in export_page.content.decode()


def test_a_row_failing_at_confirmation_undoes_the_whole_import(staff_client):
    column = labels(PersonResource)
    header = [column[n] for n in ("first_name", "last_name", "email")]
    upload = csv_upload(
        [header, ["Awa", "Diallo", "awa@example.org"], ["Jean", "Morel", "jean@example.org"]]
    )
    response = import_post(staff_client, "person", upload)
    confirm = response.context["confirm_form"]
    PersonFactory(email="jean@example.org")  # created meanwhile by a colleague

    response = staff_client.post(
        reverse("admin:members_person_process_import"),
        {name: confirm.initial.get(name, "") for name in confirm.fields},
        follow=True,
    )
    assert response.status_code == 200
    assert not Person.objects.filter(email="awa@example.org").exists()
    assert Person.objects.count() == 1
    notes = [str(message) for message in response.context["messages"]]
    assert any("2" in note for note in notes)


def test_a_file_that_is_not_utf8_gets_a_clear_message(staff_client):
    upload = csv_upload(
        organisation_rows(["Amicale des Résidents", "association", "", "", ""]),
        encoding="latin-1",
    )
    response = import_post(staff_client, "organisation", upload)
    assert response.status_code == 200
    assert form_errors(response)
    assert "UTF-8" in form_errors(response)[0]
    assert not Organisation.objects.exists()


def test_a_file_with_wrong_columns_gets_a_clear_message(staff_client):
    upload = csv_upload([["Raison sociale", "Ville"], ["Amicale", "Cergy"]])
    response = import_post(staff_client, "organisation", upload)
    assert response.status_code == 200
    message = form_errors(response)[0]
    assert "Raison sociale" in message
    assert labels(OrganisationResource)["name"] in message
    assert not Organisation.objects.exists()


def test_an_xlsx_file_given_as_csv_or_garbage_as_xlsx_is_refused_cleanly(staff_client):
    garbage = SimpleUploadedFile("import.xlsx", b"\x00\x01not a workbook", "application/zip")
    response = import_post(staff_client, "organisation", garbage, XLSX_FORMAT)
    assert response.status_code == 200
    assert form_errors(response)


def test_comma_separated_and_xlsx_files_are_read_too(staff_client, val_d_oise):
    commune = CommuneFactory(insee_code="95585", name="Sarcelles")
    column = labels(OrganisationResource)
    rows = [
        [column["name"], column["kind"], column["commune"], column["inhabitants"]],
        ["Ville de Sarcelles", str(OrganisationKind.COMMUNE.label), "95585", "58 000"],
    ]
    response = import_post(staff_client, "organisation", csv_upload(rows, delimiter=","))
    assert not response.context["result"].has_validation_errors()

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("import.xlsx", buffer.getvalue())
    response = import_post(staff_client, "organisation", upload, XLSX_FORMAT)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    confirm = response.context["confirm_form"]
    staff_client.post(
        reverse("admin:members_organisation_process_import"),
        {name: confirm.initial.get(name, "") for name in confirm.fields},
    )
    city = Organisation.objects.get()
    assert city.commune == commune and city.inhabitants == 58000
    assert city.department == val_d_oise  # from its commune


def test_a_row_with_an_id_updates_that_record(staff_client):
    organisation = OrganisationFactory(name="Ancien nom")
    column = labels(OrganisationResource)
    upload = csv_upload(
        [
            [column["id"], column["name"], column["kind"]],
            [str(organisation.pk), "Nouveau nom", "association"],
        ]
    )
    response = import_post(staff_client, "organisation", upload)
    confirm = response.context["confirm_form"]
    staff_client.post(
        reverse("admin:members_organisation_process_import"),
        {name: confirm.initial.get(name, "") for name in confirm.fields},
    )
    organisation.refresh_from_db()
    assert organisation.name == "Nouveau nom"
    assert Organisation.objects.count() == 1

    upload = csv_upload([[column["id"], column["name"], column["kind"]], ["999999", "X", "Ville"]])
    response = import_post(staff_client, "organisation", upload)
    assert response.context["result"].has_validation_errors()


# Export -----------------------------------------------------------------------------


def export_post(client, model: str, resource, file_format: str, query: str = ""):
    prefix = resource.__name__.lower()
    data = {"format": file_format, "resource": "0"}
    data |= {f"{prefix}_{name}": "on" for name in resource().get_export_order()}
    return client.post(reverse(f"admin:members_{model}_export") + query, data)


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(response) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def test_export_organisations_as_csv_and_xlsx(staff_client):
    city = CityFactory(name="Ville d'Éragny")
    OrganisationFactory(name="Association Zèbre", is_active=False)
    column = labels(OrganisationResource)

    response = export_post(staff_client, "organisation", OrganisationResource, CSV_FORMAT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0][:3] == [column["id"], column["name"], column["kind"]]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Ville d'Éragny"][3] == city.siret
    assert by_name["Ville d'Éragny"][rows[0].index(column["commune"])] == city.commune.insee_code

    response = export_post(
        staff_client, "organisation", OrganisationResource, XLSX_FORMAT, "?is_active__exact=0"
    )
    rows = read_xlsx(response)
    assert rows[0][1] == column["name"]
    assert [row[1] for row in rows[1:]] == ["Association Zèbre"]


def test_export_people_and_memberships(staff_client):
    person = PersonFactory(first_name="Inès", email="ines@example.org")
    MembershipFactory(organisation=person.organisation, amount=Decimal("150.00"))

    response = export_post(staff_client, "person", PersonResource, XLSX_FORMAT)
    rows = read_xlsx(response)
    header = rows[0]
    assert header[1] == labels(PersonResource)["first_name"]
    assert rows[1][header.index(labels(PersonResource)["email"])] == "ines@example.org"
    assert rows[1][header.index(labels(PersonResource)["organisation"])] == person.organisation.name

    prefix = MembershipResource.__name__.lower()
    data = {"format": CSV_FORMAT, "resource": "0"}
    data |= {f"{prefix}_{name}": "on" for name in MembershipResource().get_export_order()}
    response = staff_client.post(reverse("admin:members_membership_export"), data)
    rows = read_csv(response)
    assert len(rows) == 2
    assert rows[1][1] == person.organisation.name
    header = rows[0]
    assert rows[1][header.index(labels(MembershipResource)["amount"])] == "150,00"
    assert rows[1][header.index(labels(MembershipResource)["invoiced"])] == "0,00"
