"""Browser journeys of the dues back office: « send a reminder now », from the overdue
list to the confirmation page and a double click on its button, gives one mail with the
dues call attached, sent by a real Celery worker to a real SMTP server; the sales
journal of a period is downloaded."""

import re
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from members.models import Reminder, ReminderKind
from members.services.billing import invoice_issue
from tests.e2e.test_newsletter import _session_cookie
from tests.members.factories import MembershipFactory, OrganisationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    # Today is fixed; the clock runs on, for the browser and the servers' timeouts.
    pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=True),
]

ALREADY_SENT = "Une relance a déjà été envoyée aujourd\u2019hui"


def test_a_double_clicked_reminder_sends_one_mail_with_the_pdf(
    live_server, page, assert_accessible, staff_user, smtp_server, start_worker, settings,
    tmp_path, screenshot_dir,
):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path  # the worker renders the dues call there too
    start_worker(EMAIL_URL=smtp_server.url, MEDIA_ROOT=str(tmp_path))
    organisation = OrganisationFactory(name="Association Les Jardins", email="tresor@jardins.org")
    invoice = invoice_issue(
        membership=MembershipFactory(organisation=organisation, amount=Decimal("2510.40")),
        issued_by=staff_user,
        issued_on=date(2025, 4, 1),  # due on 1 May: 40 days late
    )
    page.context.add_cookies([_session_cookie(live_server, staff_user)])

    page.goto(f"{live_server.url}/admin/members/invoice/")
    page.get_by_role("link", name="Factures en retard").click()
    row = page.get_by_role("row").filter(has_text=invoice.number)
    expect(row).to_contain_text("40 jours")
    expect(row).to_contain_text("+30 jours, au prochain envoi quotidien")
    assert_accessible(page)
    page.screenshot(path=str(screenshot_dir / "invoices-overdue.png"), full_page=True)
    row.get_by_role("link", name=invoice.number).click()
    page.get_by_role("link", name="Envoyer une relance maintenant").click()

    page.wait_for_url(re.compile(r"/reminder/$"))
    expect(page.locator("#reminders-to-send")).to_contain_text("tresor@jardins.org")
    expect(page.locator("#reminders-to-send")).to_contain_text("2\u202f510,40")
    assert_accessible(page)
    page.screenshot(path=str(screenshot_dir / "reminder-confirm.png"), full_page=True)
    assert smtp_server.envelopes == []  # nothing is sent before the confirmation

    other_tab = page.context.new_page()  # the same page, open in another tab
    other_tab.goto(page.url)

    page.get_by_role("button", name="Envoyer la relance").dblclick()
    page.wait_for_url(re.compile(rf"/admin/members/invoice/{invoice.pk}/change/$"))
    expect(page.locator(".messagelist")).to_contain_text("une relance est en route")
    # Chromium sends one of a double click's two submissions; the button of the other
    # tab sends another, which the server refuses.
    other_tab.get_by_role("button", name="Envoyer la relance").click()
    other_tab.wait_for_url(re.compile(rf"/admin/members/invoice/{invoice.pk}/change/$"))
    expect(other_tab.locator(".messagelist")).to_contain_text(ALREADY_SENT)
    # Back on the confirmation page, the button is gone.
    page.go_back()
    expect(page.locator("#reminders-to-send")).to_contain_text(ALREADY_SENT)
    expect(page.get_by_role("button", name="Envoyer la relance")).to_have_count(0)

    deadline = time.monotonic() + 60
    while not smtp_server.envelopes:
        assert time.monotonic() < deadline, "the worker sent no reminder"
        time.sleep(0.2)
    time.sleep(3)  # time enough for a second message, were one on its way
    assert len(smtp_server.envelopes) == 1
    assert smtp_server.envelopes[0].rcpt_tos == ["tresor@jardins.org"]
    (message,) = smtp_server.messages
    assert invoice.number in message["Subject"]
    (pdf,) = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"facture-{invoice.number}.pdf"
    assert pdf.get_payload(decode=True).startswith(b"%PDF")
    reminder = Reminder.objects.get(invoice=invoice)
    assert (reminder.kind, reminder.sent_by) == (ReminderKind.MANUAL, staff_user)
    assert reminder.sent_at is not None

    page.goto(f"{live_server.url}/admin/members/invoice/{invoice.pk}/change/")
    expect(page.locator(".field-reminders_display")).to_contain_text("manuelle, le ")
    assert not page.console_errors, page.console_errors


def test_the_sales_journal_of_last_year_is_downloaded(
    live_server, page, assert_accessible, director_user, staff_user, screenshot_dir
):
    invoice_issue(
        membership=MembershipFactory(year=2024, amount=Decimal("2510.40")),
        issued_by=staff_user,
        issued_on=date(2024, 1, 20),
    )
    page.context.add_cookies([_session_cookie(live_server, director_user)])
    page.goto(f"{live_server.url}/admin/members/invoice/")
    page.get_by_role("link", name="Journal des ventes").click()
    page.get_by_role("button", name="Afficher les totaux").click()  # last year by default
    summary = page.locator("#journal-summary")
    expect(summary).to_contain_text("Du 1 janvier 2024 au 31 décembre 2024")
    expect(summary.get_by_role("row").filter(has_text="411000")).to_contain_text("2\u202f510,40")
    assert_accessible(page)
    page.screenshot(path=str(screenshot_dir / "sales-journal.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le journal (CSV)").click()
    assert download.value.suggested_filename == "journal-ventes-2024-01-01-2024-12-31.csv"
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Date;Journal;Compte;Numéro de pièce;Libellé;Débit;Crédit"
    assert lines[1].startswith("20/01/2024;VT;411000;") and lines[1].endswith(";2\u202f510,40;")
    assert not page.console_errors, page.console_errors
