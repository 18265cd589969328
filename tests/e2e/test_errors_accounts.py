"""Browser journey through the error, account and legal pages: French, in the site's layout,
naming the centre, and accessible (axe-core) at desktop and phone widths."""

import re

import pytest

from demo.core import load_site_settings
from members.services.space import person_invite
from tests.members.factories import MembershipFactory, OrganisationFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Un-mot-de-passe-solide-42"


@pytest.fixture
def member(member_user):
    load_site_settings()  # the demo centre: legal fields and accessibility state filled in
    organisation = OrganisationFactory(name="Association Les Jardins")
    MembershipFactory(organisation=organisation)
    PersonFactory(
        first_name="Sophie",
        email="membre@example.org",
        organisation=organisation,
        user=member_user,
        is_member_contact=True,
    )
    return member_user, organisation


def _text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def test_errors_accounts_and_legal_pages(
    live_server, page, member, smtp_server, assert_accessible_at_widths, form_mail_tasks_inline
):
    user, organisation = member
    centre = "Pôle ressources ville et développement social"
    heading = page.get_by_role("heading", level=1)

    # A page that does not exist: French, in the layout, with a way back.
    response = page.goto(live_server.url + "/nulle-part/")
    assert response.status == 404
    assert heading.inner_text() == "Page introuvable"
    assert page.get_by_role("contentinfo").is_visible()
    assert_accessible_at_widths(page)
    page.console_errors.clear()  # the browser logs the 404 we asked for

    # The sign-in page names the centre and offers no sign-up.
    page.get_by_role("link", name="Se connecter").first.click()
    page.wait_for_url("**/comptes/login/**")
    assert heading.inner_text() == "Connexion"
    assert centre in page.get_by_role("main").inner_text()
    assert page.locator('a[href*="/comptes/signup/"]').count() == 0
    assert_accessible_at_widths(page)

    # A member signs in and lands on Mon espace.
    page.get_by_label("Courriel").fill("membre@example.org")
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_server.url + "/espace/")
    assert_accessible_at_widths(page)
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(live_server.url + "/")

    # An invited colleague opens the mailed link, chooses a first password and is let in.
    person_invite(
        organisation=organisation,
        email="karim@example.org",
        first_name="Karim",
        last_name="Haddad",
        invited_by=user,
    )
    [mail] = smtp_server.messages
    path = re.search(r"https?://[^/\s]+(/comptes/\S+)", _text(mail)).group(1)
    page.goto(live_server.url + path)
    page.wait_for_url("**-set-password/")
    assert heading.inner_text() == "Choisissez votre mot de passe"
    assert "karim@example.org" in page.get_by_role("main").inner_text()
    assert_accessible_at_widths(page)
    page.locator('input[name="password1"]').fill(PASSWORD)
    page.locator('input[name="password2"]').fill(PASSWORD)
    page.get_by_role("button", name="Enregistrer mon mot de passe et me connecter").click()
    page.wait_for_url(live_server.url + "/espace/")
    assert "Votre mot de passe est enregistré." in page.get_by_role("status").inner_text()
    assert_accessible_at_widths(page)

    # The legal pages, reached from the footer's site map.
    page.get_by_role("contentinfo").get_by_role("link", name="Plan du site").click()
    page.wait_for_url("**/plan-du-site/")
    assert heading.inner_text() == "Plan du site"
    assert_accessible_at_widths(page)

    page.get_by_role("main").get_by_role("link", name="Mentions légales").click()
    page.wait_for_url("**/mentions-legales/")
    main = page.get_by_role("main").inner_text()
    assert "Claire Directrice" in main and "Hébergeur de démonstration SAS" in main
    assert_accessible_at_widths(page)

    page.get_by_role("contentinfo").get_by_role(
        "link", name="Accessibilité : partiellement conforme"
    ).click()
    page.wait_for_url("**/accessibilite/")
    main = page.get_by_role("main").inner_text()
    assert "partiellement conforme" in main and "Libre réponse 71120" in main
    assert_accessible_at_widths(page)
    assert not page.console_errors, page.console_errors
