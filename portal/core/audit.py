"""The audit trail in French: what each action is called, and how its changes read.

Each app declares, on its AppConfig, the actions it logs and the keys of their changes
that are no field of the audited model (core imports no app: it reads the declarations
through the app registry):

    audit_actions = {
        "invoice.issued": _("Invoice issued"),
        "session.capacity": AuditAction(_("Capacity changed"), subject="capacity"),
    }
    audit_fields = {
        "receipt": AuditField(_("receipt")),
        "method": AuditField(of="members.Payment.method"),
        "days_after_due": AuditField(_("days after the due date"), kind=NUMBER),
    }

A key of the changes reads as the app's declaration for that model (« importjob.kind »),
else as the audited model's field of that name, else as the app's declaration of the key,
else as core's (the keys every app uses: « reason », « recipients »...).
Values read as staff expect: amounts « 839,20 € », dates « 6 décembre 2026 », people by
name, choices by label, a change as « before → after »; never a raw key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext

from portal.core.formats import format_datetime, format_number, format_price

if TYPE_CHECKING:
    from portal.core.models import AuditEntry

# What a value is, when no model field says it.
TEXT = "text"
NUMBER = "number"  # 20 980
YEAR = "year"  # 2026, never grouped
EUROS = "euros"  # 839,20 €
DATE = "date"  # 6 décembre 2026
DATETIME = "datetime"  # 6 décembre 2026 10:00
BOOLEAN = "boolean"  # oui, non
LIST = "list"  # several values, never a change « before → after »
FIELDS = "fields"  # names of the audited model's fields: read as their labels
COUNTS = "counts"  # {model label or key: number}: « Personnes : 2 ; ... »
REFERENCE = "reference"  # the primary key of a row of `model`: read as that row

SEPARATOR = " ; "
ARROW = " → "


@dataclass(frozen=True)
class AuditAction:
    """An action an app logs. `subject` names the key (a field, or a declared key) whose
    values the changes' « from » and « to » are: one line « capacity: 20 → 30 »."""

    label: Any
    subject: str = ""


@dataclass(frozen=True)
class AuditField:
    """A key of the changes that is no field of the audited model.

    `of` borrows another model's field ("members.Payment.method"): its label, choices,
    references, money or dates. Otherwise `kind` says what the value is, `values` names
    coded values ({"link": _("link in a message")}), and `model` is the model a
    REFERENCE points to ("members.Person"). `display` is the dotted path of a function
    turning a value into text, for what only its app knows how to name.
    """

    label: Any = ""
    of: str = ""
    kind: str = TEXT
    values: dict = field(default_factory=dict)
    model: str = ""
    display: str = ""


# The declarations ------------------------------------------------------------------------


@cache
def _declarations() -> tuple[dict[str, tuple[AuditAction, str]], dict[str, dict]]:
    """{action: (AuditAction, app label)} and {app label: {key: AuditField}}."""
    actions: dict[str, tuple[AuditAction, str]] = {}
    fields: dict[str, dict] = {}
    for config in apps.get_app_configs():
        for key, declared in getattr(config, "audit_actions", {}).items():
            action = declared if isinstance(declared, AuditAction) else AuditAction(declared)
            actions[key] = (action, config.label)
        fields[config.label] = dict(getattr(config, "audit_fields", {}))
    return actions, fields


def audit_actions() -> dict[str, AuditAction]:
    """Every action an app declares it logs."""
    return {key: action for key, (action, _app) in _declarations()[0].items()}


def action_label(action: str) -> str:
    """« Facture émise » for "invoice.issued"; an undeclared action stays as logged (the
    test of the declarations fails on it)."""
    declared = _declarations()[0].get(action)
    return str(capfirst(declared[0].label)) if declared else action


def person_name(user) -> str:
    """Who did it, by name (the address when the account has no name)."""
    if user is None:
        return pgettext("audit actor", "system")
    full_name = getattr(user, "get_full_name", None)
    return full_name() if full_name else str(user)


# Reading one key -------------------------------------------------------------------------


