"""The sales journal as files for the accountant: XLSX and French CSV, written by the
portal's spreadsheet writer (portal.core.sheets.writing), in the columns French
accounting software imports: date, journal, account, piece number, label, debit, credit.

In XLSX the amounts are numbers in euros; in CSV they are written as a French reader
expects them, « 2 510,40 » (thousands grouped, decimal comma), and an empty cell where a
line has no debit or no credit.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from members.selectors.journal import SalesJournal
from portal.core.formats import format_number
from portal.core.sheets.writing import (
    DATE,
    EUROS,
    TEXT,
    Column,
    Sheet,
    Table,
    csv_build,
    xlsx_build,
)


def _amount_text(value: Decimal | None) -> str | None:
    return None if value is None else format_number(value, 2)


def _table(journal: SalesJournal, *, amount_kind: str, amount) -> Table:
    columns = (
        Column(_("Date"), DATE),
        Column(_("Journal"), TEXT),
        Column(_("Account"), TEXT),
        Column(_("Piece number"), TEXT),
        Column(_("Label"), TEXT),
        Column(_("Debit"), amount_kind),
        Column(_("Credit"), amount_kind),
    )
    rows = tuple(
        (
            line.date,
            line.journal,
            line.account,
            line.piece,
            line.label,
            amount(line.debit),
            amount(line.credit),
        )
        for line in journal.lines
    )
    title = _("Sales journal from %(start)s to %(end)s") % {
        "start": journal.start.strftime("%d/%m/%Y"),
        "end": journal.end.strftime("%d/%m/%Y"),
    }
    return Table(title=title, columns=columns, rows=rows)


def sales_journal_xlsx(journal: SalesJournal) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        table = _table(journal, amount_kind=EUROS, amount=lambda value: value)
        return xlsx_build([Sheet(title=_("Sales journal"), tables=(table,))])


def sales_journal_csv(journal: SalesJournal) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return csv_build(_table(journal, amount_kind=TEXT, amount=_amount_text))


def sales_journal_filename(journal: SalesJournal, extension: str) -> str:
    return f"journal-ventes-{journal.start:%Y-%m-%d}-{journal.end:%Y-%m-%d}.{extension}"
