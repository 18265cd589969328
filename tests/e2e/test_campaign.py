"""Browser journey of a dues campaign: the preview flags a missing rule and the campaign is
refused; once the rule is added, the campaign issues its calls and a real worker mails them
with their PDF to a local SMTP server; the Chorus Pro calls download as one zip."""

import re
import time
import zipfile
from decimal import Decimal

import facturx
import pytest
from playwright.sync_api import expect

from members.models import DuesCampaign, DuesRule, Invoice, MembershipCategory
from portal.core.models import SiteSettings
from tests.members.factories import (
    CityFactory,
    DuesRuleFactory,
    IndividualMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
    PerInhabitantRuleFactory,
    PersonFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PREVIOUS, YEAR = 2030, 2031


def _site() -> None:
    site = SiteSettings.load()
    site.address = "12 rue de la République\n95000 Cergy"
    site.siret = "73282932000074"
    site.iban = "FR7630006000011234567890189"
    site.email = "contact@ressources.example.org"
    site.vat_mention = "TVA non applicable, art. 293 B du CGI"
    site.save()


def _session_cookie(live_server, user) -> dict:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


def _wait_for(condition, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def test_preview_refuses_without_a_rule_then_issues_and_mails_the_calls(
    live_server, page, staff_user, smtp_server, start_worker, settings, tmp_path,
    assert_accessible, screenshot_dir,
):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    _site()
    DuesRuleFactory(year=YEAR, category=MembershipCategory.ASSOCIATION, flat_amount=Decimal("160"))
    PerInhabitantRuleFactory(year=YEAR, rate=Decimal("0.04"))
    association = OrganisationFactory(name="Association Alpha", email="compta@alpha.example.org")
    PersonFactory(organisation=association, email="presidente@alpha.example.org",
                  is_member_contact=True)  # fmt: skip
    MembershipFactory(year=PREVIOUS, organisation=association)
    individual = IndividualMembershipFactory(year=PREVIOUS).person
    city = CityFactory(name="Ville de Cergy")
    MembershipFactory(year=PREVIOUS, category=MembershipCategory.CITY, organisation=city)
    start_worker(EMAIL_URL=smtp_server.url, MEDIA_ROOT=str(tmp_path))
    page.context.add_cookies([_session_cookie(live_server, staff_user)])

    # The preview: who gets what, and the rule missing for individual members.
    page.goto(f"{live_server.url}/admin/members/duescampaign/")
    page.get_by_role(
        "link", name="Émettre les appels de cotisation de l\u2019année suivante"
    ).click()
    page.get_by_label("Année des appels de cotisation").fill(str(YEAR))
    page.get_by_role("button", name="Afficher l\u2019aperçu").click()
    preview = page.locator("#campaign-preview")
    expect(preview).to_contain_text(f"Aperçu des appels de cotisation {YEAR}")
    calls = page.get_by_role("table", name="Appels de cotisation à émettre")
    expect(calls.get_by_role("row", name=re.compile("Association Alpha"))).to_contain_text(
        "Forfait"
    )
    expect(calls.get_by_role("row", name=re.compile("Ville de Cergy"))).to_contain_text(
        "à déposer sur Chorus Pro"
    )
    missing = page.locator("#missing-rules")
    expect(missing).to_contain_text("la campagne ne peut pas être lancée")
    expect(missing).to_contain_text("Individuel")
    assert_accessible(page)
    page.screenshot(path=str(screenshot_dir / "campaign-preview.png"), full_page=True)

    # Starting is refused, with the list.
    page.get_by_role("button", name=f"Lancer la campagne {YEAR}").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"aucun barème de cotisation n\u2019est fixé en {YEAR} pour : Individuel"
    )
    assert not DuesCampaign.objects.exists()

    # The rule is added from the preview's link, then the campaign starts.
    page.get_by_role("link", name=f"Ajouter le barème {YEAR} « Individuel »").click()
    page.get_by_label("Mode").select_option(label="Forfait")
    page.get_by_label("Forfait (€)").fill("35")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    rule = DuesRule.objects.get(year=YEAR, category=MembershipCategory.INDIVIDUAL)
    assert rule.flat_amount == Decimal("35.00")
    page.goto(f"{live_server.url}/admin/members/duescampaign/start/?year={YEAR}")
    expect(page.locator("#missing-rules")).to_have_count(0)
    page.get_by_role("button", name=f"Lancer la campagne {YEAR}").click()
    expect(page).to_have_url(re.compile(r"/admin/members/duescampaign/\d+/change/$"))
    expect(page.locator('[data-field="status_label"]')).to_have_text("Terminé", timeout=90_000)

    # The worker mails the two calls to mail, each with its PDF; the city's is not mailed.
    _wait_for(lambda: len(smtp_server.envelopes) >= 2)
    time.sleep(1)  # nothing more comes
    assert len(smtp_server.envelopes) == 2
    campaign = DuesCampaign.objects.get()
    invoices = {i.payer_name: i for i in Invoice.objects.filter(campaign=campaign)}
    expected = {
        ("compta@alpha.example.org", "presidente@alpha.example.org"): "Association Alpha",
        (individual.email,): str(individual),
    }
    for envelope, message in zip(smtp_server.envelopes, smtp_server.messages, strict=True):
        invoice = invoices[expected[tuple(sorted(envelope.rcpt_tos))]]
        assert message["Subject"] == f"Appel de cotisation {YEAR} : facture {invoice.number}"
        (attachment,) = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
        assert attachment.get_filename() == f"facture-{invoice.number}.pdf"
        assert attachment.get_payload(decode=True).startswith(b"%PDF")

    # The campaign's page lists the city for Chorus Pro; its Factur-X file downloads as a zip.
    page.reload()
    expect(page.locator("#campaign-calls")).to_contain_text(
        "2 appels de cotisation envoyés par courriel avec leur PDF."
    )
    chorus = page.locator("#chorus-invoices")
    expect(chorus).to_contain_text("Ville de Cergy")
    expect(chorus).to_contain_text(invoices["Ville de Cergy"].number)
    assert_accessible(page)
    page.screenshot(path=str(screenshot_dir / "campaign-calls.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le fichier Factur-X (zip)").click()
    archive = zipfile.ZipFile(download.value.path())
    city_file = f"facture-{invoices['Ville de Cergy'].number}.pdf"
    assert archive.namelist() == [city_file]
    filename, xml = facturx.get_facturx_xml_from_pdf(archive.read(city_file), check_xsd=True)
    assert filename == "factur-x.xml"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert not page.console_errors, page.console_errors
