"""Spreadsheet import of the newsletter's past issues (portal.core.sheets): archived, sent
at the date the file gives, never sending."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newsletter.imports.subscribers import BATCH
from newsletter.models import Issue, IssueStatus
from portal.core.pagecache import page_cache_invalidate
from portal.core.services import audit_log_many
from portal.core.sheets import columns as read
from portal.core.sheets.columns import CellError, Column, cell_text
from portal.core.sheets.engine import CREATE, UNCHANGED, UPDATE, Importer, Row
from portal.core.sheets.registry import register
from portal.core.text import loose_key

_NUMERIC_MONTH = re.compile(r"(\d{1,2})[/.\-](\d{4})")
_ISO_MONTH = re.compile(r"(\d{4})[/.\-](\d{1,2})")
_WORDED_MONTH = re.compile(r"([^\W\d]+)\.?\s+(\d{4})")
# The hour an archived issue is recorded as sent, on the day the file gives.
SENT_HOUR = 10
ARCHIVE_FIELDS = (
    "month", "title", "sent_at", "recipients_count", "delivered_archived", "failed_archived",
    "archive_text", "archive_url",
)  # fmt: skip


def month_value(value, lookups) -> date:
    """« mars 2024 », « 03/2024 », « 2024-03 », or any day of the month: its first day."""
    content = cell_text(value)
    month = year = None
    if match := _NUMERIC_MONTH.fullmatch(content):
        month, year = int(match.group(1)), int(match.group(2))
    elif match := _ISO_MONTH.fullmatch(content):
        year, month = int(match.group(1)), int(match.group(2))
    elif match := _WORDED_MONTH.fullmatch(content.casefold()):
        month, year = read.MONTHS.get(loose_key(match.group(1))), int(match.group(2))
    else:
        try:
            return read.date_value(value, lookups).replace(day=1)
        except CellError:
            pass
    if month is None or not 1 <= month <= 12:
        raise CellError(
            _("“%(value)s” is not a month: write it as « mars 2024 » or 03/2024.")
            % {"value": content}
        )
    return date(year, month, 1)


@register
class IssueImporter(Importer):
    """Issues sent before the portal, recorded as sent at their date (« archived »): never
    composed, never sent again, no delivery rows. Their recipients count as messages sent
    in the annual figures, like the deliveries retention deleted (Issue.delivered_archived):
    those the file says failed apart, the others delivered."""

    key = "newsletter.issues"
    title = gettext_lazy("Past issues of Résonances")
    help = gettext_lazy(
        "One line per issue sent before the portal: its number, title and date sent, and if "
        "known its recipients, its text and the link to its PDF. The issues are recorded as "
        "sent at that date and count in the figures of their year; nothing is sent. An "
        "issue's number finds it again: importing the file again updates it."
    )
    model = Issue
    order = 95
    columns = (
        Column("number", gettext_lazy("Number"), read.integer(minimum=1, maximum=100_000),
               required=True, aliases=("n°", "no", "numéro du numéro", "num")),
        Column("title", gettext_lazy("Title"), read.text(200), required=True,
               aliases=("titre du numéro", "intitulé", "objet", "sujet")),
        Column("sent_on", gettext_lazy("Date sent"), read.date_value, required=True,
               aliases=("envoyé le", "envoyée le", "date de l'envoi", "envoi"),
               help=gettext_lazy("dd/mm/yyyy.")),
        Column("month", gettext_lazy("Month"), month_value, aliases=("mois du numéro",),
               help=gettext_lazy("« mars 2024 » or 03/2024; empty: the month it was sent.")),
        Column("recipients", gettext_lazy("Recipients"), read.integer(),
               aliases=("nombre de destinataires", "nb de destinataires", "abonnés",
                        "messages envoyés"),
               help=gettext_lazy("How many addresses it was sent to.")),
        Column("failed", gettext_lazy("Failures"), read.integer(),
               aliases=("échecs", "erreurs", "rebonds", "bounces", "non distribués"),
               help=gettext_lazy(
                   "Messages the mail servers refused, if known; the others count as delivered."
               )),
        Column("archive_url", gettext_lazy("PDF link"), read.url,
               aliases=("lien du pdf", "pdf", "lien", "url", "adresse du pdf"),
               help=gettext_lazy("Where the issue's PDF is read (a spreadsheet cannot carry the "
                                 "file); shown in the public archive.")),
        Column("archive_text", gettext_lazy("Web text"), read.text(100_000),
               aliases=("texte", "texte du numéro", "contenu", "version web"),
               help=gettext_lazy("The text of the issue, shown on its public page; a blank "
                                 "line starts a paragraph.")),
    )  # fmt: skip

    def row_key(self, row: Row):
        return row.values["number"]

    def check(self, rows: list[Row]) -> None:
        today, now = timezone.localdate(), timezone.now()
        numbers = [row.values["number"] for row in rows]
        known = {issue.number: issue for issue in Issue.objects.filter(number__in=numbers)}
        for row in rows:
            values = row.values
            issue = known.get(values["number"])
            row.label = _("No. %(number)s — %(title)s") % {
                "number": values["number"], "title": values["title"],
            }  # fmt: skip
            if values["sent_on"] > today:
                row.error(
                    _("« %(column)s » is in the future.") % {"column": self.column_label("sent_on")}
                )
            if issue is not None and not issue.is_archived:
                row.error(
                    _(
                        "No. %(number)s is an issue composed in the portal (« %(status)s »): "
                        "an import cannot replace it."
                    )
                    % {"number": issue.number, "status": issue.get_status_display()}
                )
            if row.errors:
                continue
            fields = self._fields(values, issue, now)
            if fields["failed_archived"] > fields["recipients_count"]:
                row.error(
                    _("« %(failed)s » cannot exceed « %(recipients)s ».")
                    % {
                        "failed": self.column_label("failed"),
                        "recipients": self.column_label("recipients"),
                    }
                )
                continue
            row.record = (issue, fields)
            if issue is None:
                row.change = CREATE
            elif any(getattr(issue, name) != value for name, value in fields.items()):
                row.change = UPDATE
            else:
                row.change = UNCHANGED

    @staticmethod
    def _fields(values: dict, issue: Issue | None, now: datetime) -> dict:
        """The issue's fields; an optional cell left empty keeps what the issue has."""

        def given(name: str, field: str, default):
            if values[name] is not None:
                return values[name]
            return getattr(issue, field) if issue is not None else default

        recipients = given("recipients", "recipients_count", 0)
        failed = given("failed", "failed_archived", 0)
        sent_at = timezone.make_aware(datetime.combine(values["sent_on"], time(SENT_HOUR)))
        return {
            "month": given("month", "month", values["sent_on"].replace(day=1)),
            "title": values["title"],
            "sent_at": min(sent_at, now),
            "recipients_count": recipients,
            "delivered_archived": max(recipients - failed, 0),
            "failed_archived": failed,
            "archive_text": given("archive_text", "archive_text", ""),
            "archive_url": given("archive_url", "archive_url", ""),
        }

    def save(self, rows: list[Row]) -> None:
        now = timezone.now()
        created, updated, audited = [], [], []
        for row in rows:
            if row.change == UNCHANGED:
                continue
            issue, fields = row.record
            before = issue.status if issue is not None else ""
            if issue is None:
                issue = Issue(
                    number=row.values["number"], status=IssueStatus.SENT, is_archived=True
                )
            for name, value in fields.items():
                setattr(issue, name, value)
            issue.updated_at = now
            (updated if issue.pk else created).append(issue)
            audited.append((issue, before))
        Issue.objects.bulk_create(created, batch_size=BATCH)
        Issue.objects.bulk_update(updated, [*ARCHIVE_FIELDS, "updated_at"], batch_size=BATCH)
        self.progress("saving", len(created) + len(updated), len(rows))
        self._audit(audited)
        page_cache_invalidate()

    def _audit(self, audited: list[tuple[Issue, str]]) -> None:
        """One entry per issue recorded as sent, as the campaign services log a send."""
        audit_log_many(
            actor=self.actor,
            action="newsletter.issue_archived",
            entries=(
                (
                    issue,
                    {
                        "status": [before, IssueStatus.SENT],
                        "sent_at": issue.sent_at,
                        "recipients": issue.recipients_count,
                    },
                )
                for issue, before in audited
            ),
        )
