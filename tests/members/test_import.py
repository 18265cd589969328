"""The directory's imports (members.imports: organisations, people) through the back
office's pages, and the directory's exports, whose files import back."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from members.imports.exports import MembershipResource, OrganisationResource, PersonResource
from members.models import ActorType, Organisation, OrganisationKind, Person
from portal.core.models import ImportJobStatus
from portal.core.subjects import DataSubject
from portal.privacy.services import subject_erase
from tests.members.factories import (
    CityFactory,
    CommuneFactory,
    DepartmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)
from tests.sheets import (
    csv_bytes,
    import_through_pages,
    import_upload,
    last_job,
    ods_bytes,
    xlsx_bytes,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=False),
]

ORGANISATIONS, PEOPLE = "members.organisations", "members.people"
CSV_FORMAT, XLSX_FORMAT = "0", "1"
GARGES_SIRET = "21950002200013"
SARCELLES_SIRET = "21950585600019"


@pytest.fixture
def val_d_oise(db):
    return DepartmentFactory(code="95", name="Val-d'Oise")


@pytest.fixture
def sarcelles(val_d_oise):
    return CommuneFactory(insee_code="95585", name="Sarcelles", department=val_d_oise)


def labels(resource) -> dict[str, str]:
    """Field name → column header in the active language (French on the site)."""
    return {name: str(field.column_name) for name, field in resource().fields.items()}


def errors_of(job) -> dict[int, str]:
    return dict(job.result["errors"])


# Organisations -----------------------------------------------------------------------------


def test_organisations_from_a_windows_csv_with_loose_headers_and_values(
    staff_client, val_d_oise, sarcelles
):
    data = csv_bytes(
        [
            ["NOM", "type", "N° Siret", "Code INSEE", "Departement", "habitants", "Financeur",
             "Courriel", "Active"],
            ["Ville de Sarcelles", "ville", "219 505 856 00019", "95585", "", "58 000", "Oui",
             "mairie@sarcelles.example.org", ""],
            ["Association Quartiers Solidaires", "Association", "", "", "Val d\u2019Oise", "",
             "non", "qs@example.org", "oui"],
            ["Régie de quartier", "Entreprise ou économie sociale et solidaire", "", "",
             "Val-d'Oise", "", "", "", "non"],
        ],
        encoding="cp1252",
    )  # fmt: skip
    job = import_through_pages(staff_client, ORGANISATIONS, data, "structures.csv")
    assert job.result["counts"]["create"] == 3
    city = Organisation.objects.get(name="Ville de Sarcelles")
    assert (city.kind, city.siret, city.commune, city.inhabitants) == (
        OrganisationKind.COMMUNE, SARCELLES_SIRET, sarcelles, 58000,
    )  # fmt: skip
    assert city.department == val_d_oise  # from its commune
    assert city.is_funder and city.is_active
    association = Organisation.objects.get(name="Association Quartiers Solidaires")
    assert association.department == val_d_oise and not association.is_funder
    regie = Organisation.objects.get(name="Régie de quartier")
    assert (regie.kind, regie.is_active) == (OrganisationKind.COMPANY, False)


def test_the_same_organisations_twice_update_by_siret_then_by_name(staff_client, val_d_oise):
    header = ["Nom", "Type", "SIRET", "Département", "Courriel"]
    rows = [
        header,
        ["Ville de Garges", "Ville", GARGES_SIRET, "95", ""],
        ["Centre social L'Étoile", "association", "", "95", "etoile@example.org"],
    ]
    import_through_pages(staff_client, ORGANISATIONS, xlsx_bytes(rows))
    again = import_through_pages(staff_client, ORGANISATIONS, xlsx_bytes(rows))
    assert again.result["counts"] == {"create": 0, "update": 0, "unchanged": 2, "error": 0}

    # Renamed (found by SIRET), and spelt otherwise (found by name, loosely).
    rows[1][0] = "Ville de Garges-lès-Gonesse"
    rows[2][0] = "CENTRE SOCIAL L\u2019ETOILE"
    rows[2][4] = "accueil@etoile.example.org"
    job = import_through_pages(staff_client, ORGANISATIONS, csv_bytes(rows), "structures.csv")
    assert job.result["counts"] == {"create": 0, "update": 2, "unchanged": 0, "error": 0}
    assert Organisation.objects.count() == 2
    assert Organisation.objects.get(siret=GARGES_SIRET).name == "Ville de Garges-lès-Gonesse"
    etoile = Organisation.objects.get(kind=OrganisationKind.ASSOCIATION)
    assert etoile.email == "accueil@etoile.example.org"
    assert etoile.name == "CENTRE SOCIAL L\u2019ETOILE"


def test_an_id_updates_that_record_and_empty_cells_keep_what_it_has(staff_client):
    organisation = OrganisationFactory(name="Ancien nom", phone="01 34 00 00 00")
    rows = [["Identifiant", "Nom", "Type", "Téléphone"], [organisation.pk, "Nouveau nom",
            "association", ""]]  # fmt: skip
    job = import_through_pages(staff_client, ORGANISATIONS, xlsx_bytes(rows))
    assert job.result["counts"]["update"] == 1
    organisation.refresh_from_db()
    assert (organisation.name, organisation.phone) == ("Nouveau nom", "01 34 00 00 00")

    import_upload(staff_client, ORGANISATIONS, xlsx_bytes([rows[0], [999999, "X", "Ville", ""]]))
    assert "999999" in errors_of(last_job())[2]
    assert Organisation.objects.count() == 1


def test_organisation_errors_name_the_line_and_column_and_nothing_is_written(
    staff_client, val_d_oise
):
    data = xlsx_bytes(
        [
            ["Nom", "Type", "SIRET", "Département", "Courriel"],
            ["Association A", "association", "", "95", "a@example.org"],
            ["Ville B", "ville", "12345678901234", "95", ""],
            ["Association C", "association", "", "99", "c@example.org"],
            ["Association D", "club de foot", "", "95", "pas-une-adresse"],
            ["association a", "Association", "", "", ""],
            ["", "association", "", "", ""],
        ]
    )
    response = import_upload(staff_client, ORGANISATIONS, data)
    errors = errors_of(last_job())
    assert set(errors) == {3, 4, 5, 6, 7}
    assert "SIRET" in errors[3] and "12345678901234" in errors[3]
    assert "Département" in errors[4] and "99" in errors[4]
    assert "Type" in errors[5] and "Courriel" in errors[5]
    assert "ligne 2" in errors[6]  # the same organisation as line 2, whatever the case
    assert "« Nom » est obligatoire" in errors[7]
    assert "None" not in response.content.decode()
    assert not Organisation.objects.exists()


def test_a_file_with_wrong_columns_is_refused_with_the_expected_ones(staff_client):
    import_upload(staff_client, ORGANISATIONS, csv_bytes([["Raison", "Ville"], ["A", "B"]]))
    job = last_job()
    assert job.status == ImportJobStatus.FAILED
    [message] = job.result["file_errors"]
    assert "« Type »" in message
    assert not Organisation.objects.exists()


# People ------------------------------------------------------------------------------------


def test_people_from_an_ods_file_with_their_organisation_found_loosely(staff_client, val_d_oise):
    etoile = OrganisationFactory(name="Centre social L\u2019Étoile")
    data = ods_bytes(
        [
            ["Prénom", "Nom", "E-mail", "Structure", "Type d'acteur", "Dép", "Contact adhérent"],
            ["Awa", "Diallo", "Awa.Diallo@Example.org", "centre social l'etoile",
             "Agent de collectivité", "Val d'Oise", "oui"],
            ["Jean", "Morel", "", "", "Élu·e", "95", ""],
        ]
    )  # fmt: skip
    job = import_through_pages(staff_client, PEOPLE, data, "personnes.ods")
    assert job.result["counts"]["create"] == 2
    awa = Person.objects.get(email="awa.diallo@example.org")
    assert (awa.organisation, awa.actor_type, awa.department) == (
        etoile, ActorType.COLLECTIVITY_STAFF, val_d_oise,
    )  # fmt: skip
    assert awa.is_member_contact
    jean = Person.objects.get(last_name="Morel")
    assert (jean.email, jean.actor_type, jean.organisation) == ("", ActorType.ELECTED, None)
    assert not jean.is_member_contact


def test_the_same_people_twice_update_by_address_then_by_name(staff_client, val_d_oise):
    etoile = OrganisationFactory(name="Centre social L'Étoile")
    header = ["Prénom", "Nom", "Courriel", "Structure", "Fonction"]
    rows = [
        header,
        ["Awa", "Diallo", "awa@example.org", "Centre social L'Étoile", "Animatrice"],
        ["Jean", "Morel", "", "Centre social L'Étoile", ""],
    ]
    import_through_pages(staff_client, PEOPLE, xlsx_bytes(rows))
    again = import_through_pages(staff_client, PEOPLE, xlsx_bytes(rows))
    assert again.result["counts"]["unchanged"] == 2

    rows[1][1] = "Diallo-Sow"  # found by address
    rows[2][0], rows[2][1], rows[2][2] = "JEAN", "MOREL", "jean@example.org"  # by name
    data = csv_bytes(rows, encoding="cp1252")
    job = import_through_pages(staff_client, PEOPLE, data, "personnes.csv")
    assert job.result["counts"] == {"create": 0, "update": 2, "unchanged": 0, "error": 0}
    assert Person.objects.count() == 2
    assert Person.objects.get(email="awa@example.org").last_name == "Diallo-Sow"
    jean = Person.objects.get(email="jean@example.org")
    assert jean.organisation == etoile


def test_people_errors_duplicates_and_an_erased_address(staff_client, staff_user, val_d_oise):
    PersonFactory(email="deja@example.org")
    erased = PersonFactory(email="efface@example.org")
    subject_erase(
        subject=DataSubject(email="efface@example.org", person=erased),
        actor=staff_user,
        reason="Demande écrite",
    )
    known = Person.objects.get(email="deja@example.org")
    count = Person.objects.count()
    data = csv_bytes(
        [
            ["Identifiant", "Prénom", "Nom", "Courriel", "Structure"],
            ["", "Awa", "Diallo", "awa@example.org", ""],
            ["", "Karim", "Haddad", "karim@", ""],
            ["", "Awa", "Diallo", "AWA@example.org", ""],
            ["", "Paul", "Petit", "paul@example.org", "Inconnue"],
            ["", "Zoé", "Blanc", "Efface@Example.org", ""],
            [known.pk, "Léa", "Roux", "deja@example.org", ""],
            ["", "Léa", "Roux", "deja@example.org", ""],
        ],
        encoding="cp1252",
    )
    import_upload(staff_client, PEOPLE, data, "personnes.csv")
    errors = errors_of(last_job())
    assert set(errors) == {3, 4, 5, 6, 8}
    assert "karim@" in errors[3]
    assert "ligne 2" in errors[4]
    assert "Inconnue" in errors[5]
    assert "effacées" in errors[6]
    assert "ligne 7" in errors[8]
    assert Person.objects.count() == count


def test_an_address_of_another_person_is_refused(staff_client):
    awa = PersonFactory(email="awa@example.org")
    jean = PersonFactory(email="jean@example.org")
    data = xlsx_bytes(
        [["Identifiant", "Prénom", "Nom", "Courriel"], [jean.pk, "Jean", "Morel", awa.email]]
    )
    import_upload(staff_client, PEOPLE, data)
    assert f"(ID {awa.pk})" in errors_of(last_job())[2]
    jean.refresh_from_db()
    assert jean.email == "jean@example.org"


# The pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "required"),
    [
        (ORGANISATIONS, ["Nom", "Type"]),
        (PEOPLE, ["Prénom", "Nom"]),
        ("members.dues_rules", ["Année", "Catégorie"]),
        ("members.memberships", ["Année"]),
    ],
)
def test_each_import_offers_its_template(staff_client, kind, required):
    page = staff_client.get(reverse("admin:core_importjob_upload", args=[kind]))
    assert page.status_code == 200
    response = staff_client.get(reverse("admin:core_importjob_template", args=[kind]))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [cell for cell in next(workbook.worksheets[0].iter_rows(values_only=True)) if cell]
    assert [header[:-2] for header in headers if header.endswith(" *")] == required
    assert len(workbook.worksheets) == 3


@pytest.mark.parametrize(
    ("model", "kind"),
    [
        ("organisation", ORGANISATIONS),
        ("person", PEOPLE),
        ("duesrule", "members.dues_rules"),
        ("membership", "members.memberships"),
    ],
)
def test_each_list_links_to_its_import(staff_client, model, kind):
    changelist = staff_client.get(reverse(f"admin:members_{model}_changelist"))
    assert reverse("admin:core_importjob_upload", args=[kind]) in changelist.content.decode()


def test_the_imports_follow_the_order_of_moving_in(staff_client):
    page = staff_client.get(reverse("admin:core_importjob_add")).content.decode()
    places = [
        page.index(reverse("admin:core_importjob_upload", args=[kind]))
        for kind in (ORGANISATIONS, PEOPLE, "members.dues_rules", "members.memberships")
    ]
    assert places == sorted(places)


# Export ------------------------------------------------------------------------------------


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

    response = export_post(staff_client, "membership", MembershipResource, CSV_FORMAT)
    rows = read_csv(response)
    assert len(rows) == 2
    assert rows[1][1] == person.organisation.name
    header = rows[0]
    assert rows[1][header.index(labels(MembershipResource)["amount"])] == "150,00"
    assert rows[1][header.index(labels(MembershipResource)["invoiced"])] == "0,00"


def test_exports_import_back_unchanged(staff_client, val_d_oise):
    CityFactory(siret=GARGES_SIRET, inhabitants=42000, website="https://garges.example.org")
    organisation = OrganisationFactory(name="-Collectif des habitants", phone="+33 1 34 00")
    PersonFactory(first_name="@Awa", organisation=organisation, department=val_d_oise)
    PersonFactory(email="", organisation=None)

    organisations = export_post(staff_client, "organisation", OrganisationResource, XLSX_FORMAT)
    sheet = openpyxl.load_workbook(io.BytesIO(organisations.content)).active
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    job = import_through_pages(staff_client, ORGANISATIONS, organisations.content)
    assert job.result["counts"] == {"create": 0, "update": 0, "unchanged": 2, "error": 0}
    assert job.result["ignored_columns"] == []

    people = export_post(staff_client, "person", PersonResource, CSV_FORMAT)
    job = import_through_pages(staff_client, PEOPLE, people.content, "personnes.csv")
    assert job.result["counts"] == {"create": 0, "update": 0, "unchanged": 2, "error": 0}
    assert job.result["ignored_columns"] == []
    assert Person.objects.filter(first_name="@Awa").exists()


def test_a_formula_exported_is_guarded_and_refused_back(staff_client):
    OrganisationFactory(name='=HYPERLINK("http://evil.example","clic")')
    exported = export_post(staff_client, "organisation", OrganisationResource, CSV_FORMAT)
    rows = read_csv(exported)
    assert rows[1][1].startswith("'=")
    import_upload(staff_client, ORGANISATIONS, exported.content, "structures.csv")
    assert "formule" in errors_of(last_job())[2]
