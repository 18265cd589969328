"""What the info-doc import finds in the portal, read once per file: the people and
organisations a file may name, and the requests it may update."""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

from django.db.models import Max, Q
from django.db.models.functions import Lower, Upper

from infodoc.imports.readers import question_digest
from infodoc.models import InfoRequest, StatusChange
from members.models import Organisation, Person
from portal.core.sheets.engine import Row
from portal.core.text import loose_key

PERSON_FIELDS = ("pk", "first_name", "last_name", "email", "organisation_id", "department_id")


class Directory:
    """The people and organisations a file may name, read once."""

    def __init__(self, rows: list[Row]):
        emails = {row.values["email"] for row in rows if row.values["email"]}
        people = Person.objects.alias(email_lower=Lower("email")).filter(email_lower__in=emails)
        self.by_email = {p.email.lower(): p for p in people.only(*PERSON_FIELDS)}
        self.organisations: dict[str, Organisation] = {}
        self.organisation_keys: dict[int, str] = {}
        for organisation in Organisation.objects.order_by("pk").only("pk", "name"):
            key = loose_key(organisation.name)
            self.organisations.setdefault(key, organisation)
            self.organisation_keys[organisation.pk] = key

    @cached_property
    def by_name(self) -> dict[tuple[str, str, str], Person]:
        """{(last name, first name, organisation): the first such person}, loosely."""
        found: dict[tuple[str, str, str], Person] = {}
        for person in Person.objects.order_by("pk").only(*PERSON_FIELDS):
            organisation = self.organisation_keys.get(person.organisation_id, "")
            key = (loose_key(person.last_name), loose_key(person.first_name), organisation)
            found.setdefault(key, self.by_email.get(person.email.lower(), person))
        return found


class KnownRequests:
    """The requests a file may update: by reference, and by date, requester and question."""

    def __init__(self, rows: list[Row]):
        references = {row.values["reference"].upper() for row in rows if row.values["reference"]}
        dates = {row.values["received_on"] for row in rows}
        requests = list(
            InfoRequest.objects.alias(reference_upper=Upper("reference")).filter(
                Q(reference_upper__in=references) | Q(received_on__in=dates)
            )
        )
        self.by_reference = {request.reference.upper(): request for request in requests}
        self.by_key = {
            (request.received_on, request.person_id, question_digest(request.question)): request
            for request in requests
        }
        ids = [request.pk for request in requests]
        self.themes: dict[int, set[int]] = defaultdict(set)
        through = InfoRequest.themes.through.objects.filter(inforequest_id__in=ids)
        for request_id, theme_id in through.values_list("inforequest_id", "theme_id"):
            self.themes[request_id].add(theme_id)
        changes = StatusChange.objects.filter(request_id__in=ids).values("request_id")
        self.last_change = dict(
            changes.annotate(last=Max("changed_at")).values_list("request_id", "last")
        )
