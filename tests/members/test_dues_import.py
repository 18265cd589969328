"""The dues' imports (members.imports: dues rules, memberships of a year) through the back
office's pages: a past year comes in with its statuses, issues no invoice, sends nothing,
and its figures are right at once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from members.imports.exports import MembershipResource
from members.models import (
    DuesMode,
    DuesRule,
    Invoice,
    Membership,
    MembershipCategory,
    MembershipStatus,
    OrganisationKind,
)
from members.selectors.figures import dues_figures, member_figures
from members.selectors.memberships import membership_status
from members.services.billing import invoice_issue
from portal.core.models import AuditEntry
from tests.members.factories import (
    CityFactory,
    CommuneFactory,
    DepartmentFactory,
    DuesRuleFactory,
    MembershipFactory,
    OrganisationFactory,
    PerInhabitantRuleFactory,
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

RULES, MEMBERSHIPS = "members.dues_rules", "members.memberships"
GARGES_SIRET, SARCELLES_SIRET = "21950002200013", "21950585600019"
YEAR = 2023


def errors_of(job) -> dict[int, str]:
    return dict(job.result["errors"])


# Dues rules --------------------------------------------------------------------------------


def test_dues_rules_from_a_spreadsheet_then_updated(staff_client, staff_user):
    rows = [
        ["Année", "Catégorie", "Mode de calcul", "Tarif par habitant (€)", "Forfait (€)"],
        [2023, "Ville", "par habitant", "0,04", ""],
        [2023, "asso", "", "", "150"],
        [2023, "Individuelle", "Forfait", "", "30,00 €"],
        [2023, "EPCI", "", 0.03, None],
    ]
    job = import_through_pages(staff_client, RULES, xlsx_bytes(rows))
    assert job.result["counts"]["create"] == 4
    city = DuesRule.objects.get(year=2023, category=MembershipCategory.CITY)
    assert (city.mode, city.rate, city.flat_amount) == (
        DuesMode.PER_INHABITANT, Decimal("0.0400"), None,
    )  # fmt: skip
    association = DuesRule.objects.get(category=MembershipCategory.ASSOCIATION)
    assert (association.mode, association.flat_amount) == (DuesMode.FLAT, Decimal("150.00"))
    assert DuesRule.objects.get(category=MembershipCategory.INDIVIDUAL).flat_amount == 30
    assert DuesRule.objects.get(category=MembershipCategory.EPCI).rate == Decimal("0.03")

    again = import_through_pages(staff_client, RULES, xlsx_bytes(rows))
    assert again.result["counts"]["unchanged"] == 4
    rows[2][4] = "160"
    job = import_through_pages(staff_client, RULES, csv_bytes(rows, encoding="cp1252"), "r.csv")
    assert job.result["counts"] == {"create": 0, "update": 1, "unchanged": 3, "error": 0}
    association.refresh_from_db()
    assert association.flat_amount == 160
    entry = AuditEntry.objects.for_object(association).latest("pk")
    assert (entry.action, entry.actor) == ("dues_rule.imported", staff_user)
    assert entry.changes["flat_amount"] == ["150.00", "160.00"]


def test_dues_rule_errors_and_duplicates(staff_client):
    data = csv_bytes(
        [
            ["Année", "Catégorie", "Mode", "Tarif par habitant (€)", "Forfait (€)"],
            [2024, "Ville", "", "0,04", "150"],
            [2024, "Association", "Par habitant", "", ""],
            [2024, "Individuel", "Forfait", "0,02", "30"],
            [2024, "ville", "", "0,05", ""],
            [1850, "Association", "", "", "150"],
            [2024, "Club", "", "", "150"],
        ],
        encoding="cp1252",
    )
    import_upload(staff_client, RULES, data, "regles.csv")
    errors = errors_of(last_job())
    assert set(errors) == {2, 3, 4, 5, 6, 7}
    assert "pas les deux" in errors[2]
    assert "Tarif par habitant" in errors[3]
    assert "Tarif par habitant" in errors[4]
    assert "ligne 2" in errors[5]
    assert "Année" in errors[6]
    assert "Club" in errors[7]
    assert not DuesRule.objects.exists()


# Memberships of a past year ----------------------------------------------------------------


@pytest.fixture
def directory(db):
    """The directory as the organisations' and people's imports leave it, and 2023's rules."""
    val_d_oise = DepartmentFactory(code="95", name="Val-d'Oise")
    garges = CommuneFactory(insee_code="95268", name="Garges", population=42000)
    sarcelles = CommuneFactory(insee_code="95585", name="Sarcelles", population=58000)
    PerInhabitantRuleFactory(year=YEAR, rate=Decimal("0.04"))
    DuesRuleFactory(year=YEAR, category=MembershipCategory.ASSOCIATION, flat_amount=150)
    DuesRuleFactory(year=YEAR, category=MembershipCategory.INDIVIDUAL, flat_amount=30)
    return {
        "garges": CityFactory(name="Ville de Garges", siret=GARGES_SIRET, commune=garges),
        "sarcelles": CityFactory(
            name="Ville de Sarcelles", siret=SARCELLES_SIRET, commune=sarcelles
        ),
        "etoile": OrganisationFactory(name="Centre social L'Étoile", department=val_d_oise),
        "regie": OrganisationFactory(name="Régie de quartier", kind=OrganisationKind.COMPANY),
        "amicale": OrganisationFactory(name="Amicale des locataires"),
        "awa": PersonFactory(first_name="Awa", last_name="Diallo", email="awa@example.org",
                             organisation=None),
        "jean": PersonFactory(first_name="Jean", last_name="Morel", email="", organisation=None),
    }  # fmt: skip


