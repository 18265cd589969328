"""The preview of a dues campaign: who gets what, the total, what is missing; and the
campaign that follows it (refused without a rule, members with data missing left out)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import (
    DuesCampaign,
    DuesCampaignStatus,
    Invoice,
    Membership,
    MembershipCategory,
    OrganisationKind,
)
from members.selectors.campaigns import RowState, campaign_preview
from members.services.campaigns import dues_campaign_run, dues_campaign_start
from tests.members.factories import (
    CityFactory,
    CommuneFactory,
    DuesRuleFactory,
    IndividualMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
    PerInhabitantRuleFactory,
)

PREVIOUS, YEAR = 2029, 2030
pytestmark = pytest.mark.time_machine("2029-12-01 10:00 +01:00", tick=False)


@pytest.fixture
def members(db):
    """Last year's members: some ready to invoice, some with data missing."""
    DuesRuleFactory(year=YEAR, category=MembershipCategory.ASSOCIATION, flat_amount=Decimal("160"))
    PerInhabitantRuleFactory(year=YEAR, rate=Decimal("0.04"))
    association = MembershipFactory(
        year=PREVIOUS, organisation=OrganisationFactory(name="Association Alpha")
    ).organisation
    city = CityFactory(name="Ville de Cergy", commune=CommuneFactory(population=62760))
    MembershipFactory(year=PREVIOUS, category=MembershipCategory.CITY, organisation=city)
    no_population = CityFactory(name="Ville sans population", commune=None)
    MembershipFactory(year=PREVIOUS, category=MembershipCategory.CITY, organisation=no_population)
    no_siret = CityFactory(name="Ville sans SIRET", siret="", address="")
    MembershipFactory(year=PREVIOUS, category=MembershipCategory.CITY, organisation=no_siret)
    epci = OrganisationFactory(
        name="Agglo sans barème", kind=OrganisationKind.EPCI, siret="21920002900011"
    )
    MembershipFactory(year=PREVIOUS, category=MembershipCategory.EPCI, organisation=epci)
    individual = IndividualMembershipFactory(year=PREVIOUS).person
    return {
        "association": association,
        "city": city,
        "no_population": no_population,
        "no_siret": no_siret,
        "epci": epci,
        "individual": individual,
    }


def rows_by_member(preview) -> dict:
    return {row.member: row for row in preview.rows}


def test_the_preview_says_who_gets_what_and_what_is_missing(members):
    preview = campaign_preview(year=YEAR)

    rows = rows_by_member(preview)
    assert rows["Association Alpha"].state == RowState.ISSUE
    assert rows["Association Alpha"].amount == Decimal("160.00")
    assert rows["Association Alpha"].basis == "Forfait"
    assert not rows["Association Alpha"].for_chorus
    cergy = rows["Ville de Cergy"]
    assert cergy.state == RowState.ISSUE
    assert cergy.amount == Decimal("2510.40")
    assert cergy.basis == "62\u202f760 habitants × 0,04\u00a0€"  # noqa: RUF001
    assert cergy.category == "Ville"
    assert cergy.for_chorus  # a city with a SIRET: deposited on Chorus Pro
    assert rows["Ville sans population"].state == RowState.BLOCKED
    assert rows["Ville sans population"].problems == (
        "pas de population : renseigner sa commune ou son nombre d\u2019habitants",
    )
    assert rows["Ville sans SIRET"].state == RowState.BLOCKED
    assert rows["Ville sans SIRET"].problems == (
        "pas d\u2019adresse de facturation (rue, code postal et commune)",
        "pas de SIRET",
    )
    assert rows["Agglo sans barème"].state == RowState.BLOCKED
    individual = rows[str(members["individual"])]
    assert individual.state == RowState.BLOCKED  # no rule for individuals either
    assert preview.missing_rules == [MembershipCategory.EPCI, MembershipCategory.INDIVIDUAL]
    assert not preview.can_start
    assert preview.total == Decimal("2670.40")
    assert preview.to_mail == 1 and preview.for_chorus == 1


def test_a_campaign_cannot_start_while_a_rule_is_missing(members, staff_user):
    with pytest.raises(ValidationError) as refusal:
        dues_campaign_start(year=YEAR, started_by=staff_user)

    assert refusal.value.messages == [
        "La campagne ne peut pas être lancée : aucun barème de cotisation n\u2019est fixé en 2030 "
        "pour : Intercommunalité, Individuel."
    ]
    assert not DuesCampaign.objects.exists()


