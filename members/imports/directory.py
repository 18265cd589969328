"""Spreadsheet imports of the directory: organisations and people.

A line with an « ID » (the portal's number, as the exports write it) updates that
record. Otherwise an organisation is found by its SIRET, else by its name; a person by
their address, else by first name, last name and organisation; names are matched
loosely (case, accents, apostrophes, hyphens). What is found is updated, the rest is
created, so the same file imported twice changes nothing the second time. An empty cell
keeps what the record has: a file of a few columns completes the directory, never
erases it. The columns are the exports' (members.imports.exports), so an export imports back.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.imports.readers import (
    ACTOR_TYPE,
    BATCH,
    ORGANISATION_KIND,
    OrganisationIndex,
    PersonIndex,
    assign,
    duplicate_of,
    name_key,
    record_id,
    siret,
)
from members.models import ActorType, Organisation, Person
from portal.core.pagecache import page_cache_invalidate
from portal.core.sheets import columns as read
from portal.core.sheets.columns import CellError, Column
from portal.core.sheets.engine import CREATE, UNCHANGED, UPDATE, Importer, Row
from portal.core.sheets.registry import register
from portal.core.text import loose_key

ORGANISATION_FIELDS = (
    "name", "kind", "siret", "address", "postcode", "city", "commune", "department",
    "inhabitants", "email", "phone", "website", "is_funder", "chorus_service_code", "is_active",
)  # fmt: skip
PERSON_FIELDS = (
    "first_name", "last_name", "email", "phone", "job_title", "actor_type", "organisation",
    "department", "is_member_contact",
)  # fmt: skip

EMAIL_ALIASES = ("e-mail", "mail", "adresse électronique", "adresse mail", "courriel")
DEPARTMENT_ALIASES = ("code du département", "département code", "dép", "dept")
DEPARTMENT_HELP = gettext_lazy("Its code or its name: 95, Val-d'Oise.")
PHONE_HELP = gettext_lazy("As it is dialled: 01 34 00 00 00.")
NAME_HELP = gettext_lazy("As the person writes it.")


def _bulk_save(importer: Importer, model, rows: list[Row], fields: tuple[str, ...]) -> None:
    created = [row.record for row in rows if row.change == CREATE]
    updated = [row.record for row in rows if row.change == UPDATE]
    now = timezone.now()
    for record in updated:
        record.updated_at = now
    total = len(created) + len(updated)
    for start in range(0, len(created), BATCH):
        model.objects.bulk_create(created[start : start + BATCH])
        importer.progress("saving", min(start + BATCH, len(created)), total)
    for start in range(0, len(updated), BATCH):
        model.objects.bulk_update(updated[start : start + BATCH], [*fields, "updated_at"])
        importer.progress("saving", len(created) + min(start + BATCH, len(updated)), total)
    if total:
        page_cache_invalidate()  # bulk writes send no signal


@register
class OrganisationImporter(Importer):
    key = "members.organisations"
    title = gettext_lazy("Organisations")
    help = gettext_lazy(
        "One line per organisation. A line with an ID updates that organisation; otherwise "
        "it is found by its SIRET, else by its name, and updated, or created. An empty cell "
        "keeps what the directory has."
    )
    model = Organisation
    order = 20
    columns = (
        Column("id", gettext_lazy("ID"), record_id, aliases=("identifiant portail", "n°"),
               help=gettext_lazy("The portal's number, as the export writes it: the line "
                                 "updates that organisation. Empty: found by SIRET, else by "
                                 "name.")),
        Column("name", gettext_lazy("Name"), read.text(200), required=True,
               aliases=("nom de la structure", "raison sociale", "structure", "organisation",
                        "organisme", "dénomination"),
               help=gettext_lazy("The organisation's name.")),
        Column("kind", gettext_lazy("Kind"), ORGANISATION_KIND, required=True,
               aliases=("type de structure", "nature"), allowed=ORGANISATION_KIND.allowed,
               help=gettext_lazy("City, EPCI, association…: see the allowed values.")),
        Column("siret", gettext_lazy("SIRET"), siret, aliases=("numéro siret", "n° siret"),
               help=gettext_lazy("14 digits; needed on the invoices of public bodies.")),
        Column("address", gettext_lazy("Address"), read.text(500),
               aliases=("adresse postale", "rue"),
               help=gettext_lazy("Number and street, as on the invoices.")),
        Column("postcode", gettext_lazy("Postcode"), read.text(10), aliases=("cp",),
               help=gettext_lazy("The postcode of the address.")),
        Column("city", gettext_lazy("Town"), read.text(100), aliases=("ville", "localité"),
               help=gettext_lazy("The town of the postal address.")),
        Column("insee_commune", gettext_lazy("Commune INSEE code"), read.commune,
               aliases=("code insee", "insee", "commune insee"),
               help=gettext_lazy("For a city: the commune it administers, by INSEE code or "
                                 "name; it gives the population for dues per inhabitant.")),
        Column("department", gettext_lazy("Département"), read.department,
               aliases=DEPARTMENT_ALIASES, allowed=read.departments_allowed,
               help=gettext_lazy("Its code or its name: 95, Val-d'Oise. Empty: the "
                                 "commune's.")),
        Column("inhabitants", gettext_lazy("Inhabitants"), read.integer(maximum=10**8),
               aliases=("nombre d'habitants", "population"),
               help=gettext_lazy("For dues per inhabitant, when it is not the commune's "
                                 "legal population.")),
        Column("email", gettext_lazy("Email"), read.email, aliases=EMAIL_ALIASES,
               help=gettext_lazy("The organisation's contact address.")),
        Column("phone", gettext_lazy("Phone"), read.text(30), aliases=("tél", "tel"),
               help=PHONE_HELP),
        Column("website", gettext_lazy("Website"), read.url, aliases=("site internet", "site"),
               help=gettext_lazy("Its address, with or without https://.")),
        Column("is_funder", gettext_lazy("Funder"), read.yes_no,
               aliases=("partenaire financier",), allowed=read.yes_no_allowed,
               help=gettext_lazy("Yes or no; empty: no, for a new organisation.")),
        Column("chorus_service_code", gettext_lazy("Chorus Pro service code"), read.text(100),
               aliases=("code service",),
               help=gettext_lazy(
                   "Required by some public bodies to route invoices in Chorus Pro.")),
        Column("is_active", gettext_lazy("Active"), read.yes_no, aliases=("actif",),
               allowed=read.yes_no_allowed,
               help=gettext_lazy("Yes or no; empty: yes, for a new organisation.")),
    )  # fmt: skip

    def row_key(self, row: Row):
        values = row.values
        if values["id"]:
            return ("id", values["id"])
        if values["siret"]:
            return ("siret", values["siret"])
        return ("name", loose_key(values["name"]))

    def check(self, rows: list[Row]) -> None:
        index = OrganisationIndex.load()
        claimed: dict[int, int] = {}  # organisation → the line that changes it
        creating: dict[str, Row] = {}  # loose name → the line that creates it
        for row in rows:
            organisation = self._find(row, index)
            if row.errors:
                continue
            values = row.values
            if organisation is not None:
                if organisation.pk in claimed:
                    row.error(duplicate_of(claimed[organisation.pk]))
                    continue
                claimed[organisation.pk] = row.line
            else:
                earlier = creating.get(loose_key(values["name"]))
                if earlier is not None and not (values["siret"] and earlier.values["siret"]):
                    row.error(duplicate_of(earlier.line))
                    continue
                creating[loose_key(values["name"])] = row
            self._apply(row, organisation)

    def _find(self, row: Row, index: OrganisationIndex) -> Organisation | None:
        values = row.values
        if values["id"]:
            found = index.by_id.get(values["id"])
            if found is None:
                row.error(
                    _("« %(column)s » : no organisation has the ID %(value)s.")
                    % {"column": self.column_label("id"), "value": values["id"]}
                )
            return found
        if values["siret"]:
            found = index.by_siret.get(values["siret"], [])
            if len(found) > 1:
                row.error(
                    _("Several organisations have the SIRET %(value)s: give the ID of the one "
                      "to update.") % {"value": values["siret"]}
                )  # fmt: skip
            if found:
                return found[0]
        # By name; one with another SIRET is another establishment.
        named = [
            organisation
            for organisation in index.named(values["name"])
            if not (values["siret"] and organisation.siret)
        ]
        if len(named) > 1:
            row.error(
                _("Several organisations are named “%(value)s”: give the ID or the SIRET of "
                  "the one to update.") % {"value": values["name"]}
            )  # fmt: skip
        return named[0] if named else None

    def _apply(self, row: Row, organisation: Organisation | None) -> None:
        values = row.values
        department = values["department"]
        commune = values["insee_commune"]
        keeps_department = organisation is not None and organisation.department_id
        if department is None and commune is not None and not keeps_department:
            department = commune.department
        fields = {name: values.get(name) for name in ORGANISATION_FIELDS}
        fields |= {"commune": commune, "department": department}
        if organisation is None:
            organisation = Organisation(is_funder=False, is_active=True)
            assign(organisation, fields)
            row.change = CREATE
        else:
            row.change = UPDATE if assign(organisation, fields) else UNCHANGED
        row.record = organisation
        row.label = organisation.name

    def save(self, rows: list[Row]) -> None:
        _bulk_save(self, Organisation, rows, ORGANISATION_FIELDS)


@register
class PersonImporter(Importer):
    key = "members.people"
    title = gettext_lazy("People of the directory")
    help = gettext_lazy(
        "One line per person. A line with an ID updates that person; otherwise they are "
        "found by their address, else by first name, last name and organisation, and "
        "updated, or created. The organisations must be in the directory first. An empty "
        "cell keeps what the directory has; addresses erased at their owner's request are "
        "refused."
    )
    model = Person
    order = 30
    email_key = "email"
    columns = (
        Column("id", gettext_lazy("ID"), record_id, aliases=("identifiant portail", "n°"),
               help=gettext_lazy("The portal's number, as the export writes it: the line "
                                 "updates that person. Empty: found by address, else by "
                                 "name and organisation.")),
        Column("first_name", gettext_lazy("First name"), read.text(100), required=True,
               aliases=("prénom",), help=NAME_HELP),
        Column("last_name", gettext_lazy("Last name"), read.text(100), required=True,
               aliases=("nom de famille", "nom"), help=NAME_HELP),
        Column("email", gettext_lazy("Email"), read.email, aliases=EMAIL_ALIASES,
               help=gettext_lazy("The person's address; two people never share one.")),
        Column("phone", gettext_lazy("Phone"), read.text(30), aliases=("tél", "tel"),
               help=PHONE_HELP),
        Column("job_title", gettext_lazy("Job title"), read.text(150),
               aliases=("poste", "métier"),
               help=gettext_lazy("Their job: « cheffe de projet politique de la ville »…")),
        Column("actor_type", gettext_lazy("Type of actor"), ACTOR_TYPE,
               allowed=ACTOR_TYPE.allowed, aliases=("profil",),
               help=gettext_lazy("Empty: other, for a new person.")),
        Column("organisation", gettext_lazy("Organisation"), read.text(200),
               aliases=("organisation", "organisme", "employeur"),
               help=gettext_lazy("The name of an organisation of the directory.")),
        Column("department", gettext_lazy("Département"), read.department,
               aliases=DEPARTMENT_ALIASES, allowed=read.departments_allowed,
               help=DEPARTMENT_HELP),
        Column("is_member_contact", gettext_lazy("Member contact"), read.yes_no,
               aliases=("référent adhérent", "contact adhésion"), allowed=read.yes_no_allowed,
               help=gettext_lazy("Yes: may invite colleagues to the member space.")),
    )  # fmt: skip

    def row_key(self, row: Row):
        values = row.values
        if values["id"]:
            return ("id", values["id"])
        if values["email"]:
            return ("email", values["email"])
        return (
            "name",
            name_key(values["first_name"], values["last_name"]),
            loose_key(values["organisation"]),
        )

    def check(self, rows: list[Row]) -> None:
        organisations = OrganisationIndex.load()
        people = PersonIndex()
        found: dict[int, int] = {}  # line → person
        for row in rows:
            organisation = self._organisation(row, organisations)
            person_id = self._find(row, people, organisation)
            if person_id is not None:
                found[row.line] = person_id
        records = Person.objects.in_bulk(set(found.values()))
        claimed: dict[int, int] = {}  # person → line
        addresses: dict[str, int] = {}  # address → line
        for row in rows:
            if row.errors:
                continue
            person = records.get(found.get(row.line))
            email = row.values["email"]
            if person is not None:
                if person.pk in claimed:
                    row.error(duplicate_of(claimed[person.pk]))
                    continue
                claimed[person.pk] = row.line
            owner = people.by_email.get(email) if email else None
            if owner is not None and (person is None or owner != person.pk):
                row.error(
                    _("« %(column)s » : %(value)s is already the address of another person "
                      "(ID %(id)s).")
                    % {"column": self.column_label("email"), "value": email, "id": owner}
                )  # fmt: skip
                continue
            if email and email in addresses:
                row.error(duplicate_of(addresses[email]))
                continue
            if email:
                addresses[email] = row.line
            self._apply(row, person)

    def _organisation(self, row: Row, index: OrganisationIndex) -> Organisation | None:
        name = row.values["organisation"]
        if not name:
            return None
        try:
            organisation = index.one_named(name, self.column_label("organisation"))
        except CellError as error:
            row.error(str(error))
            return None
        row.values["organisation"] = organisation
        return organisation

    def _find(self, row: Row, people: PersonIndex, organisation) -> int | None:
        values = row.values
        if row.errors:
            return None
        if values["id"]:
            if values["id"] not in people.ids:
                row.error(
                    _("« %(column)s » : no person has the ID %(value)s.")
                    % {"column": self.column_label("id"), "value": values["id"]}
                )
                return None
            return values["id"]
        email = values["email"]
        if email and email in people.by_email:
            return people.by_email[email]
        # By name within the organisation; someone with another address is someone else.
        organisation_id = organisation.pk if organisation else None
        candidates = [
            pk
            for pk, in_organisation in people.by_name.get(
                name_key(values["first_name"], values["last_name"]), []
            )
            if in_organisation == organisation_id and not (email and people.emails[pk])
        ]
        candidates = list(dict.fromkeys(candidates))
        if len(candidates) > 1:
            row.error(
                _("Several people of the directory are named %(name)s in this organisation: "
                  "give the ID or the address of the one to update.")
                % {"name": f"{values['first_name']} {values['last_name']}"}
            )  # fmt: skip
            return None
        return candidates[0] if candidates else None

    def _apply(self, row: Row, person: Person | None) -> None:
        fields = {name: row.values.get(name) for name in PERSON_FIELDS}
        if person is None:
            person = Person(actor_type=ActorType.OTHER, is_member_contact=False)
            assign(person, fields)
            row.change = CREATE
        else:
            row.change = UPDATE if assign(person, fields) else UNCHANGED
        row.record = person
        row.label = str(person) + (f" <{person.email}>" if person.email else "")

    def save(self, rows: list[Row]) -> None:
        _bulk_save(self, Person, rows, PERSON_FIELDS)