HEADER = ["ADHERENT", "N° SIRET", "E-mail", "Catégorie", "Année", "Montant",
          "Nombre d'habitants", "N° d'engagement", "Délibération", "Statut"]  # fmt: skip


def past_year_rows() -> list[list]:
    return [
        HEADER,
        ["", SARCELLES_SIRET, "", "", YEAR, "", "", "EJ-2023-41", "DCM 2023-12", "Payée"],
        ["Ville de Garges", "", "", "", YEAR, "", "40 000", "", "", "Facturée"],
        ["centre social l\u2019etoile", "", "", "", YEAR, "150,00 €", "", "", "", "payé"],
        ["Régie de quartier", "", "", "", YEAR, "200", "", "", "", "Payée en partie"],
        ["Amicale des locataires", "", "", "", YEAR, "", "", "", "", "Annulée"],
        ["", "", "AWA@example.org", "", YEAR, "", "", "", "", "Réglé"],
        ["Jean Morel", "", "", "Individuel", YEAR, "", "", "", "", "À facturer"],
    ]


def test_a_past_year_comes_in_with_no_invoice_no_mail_and_its_figures(
    staff_client, staff_user, directory, smtp_server, django_capture_on_commit_callbacks
):
    data = csv_bytes(past_year_rows(), encoding="cp1252")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_through_pages(staff_client, MEMBERSHIPS, data, "adhesions-2023.csv")
    assert job.result["counts"]["create"] == 7
    assert not Invoice.objects.exists()
    assert smtp_server.envelopes == []

    sarcelles = Membership.objects.get(organisation=directory["sarcelles"])
    assert (sarcelles.category, sarcelles.population_used, sarcelles.rate_used) == (
        MembershipCategory.CITY, 58000, Decimal("0.04"),
    )  # fmt: skip
    assert sarcelles.amount == Decimal("2320.00")  # the commune's population times the rate
    assert (sarcelles.commitment_number, sarcelles.decision_reference) == (
        "EJ-2023-41", "DCM 2023-12",
    )  # fmt: skip
    garges = Membership.objects.get(organisation=directory["garges"])
    assert (garges.population_used, garges.amount) == (40000, Decimal("1600.00"))  # the file's
    statuses = {
        str(membership.member): membership_status(membership)
        for membership in Membership.objects.select_related("organisation", "person")
    }
    assert statuses == {
        "Ville de Sarcelles": MembershipStatus.PAID,
        "Ville de Garges": MembershipStatus.INVOICED,
        "Centre social L'Étoile": MembershipStatus.PAID,
        "Régie de quartier": MembershipStatus.PARTLY_PAID,
        "Amicale des locataires": MembershipStatus.CANCELLED,
        "Awa Diallo": MembershipStatus.PAID,
        "Jean Morel": MembershipStatus.TO_INVOICE,
    }
    assert Membership.objects.get(organisation=directory["regie"]).category == "other"
    assert Membership.objects.filter(cancelled_at__isnull=False).count() == 1

    figures = member_figures(year=YEAR)
    assert figures.total == 6  # the cancelled one aside
    by_category = {group.category: group.names for group in figures.by_category}
    assert by_category[MembershipCategory.CITY] == ("Ville de Garges", "Ville de Sarcelles")
    assert by_category[MembershipCategory.INDIVIDUAL] == ("Awa Diallo", "Jean Morel")
    assert by_category[MembershipCategory.OTHER] == ("Régie de quartier",)
    dues = dues_figures(year=YEAR)
    # Invoiced: Sarcelles 2,320 + Garges 1,600 + L'Étoile 150 + the Régie 200 + Awa 30.
    assert dues.invoiced == Decimal("4300.00")
    assert dues.collected == Decimal("2500.00")  # the paid ones: 2,320 + 150 + 30
    assert dues.outstanding == Decimal("1800.00")
    assert dues.invoices == 0

    entries = AuditEntry.objects.filter(action="membership.imported")
    assert entries.count() == 7
    entry = AuditEntry.objects.for_object(sarcelles).get()
    assert entry.actor == staff_user
    assert entry.changes["status"] == MembershipStatus.PAID
    paid = staff_client.get(reverse("admin:members_membership_changelist"), {"status": "paid"})
    assert len(paid.context["cl"].result_list) == 3


