"""Every public form ends on a page that says what happened and what comes next.

Each journey first visits the form's page anonymously until it comes from the page
cache, then submits the form: the very next page must be made for the visitor (never the
cache's copy) and carry the confirmation. Mails that go through Celery are sent by a real
worker to a real local SMTP server. axe-core runs at desktop and phone widths on every
page a journey passes through.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from events.models import Attendance, Evaluation, Registration, RegistrationStatus
from events.services.evaluations import evaluation_token
from infodoc.models import InfoRequest
from members.models import MembershipRequest
from newsletter.models import MailFormat, Subscriber, SubscriberStatus
from newsletter.tokens import manage_token_make
from portal.core.models import SiteSettings
from tests.events.factories import ActionFactory, SessionFactory
from tests.members.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CENTRE_EMAIL = "contact@centre.example.org"


@pytest.fixture
def page_cache_on(settings):
    """The anonymous page cache as in production (the test settings turn it off)."""
    settings.PAGE_CACHE_SECONDS = 300
    site = SiteSettings.load()
    site.email = CENTRE_EMAIL
    site.save()


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def _text(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def _mail_to(smtp_server, address: str):
    _wait_for(lambda: any(address in e.rcpt_tos for e in smtp_server.envelopes))
    return next(m for m in smtp_server.messages if m["To"] == address)


def _visit_until_cached(page, url: str) -> None:
    """Open `url` as an anonymous visitor until the page cache serves it."""
    page.goto(url)
    response = page.goto(url)
    assert response.headers.get("x-page-cache") == "hit", url


def _submit(page, button, url_pattern: str | re.Pattern):
    """Click the form's button; return the response of the very next page shown."""
    documents = []

    def collect(response):
        if response.request.resource_type == "document":
            documents.append(response)

    page.on("response", collect)
    try:
        # The next navigation, even when it comes back to the same address.
        with page.expect_navigation(url=url_pattern, timeout=15_000):
            button.click()
    except PlaywrightTimeoutError as error:
        shown = page.locator("main").inner_text()
        raise AssertionError(f"still on {page.url} after submitting:\n{shown}") from error
    page.wait_for_load_state()
    page.remove_listener("response", collect)
    final = documents[-1]
    assert final.status == 200, final.url
    assert final.headers.get("x-page-cache") != "hit", "the page after a form came from the cache"
    return final


def test_a_membership_request_is_confirmed_on_the_next_page_and_acknowledged_by_mail(
    live_server, page, page_cache_on, smtp_server, start_worker, assert_accessible_at_widths
):
    start_worker(EMAIL_URL=smtp_server.url)
    members_url = f"{live_server.url}/adherents/"
    _visit_until_cached(page, members_url)
    assert_accessible_at_widths(page)

    page.fill("#id_organisation_name", "Régie de quartier du Val")
    page.select_option("#id_kind", "association")
    page.fill("#id_first_name", "Nadia")
    page.fill("#id_last_name", "Benali")
    page.fill("#id_email", "nadia.benali@regie.example.org")
    page.fill("#id_message", "Nous souhaitons adhérer.")
    page.check("#id_consent")
    _submit(
        page,
        page.get_by_role("button", name="Envoyer ma demande"),
        re.compile(r"/adherents/demande-envoyee/"),
    )

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Merci : votre demande d\u2019adhésion est envoyée")
    expect(page.locator("main")).to_contain_text("nadia.benali@regie.example.org")
    expect(page.get_by_role("heading", name="Et maintenant ?")).to_be_visible()
    assert_accessible_at_widths(page)
    assert MembershipRequest.objects.filter(email="nadia.benali@regie.example.org").count() == 1

    acknowledgement = _mail_to(smtp_server, "nadia.benali@regie.example.org")
    subject = str(make_header(decode_header(acknowledgement["Subject"])))
    assert subject.endswith("votre demande d\u2019adhésion est bien reçue")
    assert "Bonjour Nadia," in _text(acknowledgement)
    notification = _mail_to(smtp_server, CENTRE_EMAIL)
    assert notification["Reply-To"] == "nadia.benali@regie.example.org"

    # Back on the members page: the shared copy again, with an empty form.
    page.goto(members_url)
    expect(page.locator("#id_first_name")).to_have_value("")
    assert not page.console_errors, page.console_errors


def test_an_info_doc_request_shows_its_reference_and_is_acknowledged_by_mail(
    live_server, page, page_cache_on, smtp_server, start_worker, assert_accessible_at_widths
):
    start_worker(EMAIL_URL=smtp_server.url)
    _visit_until_cached(page, f"{live_server.url}/infodoc/")
    assert_accessible_at_widths(page)

    page.fill("#id_first_name", "Camille")
    page.fill("#id_last_name", "Durand")
    page.fill("#id_email", "camille.durand@example.org")
    page.fill("#id_organisation_name", "Ville de Cergy")
    page.select_option("#id_requester_kind", "city")
    page.fill("#id_subject", "Diagnostic partagé en QPV")
    page.fill("#id_question", "Auriez-vous des exemples de diagnostics partagés ?")
    page.check("#id_consent")
    _submit(
        page, page.get_by_role("button", name="Envoyer ma demande"), re.compile(r"/infodoc/merci/")
    )

    request = InfoRequest.objects.get()
    expect(page.locator("main")).to_contain_text(request.reference)
    expect(page.get_by_role("link", name="Suivre ma demande")).to_be_visible()
    assert_accessible_at_widths(page)
    acknowledgement = _mail_to(smtp_server, "camille.durand@example.org")
    assert request.reference in _text(acknowledgement)