def test_the_start_page_shows_the_preview_and_refuses_with_the_list(members, staff_client):
    url = reverse("admin:members_duescampaign_start")
    page = staff_client.get(url, {"year": YEAR}).content.decode()

    assert "Aperçu des appels de cotisation 2030" in page
    assert "Association Alpha" in page and "Ville de Cergy" in page
    assert "62\u202f760 habitants × 0,04\u00a0€" in page  # noqa: RUF001
    assert "2\u202f670,40\u00a0€" in page  # the total
    assert "Barèmes manquants : la campagne ne peut pas être lancée" in page
    add_rule = reverse("admin:members_duesrule_add")
    assert f"{add_rule}?year=2030&amp;category=epci" in page
    assert f"{add_rule}?year=2030&amp;category=individual" in page
    assert "Ville sans SIRET" in page and "pas de SIRET" in page
    assert "pas de population" in page

    response = staff_client.post(url, {"year": YEAR})

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "aucun barème de cotisation n\u2019est fixé en 2030 pour : Intercommunalité, Individuel"
        in (page)
    )
    assert not DuesCampaign.objects.exists()


def test_members_with_data_missing_are_left_out_and_listed(members, staff_user):
    DuesRuleFactory(year=YEAR, category=MembershipCategory.EPCI, flat_amount=Decimal("500"))
    DuesRuleFactory(year=YEAR, category=MembershipCategory.INDIVIDUAL, flat_amount=Decimal("35"))
    assert campaign_preview(year=YEAR).can_start
    campaign = dues_campaign_start(year=YEAR, started_by=staff_user)

    dues_campaign_run(campaign_id=campaign.pk)

    campaign.refresh_from_db()
    assert campaign.status == DuesCampaignStatus.DONE  # some failed, not all
    assert campaign.total == 6 and campaign.invoices_issued == 4
    assert {error["member"]: error["error"] for error in campaign.errors} == {
        "Ville sans population": "Non facturé : pas de population : renseigner sa commune ou "
        "son nombre d\u2019habitants.",
        "Ville sans SIRET": "Non facturé : pas d\u2019adresse de facturation (rue, code postal et "
        "commune) et pas de SIRET.",
    }
    for name in ("no_population", "no_siret"):
        assert not Membership.objects.filter(year=YEAR, organisation=members[name]).exists()
    assert set(Invoice.objects.values_list("campaign", flat=True)) == {campaign.pk}

    # Once the data is filled in, a campaign of the same year invoices those left only.
    members["no_siret"].siret, members["no_siret"].address = "21950127100013", "Place de l'Hôtel"
    members["no_siret"].save()
    again = DuesCampaign.objects.create(year=YEAR, created_by=staff_user)
    dues_campaign_run(campaign_id=again.pk)
    again.refresh_from_db()
    assert again.invoices_issued == 1
    assert [error["member"] for error in again.errors] == ["Ville sans population"]


def test_a_campaign_whose_every_row_failed_ends_failed(db, staff_user, staff_client):
    PerInhabitantRuleFactory(year=YEAR)
    for name in ("Ville A", "Ville B"):
        MembershipFactory(
            year=PREVIOUS,
            category=MembershipCategory.CITY,
            organisation=CityFactory(name=name, commune=None),
        )
    campaign = dues_campaign_start(year=YEAR, started_by=staff_user)

    dues_campaign_run(campaign_id=campaign.pk)

    campaign.refresh_from_db()
    assert campaign.status == DuesCampaignStatus.FAILED
    assert campaign.processed == campaign.total == 2
    assert [error["member"] for error in campaign.errors] == ["Ville A", "Ville B"]
    assert campaign.finished_at is not None
    page = staff_client.get(reverse("admin:members_duescampaign_change", args=[campaign.pk]))
    assert "En échec" in page.content.decode()


def test_a_campaign_with_nobody_to_renew_is_done(db, staff_user):
    campaign = dues_campaign_start(year=YEAR, started_by=staff_user)
    dues_campaign_run(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.status == DuesCampaignStatus.DONE and campaign.total == 0


def test_the_preview_reads_in_a_fixed_number_of_queries(db, django_assert_num_queries):
    DuesRuleFactory(year=YEAR, category=MembershipCategory.ASSOCIATION)
    PerInhabitantRuleFactory(year=YEAR)

    def members(count: int) -> None:
        for _ in range(count):
            MembershipFactory(year=PREVIOUS)
            MembershipFactory(
                year=PREVIOUS, category=MembershipCategory.CITY, organisation=CityFactory()
            )

    members(2)
    with django_assert_num_queries(3):
        assert len(campaign_preview(year=YEAR).rows) == 4
    members(10)
    with django_assert_num_queries(3):
        assert len(campaign_preview(year=YEAR).rows) == 24
