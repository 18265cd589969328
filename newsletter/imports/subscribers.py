"""Spreadsheet import of the newsletter's subscribers (portal.core.sheets).

An imported address needs a stated consent basis (how the person agreed:
RGPD art. 7, the centre must be able to show it). It is active and confirmed at the date
the file gives (the confirmation, else the consent, else today), so it counts in every
figure from then on. An address already known, whatever its case, is updated, never
duplicated: an active subscriber keeps the consent it gave, and a person who unsubscribed
or complained is refused, never subscribed again behind their back; an address erased at
its owner's request is refused by the engine.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.imports import ACTOR_TYPE
from newsletter.models import ConsentSource, Subscriber, SubscriberStatus
from newsletter.selectors.subscribers import email_normalise
from portal.core.services import audit_log_many
from portal.core.sheets import columns as read
from portal.core.sheets.columns import Column
from portal.core.sheets.engine import CREATE, UNCHANGED, UPDATE, Importer, Row
from portal.core.sheets.registry import register

BATCH = 1000
# Statuses an import must not undo: the person said no.
REFUSED = (SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.COMPLAINED)
DETAILS = ("first_name", "last_name", "organisation", "actor_type", "department")


def _moment(day: date | None) -> datetime | None:
    return timezone.make_aware(datetime.combine(day, time())) if day else None


@register
class SubscriberImporter(Importer):
    key = "newsletter.subscribers"
    title = gettext_lazy("Subscribers of Résonances")
    help = gettext_lazy(
        "One line per address, with how and when the person agreed to receive the "
        "newsletter. Imported addresses are active at once; an address already known is "
        "updated; people who unsubscribed, complained or had their data erased are refused."
    )
    model = Subscriber
    order = 90
    email_key = "email"
    columns = (
        Column("email", gettext_lazy("Email"), read.email, required=True,
               aliases=("e-mail", "mail", "adresse électronique", "adresse mail"),
               help=gettext_lazy("The subscriber's address.")),
        Column("first_name", gettext_lazy("First name"), read.text(100), aliases=("prénom",)),
        Column("last_name", gettext_lazy("Last name"), read.text(100), aliases=("nom",)),
        Column("organisation", gettext_lazy("Organisation"), read.text(200),
               aliases=("structure", "organisme")),
        Column("actor_type", gettext_lazy("Type of actor"), ACTOR_TYPE, allowed=ACTOR_TYPE.allowed,
               help=gettext_lazy("Empty: other.")),
        Column("department", gettext_lazy("Département"), read.department,
               aliases=("département code", "code du département", "dép"),
               allowed=read.departments_allowed,
               help=gettext_lazy("Its code or its name: 95, Val-d'Oise.")),
        Column("consent_basis", gettext_lazy("Consent basis"), read.text(200), required=True,
               help=gettext_lazy("How the person agreed: « paper form, meeting of 12 March »…")),
        Column("consent_at", gettext_lazy("Consent date"), read.date_value,
               help=gettext_lazy("dd/mm/yyyy; empty: the confirmation date, else today.")),
        Column("confirmed_at", gettext_lazy("Confirmation date"), read.date_value,
               help=gettext_lazy(
                   "When the subscription started counting; empty: the consent date."
               )),
    )  # fmt: skip

    def row_key(self, row: Row):
        return row.values["email"]

    def check(self, rows: list[Row]) -> None:
        today = timezone.localdate()
        known = self._known([row.values["email"] for row in rows])
        for row in rows:
            values = row.values
            for name in ("consent_at", "confirmed_at"):
                if values[name] and values[name] > today:
                    row.error(
                        _("« %(column)s » is in the future.") % {"column": self.column_label(name)}
                    )
            consent, confirmed = values["consent_at"], values["confirmed_at"]
            if consent and confirmed and confirmed < consent:
                row.error(_("The confirmation cannot come before the consent."))
            subscriber = known.get(values["email"])
            row.label = values["email"]
            if subscriber is not None and subscriber.status in REFUSED:
                row.error(
                    _("This person is %(status)s: an import cannot subscribe them again.")
                    % {"status": str(subscriber.get_status_display()).lower()}
                )
            if row.errors:
                continue
            row.record = subscriber
            if subscriber is None:
                row.change = CREATE
            elif subscriber.status != SubscriberStatus.ACTIVE or self._differs(subscriber, row):
                row.change = UPDATE
            else:
                row.change = UNCHANGED

    def _known(self, emails: list[str]) -> dict[str, Subscriber]:
        known: dict[str, Subscriber] = {}
        for start in range(0, len(emails), 5000):
            chunk = emails[start : start + 5000]
            for subscriber in Subscriber.objects.alias(email_lower=Lower("email")).filter(
                email_lower__in=chunk
            ):
                known[email_normalise(subscriber.email)] = subscriber
        return known

    @staticmethod
    def _detail(row: Row, name: str):
        value = row.values[name]
        if name == "actor_type":
            return value or "other"
        return "" if value is None and name != "department" else value

    def _differs(self, subscriber: Subscriber, row: Row) -> bool:
        for name in DETAILS:
            current = subscriber.department if name == "department" else getattr(subscriber, name)
            if current != self._detail(row, name):
                return True
        return False

    def save(self, rows: list[Row]) -> None:
        now = timezone.now()
        created, updated, audited = [], [], []
        for row in rows:
            if row.change == UNCHANGED:
                continue
            subscriber = row.record or Subscriber(email=row.values["email"])
            before = subscriber.status if subscriber.pk else ""
            for name in DETAILS:
                setattr(subscriber, name, self._detail(row, name))
            if subscriber.status != SubscriberStatus.ACTIVE or subscriber.pk is None:
                consent_at = _moment(row.values["consent_at"] or row.values["confirmed_at"]) or now
                subscriber.status = SubscriberStatus.ACTIVE
                subscriber.consent_source = ConsentSource.IMPORT
                subscriber.consent_basis = row.values["consent_basis"]
                subscriber.consent_at = consent_at
                subscriber.consent_ip = None
                subscriber.confirmed_at = _moment(row.values["confirmed_at"]) or consent_at
                subscriber.unsubscribed_at = None
                subscriber.soft_bounces = 0
                if subscriber.pk:  # a new one is recorded by the import job's own entry
                    audited.append((subscriber, before))
            subscriber.updated_at = now
            (updated if subscriber.pk else created).append(subscriber)
        for start in range(0, len(created), BATCH):
            Subscriber.objects.bulk_create(created[start : start + BATCH])
            self.progress("saving", start + BATCH, len(created) + len(updated))
        Subscriber.objects.bulk_update(
            updated,
            [*DETAILS, "status", "consent_source", "consent_basis", "consent_at", "consent_ip",
             "confirmed_at", "unsubscribed_at", "soft_bounces", "updated_at"],
            batch_size=BATCH,
        )  # fmt: skip
        self._audit(audited)

    def _audit(self, audited: list[tuple[Subscriber, str]]) -> None:
        """One entry per known subscriber made active again, as newsletter.services.
        subscribers writes status changes (the import job's entry names the new ones)."""
        audit_log_many(
            actor=self.actor,
            action="newsletter.subscriber_imported",
            entries=(
                (
                    subscriber,
                    {"status": [before, subscriber.status], "source": ConsentSource.IMPORT},
                )
                for subscriber, before in audited
            ),
        )