@dataclass
class _References:
    """The rows the changes point to, fetched in one query per model for a whole page."""

    wanted: dict[type[models.Model], set] = field(default_factory=dict)
    found: dict[type[models.Model], dict] = field(default_factory=dict)
    loaded: bool = False

    def name(self, model: type[models.Model], pk) -> str:
        try:
            key = model._meta.pk.to_python(pk)
        except (TypeError, ValueError, ValidationError):
            return str(pk)  # not a key: what was logged is the name itself
        if not self.loaded:
            self.wanted.setdefault(model, set()).add(key)
            return ""
        obj = self.found.get(model, {}).get(key)
        if obj is None:
            return gettext("no. %(pk)s") % {"pk": pk}
        return person_name(obj) if hasattr(obj, "get_full_name") else str(obj)

    def load(self) -> None:
        for model, keys in self.wanted.items():
            # Their names often read a related row (a membership: its organisation).
            related = [f.name for f in model._meta.concrete_fields if f.many_to_one]
            rows = model._default_manager.all()
            rows = rows.select_related(*related) if related else rows
            self.found[model] = rows.in_bulk(list(keys))
        self.loaded = True


@dataclass(frozen=True)
class _Reader:
    """How one key of one model's changes reads: its label, what its value is."""

    label: Any  # lazy: translated when shown
    kind: str = TEXT
    values: dict | None = None
    model: type[models.Model] | None = None  # what a REFERENCE points to, or FIELDS names
    display: Callable[[Any], str] | None = None

    @property
    def title(self) -> str:
        label = str(self.label)
        return str(capfirst(label.removesuffix(" (€)") if self.kind == EUROS else label))

    def text(self, value, refs: _References) -> str:
        if isinstance(value, list) and len(value) == 2 and self.kind not in (LIST, FIELDS):
            before, after = (self.one(item, refs) for item in value)
            return f"{before}{ARROW}{after}"
        return self.one(value, refs)

    def one(self, value, refs: _References) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return "—"
        if self.display is not None:
            return str(self.display(value))
        if self.values is not None and isinstance(value, str | int) and value in self.values:
            return str(self.values[value])
        if self.kind == REFERENCE and self.model is not None and not isinstance(value, list):
            return refs.name(self.model, value)
        if self.kind == FIELDS and isinstance(value, list):
            return ", ".join(_field_label(self.model, name) for name in value)
        if self.kind == COUNTS and isinstance(value, dict):
            return _counts_text(value, self.values or {})
        return _value_text(value, self.kind)


def _field_label(model: type[models.Model] | None, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name) if model else name
    except FieldDoesNotExist:
        return name


def _counts_text(counts: dict, names: dict) -> str:
    parts = []
    for key, number in counts.items():
        if key in names:
            name = str(names[key])
        else:
            try:
                name = str(capfirst(apps.get_model(key)._meta.verbose_name_plural))
            except (LookupError, ValueError):
                name = key
        parts.append(f"{name}\u00a0: {_value_text(number, NUMBER)}")
    return SEPARATOR.join(parts)


