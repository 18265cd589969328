from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from portal.core.models import SiteSettings

PUBLIC_PAGES = [
    "/",
    "/agenda/",
    "/publications/",
    "/resonances/",
    "/infodoc/",
    "/adherents/",
    "/mentions-legales/",
    "/confidentialite/",
    "/accessibilite/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_share_the_french_accessible_layout(client, path):
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html
    for landmark in ("<header", "<main", "<footer", '<nav class="main-nav"'):
        assert landmark in html
    for section in ("/agenda/", "/publications/", "/resonances/", "/infodoc/", "/adherents/"):
        assert f'href="{section}"' in html
    for legal in ("/mentions-legales/", "/confidentialite/", "/accessibilite/"):
        assert f'href="{legal}"' in html
    assert html.count("<h1") == 1


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


@pytest.mark.django_db
def test_site_settings_feed_the_layout_and_the_theme(client):
    site = SiteSettings.load()
    site.name = "Centre de ressources d'essai"
    site.primary_colour = "#123456"
    site.save()
    assert "Centre de ressources d&#x27;essai" in client.get("/").content.decode()
    css = client.get(reverse("core:theme_css"))
    assert css["Content-Type"].startswith("text/css")
    assert "--primary: #123456" in css.content.decode()


@pytest.mark.django_db
def test_site_settings_are_read_once_then_kept_until_the_content_changes(
    django_assert_num_queries,
):
    from portal.core import pagecache

    SiteSettings.load()  # created, kept
    with django_assert_num_queries(0):
        site = SiteSettings.load()
    site.name = "Changed by one caller, not saved"
    assert SiteSettings.load().name != site.name  # each caller has its own copy

    # Another process's commit moves the version on: the row is read again.
    pagecache.redis_client().incr(pagecache.VERSION_KEY)
    with django_assert_num_queries(1):
        SiteSettings.load()


@pytest.mark.django_db
def test_site_settings_reject_a_bad_siret_and_colour():
    from django.core.exceptions import ValidationError

    site = SiteSettings(name="X", siret="12345678901234", primary_colour="blue")
    with pytest.raises(ValidationError) as error:
        site.full_clean()
    assert set(error.value.message_dict) == {"siret", "primary_colour"}
    SiteSettings(name="X", siret="73282932000074").full_clean()  # a valid SIRET


def test_staff_edit_the_site_settings_in_the_back_office(client, staff_user):
    client.force_login(staff_user)
    SiteSettings.load()
    url = reverse("admin:core_sitesettings_change", args=[1])
    response = client.post(
        url,
        {
            "name": "Pôle ressources",
            "short_name": "",
            "tagline": "",
            "address": "1 rue de l'Exemple\n95000 Cergy",
            "email": "contact@example.org",
            "phone": "",
            "siret": "not-a-siret",
            "vat_mention": "TVA non applicable, art. 293 B du CGI",
            "legal_mentions": "",
            "primary_colour": "#1d4e89",
            "accent_colour": "#b3261e",
        },
    )
    assert response.status_code == 200  # redisplayed with the error, nothing saved
    assert "SIRET" in response.content.decode()
    assert SiteSettings.load().email != "contact@example.org"


@pytest.mark.django_db
def test_unknown_page_answers_a_french_404(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [__import__("django.urls").urls.path("boom/", _boom)]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_server_errors_answer_the_french_500_page(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


@pytest.mark.django_db
def test_sitemap_lists_the_public_sections(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    tree = ElementTree.fromstring(response.content)
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = {element.text for element in tree.iter(f"{namespace}loc")}
    for path in PUBLIC_PAGES:
        assert any(location.endswith(path) for location in locations), path


def test_robots_txt_points_to_the_sitemap_and_hides_private_areas(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: " in text and text.strip().endswith("/sitemap.xml")
    for private in ("/admin/", "/espace/", "/direction/"):
        assert f"Disallow: {private}" in text


@pytest.mark.django_db
def test_privacy_page_lists_the_register_of_processing(client):
    from portal.core.processing import REGISTER

    html = client.get("/confidentialite/").content.decode()
    assert html.count('<th scope="row"') == len(REGISTER)


def test_client_ip_behind_trusted_proxies(rf, settings):
    from portal.core.http import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.7"  # a forged left-most address is ignored


@pytest.mark.django_db
@override_settings(PAGE_CACHE_SECONDS=300)
def test_every_page_turns_off_the_browser_features_it_does_not_use(client):
    """Permissions-Policy on a page made now and on the same page served from the cache."""
    made, cached = client.get("/"), client.get("/")

    assert cached["X-Page-Cache"] == "hit"
    for response in (made, cached):
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


@pytest.mark.django_db
def test_no_script_can_read_the_csrf_cookie(client):
    response = client.get(reverse("infodoc:index"))

    assert response.cookies[settings.CSRF_COOKIE_NAME]["httponly"]
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
