"""The import of info-doc requests with their history: its columns and its check.

One line per request: when it came, who asked, from where, about what, how it ended. The
requester is found in the directory by email, else by name and organisation, else added
(with their organisation when the directory does not know it yet).

The key of a request: its « Référence » when the file gives one (the portal's
ID-2024-0042, or the centre's own numbering, kept as typed); otherwise the date received,
the requester and the words of the question, so the same file imported twice updates what
the first import created. A new request without a reference takes the next numbers of its
year from the portal's locked counter; a reference in the portal's format moves the
counter past it (saving.py).

A request imported in progress, answered, closed or left without follow-up gets the status
changes that lead there, dated on the days received and answered, so its history reads as
if it had been worked in the portal; an import never moves a request back along its
workflow and sends nothing (no acknowledgement, no answer). On an update, an optional
cell left empty keeps what the portal has.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infodoc.imports import readers
from infodoc.imports.known import Directory, KnownRequests
from infodoc.imports.readers import (
    ANSWERED,
    CHANNEL,
    OWN_REFERENCE,
    REQUESTER_KIND,
    STATUS,
    C,
    K,
    S,
    question_digest,
    status_path,
    subject_from,
)
from infodoc.imports.saving import requests_save
from infodoc.models import InfoRequest, RequestStatus
from members.models import Organisation, Person
from portal.core.pagecache import page_cache_invalidate
from portal.core.sheets import columns as read
from portal.core.sheets.columns import Column
from portal.core.sheets.engine import CREATE, UNCHANGED, UPDATE, Importer, Row
from portal.core.sheets.registry import register
from portal.core.text import loose_key

# The request's fields an import writes, compared to tell an update from an unchanged line.
FIELDS = (
    "received_on", "channel", "person_id", "organisation_id", "requester_kind", "commune_id",
    "epci_id", "department_id", "subject", "question", "status", "assignee_id",
    "response_types", "answer", "answered_on",
)  # fmt: skip


@dataclass
class Plan:
    """What saving a checked line does."""

    fields: dict
    person: Person | None = None  # a person of the directory, or:
    person_key: Hashable = None  # the new person the line adds (lines may share one)
    organisation: Organisation | None = None  # the organisation the line names, or:
    organisation_key: str = ""  # the new organisation the line adds
    themes: list[int] | None = None  # None: the request keeps its themes
    before: str = ""  # the status before the import ("" for a new request)
    steps: list[str] = field(default_factory=list)  # the statuses it goes through
    changed: list[str] = field(default_factory=list)
    last_change: datetime | None = None  # of the history the request already has


@register
class InfoRequestImporter(Importer):
    key = "infodoc.requests"
    title = gettext_lazy("Info-doc requests")
    help = gettext_lazy(
        "One line per request, with its requester and how it ended. The requester is found "
        "in the directory by email, else by name and organisation, or added. A request is "
        "recognised by its reference, else by its date, requester and question: importing "
        "the file again updates it. An answered or closed request gets its status history; "
        "nothing is sent to anyone."
    )
    model = InfoRequest
    order = 80
    email_key = "email"
    columns = (
        Column("reference", gettext_lazy("Reference"), readers.reference,
               aliases=("réf", "n° de demande", "numéro de demande", "numéro"),
               help=gettext_lazy("ID-2024-0042 or your own numbering; empty: the next number "
                                 "of the year. It finds the request again on a new import.")),
        Column("received_on", gettext_lazy("Date received"), read.date_value, required=True,
               aliases=("reçue le", "date de la demande", "date de réception", "date"),
               help=gettext_lazy("dd/mm/yyyy.")),
        Column("last_name", gettext_lazy("Last name"), read.text(100), aliases=("nom",),
               help=gettext_lazy("Required for a requester the directory does not know.")),
        Column("first_name", gettext_lazy("First name"), read.text(100), aliases=("prénom",)),
        Column("email", gettext_lazy("Email"), read.email,
               aliases=("e-mail", "mail", "adresse électronique", "adresse mail"),
               help=gettext_lazy("The requester's address: finds them in the directory.")),
        Column("organisation", gettext_lazy("Organisation"), read.text(200),
               aliases=("structure", "organisme", "employeur"),
               help=gettext_lazy("Added to the directory when it is not known.")),
        Column("requester_kind", gettext_lazy("Requester kind"), REQUESTER_KIND,
               aliases=("type de demandeur", "type de structure", "catégorie"),
               allowed=REQUESTER_KIND.allowed, help=gettext_lazy("Empty: other.")),
        Column("commune", gettext_lazy("Commune"), read.commune, aliases=("code insee",),
               help=gettext_lazy("Its name or INSEE code; gives the EPCI and the département.")),
        Column("epci", gettext_lazy("EPCI"), read.epci,
               aliases=("intercommunalité", "interco", "agglomération"),
               help=gettext_lazy("Its name or SIREN; empty: the commune's.")),
        Column("department", gettext_lazy("Département"), read.department,
               aliases=("dép", "code du département"), allowed=read.departments_allowed,
               help=gettext_lazy("Its code or its name; empty: the commune's.")),
        Column("themes", gettext_lazy("Themes"), read.themes,
               aliases=("thème", "thématique", "thématiques"), allowed=read.themes_allowed,
               help=gettext_lazy("Separated by « ; ».")),
        Column("subject", gettext_lazy("Subject"), read.text(200),
               aliases=("sujet", "intitulé", "titre"),
               help=gettext_lazy("Empty: the first words of the question.")),
        Column("question", gettext_lazy("Question"), read.text(5000), required=True,
               aliases=("demande", "besoin", "texte de la demande")),
        Column("status", gettext_lazy("Status"), STATUS, aliases=("état", "suite donnée"),
               allowed=STATUS.allowed,
               help=gettext_lazy("Empty: answered when a date answered is given, else new.")),
        Column("answered_on", gettext_lazy("Date answered"), read.date_value,
               aliases=("répondu le", "date de la réponse", "réponse le"),
               help=gettext_lazy("Required for an answered or closed request.")),
        Column("assignee", gettext_lazy("Followed by"), readers.staff_member,
               aliases=("suivi par", "chargé de la demande", "traitée par", "agent",
                        "assignée à", "membre de l'équipe"),
               help=gettext_lazy("The email or name of a staff account.")),
        Column("channel", gettext_lazy("Channel"), CHANNEL,
               aliases=("canal de réception", "moyen", "reçue par"), allowed=CHANNEL.allowed,
               help=gettext_lazy("Empty: email.")),
        Column("response_types", gettext_lazy("Response types"), readers.response_types,
               aliases=("type de réponse", "nature de la réponse", "réponse apportée"),
               allowed=readers.RESPONSE_TYPE.allowed, help=gettext_lazy("Separated by « ; ».")),
        Column("answer", gettext_lazy("Answer"), read.text(20000),
               aliases=("texte de la réponse",)),
    )  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lookups = readers.RequestLookups()
        self.plans: dict[int, Plan] = {}

    def row_key(self, row: Row):
        values = row.values
        if values["reference"]:
            return ("reference", values["reference"].upper())
        who = values["email"] or (
            loose_key(values["last_name"]),
            loose_key(values["first_name"]),
            loose_key(values["organisation"]),
        )
        return ("request", values["received_on"], who, question_digest(values["question"]))

    def check(self, rows: list[Row]) -> None:
        self.plans = {}
        self._today = timezone.localdate()
        self._directory = Directory(rows)
        self._known = KnownRequests(rows)
        self._claimed: dict[Hashable, tuple[Person | None, Hashable]] = {}
        self._emails_given: dict[int, str] = {}  # directory people the file gives an address
        self._lines: dict[int, int] = {}  # request pk → the line updating it
        for row in rows:
            plan = self._plan(row)
            if plan is not None and row.valid:
                self.plans[row.line] = plan

    def save(self, rows: list[Row]) -> None:
        requests_save(importer=self, rows=[row for row in rows if row.change != UNCHANGED])
        page_cache_invalidate()

    # One line -----------------------------------------------------------------------

    def _plan(self, row: Row) -> Plan | None:
        values = row.values
        for name in ("received_on", "answered_on"):
            if values[name] and values[name] > self._today:
                row.error(
                    _("« %(column)s » is in the future.") % {"column": self.column_label(name)}
                )
        territory = self._territory(row)
        person, person_key = self._requester(row)
        if not row.valid:
            return None
        record = self._record(row, person)
        status, answered_on = self._status(row, record)
        before = record.status if record else S.NEW
        steps = status_path(before, status)
        if steps is None:
            row.error(
                _(
                    "This request is « %(current)s » in the portal: an import cannot bring it "
                    "back to « %(status)s »."
                )
                % {"current": RequestStatus(before).label, "status": RequestStatus(status).label}
            )
        if answered_on and answered_on < values["received_on"]:
            row.error(_("The request cannot be answered before it was received."))
        if not row.valid:
            return None
        plan = Plan(
            fields=self._fields(row, record, person, territory, status, answered_on),
            person=person,
            person_key=person_key,
            before=record.status if record else "",
            steps=steps,
        )
        self._organisation(row, plan, record, person)
        self._changes(row, plan, record)
        return plan

    def _territory(self, row: Row) -> tuple[int | None, int | None, int | None] | None:
        """(commune, EPCI, département) as the public form sets them: the commune gives
        the others when they are empty. None when the line names no place."""
        commune, epci, department = (row.values[name] for name in ("commune", "epci", "department"))
        if not (commune or epci or department):
            return None
        if commune and department and commune.department_id != department.pk:
            row.error(
                _("The commune %(commune)s is not in the département %(department)s.")
                % {"commune": commune.name, "department": department.name}
            )
        return (
            commune.pk if commune else None,
            epci.pk if epci else (commune.epci_id if commune else None),
            department.pk if department else (commune.department_id if commune else None),
        )

    def _requester(self, row: Row) -> tuple[Person | None, Hashable]:
        """The person of the directory the line names, or the key of a new one."""
        values = row.values
        email, last, first = values["email"], values["last_name"] or "", values["first_name"] or ""
        name = (loose_key(last), loose_key(first), loose_key(values["organisation"]))
        if not email and not last:
            row.error(_("Give the requester's email or last name."))
            return None, None
        found = self._claimed.get(email) if email else None
        if found is None and email and email in self._directory.by_email:
            found = (self._directory.by_email[email], None)
        if found is None and last:
            found = self._claimed.get(name)
            if found is None and name in self._directory.by_name:
                found = (self._directory.by_name[name], None)
            person = found[0] if found else None
            if person is not None and email and self._email_of(person) not in ("", email):
                found = None  # the same name with another address: another person
        if found is None:
            if not last:
                row.error(
                    _("« %(column)s » is required for a requester the directory does not know.")
                    % {"column": self.column_label("last_name")}
                )
                return None, None
            found = (None, email or ("name", *name))
        if email:
            self._claimed.setdefault(email, found)
            if found[0] is not None and not found[0].email:
                self._emails_given.setdefault(found[0].pk, email)
        if last:
            self._claimed.setdefault(name, found)
        return found

    def _email_of(self, person: Person) -> str:
        return person.email.lower() or self._emails_given.get(person.pk, "")

    def _record(self, row: Row, person: Person | None) -> InfoRequest | None:
        values = row.values
        digest = question_digest(values["question"])
        natural = None
        if person is not None:
            natural = self._known.by_key.get((values["received_on"], person.pk, digest))
        record = natural
        if values["reference"]:
            record = self._known.by_reference.get(values["reference"].upper())
            own = OWN_REFERENCE.fullmatch(values["reference"])
            if record is None and natural is not None:
                row.error(
                    _(
                        "This request is already recorded under the reference %(reference)s: "
                        "write that reference, or leave the cell empty."
                    )
                    % {"reference": natural.reference}
                )
            elif record is None and own and int(own.group(1)) != values["received_on"].year:
                row.error(
                    _("The reference %(reference)s is of %(year)s, the request of %(received)s.")
                    % {
                        "reference": values["reference"],
                        "year": own.group(1),
                        "received": values["received_on"].year,
                    }
                )
        if record is not None:
            if record.pk in self._lines:
                row.error(
                    _("Duplicate in the file: the same record as line %(line)s.")
                    % {"line": self._lines[record.pk]}
                )
            self._lines.setdefault(record.pk, row.line)
        row.record = record
        return record

    def _status(self, row: Row, record: InfoRequest | None) -> tuple[str, date | None]:
        """The status the line leads to, and its date answered."""
        given, answered_on = row.values["status"], row.values["answered_on"]
        current = record.status if record else S.NEW
        if given:
            status = given
        elif answered_on:
            status = current if current in ANSWERED else S.ANSWERED
        else:
            status = current
        if status not in ANSWERED:
            if answered_on:
                row.error(
                    _("A request « %(status)s » has no date answered: empty « %(column)s ».")
                    % {
                        "status": RequestStatus(status).label,
                        "column": self.column_label("answered_on"),
                    }
                )
            return status, None
        answered_on = answered_on or (record.answered_on if record else None)
        if answered_on is None:
            row.error(
                _("« %(column)s » is required for an answered or closed request.")
                % {"column": self.column_label("answered_on")}
            )
        return status, answered_on

    def _fields(self, row, record, person, territory, status, answered_on) -> dict:
        values = row.values

        def given(name: str, default):
            value = values[name]
            if value not in (None, "", []):
                return value
            return getattr(record, name) if record is not None else default

        if territory is None:
            territory = (
                (record.commune_id, record.epci_id, record.department_id)
                if record
                else (None, None, None)
            )
        assignee = values["assignee"]
        return {
            "received_on": values["received_on"],
            "channel": given("channel", C.EMAIL),
            "person_id": person.pk if person else None,
            "organisation_id": None,  # set by _organisation
            "requester_kind": given("requester_kind", K.OTHER),
            "commune_id": territory[0],
            "epci_id": territory[1],
            "department_id": territory[2],
            "subject": given("subject", subject_from(values["question"])),
            "question": values["question"],
            "status": status,
            "assignee_id": assignee.pk if assignee else (record.assignee_id if record else None),
            "response_types": given("response_types", []),
            "answer": given("answer", ""),
            "answered_on": answered_on,
        }

    def _organisation(self, row: Row, plan: Plan, record, person) -> None:
        """The organisation the line names (known, or to add), else the request's, else
        the requester's, as info_request_create takes it."""
        key = loose_key(row.values["organisation"])
        if key:
            plan.organisation = self._directory.organisations.get(key)
            plan.organisation_key = "" if plan.organisation else key
            plan.fields["organisation_id"] = plan.organisation.pk if plan.organisation else None
        elif record is not None:
            plan.fields["organisation_id"] = record.organisation_id
        elif person is not None:
            plan.fields["organisation_id"] = person.organisation_id

    def _changes(self, row: Row, plan: Plan, record: InfoRequest | None) -> None:
        themes = row.values["themes"]
        plan.themes = [theme.pk for theme in themes] if themes else (None if record else [])
        reference = record.reference if record else row.values["reference"]
        requester = " ".join(filter(None, (row.values["first_name"], row.values["last_name"])))
        row.label = " — ".join(
            filter(None, (reference, requester or row.values["email"], plan.fields["subject"]))
        )
        if record is None:
            row.change = CREATE
            return
        plan.changed = [name for name in FIELDS if getattr(record, name) != plan.fields[name]]
        if plan.person is None:
            plan.changed.append("person_id")
        if plan.organisation_key:
            plan.changed.append("organisation_id")
        if plan.themes is not None and set(plan.themes) != self._known.themes[record.pk]:
            plan.changed.append("themes")
        plan.last_change = self._known.last_change.get(record.pk)
        row.change = UPDATE if plan.changed else UNCHANGED