def _value_text(value, kind: str) -> str:
    """A value as French reads it, from what the JSON kept of it."""
    if isinstance(value, list):
        return ", ".join(_value_text(item, TEXT if kind == LIST else kind) for item in value)
    if isinstance(value, dict):
        return SEPARATOR.join(
            f"{key}\u00a0: {_value_text(item, TEXT)}" for key, item in value.items()
        )
    if isinstance(value, bool) or kind == BOOLEAN:
        return gettext("Yes") if value else gettext("No")
    if kind == EUROS:
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        return format_price(amount)
    if kind == DATETIME:
        moment = value if isinstance(value, datetime) else parse_datetime(str(value))
        if moment is None:
            return str(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return format_datetime(moment)
    if kind == DATE:
        day = value if isinstance(value, date) else parse_date(str(value)[:10])
        return date_format(day, "DATE_FORMAT") if day else str(value)
    if kind == YEAR:
        return str(value)
    if isinstance(value, int | float | Decimal) or kind == NUMBER:
        try:
            return format_number(Decimal(str(value)), 0 if float(value).is_integer() else 2)
        except (InvalidOperation, ValueError):
            return str(value)
    return str(value)


def _reader_of_field(model_field: models.Field, label: Any = "") -> _Reader:
    label = label or model_field.verbose_name
    if model_field.is_relation and model_field.related_model is not None:
        return _Reader(label, REFERENCE, model=model_field.related_model)
    if model_field.choices:
        return _Reader(label, TEXT, values=dict(model_field.flatchoices))
    kind = TEXT
    if isinstance(model_field, models.DecimalField):
        kind = EUROS
    elif isinstance(model_field, models.DateTimeField):
        kind = DATETIME
    elif isinstance(model_field, models.DateField):
        kind = DATE
    elif isinstance(model_field, models.BooleanField):
        kind = BOOLEAN
    elif isinstance(model_field, models.IntegerField):
        kind = YEAR if model_field.name.endswith("year") else NUMBER
    return _Reader(label, kind)


def _borrowed_field(path: str) -> models.Field:
    app_model, name = path.rsplit(".", 1)
    return apps.get_model(app_model)._meta.get_field(name)


@cache
def _reader(key: str, model: type[models.Model] | None, app: str) -> _Reader:
    """The app's declaration for this model's key (« importjob.kind »), else the model's
    field, else the app's declaration of the key, else core's."""
    declarations = _declarations()[1]
    own, common = declarations.get(app, {}), declarations.get("core", {})
    qualified = f"{model._meta.model_name}.{key}" if model is not None else key
    declared = own.get(qualified) or common.get(qualified)
    if declared is None and model is not None:
        try:
            model_field = model._meta.get_field(key)
        except FieldDoesNotExist:
            model_field = None
        if model_field is not None and model_field.concrete:
            return _reader_of_field(model_field)
    declared = declared or own.get(key) or common.get(key)
    if declared is None:
        return _Reader(key)
    if declared.of:
        return _reader_of_field(_borrowed_field(declared.of), declared.label)
    return _Reader(
        declared.label or key,
        declared.kind,
        values=declared.values or None,
        model=apps.get_model(declared.model) if declared.model else model,
        display=import_string(declared.display) if declared.display else None,
    )


# Reading entries -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditLine:
    """One entry as the back office shows it."""

    entry: AuditEntry
    when: str
    who: str
    action: str
    subject: str  # the kind of object, « Facture »
    changes: list[tuple[str, str]]

    @property
    def changes_text(self) -> str:
        return SEPARATOR.join(f"{label}\u00a0: {value}" for label, value in self.changes)


def _model_of(entry: AuditEntry) -> type[models.Model] | None:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_id(entry.content_type_id).model_class()


def _changes(entry: AuditEntry, refs: _References) -> list[tuple[str, str]]:
    declared = _declarations()[0].get(entry.action)
    action, app = declared if declared else (AuditAction(entry.action), "")
    model = _model_of(entry)
    changes = dict(entry.changes) if isinstance(entry.changes, dict) else {"": entry.changes}
    lines = []
    if action.subject and ("from" in changes or "to" in changes):
        reader = _reader(action.subject, model, app)
        before, after = changes.pop("from", None), changes.pop("to", None)
        lines.append((reader.title, reader.text([before, after], refs)))
    for key, value in changes.items():
        if value is None or value == "" or value == [] or value == {}:
            continue  # nothing to read: an empty note, no error
        reader = _reader(key, model, app)
        lines.append((reader.title, reader.text(value, refs)))
    return lines


def audit_lines(entries: Iterable[AuditEntry]) -> list[AuditLine]:
    """The entries in French, the rows their changes name fetched once for them all."""
    entries = list(entries)
    refs = _References()
    for entry in entries:
        _changes(entry, refs)  # collects the references
    refs.load()
    lines = []
    for entry in entries:
        model = _model_of(entry)
        moment = timezone.localtime(entry.created_at)
        lines.append(
            AuditLine(
                entry=entry,
                when=format_datetime(moment),
                who=person_name(entry.actor),
                action=action_label(entry.action),
                subject=str(capfirst(model._meta.verbose_name)) if model else "",
                changes=_changes(entry, refs),
            )
        )
    return lines
