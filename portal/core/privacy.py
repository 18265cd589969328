"""The core's part of a person's data: their user account, its sign-in addresses and
sessions, the audit trail about them, and the consents they gave.

Core is the lowest layer: it imports no app above it. The rows "about" the subject are
found through the model graph (apps.get_models): every row that points to their
directory record (up to three foreign keys away, e.g. person → membership → invoice →
payment) and every row holding their address. Erasure keeps the audit entries (what
happened stays recorded) but takes the person's names, address and phone out of them.
The contract this module fulfils: portal.privacy.registry.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import datetime
from importlib import import_module

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast, Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.core.audit import audit_lines
from portal.core.models import AuditEntry, ConsentRecord, OutgoingMail, SiteSettings, User
from portal.core.subjects import (
    ANONYMOUS_FIRST_NAME,
    ANONYMOUS_LAST_NAME,
    DataSubject,
    label,
    value_json,
)

MODELS: tuple[str, ...] = (
    "core.user",
    "account.emailaddress",
    "sessions.session",
    "core.auditentry",
    "admin.logentry",
    "core.consentrecord",
    "core.sitesettings",
    "core.importjob",
    "core.outgoingmail",
)
KEPT: dict[str, str] = {
    "core.sitesettings": _("The centre's own contact details, not a person's."),
    "core.importjob": _(
        "Which staff member imported which spreadsheet, and its counts: the back office's "
        "record, as the audit trail; the spreadsheet itself is deleted after "
        "IMPORT_FILE_DAYS days."
    ),
}

# Accounts that cannot be deleted are renamed to an address of this reserved domain.
ERASED_DOMAIN = "anonyme.invalid"
# Rows pointing to the person this many foreign keys away count as theirs.
GRAPH_DEPTH = 3
# Identifiers shorter than this are not searched for in free text (too many false hits).
MIN_IDENTIFIER = 5
OTHER_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def traces_since(*, cutoff: datetime) -> list[Q]:
    """A condition on a Person row: a consent they gave at or after `cutoff` (retention
    keeps them)."""
    consents = ConsentRecord.objects.filter(
        Q(person=OuterRef("pk")) | Q(email=Lower(OuterRef("email")), email__gt=""),
        given_at__gte=cutoff,
    )
    return [Q(Exists(consents))]


def _person_names(person) -> tuple[str, str]:
    """The record's (first, last) names; none once it is anonymised."""
    names = (person.first_name, person.last_name) if person is not None else ("", "")
    return ("", "") if names == (ANONYMOUS_FIRST_NAME, ANONYMOUS_LAST_NAME) else names


def _users(subject: DataSubject) -> list[User]:
    """The account linked to the record, and one with the address not linked to another."""
    person = subject.person
    query = Q(pk=person.user_id) if person is not None and person.user_id else Q(pk__in=[])
    if subject.email:
        query |= Q(email__iexact=subject.email)
    users = []
    for user in User.objects.filter(query).prefetch_related("groups"):
        linked = getattr(user, "person", None)
        if linked is None or person is None or linked.pk == person.pk:
            users.append(user)
    return users


def _identifiers(subject: DataSubject, users: list[User]) -> tuple[set[str], set[str]]:
    """(strings searched in free text, values replaced whole in the subject's own entries)."""
    first, last = _person_names(subject.person)
    names = {(first, last)} | {(user.first_name, user.last_name) for user in users}
    searched = {subject.email} | {user.email for user in users}
    whole = set(searched)
    if subject.person is not None:
        searched |= {subject.person.email, subject.person.phone}
        whole |= {subject.person.email, subject.person.phone}
    for first, last in names:
        if first and last:
            searched |= {f"{first} {last}", f"{last} {first}"}
        whole |= {first, last}
    searched = {value for value in searched if len(value.strip()) >= MIN_IDENTIFIER}
    return searched, {value.strip().lower() for value in whole if value and value.strip()}