def test_a_registration_is_confirmed_then_cancelled_with_the_mailed_link(
    live_server, page, page_cache_on, smtp_server, start_worker, assert_accessible_at_widths
):
    start_worker(EMAIL_URL=smtp_server.url)
    session = SessionFactory(action=ActionFactory(title="Atelier mémoire des quartiers"))
    action_url = f"{live_server.url}{session.action.get_absolute_url()}"
    _visit_until_cached(page, action_url)
    assert_accessible_at_widths(page)

    page.check(f"#inscription input[name=session][value='{session.pk}']")
    page.fill("#id_first_name", "Inès")
    page.fill("#id_last_name", "Morel")
    page.fill("#id_email", "ines.morel@example.org")
    page.check("#id_consent")
    _submit(page, page.get_by_role("button", name="S'inscrire"), re.compile(r"/inscription/"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre inscription est confirmée")
    expect(page.locator("main")).to_contain_text("ines.morel@example.org")
    assert_accessible_at_widths(page)
    registration = Registration.objects.get(person__email="ines.morel@example.org")
    assert registration.status == RegistrationStatus.CONFIRMED

    confirmation = _mail_to(smtp_server, "ines.morel@example.org")
    cancel_path = re.search(r"/agenda/annulation/[^/\s]+/", _text(confirmation)).group(0)
    page.goto(live_server.url + cancel_path)
    assert_accessible_at_widths(page)
    _submit(
        page,
        page.get_by_role("button", name="Annuler mon inscription"),
        re.compile(r"/agenda/annulation/"),
    )

    expect(page.get_by_role("status").first).to_contain_text("Votre inscription est annulée")
    assert_accessible_at_widths(page)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_subscribing_from_the_home_page_then_confirming_managing_and_leaving(
    live_server, page, page_cache_on, smtp_server, start_worker, assert_accessible_at_widths
):
    start_worker(EMAIL_URL=smtp_server.url)
    _visit_until_cached(page, f"{live_server.url}/")
    page.get_by_role("link", name=re.compile("abonner", re.I)).first.click()
    page.wait_for_url("**/resonances/inscription/")
    _visit_until_cached(page, page.url)
    assert_accessible_at_widths(page)

    page.get_by_label("Adresse électronique").fill("lectrice@example.org")
    page.get_by_label(re.compile("J.accepte de recevoir")).check()
    _submit(
        page,
        page.get_by_role("button", name=re.compile("abonner", re.I)),
        re.compile(r"/resonances/inscription/envoyee/"),
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez votre messagerie")
    assert_accessible_at_widths(page)

    confirmation = _mail_to(smtp_server, "lectrice@example.org")
    path = re.search(r"/resonances/inscription/confirmation/[^/\s]+/", _text(confirmation))[0]
    page.goto(live_server.url + path)
    assert_accessible_at_widths(page)
    _submit(
        page,
        page.get_by_role("button", name="Confirmer mon abonnement"),
        re.compile(r"/inscription/confirmation/"),
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre abonnement est confirmé")
    assert_accessible_at_widths(page)
    subscriber = Subscriber.objects.get(email="lectrice@example.org")
    assert subscriber.status == SubscriberStatus.ACTIVE

    token = manage_token_make(subscriber.pk)
    page.goto(f"{live_server.url}/resonances/preferences/{token}/")
    assert_accessible_at_widths(page)
    page.check(f"input[name=mail_format][value='{MailFormat.TEXT}']")
    _submit(
        page,
        page.get_by_role("button", name="Enregistrer mes préférences"),
        re.compile(r"/resonances/preferences/"),
    )
    expect(page.get_by_role("status").first).to_contain_text("Vos préférences sont enregistrées")
    assert_accessible_at_widths(page)

    page.goto(f"{live_server.url}/resonances/desinscription/{token}/")
    assert_accessible_at_widths(page)
    _submit(
        page,
        page.get_by_role("button", name="Se désabonner"),
        re.compile(r"/resonances/desinscription/"),
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous êtes désabonné·e")
    assert_accessible_at_widths(page)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert not page.console_errors, page.console_errors


def test_the_questionnaire_after_a_session_ends_on_a_thank_you_page(
    live_server, page, page_cache_on, assert_accessible_at_widths
):
    ends_at = timezone.now() - timedelta(days=2)
    session = SessionFactory(starts_at=ends_at - timedelta(hours=3), ends_at=ends_at)
    person = PersonFactory(first_name="Inès")
    Attendance.objects.create(session=session, person=person, present=True)
    token = evaluation_token(session_id=session.pk, person_id=person.pk)
    page.goto(f"{live_server.url}/agenda/evaluation/{token}/")
    assert_accessible_at_widths(page)

    page.check("input[name=satisfaction][value='4']")
    page.check("input[name=usefulness][value='5']")
    _submit(
        page,
        page.get_by_role("button", name="Envoyer mes réponses"),
        re.compile(r"/agenda/evaluation/merci/"),
    )

    expect(page.get_by_role("heading", level=1)).to_have_text("Merci")
    assert_accessible_at_widths(page)
    assert Evaluation.objects.filter(session=session, person=person).exists()
