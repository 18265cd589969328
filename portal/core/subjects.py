"""Whom a privacy request is about, and the helpers every app's privacy module shares to
export and erase that person's rows (the contract they fulfil: portal.privacy.registry).

It lives in core, the lowest layer, so that each app's privacy.py can take it; the
directory record is typed loosely for the same reason (core does not import members).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.db.models import Model
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst

# The names an anonymised directory record (members.Person) takes.
ANONYMOUS_FIRST_NAME = "Personne"
ANONYMOUS_LAST_NAME = "anonymisée"


@dataclass(frozen=True)
class DataSubject:
    """Whom a request is about: an email address, and the directory record it belongs to."""

    email: str  # lower-cased, stripped
    person: Model | None  # members.Person with that email (case-insensitive), if any


# Export ------------------------------------------------------------------------------------


def value_json(value):
    """A model value as JSON-ready data: ISO dates (local time), Decimal as str, else text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | Promise):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name.rsplit("/", 1)[-1] if value.name else None
    return str(value)


def row_from(obj: models.Model, fields: Iterable[str], **extra) -> dict:
    """{field's label: readable value} for `fields` (choice labels, related names), then `extra`."""
    row = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if getattr(field, "choices", None):
            value = getattr(obj, f"get_{name}_display")() if getattr(obj, name) else ""
        else:
            value = getattr(obj, name)
        row[str(capfirst(field.verbose_name))] = value_json(value)
    row.update({str(key): value_json(value) for key, value in extra.items()})
    return row


def label(model: type[models.Model], name: str) -> str:
    """A field's label in the reader's language, to name extra columns like the model's own."""
    return str(capfirst(model._meta.get_field(name).verbose_name))


# Erasure -----------------------------------------------------------------------------------


def phone_regex(phone: str) -> str | None:
    """A pattern matching `phone` however it is written (spaces, dots, +33), or None if it
    has fewer than six digits."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 6:
        return None
    if digits.startswith("0") and len(digits) == 10:  # French: 01…, +33 1…, 0033 1…
        head, digits = r"(?:0|\+33[\s.-]?(?:\(0\))?[\s.-]?|0033[\s.-]?)", digits[1:]
    else:
        head = r"\+?"
    return head + r"[\s.-]?".join(digits)


def identifiers_pattern(*, subject: DataSubject, names: Iterable[str] = ()) -> re.Pattern | None:
    """A pattern of the subject's email, names (full, last, first) and phone, longest first.

    Used to replace them inside texts that are kept (public Q&As, error messages); `names`
    adds the ones a row gives itself (a request to join, for a subject without a record).
    """
    words: list[str] = list(names)
    phone = None
    if subject.email:
        words.append(subject.email)
    person = subject.person
    if person is not None:
        if person.email:
            words.append(person.email)
        words += [
            f"{person.first_name} {person.last_name}",
            f"{person.last_name} {person.first_name}",
            person.last_name,
            person.first_name,
        ]
        phone = phone_regex(person.phone)
    texts = sorted({w.strip() for w in words if len(w.strip()) >= 2}, key=len, reverse=True)
    alternatives = [re.escape(text).replace(r"\ ", r"\s+") for text in texts]
    if phone:
        alternatives.insert(0, phone)
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def text_scrub(text: str, *, pattern: re.Pattern | None, placeholder: str) -> str:
    """`text` with the subject's identifiers replaced by `placeholder`."""
    return pattern.sub(placeholder, text) if pattern and text else text


def changes_apply(obj: models.Model, changes: dict) -> bool:
    """Write the values that differ (a queryset update: no signal, no auto field); True if any."""
    changed = {name: value for name, value in changes.items() if getattr(obj, name) != value}
    if changed:
        type(obj).objects.filter(pk=obj.pk).update(**changed)
        for name, value in changed.items():
            setattr(obj, name, value)
    return bool(changed)
