"""The account pages (allauth) name the centre, hide sign-up, and lead a member to Mon espace."""

import re
from email.header import decode_header, make_header

import pytest
from django.test import Client
from django.urls import reverse

from members.services.space import person_invite
from portal.core.models import SiteSettings
from tests.members.factories import OrganisationFactory, PersonFactory


@pytest.fixture
def centre(db) -> SiteSettings:
    site = SiteSettings.load()
    site.name = "Pôle ressources du Val"
    site.short_name = "Pôle du Val"
    site.save()
    return site


def _text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def test_login_page_names_the_centre_and_has_no_sign_up_link(client, centre):
    html = client.get(reverse("account_login")).content.decode()
    assert "Pôle ressources du Val" in html
    assert reverse("account_signup") not in html
    assert "inscrivez-vous" not in html.lower()
    assert 'href="/adherents/"' in html  # how to become a member instead
    assert "testserver" not in html  # allauth's own `site` (the host) is not shown


def test_a_member_lands_on_my_space_after_login(client, member_user, centre):
    response = client.post(
        reverse("account_login"),
        {"login": "membre@example.org", "password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/espace/"


def test_login_follows_next(client, member_user, centre):
    response = client.post(
        reverse("account_login") + "?next=/espace/cotisations/",
        {"login": "membre@example.org", "password": "correct-horse-battery"},
    )
    assert response["Location"] == "/espace/cotisations/"


@pytest.mark.parametrize(
    ("url", "data"),
    [("account_reset_password", {}), ("account_request_login_code", {})],
)
def test_account_mails_name_the_centre_not_the_host(
    client, member_user, centre, smtp_server, url, data, mail_flush
):
    client.post(reverse(url), {"email": "membre@example.org", **data})
    mail_flush()  # the mail task
    [message] = smtp_server.messages
    assert str(make_header(decode_header(message["Subject"]))).startswith("[Pôle du Val] ")
    text = _text(message)
    assert "Pôle ressources du Val" in text
    assert "testserver" not in text.split("\n")[0]


def test_unknown_address_mail_offers_no_sign_up(client, centre, smtp_server, mail_flush):
    client.post(reverse("account_reset_password"), {"email": "personne@example.org"})
    mail_flush()  # the mail task
    [message] = smtp_server.messages
    text = _text(message)
    assert "/comptes/signup/" not in text
    assert "/adherents/" in text


def test_invitation_asks_for_a_first_password_then_lets_the_person_in(
    centre,
    member_user,
    smtp_server,
    django_capture_on_commit_callbacks,
    settings,
    form_mail_tasks_inline,
):
    organisation = OrganisationFactory(name="Association Les Jardins")
    PersonFactory(organisation=organisation, user=member_user, is_member_contact=True)
    with django_capture_on_commit_callbacks(execute=True):
        person_invite(
            organisation=organisation,
            email="karim@example.org",
            first_name="Karim",
            last_name="Haddad",
            invited_by=member_user,
        )
    [message] = smtp_server.messages
    link = re.search(re.escape(settings.SITE_URL) + r"(/comptes/\S+)", _text(message)).group(1)

    visitor = Client()
    page = visitor.get(link, follow=True)
    html = page.content.decode()
    assert "Choisissez votre mot de passe" in html
    assert "Pôle ressources du Val" in html
    assert "karim@example.org" in html
    response = visitor.post(
        page.context["action_url"],
        {"password1": "Un-mot-de-passe-solide-42", "password2": "Un-mot-de-passe-solide-42"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/espace/"
    space = visitor.get("/espace/")
    assert space.status_code == 200
    assert "Votre mot de passe est enregistré." in space.content.decode()

    # The link served once: opened again, it says so in French and offers a new one.
    again = Client().get(link, follow=True).content.decode()
    assert "plus valable" in again
    assert reverse("account_reset_password") in again


def test_a_reset_asks_for_a_new_password(client, member_user, centre, smtp_server, mail_flush):
    client.post(reverse("account_reset_password"), {"email": "membre@example.org"})
    mail_flush()  # the mail task
    link = re.search(r"https?://[^/\s]+(/comptes/\S+)", _text(smtp_server.messages[0])).group(1)
    html = Client().get(link, follow=True).content.decode()
    assert "Choisissez un nouveau mot de passe" in html
    assert "Choisissez votre mot de passe" not in html