def _subject_objects(subject: DataSubject, users: list[User]) -> dict[int, set[str]]:
    """{content type id: primary keys} of the rows about the subject (see the module)."""
    found: dict[type[models.Model], set] = defaultdict(set)
    for user in users:
        found[User].add(user.pk)
    frontier: dict[type[models.Model], set] = {}
    if subject.person is not None:
        frontier = {type(subject.person): {subject.person.pk}}
        found[type(subject.person)].add(subject.person.pk)
    skipped = {AuditEntry, LogEntry, SiteSettings, Session, User}
    for model in apps.get_models():
        if model in skipped or not subject.email:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.EmailField):
                lookup = {f"{field.name}__iexact": subject.email}
                found[model] |= set(
                    model._default_manager.filter(**lookup).values_list("pk", flat=True)
                )
    for _depth in range(GRAPH_DEPTH):
        reached: dict[type[models.Model], set] = defaultdict(set)
        for model in apps.get_models():
            if model in skipped:
                continue
            for field in model._meta.concrete_fields:
                target = field.related_model if field.many_to_one or field.one_to_one else None
                if target in frontier:
                    rows = model._default_manager.filter(**{f"{field.name}__in": frontier[target]})
                    reached[model] |= set(rows.values_list("pk", flat=True)) - found[model]
        frontier = {model: pks for model, pks in reached.items() if pks}
        for model, pks in frontier.items():
            found[model] |= pks
    return {
        ContentType.objects.get_for_model(model).pk: {str(pk) for pk in pks}
        for model, pks in found.items()
        if pks
    }


def _entries(queryset, objects: dict[int, set[str]], searched: set[str], text_fields: list[str]):
    """The rows of an audit-like queryset about those objects or mentioning an identifier."""
    query = Q(pk__in=[])
    for content_type_id, pks in objects.items():
        query |= Q(content_type_id=content_type_id, object_id__in=pks)
    for value in searched:
        for name in text_fields:
            query |= Q(**{f"{name}__icontains": value})
    return queryset.filter(query)


def _audit_entries(objects, searched):
    queryset = AuditEntry.objects.select_related("actor").annotate(
        changes_text=Cast("changes", TextField())
    )
    return _entries(queryset, objects, searched, ["object_repr", "changes_text"])


def _log_entries(objects, searched):
    return _entries(LogEntry.objects.all(), objects, searched, ["object_repr", "change_message"])


def _sessions(users: list[User]) -> list[Session]:
    """The open sessions signed in to these accounts (read from each session's data)."""
    ids = {str(user.pk) for user in users}
    if not ids:
        return []
    found = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000):
        if session.get_decoded().get("_auth_user_id") in ids:
            found.append(session)
    return found


def _consents(subject: DataSubject):
    query = Q(person=subject.person) if subject.person is not None else Q(pk__in=[])
    if subject.email:
        query |= Q(email__iexact=subject.email)
    return ConsentRecord.objects.filter(query)


def _mails(subject: DataSubject, users: list[User]) -> list[OutgoingMail]:
    """The transactional emails addressed to the subject (exactly: not to a longer address)."""
    addresses = {subject.email.lower()} if subject.email else set()
    addresses |= {user.email.lower() for user in users if user.email}
    if subject.person is not None and subject.person.email:
        addresses.add(subject.person.email.lower())
    if not addresses:
        return []
    query = Q()
    for address in addresses:
        query |= Q(recipients__icontains=address)
    return [
        mail
        for mail in OutgoingMail.objects.filter(query).order_by("created_at", "id")
        if addresses & {recipient.lower() for recipient in mail.recipients}
    ]


# Export ------------------------------------------------------------------------------


def _masked(value, keep: set[str]):
    """A JSON value with every other email address masked (never another person's data)."""
    if isinstance(value, str):
        return OTHER_EMAIL.sub(lambda m: m[0] if m[0].lower() in keep else "***", value)
    if isinstance(value, list):
        return [_masked(item, keep) for item in value]
    if isinstance(value, dict):
        return {key: _masked(item, keep) for key, item in value.items()}
    return value


