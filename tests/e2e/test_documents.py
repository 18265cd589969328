"""Browser journey: a team member signs in to the back office, finds an invoice and opens
its PDF from the invoice's page (once a 404 at /media/documents/)."""

import re

import pytest
from django.core.files.base import ContentFile

from members.services.billing import invoice_issue
from tests.members.factories import MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF_BYTES = b"%PDF-1.7\n% dues call\n%%EOF\n"


@pytest.fixture
def invoice(staff_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    membership = MembershipFactory(organisation=OrganisationFactory(name="Ville de Cergy"))
    invoice = invoice_issue(membership=membership, issued_by=staff_user)
    invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(PDF_BYTES), save=False)
    invoice.save(update_fields=["pdf"])
    return invoice


def test_staff_open_an_invoice_pdf_from_its_admin_page(live_server, page, invoice):
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Adresse électronique").fill("equipe@example.org")
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/admin/")

    page.goto(live_server.url + "/admin/members/invoice/")
    page.get_by_role("link", name=invoice.number).click()
    page.wait_for_url(f"**/admin/members/invoice/{invoice.pk}/change/")
    link = page.get_by_role("link", name=re.compile(re.escape(invoice.number) + r".*\.pdf"))
    href = link.get_attribute("href")
    assert href.startswith("/fichiers/documents/") and "/media/" not in href
    # Checked before the PDF: its viewer asks for a /favicon.ico, which the portal has not.
    assert not page.console_errors, page.console_errors

    # Chromium opens the PDF in its viewer (or saves it when it has none).
    with page.expect_response(lambda response: response.url.endswith(href)) as answer:
        link.click()
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="{invoice.number}.pdf"'
    # The browser's session gets the file's own bytes at that address.
    assert page.request.get(live_server.url + href).body() == PDF_BYTES
