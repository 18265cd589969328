"""The sales journal of a period, in double entry, for the centre's accountant.

Each document is one entry of two lines, in the accounts and journals of the site
settings: a dues call debits the members account (411…) and credits the dues account
(756…); a credit note does the reverse; a payment debits the bank (512…) and credits
the members account. So the journal balances by construction, and each account's total
is the sum of its documents in the database.

Documents are dated as the accountant books them: invoices and credit notes on their
issue date, payments on the day they were received.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from members.models import CreditNote, Invoice, Payment
from portal.core.models import SiteSettings

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class JournalLine:
    date: date
    journal: str
    account: str
    piece: str  # the document's number
    label: str
    debit: Decimal | None
    credit: Decimal | None


@dataclass(frozen=True)
class SalesJournal:
    start: date
    end: date
    lines: tuple[JournalLine, ...]
    invoices: int
    credit_notes: int
    payments: int

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit or ZERO for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit or ZERO for line in self.lines), ZERO)

    def accounts(self) -> list[tuple[str, str, Decimal, Decimal]]:
        """(journal, account, debit, credit) totals, in account order: what the accountant
        checks against the ledger."""
        totals: dict[tuple[str, str], list[Decimal]] = {}
        for line in self.lines:
            total = totals.setdefault((line.journal, line.account), [ZERO, ZERO])
            total[0] += line.debit or ZERO
            total[1] += line.credit or ZERO
        return [(j, a, d, c) for (j, a), (d, c) in sorted(totals.items(), key=lambda i: i[0][::-1])]


def _entry(
    *, day: date, journal: str, piece: str, label: str, debit: str, credit: str, amount: Decimal
) -> tuple[JournalLine, JournalLine]:
    return (
        JournalLine(day, journal, debit, piece, label, amount, None),
        JournalLine(day, journal, credit, piece, label, None, amount),
    )


def sales_journal(*, start: date, end: date) -> SalesJournal:
    """The entries of the dues calls, credit notes and payments from `start` to `end`
    (both included), by date, then journal, then document number."""
    site = SiteSettings.load()
    invoices = list(
        Invoice.objects.filter(issued_on__range=(start, end)).select_related("membership")
    )
    credit_notes = list(
        CreditNote.objects.filter(issued_on__range=(start, end)).select_related("invoice")
    )
    payments = list(Payment.objects.filter(paid_on__range=(start, end)).select_related("invoice"))
    entries: list[tuple[JournalLine, JournalLine]] = []
    with translation.override(settings.LANGUAGE_CODE):
        for invoice in invoices:
            label = _("Dues %(year)s — %(payer)s") % {
                "year": invoice.membership.year,
                "payer": invoice.payer_name,
            }
            entries.append(
                _entry(
                    day=invoice.issued_on,
                    journal=site.sales_journal,
                    piece=invoice.number,
                    label=label,
                    debit=site.customer_account,
                    credit=site.dues_account,
                    amount=invoice.amount,
                )
            )
        for credit_note in credit_notes:
            label = _("Credit note on %(invoice)s — %(payer)s") % {
                "invoice": credit_note.invoice.number,
                "payer": credit_note.invoice.payer_name,
            }
            entries.append(
                _entry(
                    day=credit_note.issued_on,
                    journal=site.sales_journal,
                    piece=credit_note.number,
                    label=label,
                    debit=site.dues_account,
                    credit=site.customer_account,
                    amount=credit_note.amount,
                )
            )
        for payment in payments:
            label = _("Payment of %(invoice)s — %(payer)s (%(method)s)") % {
                "invoice": payment.invoice.number,
                "payer": payment.invoice.payer_name,
                "method": payment.get_method_display(),
            }
            entries.append(
                _entry(
                    day=payment.paid_on,
                    journal=site.bank_journal,
                    piece=payment.number,
                    label=label,
                    debit=site.bank_account,
                    credit=site.customer_account,
                    amount=payment.amount,
                )
            )
    entries.sort(key=lambda entry: (entry[0].date, entry[0].journal, entry[0].piece))
    return SalesJournal(
        start=start,
        end=end,
        lines=tuple(line for entry in entries for line in entry),
        invoices=len(invoices),
        credit_notes=len(credit_notes),
        payments=len(payments),
    )
