"""Browser journey of a cycle registration: a member registers for every session of a
cycle whose second session is full → the thank-you page names the full session → one mail
reaches the local SMTP server (sent by a real Celery worker) with one link cancelling the
cycle and one .ics → the cycle link asks before cancelling → Mon espace cancels one session
after its confirmation page. axe-core at desktop and phone widths on every page."""

from __future__ import annotations

import re
import time
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from events.models import Registration, RegistrationStatus
from tests.e2e.test_newsletter import _session_cookie
from tests.events.factories import ActionFactory, RegistrationFactory, SessionFactory
from tests.members.factories import OrganisationFactory, PersonFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.time_machine("2026-03-02 10:00 +01:00", tick=True),
]

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"


def _session(action, title: str, day: int, hour: int, minute: int = 0, **extra):
    start = datetime(2026, 3, day, hour, minute, tzinfo=PARIS)
    end = start.replace(hour=hour + 3)
    return SessionFactory(action=action, title=title, starts_at=start, ends_at=end, **extra)


def _text(message) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return part.get_payload(decode=True).decode()


def test_a_cycle_registration_mails_once_and_a_session_is_cancelled_from_my_space(
    live_server, page, assert_accessible_at_widths, member_user, smtp_server, start_worker,
    screenshot_dir,
):  # fmt: skip
    start_worker(EMAIL_URL=smtp_server.url)
    action = ActionFactory(title="Cycle laïcité et valeurs de la République", format="cycle")
    first = _session(action, "Les principes", 10, 9, 30)
    full = _session(action, "Les cas pratiques", 17, 14, capacity=1)
    last = _session(action, "La synthèse", 24, 14)
    RegistrationFactory(session=full)  # its only seat is taken
    person = PersonFactory(
        user=member_user, first_name="Nadia", last_name="Benali", email="nadia@example.org",
        organisation=OrganisationFactory(name="Ville de Sarcelles"),
    )  # fmt: skip
    page.context.add_cookies([_session_cookie(live_server, member_user)])

    # The action page: every session at once.
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    assert_accessible_at_widths(page)
    page.get_by_label("Toutes les sessions de cette action").check()
    page.get_by_label(re.compile("J'accepte que le centre conserve")).check()
    page.get_by_role("button", name="S'inscrire").click()

    # The thank-you page says which session is full.
    page.wait_for_url(re.compile(r"/inscription/(#.*)?$"))
    main = page.locator("main")
    expect(main).to_contain_text("Une séance est complète : vous êtes sur sa liste d'attente")
    expect(main.locator(".registration-waitlisted")).to_contain_text("Les cas pratiques")
    expect(main).to_contain_text("Un seul courriel")
    assert_accessible_at_widths(page)
    page.screenshot(path=str(screenshot_dir / "cycle-registration-done.png"), full_page=True)

    # Exactly one mail, with one cycle link and the .ics of the confirmed sessions.
    deadline = time.monotonic() + 60
    while not smtp_server.envelopes:
        assert time.monotonic() < deadline, "the worker sent no confirmation"
        time.sleep(0.2)
    time.sleep(3)  # time enough for a second message, were one on its way
    assert len(smtp_server.envelopes) == 1
    assert smtp_server.envelopes[0].rcpt_tos == ["nadia@example.org"]
    [message] = smtp_server.messages
    text = _text(message)
    links = re.findall(r"https?://\S+/agenda/annulation\S*", text)
    assert len(links) == 1 and "/agenda/annulation-cycle/" in links[0]
    assert f"9{NBSP}h{NBSP}30" in text
    assert "liste d'attente, en position 1" in text
    [ics] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    events = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")
    assert {str(e["UID"]).split("@")[0] for e in events} == {
        f"session-{first.pk}",
        f"session-{last.pk}",
    }

    # The mailed link asks before cancelling anything.
    page.goto(live_server.url + urlsplit(links[0]).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuler une inscription à un cycle")
    expect(
        page.get_by_role("button", name="Annuler mon inscription à tout le cycle")
    ).to_be_visible()
    assert_accessible_at_widths(page)
    assert Registration.objects.active().filter(person=person).count() == 3

    # Mon espace: one session only, after its confirmation page.
    page.goto(f"{live_server.url}/espace/inscriptions/")
    expect(page.locator("main")).to_contain_text(f"9{NBSP}h{NBSP}30")
    assert_accessible_at_widths(page)
    page.get_by_role("link", name=re.compile("Annuler mon inscription — .*10 mars 2026")).click()
    page.wait_for_url(re.compile(r"/espace/inscriptions/\d+/annuler/$"))
    expect(page.locator("main")).to_contain_text("Les principes")
    expect(page.locator("main")).to_contain_text("Seule cette séance est annulée")
    assert_accessible_at_widths(page)
    page.get_by_role("button", name="Annuler mon inscription").click()
    page.wait_for_url(re.compile(r"/espace/inscriptions/$"))
    expect(page.locator(".messages")).to_contain_text("est annulée")
    assert_accessible_at_widths(page)
    page.screenshot(path=str(screenshot_dir / "cycle-registration-space.png"), full_page=True)

    statuses = {r.session_id: r.status for r in Registration.objects.filter(person=person)}
    assert statuses == {
        first.pk: RegistrationStatus.CANCELLED,
        full.pk: RegistrationStatus.WAITLISTED,
        last.pk: RegistrationStatus.CONFIRMED,
    }
    assert not page.console_errors, page.console_errors
