"""Error pages: French, in the site's layout, and the 500 page without context or database."""

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.views.defaults import server_error


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def assert_site_layout(html: str) -> None:
    assert '<html lang="fr">' in html
    for landmark in ('<header class="site-header"', '<main id="contenu"', "<footer"):
        assert landmark in html
    assert 'href="/mentions-legales/"' in html


def test_404_is_french_in_the_layout(client, db):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_site_layout(html)
    assert "Page introuvable" in html


def test_400_is_french_in_the_layout(client, db):
    # An unknown host is refused with a 400 (DisallowedHost), rendered by templates/400.html.
    response = client.get("/", HTTP_HOST="inconnu.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert_site_layout(html)
    assert "Requête incomprise" in html
    assert "Bad Request" not in html


def test_403_is_french_in_the_layout_and_offers_a_way_on(client, member_user):
    response = client.get("/direction/")
    assert response.status_code == 302  # anonymous: to the sign-in page
    client.force_login(member_user)
    response = client.get("/direction/")
    assert response.status_code == 403
    html = response.content.decode()
    assert_site_layout(html)
    assert "Accès refusé" in html
    assert 'href="/espace/"' in html
    assert "403 Forbidden" not in html


def test_csrf_failure_explains_cookies_and_expiry_in_french(member_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/comptes/login/", {"login": "membre@example.org", "password": "correct-horse-battery"}
    )
    assert response.status_code == 403
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert_site_layout(html)
    assert "pas pu être envoyé" in html
    assert "cookies" in html and "expiré" in html
    assert "CSRF verification failed" not in html


def test_500_renders_without_context_nor_database():
    # No database access is allowed in this test: the page must not need one.
    html = render_to_string("500.html")
    assert '<html lang="fr">' in html
    assert "Une erreur est survenue" in html
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()
    assert 'href="/mentions-legales/"' in response.content.decode()
