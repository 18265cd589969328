"""The sales journal: double entry that balances and matches the documents in the
database, in the accounts of the site settings, as French CSV and XLSX."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum
from django.urls import reverse

from demo import core as core_demo
from demo import members as members_demo
from members.imports.journal import sales_journal_csv, sales_journal_xlsx
from members.models import CreditNote, Invoice, Payment, PaymentMethod
from members.selectors.journal import sales_journal
from members.services.billing import credit_note_issue, invoice_issue, payment_record
from portal.core.models import SiteSettings
from tests.members.factories import MembershipFactory

YEAR = 2025
HEADERS = ["Date", "Journal", "Compte", "Numéro de pièce", "Libellé", "Débit", "Crédit"]


def total(queryset) -> Decimal:
    return queryset.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def by_account(journal) -> dict[str, tuple[Decimal, Decimal]]:
    """Debit and credit of each account, whatever the journal."""
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for _journal, account, debit, credit in journal.accounts():
        before = totals.get(account, (Decimal("0.00"), Decimal("0.00")))
        totals[account] = (before[0] + debit, before[1] + credit)
    return totals


@pytest.mark.django_db
@pytest.mark.time_machine("2026-11-18 14:00 +01:00", tick=False)
def test_the_demo_years_journal_balances_and_matches_the_documents():
    core_demo.load_demo()  # the parts of `manage.py load_demo` the dues cycle needs
    members_demo.load_demo()
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    invoices = Invoice.objects.filter(issued_on__range=(start, end))
    credit_notes = CreditNote.objects.filter(issued_on__range=(start, end))
    payments = Payment.objects.filter(paid_on__range=(start, end))
    assert invoices.exists() and credit_notes.exists() and payments.exists()

    journal = sales_journal(start=start, end=end)

    assert journal.total_debit == journal.total_credit
    assert journal.total_debit == total(invoices) + total(credit_notes) + total(payments)
    accounts = by_account(journal)
    assert accounts == {
        "411000": (total(invoices), total(credit_notes) + total(payments)),
        "512000": (total(payments), Decimal("0.00")),
        "756000": (total(credit_notes), total(invoices)),
    }
    documents = [*invoices, *credit_notes, *payments]
    assert (journal.invoices, journal.credit_notes, journal.payments) == (
        invoices.count(), credit_notes.count(), payments.count(),
    )  # fmt: skip
    pieces = [line.piece for line in journal.lines]
    assert sorted(pieces) == sorted(d.number for d in documents for _line in range(2))
    for line in journal.lines:  # each line is a debit or a credit, never both
        assert (line.debit is None) != (line.credit is None)
    dates = [line.date for line in journal.lines]
    assert dates == sorted(dates)
    rows = read_csv(sales_journal_csv(journal))
    assert rows[0] == HEADERS
    assert len(rows) == 1 + len(journal.lines)


@pytest.fixture
def documents(staff_user):
    """A dues call of 2 510,40 €, paid in part; another cancelled by a credit note."""
    invoice = invoice_issue(
        membership=MembershipFactory(year=YEAR, amount=Decimal("2510.40")),
        issued_by=staff_user, issued_on=date(YEAR, 1, 20),
    )  # fmt: skip
    payment = payment_record(
        invoice=invoice, amount=Decimal("1000.00"), method=PaymentMethod.MANDAT,
        paid_on=date(YEAR, 3, 2), recorded_by=staff_user,
    )  # fmt: skip
    cancelled = invoice_issue(
        membership=MembershipFactory(year=YEAR, amount=Decimal("90.00")),
        issued_by=staff_user, issued_on=date(YEAR, 1, 21),
    )  # fmt: skip
    credit_note = credit_note_issue(invoice=cancelled, reason="Doublon", issued_by=staff_user)
    return invoice, payment, cancelled, credit_note


@pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=False)
def test_the_csv_is_french_and_follows_the_site_settings(documents):
    invoice, payment, cancelled, credit_note = documents
    site = SiteSettings.load()
    site.customer_account, site.dues_account, site.bank_account = "411ADH", "756100", "512100"
    site.sales_journal, site.bank_journal = "VE", "BQ1"
    site.save()

    rows = read_csv(
        sales_journal_csv(sales_journal(start=date(YEAR, 1, 1), end=date(YEAR, 12, 31)))
    )

    assert rows[0] == HEADERS
    payer = invoice.payer_name
    assert rows[1:] == [
        ["20/01/2025", "VE", "411ADH", invoice.number, f"Cotisation 2025 — {payer}",
         "2\u202f510,40", ""],
        ["20/01/2025", "VE", "756100", invoice.number, f"Cotisation 2025 — {payer}",
         "", "2\u202f510,40"],
        ["21/01/2025", "VE", "411ADH", cancelled.number,
         f"Cotisation 2025 — {cancelled.payer_name}", "90,00", ""],
        ["21/01/2025", "VE", "756100", cancelled.number,
         f"Cotisation 2025 — {cancelled.payer_name}", "", "90,00"],
        ["02/03/2025", "BQ1", "512100", payment.number,
         f"Règlement {invoice.number} — {payer} (Mandat administratif)", "1\u202f000,00", ""],
        ["02/03/2025", "BQ1", "411ADH", payment.number,
         f"Règlement {invoice.number} — {payer} (Mandat administratif)", "", "1\u202f000,00"],
        ["10/06/2025", "VE", "756100", credit_note.number,
         f"Avoir sur {cancelled.number} — {cancelled.payer_name}", "90,00", ""],
        ["10/06/2025", "VE", "411ADH", credit_note.number,
         f"Avoir sur {cancelled.number} — {cancelled.payer_name}", "", "90,00"],
    ]  # fmt: skip


@pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=False)
def test_the_period_bounds_are_included(documents):
    invoice, payment, _cancelled, _credit_note = documents
    march = sales_journal(start=date(YEAR, 3, 2), end=date(YEAR, 3, 2))
    assert {line.piece for line in march.lines} == {payment.number}
    january = sales_journal(start=date(YEAR, 1, 1), end=date(YEAR, 1, 20))
    assert {line.piece for line in january.lines} == {invoice.number}


@pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=False)
def test_the_xlsx_holds_numbers_and_dates(documents):
    invoice, *_ = documents
    journal = sales_journal(start=date(YEAR, 1, 1), end=date(YEAR, 12, 31))
    sheet = openpyxl.load_workbook(io.BytesIO(sales_journal_xlsx(journal))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    first = sheet["A2"], sheet["F2"]
    assert rows[1][0].date() == date(YEAR, 1, 20)
    assert rows[1][3] == invoice.number
    assert rows[1][5] == pytest.approx(2510.40) and rows[1][6] is None
    assert first[1].number_format == '#,##0.00 "€"'
    debit = sum(row[5] or 0 for row in rows[1:])
    credit = sum(row[6] or 0 for row in rows[1:])
    assert debit == pytest.approx(credit)


@pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=False)
@pytest.mark.parametrize("role", ["staff_user", "director_user"])
def test_the_page_shows_the_totals_and_downloads_the_files(client, role, request, documents):
    client.force_login(request.getfixturevalue(role))
    url = reverse("admin:members_invoice_journal")

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["start"] == date(2024, 1, 1)  # last year by default

    page = client.get(url, {"start": "2025-01-01", "end": "2025-12-31"})
    text = page.content.decode()
    assert "Totaux par compte" in text
    # 2 510,40 + 90 (dues calls) + 1 000 (payment) + 90 (credit note), on each side
    assert text.count("3\u202f690,40\xa0€") == 2

    response = client.get(url, {"start": "2025-01-01", "end": "2025-12-31", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="journal-ventes-2025-01-01-2025-12-31.csv"' in response["Content-Disposition"]
    assert read_csv(response.content)[0] == HEADERS
    response = client.get(url, {"start": "2025-01-01", "end": "2025-12-31", "format": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"')

    page = client.get(url, {"start": "2025-12-31", "end": "2025-01-01", "format": "csv"})
    assert page.status_code == 200  # the form again, with its error; no file
    assert page.context["form"].errors