def subject_data(*, subject: DataSubject) -> dict[str, list[dict]]:
    """The account(s), their addresses and open sessions, the audit trail, the consents."""
    users = _users(subject)
    searched, _whole = _identifiers(subject, users)
    keep = {value.lower() for value in searched if "@" in value}
    objects = _subject_objects(subject, users)
    audit = audit_lines(_audit_entries(objects, searched).order_by("created_at", "id"))
    log = _log_entries(objects, searched).order_by("action_time", "id")
    return {
        gettext("User account"): [
            {
                label(User, "email"): user.email,
                label(User, "first_name"): user.first_name,
                label(User, "last_name"): user.last_name,
                label(User, "is_active"): user.is_active,
                label(User, "date_joined"): value_json(user.date_joined),
                label(User, "last_login"): value_json(user.last_login),
                label(User, "groups"): sorted(group.name for group in user.groups.all()),
            }
            for user in users
        ],
        gettext("Sign-in email addresses"): [
            {
                label(EmailAddress, "email"): row.email,
                label(EmailAddress, "verified"): row.verified,
                label(EmailAddress, "primary"): row.primary,
            }
            for row in EmailAddress.objects.filter(user__in=users).order_by("email")
        ],
        gettext("Open sessions"): [
            {label(Session, "expire_date"): value_json(session.expire_date)}
            for session in _sessions(users)
        ],
        gettext("Audit trail"): [
            {
                label(AuditEntry, "created_at"): value_json(line.entry.created_at),
                label(AuditEntry, "action"): line.action,
                label(AuditEntry, "object_repr"): _masked(line.entry.object_repr, keep),
                label(AuditEntry, "changes"): _masked(dict(line.changes), keep),
            }
            for line in audit
        ],
        gettext("Back-office history"): [
            {
                label(LogEntry, "action_time"): value_json(entry.action_time),
                label(AuditEntry, "object_repr"): _masked(entry.object_repr, keep),
                label(LogEntry, "change_message"): _masked(str(entry.get_change_message()), keep),
            }
            for entry in log
        ],
        gettext("Consents given"): [
            {
                label(ConsentRecord, "purpose"): str(record.get_purpose_display()),
                label(ConsentRecord, "wording"): record.wording,
                label(ConsentRecord, "source"): record.source,
                label(ConsentRecord, "given_at"): value_json(record.given_at),
                label(ConsentRecord, "ip"): record.ip,
            }
            for record in _consents(subject).order_by("given_at", "id")
        ],
        gettext("Transactional emails sent to them"): [
            {
                label(OutgoingMail, "to"): mail.to,
                label(OutgoingMail, "subject"): mail.subject,
                label(OutgoingMail, "status"): str(mail.get_status_display()),
                label(OutgoingMail, "created_at"): value_json(mail.created_at),
                label(OutgoingMail, "sent_at"): value_json(mail.sent_at),
            }
            for mail in _mails(subject, users)
        ],
    }


# Erasure -----------------------------------------------------------------------------


def _scrubber(searched: set[str], whole: set[str], placeholder: str):
    """A function replacing the identifiers in a JSON value (strings, lists, dicts)."""
    ordered = sorted(searched, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(value) for value in ordered), re.I) if ordered else None

    def scrub(value, *, own: bool):
        if isinstance(value, str):
            if own and value.strip().lower() in whole:
                return placeholder
            return pattern.sub(placeholder, value) if pattern else value
        if isinstance(value, list):
            return [scrub(item, own=own) for item in value]
        if isinstance(value, dict):
            return {key: scrub(item, own=own) for key, item in value.items()}
        return value

    return scrub


