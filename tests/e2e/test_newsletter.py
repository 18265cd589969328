"""Browser journeys of the newsletter: subscribe from the home page, read an issue,
watch a campaign's progress in the back office (the polling script under the CSP), and
go from a subscriber to everything held on the person."""

import re
import time

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from newsletter.models import IssueStatus, Subscriber, SubscriberStatus
from newsletter.services import sending
from tests.newsletter.factories import SubscriberFactory, issue_with_content

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_subscribe_from_the_home_page(
    live_server, page, assert_accessible, smtp_server, start_worker
):
    start_worker(EMAIL_URL=smtp_server.url)  # the confirmation is sent by the worker
    issue_with_content(number=42, status=IssueStatus.SENT, title="Santé et quartiers")
    page.goto(live_server.url + "/")
    assert page.get_by_text("Santé et quartiers").is_visible()

    page.get_by_role("link", name="S'abonner à Résonances").first.click()
    page.wait_for_url("**/resonances/inscription/")
    assert_accessible(page)
    page.get_by_label("Adresse électronique").fill("lectrice@example.org")
    page.get_by_label(re.compile("J'accepte de recevoir")).check()
    page.get_by_role("button", name=re.compile("abonner", re.I)).click()
    page.wait_for_url("**/resonances/inscription/envoyee/")
    assert_accessible(page)

    subscriber = Subscriber.objects.get(email="lectrice@example.org")
    assert subscriber.status == SubscriberStatus.PENDING
    deadline = time.monotonic() + 60
    while not smtp_server.envelopes and time.monotonic() < deadline:
        time.sleep(0.2)
    (confirmation,) = smtp_server.messages
    text = next(p for p in confirmation.walk() if p.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode()
    path = re.search(r"/resonances/inscription/confirmation/[^/\s]+/", body).group(0)
    page.goto(live_server.url + path)
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer mon abonnement").click()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert not page.console_errors, page.console_errors


def test_read_an_issue_on_a_phone(browser, live_server, assert_accessible, screenshot_dir):
    issue_with_content(number=43, status=IssueStatus.SENT)
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740})
    page = context.new_page()

    page.goto(live_server.url + "/resonances/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("43")).first.click()
    page.wait_for_url("**/resonances/43/")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(screenshot_dir / "resonances-phone.png"), full_page=True)
    context.close()


def test_the_sending_panel_follows_a_campaign_live(live_server, page, staff_user):
    SubscriberFactory.create_batch(4)
    issue = issue_with_content(number=44, status=IssueStatus.SENDING)
    sending.deliveries_create(issue_id=issue.pk)
    page.context.add_cookies([_session_cookie(live_server, staff_user)])

    page.goto(f"{live_server.url}/admin/newsletter/issue/{issue.pk}/change/")
    panel = page.locator("#sending-panel")
    assert panel.locator('[data-field="remaining"]').inner_text() == "4"

    # Four messages go out while the page is open.
    with override_settings(
        MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    ):
        sending.batch_send(issue_id=issue.pk)
    expect(panel.locator('[data-field="sent"]')).to_have_text("4", timeout=10_000)
    expect(panel.locator('[data-field="remaining"]')).to_have_text("0")
    assert not page.console_errors, page.console_errors


def test_from_a_subscriber_to_the_person_s_data(
    live_server, page, staff_user, assert_accessible, screenshot_dir
):
    subscriber = SubscriberFactory(email="awa.diallo@example.org", first_name="Awa")
    page.context.add_cookies([_session_cookie(live_server, staff_user)])
    page.goto(f"{live_server.url}/admin/newsletter/subscriber/{subscriber.pk}/change/")
    page.screenshot(path=screenshot_dir / "admin-subscriber.png")

    # The address travels in the POST body, never in a URL.
    page.get_by_role("button", name="Données personnelles d\u2019une personne").click()

    expect(page).to_have_url(re.compile(r"/admin/privacy/subjectlookup/$"))
    expect(page.locator("#content-main")).to_contain_text("awa.diallo@example.org")
    assert_accessible(page)
    assert not page.console_errors, page.console_errors


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
