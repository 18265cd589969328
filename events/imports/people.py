"""The people an attendance file names: found in the directory, or new.

A line's person is the directory's person with that address (whatever its case), else the
one with the same first name, last name and organisation (loosely: case, accents,
hyphens; no organisation matches people without one), unless both have an address and
they differ, else a new person; lines naming the same new person make one. The
département, type of actor, organisation and address the file gives are set on the
person (an organisation or address only where the person has none), so that the report's
shares follow the file. The directory is read for the whole file in a few queries.
"""

from __future__ import annotations

import re
from functools import cache

from django.db.models import Func, Q, TextField, Value
from django.db.models.functions import Lower
from django.utils import timezone

from events.imports.common import CHUNK
from members.models import ActorType, Person
from portal.core.sheets.engine import Row
from portal.core.text import db_fold, fold, loose_key

PERSON_FIELDS = ("email", "organisation", "department", "actor_type", "updated_at")


def _name_key(name: str) -> str:
    """A coarse key of a last name the database computes too (lower case, no accent, letters
    and digits): it only narrows the people read; loose_key decides."""
    return re.sub(r"[\W_]+", "", fold(name))


def _name_key_sql(field: str) -> Func:
    return Func(
        db_fold(field), Value(r"[\W_]+"), Value(""), Value("g"),
        function="regexp_replace", output_field=TextField(),
    )  # fmt: skip


def _named_match(person: Person | None, email: str | None) -> Person | None:
    """A person of that name is the line's unless both have a different address."""
    if person is None or (email and person.email and person.email.lower() != email):
        return None
    return person


def _person_set(person: Person, name: str, value) -> None:
    if getattr(person, name) != value:
        setattr(person, name, value)
        person._changed = True


class PeopleFinder:
    def __init__(self, organisations: dict[str, int]):
        self.organisations = organisations
        self.key = cache(loose_key)  # names repeat from line to line

    def find(self, rows: list[Row]) -> tuple[dict[int, Person], list[Person]]:
        """The person of each line (by line number), and the known people it changes."""
        by_email = self._by_email({row.values["email"] for row in rows} - {None})
        organisation_of = {
            row.line: self.organisations.get(self.key(row.values["organisation"] or ""))
            for row in rows
        }
        unmatched = [row for row in rows if row.values["email"] not in by_email]
        by_name = self._by_name(unmatched, organisation_of)
        new_by_email: dict[str, Person] = {}
        new_by_name: dict[tuple, Person] = {}
        now = timezone.now()
        found: dict[int, Person] = {}
        for row in rows:
            values = row.values
            email, organisation = values["email"], organisation_of[row.line]
            name = (self.key(values["first_name"]), self.key(values["last_name"]), organisation)
            person = by_email.get(email) or new_by_email.get(email)
            if person is None:
                person = _named_match(by_name.get(name), email)
                person = person or _named_match(new_by_name.get(name), email)
            if person is None:
                person = Person(
                    first_name=values["first_name"],
                    last_name=values["last_name"],
                    email=email or "",
                    organisation_id=organisation,
                    actor_type=ActorType.OTHER,
                    consent_processing_at=now,
                )
            if email:
                if not person.email:
                    _person_set(person, "email", email)
                new_by_email.setdefault(email, person)
            new_by_name.setdefault(name, person)
            if organisation and not person.organisation_id:
                _person_set(person, "organisation_id", organisation)
            if values["department"] is not None:
                _person_set(person, "department_id", values["department"].pk)
            if values["actor_type"]:
                _person_set(person, "actor_type", values["actor_type"])
            found[row.line] = person
        changed = {id(p): p for p in found.values() if p.pk and getattr(p, "_changed", False)}
        return found, list(changed.values())

    def _by_email(self, emails: set[str]) -> dict[str, Person]:
        found: dict[str, Person] = {}
        emails = sorted(emails)
        for start in range(0, len(emails), CHUNK):
            for person in (
                Person.objects.alias(email_lower=Lower("email"))
                .filter(email_lower__in=emails[start : start + CHUNK])
                .only(*PERSON_FIELDS, "first_name", "last_name")
            ):
                found[person.email.lower()] = person
        return found

    def _by_name(self, rows: list[Row], organisation_of) -> dict[tuple, Person]:
        """People of the directory by (first name, last name, organisation), loosely: those
        of the organisations the lines name, and those without one of the lines' names;
        the oldest when two are alike."""
        organisation_ids = sorted({organisation_of[row.line] for row in rows} - {None})
        names = sorted({_name_key(row.values["last_name"]) for row in rows})
        queries = [
            Q(organisation_id__in=organisation_ids[start : start + CHUNK])
            for start in range(0, len(organisation_ids), CHUNK)
        ] + [
            Q(organisation__isnull=True, name_key__in=names[start : start + CHUNK])
            for start in range(0, len(names), CHUNK)
        ]
        found: dict[tuple, Person] = {}
        for query in queries:
            for person in (
                Person.objects.alias(name_key=_name_key_sql("last_name"))
                .filter(query)
                .only(*PERSON_FIELDS, "first_name", "last_name")
                .order_by("pk")
            ):
                key = (
                    self.key(person.first_name),
                    self.key(person.last_name),
                    person.organisation_id,
                )
                found.setdefault(key, person)
        return found
