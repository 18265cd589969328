"""Legal notice (LCEN art. 6), accessibility statement (RGAA model) and the HTML site map."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from demo.core import load_site_settings
from portal.core.models import AccessibilityStatus, SiteSettings

pytestmark = pytest.mark.django_db


def test_legal_notice_names_the_director_of_publication_and_the_host(client):
    site = SiteSettings.load()
    site.publication_director = "Jeanne Martin, présidente"
    site.host_name = "Hébergeur Exemple SAS"
    site.host_address = "2 rue des Serveurs\n59100 Roubaix"
    site.host_phone = "03 20 00 00 00"
    site.save()
    html = client.get(reverse("core:legal_notice")).content.decode()
    for expected in (
        "Directeur ou directrice de la publication",
        "Jeanne Martin, présidente",
        "Hébergeur Exemple SAS",
        "2 rue des Serveurs<br>59100 Roubaix",
        "03 20 00 00 00",
    ):
        assert expected in html


def test_legal_notice_says_what_is_missing(client):
    html = client.get(reverse("core:legal_notice")).content.decode()
    assert "Pas encore renseigné" in html


def test_accessibility_statement_follows_the_rgaa_model(client):
    site = SiteSettings.load()
    site.accessibility_status = AccessibilityStatus.PARTIAL
    site.accessibility_rate = Decimal("78.5")
    site.accessibility_audit_date = date(2026, 9, 15)
    site.accessibility_audit_basis = "Auto-évaluation sur douze pages."
    site.accessibility_non_accessible = "PDF anciens non balisés\n- Vidéos sans sous-titres"
    site.accessibility_statement_date = date(2026, 9, 30)
    site.full_clean()
    site.save()
    html = client.get(reverse("core:accessibility")).content.decode()
    for expected in (
        "<strong>partiellement conforme</strong>",
        "15 septembre 2026",
        "78,5 %",
        "Auto-évaluation sur douze pages.",
        "<li>PDF anciens non balisés</li>",
        "<li>Vidéos sans sous-titres</li>",
        "Dérogations pour charge disproportionnée",
        "30 septembre 2026",
        "Voies de recours",
        "https://formulaire.defenseurdesdroits.fr/",
        "Libre réponse 71120",
        "75342 Paris CEDEX 07",
    ):
        assert expected in html, expected
    assert "Accessibilité : partiellement conforme" in html  # the footer says the same


def test_without_an_audit_the_site_is_declared_non_compliant(client):
    html = client.get(reverse("core:accessibility")).content.decode()
    assert "<strong>non conforme</strong>" in html
    assert "Aucun audit de conformité" in html


@pytest.mark.parametrize(
    ("status", "rate", "audit_date", "field"),
    [
        (AccessibilityStatus.COMPLIANT, Decimal("80"), date(2026, 1, 5), "accessibility_status"),
        (AccessibilityStatus.PARTIAL, Decimal("30"), date(2026, 1, 5), "accessibility_status"),
        (AccessibilityStatus.PARTIAL, None, None, "accessibility_rate"),
        (AccessibilityStatus.PARTIAL, Decimal("60"), None, "accessibility_audit_date"),
        (AccessibilityStatus.PARTIAL, Decimal("101"), date(2026, 1, 5), "accessibility_rate"),
    ],
)
def test_the_state_must_match_the_audit(status, rate, audit_date, field):
    site = SiteSettings(
        name="X",
        accessibility_status=status,
        accessibility_rate=rate,
        accessibility_audit_date=audit_date,
    )
    with pytest.raises(ValidationError) as error:
        site.full_clean()
    assert field in error.value.message_dict


def test_the_demo_centre_fills_every_legal_field():
    site = load_site_settings()
    site.full_clean()
    for field in ("publication_director", "host_name", "host_address", "host_phone"):
        assert getattr(site, field)
    assert site.accessibility_status == AccessibilityStatus.PARTIAL


def test_site_map_lists_every_public_page_and_the_member_space(client):
    response = client.get("/plan-du-site/")
    assert response.status_code == 200
    html = response.content.decode()
    for path in (
        "/",
        "/agenda/",
        "/agenda/passees/",
        "/publications/",
        "/resonances/",
        "/resonances/inscription/",
        "/agenda/flux.xml",
        "/infodoc/",
        "/infodoc/questions-reponses/",
        "/adherents/",
        "/espace/",
        "/comptes/login/",
        "/mentions-legales/",
        "/confidentialite/",
        "/accessibilite/",
        "/sitemap.xml",
    ):
        assert f'href="{path}"' in html, path
    # Linked from the footer of every page, and listed in sitemap.xml.
    assert 'href="/plan-du-site/"' in client.get("/").content.decode()
    assert "/plan-du-site/" in client.get("/sitemap.xml").content.decode()


def test_staff_edit_the_legal_fields_in_the_back_office(client, staff_user):
    client.force_login(staff_user)
    SiteSettings.load()
    html = client.get(reverse("admin:core_sitesettings_change", args=[1])).content.decode()
    for field in (
        "publication_director",
        "host_name",
        "host_address",
        "host_phone",
        "accessibility_status",
        "accessibility_rate",
        "accessibility_audit_date",
        "accessibility_audit_basis",
        "accessibility_non_accessible",
        "accessibility_derogations",
        "accessibility_statement_date",
    ):
        assert f'name="{field}"' in html, field