def test_the_same_year_twice_updates_and_a_corrected_file_is_audited(
    staff_client, staff_user, directory
):
    rows = past_year_rows()
    import_through_pages(staff_client, MEMBERSHIPS, xlsx_bytes(rows))
    again = import_through_pages(staff_client, MEMBERSHIPS, xlsx_bytes(rows))
    assert again.result["counts"] == {"create": 0, "update": 0, "unchanged": 7, "error": 0}

    rows[2][9] = "Payée"  # Garges paid after all
    rows[5][9] = "Payée"  # the Amicale was not cancelled
    rows[3][5] = "180"
    job = import_through_pages(staff_client, MEMBERSHIPS, ods_bytes(rows), "adhesions.ods")
    assert job.result["counts"] == {"create": 0, "update": 3, "unchanged": 4, "error": 0}
    assert Membership.objects.count() == 7
    garges = Membership.objects.get(organisation=directory["garges"])
    assert membership_status(garges) == MembershipStatus.PAID
    amicale = Membership.objects.get(organisation=directory["amicale"])
    assert amicale.cancelled_at is None
    assert membership_status(amicale) == MembershipStatus.PAID
    etoile = Membership.objects.get(organisation=directory["etoile"])
    assert etoile.amount == 180
    change = AuditEntry.objects.for_object(etoile).latest("pk")
    assert change.changes["amount"] == ["150.00", "180.00"]
    assert AuditEntry.objects.for_object(garges).latest("pk").changes["recorded_status"] == [
        "invoiced", "paid",
    ]  # fmt: skip
    # Paid now: Sarcelles 2,320, L'Étoile 180, Awa 30, Garges 1,600 and the Amicale 150.
    assert dues_figures(year=YEAR).collected == Decimal("4280.00")


def test_membership_errors_name_the_line_and_nothing_is_written(staff_client, directory):
    data = xlsx_bytes(
        [
            HEADER,
            ["Ville de Garges", "", "", "", YEAR, "", "", "", "", "Payée"],
            ["", GARGES_SIRET, "", "", YEAR, "", "", "", "", ""],
            ["Ville inconnue", "", "", "", YEAR, "100", "", "", "", ""],
            ["Centre social L'Étoile", "", "", "", 2019, "", "", "", "", ""],
            ["Awa Diallo", "", "", "Association", YEAR, "", "", "", "", ""],
            ["", "", "", "", YEAR, "100", "", "", "", ""],
            ["Amicale des locataires", "", "", "", YEAR, "", "", "", "", "Remboursée"],
            ["", "", "inconnu@example.org", "", YEAR, "30", "", "", "", ""],
        ]
    )
    response = import_upload(staff_client, MEMBERSHIPS, data)
    errors = errors_of(last_job())
    assert set(errors) == {3, 4, 5, 6, 7, 8, 9}
    assert "ligne 2" in errors[3]  # the same city, by its SIRET
    assert "Ville inconnue" in errors[4]
    assert "2019" in errors[5] and "« Cotisation (€) »" in errors[5]
    assert "Awa Diallo" in errors[6]
    assert "Adhérent" in errors[7]
    assert "Remboursée" in errors[8]
    assert "inconnu@example.org" in errors[9]
    assert "None" not in response.content.decode()
    assert not Membership.objects.exists()


def test_dues_per_inhabitant_need_a_population(staff_client, directory):
    directory["garges"].commune = None
    directory["garges"].save()
    data = xlsx_bytes([HEADER, ["Ville de Garges", "", "", "", YEAR, "", "", "", "", ""]])
    import_upload(staff_client, MEMBERSHIPS, data)
    assert "Nombre d'habitants" not in errors_of(last_job())[2]
    assert "par habitant" in errors_of(last_job())[2]
    assert not Membership.objects.exists()


def test_a_membership_invoiced_in_the_portal_keeps_its_dues_and_status(
    staff_client, staff_user, directory
):
    membership = MembershipFactory(
        organisation=directory["etoile"], year=YEAR, amount=Decimal("150.00")
    )
    invoice_issue(membership=membership, issued_by=staff_user)
    rows = [HEADER, ["Centre social L'Étoile", "", "", "", YEAR, "150", "", "EJ-9", "", "Facturée"]]
    job = import_through_pages(staff_client, MEMBERSHIPS, xlsx_bytes(rows))
    assert job.result["counts"]["update"] == 1
    membership.refresh_from_db()
    assert (membership.commitment_number, membership.recorded_status) == ("EJ-9", "")

    rows[1][5], rows[1][9] = "300", "Payée"
    import_upload(staff_client, MEMBERSHIPS, xlsx_bytes(rows))
    error = errors_of(last_job())[2]
    assert "facturée dans le portail" in error
    assert "« Cotisation (€) »" in error and "« Statut »" in error
    assert Invoice.objects.count() == 1


def test_an_export_of_memberships_imports_back_unchanged(staff_client, directory):
    import_through_pages(staff_client, MEMBERSHIPS, xlsx_bytes(past_year_rows()))
    data = {"format": "1", "resource": "0"}  # XLSX, every column
    data |= {f"membershipresource_{name}": "on" for name in MembershipResource().get_export_order()}
    exported = staff_client.post(reverse("admin:members_membership_export"), data)
    job = import_through_pages(staff_client, MEMBERSHIPS, exported.content)
    assert job.result["counts"] == {"create": 0, "update": 0, "unchanged": 7, "error": 0}
