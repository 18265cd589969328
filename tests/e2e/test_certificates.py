"""Browser journeys of attendance certificates: staff download one from the action's page
and mail another; a member downloads their own from Mon espace."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect
from pypdf import PdfReader

from events.models import Attendance, CertificateMailing
from tests.events.factories import ActionFactory, SessionFactory
from tests.members.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PARIS = ZoneInfo("Europe/Paris")


def _session_cookie(live_server, user) -> dict:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


def _training(**person):
    """A two-day training attended by one person (a full day, then a morning)."""
    action = ActionFactory(title="Formation animation participative", slug="formation-ap",
                           format="training")  # fmt: skip
    nadia = PersonFactory(first_name="Nadia", last_name="Benali", **person)
    for day, end in ((3, 17), (4, 12)):
        session = SessionFactory(
            action=action, starts_at=datetime(2025, 3, day, 9, tzinfo=PARIS),
            ends_at=datetime(2025, 3, day, end, tzinfo=PARIS),
        )  # fmt: skip
        Attendance.objects.create(session=session, person=nadia, present=True)
    return action, nadia


def _pdf_text(path) -> str:
    with open(path, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def test_staff_download_a_certificate_from_the_action_page(
    live_server, page, staff_user, screenshot_dir, monkeypatch
):
    from events import tasks

    action, nadia = _training(email="nadia@example.org")
    monkeypatch.setattr(tasks.certificate_mailing_send, "delay", lambda mailing_id: None)
    page.context.add_cookies([_session_cookie(live_server, staff_user)])
    page.goto(f"{live_server.url}/admin/events/action/{action.pk}/change/")

    section = page.locator("#certificates")
    expect(section.get_by_role("heading", name="Attestations de présence")).to_be_visible()
    expect(section.get_by_role("row", name=re.compile("BENALI Nadia"))).to_contain_text("3")
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "admin-action-certificates.png"), full_page=True)
    with page.expect_download() as download_info:
        section.get_by_role("link", name="PDF — Nadia BENALI").click()
    download = download_info.value
    assert download.suggested_filename == "attestation-formation-ap-benali-nadia.pdf"
    text = _pdf_text(download.path())
    assert "Attestation de présence" in text and "Nadia BENALI" in text
    assert "3 demi-journées" in text and "11 h" in text

    # « Send by email »: a confirmation page, then one request recorded.
    section.get_by_role("link", name="Envoyer par courriel — Nadia BENALI").click()
    expect(page.get_by_text("nadia@example.org")).to_be_visible()
    page.get_by_role("button", name="Envoyer l\u2019attestation").click()
    expect(page.locator(".messagelist")).to_contain_text("est en route vers nadia@example.org")
    assert CertificateMailing.objects.filter(person=nadia, action=action).count() == 1
    assert not page.console_errors, page.console_errors


def test_a_member_downloads_their_certificate_from_their_space(
    live_server, page, make_user, assert_accessible, screenshot_dir
):
    user = make_user("nadia@example.org", first_name="Nadia")
    _training(user=user, email=user.email)
    page.context.add_cookies([_session_cookie(live_server, user)])

    page.goto(f"{live_server.url}/espace/inscriptions/")
    section = page.get_by_role("region", name="Mes attestations de présence")
    link = section.get_by_role("link", name=re.compile("Formation animation participative"))
    expect(link).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(screenshot_dir / "space-certificates.png"), full_page=True)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    text = _pdf_text(download.path())
    assert "Nadia BENALI" in text and "(Formation)" in text
    assert not page.console_errors, page.console_errors