def _current_reprs(entries) -> dict[tuple[int, str], str]:
    """str() of the objects the entries are about, as they are now (after anonymisation):
    a better name for an entry than its old one with the person's name cut out."""
    wanted: dict[int, set[str]] = defaultdict(set)
    for entry in entries:
        wanted[entry.content_type_id].add(entry.object_id)
    reprs = {}
    for content_type_id, pks in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        try:
            rows = model._default_manager.in_bulk([pk for pk in pks if pk])
        except (ValueError, TypeError):
            continue
        reprs |= {(content_type_id, str(pk)): str(row)[:200] for pk, row in rows.items()}
    return reprs


def _entries_scrub(entries, objects, scrub, text_field: str) -> int:
    """Rewrite each entry's object name and details; returns the number of rows changed."""
    entries = list(entries)
    reprs = _current_reprs(entries)
    changed = 0
    for entry in entries:
        own = entry.object_id in objects.get(entry.content_type_id, ())
        key = (entry.content_type_id, entry.object_id)
        new_repr = scrub(entry.object_repr, own=own)
        if new_repr != entry.object_repr and own and key in reprs:
            # The object as it reads now, e.g. « Personne anonymisée — session of 3 May ».
            new_repr = scrub(reprs[key], own=own)
        new_text = scrub(getattr(entry, text_field), own=own)
        if (new_repr, new_text) != (entry.object_repr, getattr(entry, text_field)):
            type(entry).objects.filter(pk=entry.pk).update(
                object_repr=new_repr, **{text_field: new_text}
            )
            changed += 1
    return changed


def _account_protected(user: User) -> bool:
    """Staff accounts, and accounts named as the actor of a recorded change, are kept."""
    return (
        user.is_staff
        or user.is_superuser
        or AuditEntry.objects.filter(actor=user).exists()
        or LogEntry.objects.filter(user=user).exists()
    )


def _account_erase(user: User) -> int:
    """Delete the account when nothing needs it, else make it an anonymous shell."""
    if user.email.endswith(f"@{ERASED_DOMAIN}"):
        return 0
    if not _account_protected(user):
        try:
            with transaction.atomic():
                user.delete()
            return 1
        except (models.ProtectedError, models.RestrictedError):
            pass
    digest = hashlib.sha256(user.email.lower().encode()).hexdigest()[:16]
    User.objects.filter(pk=user.pk).update(
        email=f"efface-{digest}@{ERASED_DOMAIN}",
        first_name="",
        last_name="",
        is_active=False,
        is_staff=False,
        is_superuser=False,
        password=make_password(None),
    )
    user.groups.clear()
    user.user_permissions.clear()
    return 1


def subject_erase(*, subject: DataSubject, placeholder: str) -> dict[str, int]:
    """Scrub the audit trail, empty the consents' address and IP, delete the emails sent to
    them, close the sessions, remove the sign-in addresses, then delete (or anonymise) the
    account."""
    users = _users(subject)
    mails = [mail.pk for mail in _mails(subject, users)]
    searched, whole = _identifiers(subject, users)
    objects = _subject_objects(subject, users)
    scrub = _scrubber(searched, whole, placeholder)
    counts = {
        "core.auditentry": _entries_scrub(
            _audit_entries(objects, searched), objects, scrub, "changes"
        ),
        "admin.logentry": _entries_scrub(
            _log_entries(objects, searched), objects, scrub, "change_message"
        ),
        "core.consentrecord": _consents(subject)
        .filter(~Q(email="") | Q(ip__isnull=False))
        .update(email="", ip=None),
    }
    store = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = _sessions(users)
    for session in sessions:
        store(session_key=session.session_key).delete()
    counts["sessions.session"] = len(sessions)
    _total, deleted = EmailAddress.objects.filter(user__in=users).delete()
    counts["account.emailaddress"] = deleted.get(EmailAddress._meta.label, 0)
    counts["core.user"] = sum(_account_erase(user) for user in users)
    counts["core.outgoingmail"] = OutgoingMail.objects.filter(pk__in=mails).delete()[0]
    return counts
