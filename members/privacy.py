"""A person's data in the members app, exported and erased on request (RGPD art. 15 and 17).

Erasure keeps what the annual report and the accounts need: the Person row stays (its
memberships, registrations and requests are counted) as « Personne anonymisée » of the same
département and actor type, and it is anonymised last, once the other apps are done.
Invoices, credit notes and payments keep the payer as issued: accounting law wins.

The helpers `value_json`, `row_from` and `identifiers_pattern` serve the other apps' privacy
modules too (events, infodoc and newsletter sit above members in the layers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import (
    CreditNote,
    DuesCampaign,
    Invoice,
    Membership,
    MembershipRequest,
    Organisation,
    Payment,
    Person,
    Reminder,
)
from members.selectors.memberships import holds_membership

if TYPE_CHECKING:  # the privacy app sits above every app: a type only, no import
    from portal.core.subjects import DataSubject

MODELS: tuple[str, ...] = (
    "members.person",
    "members.organisation",
    "members.membership",
    "members.membershiprequest",
    "members.invoice",
    "members.creditnote",
    "members.payment",
    "members.reminder",
    "members.duescampaign",
)
KEPT: dict[str, str] = {
    "members.invoice": gettext_lazy(
        "Accounting law: invoices are kept ten years as issued, with the payer's name and address."
    ),
    "members.creditnote": gettext_lazy(
        "Accounting law: credit notes are kept ten years as issued."
    ),
    "members.payment": gettext_lazy(
        "Accounting law: payments and their receipts are kept ten years as issued."
    ),
    "members.membership": gettext_lazy(
        "Counted by the annual report and tied to the invoices; it holds no name itself and "
        "points to the anonymised person."
    ),
}

PERSON_FIELDS = (
    "first_name", "last_name", "email", "phone", "job_title", "actor_type", "organisation",
    "department", "is_member_contact", "consent_processing_at", "consent_communications_at",
    "created_at", "updated_at",
)  # fmt: skip
MEMBERSHIP_REQUEST_FIELDS = (
    "organisation_name", "kind", "first_name", "last_name", "email", "phone", "job_title", "town",
    "message", "consent_at", "status", "handled_at", "created_at",
)  # fmt: skip

ANONYMOUS_FIRST_NAME = "Personne"
ANONYMOUS_LAST_NAME = "anonymisée"


# Retention (portal/privacy/retention.py; the inactive records: members.selectors.retention)


def traces_since(*, cutoff: datetime) -> list[Q]:
    """Conditions on a Person row: the record, its consents, account, memberships or a
    request to join touched at or after `cutoff` (retention keeps them)."""
    day = timezone.localdate(cutoff)
    requests = MembershipRequest.objects.alias(address=Lower("email")).filter(
        Q(created_at__gte=cutoff) | Q(handled_at__gte=cutoff),
        address=Lower(OuterRef("email")),
        address__gt="",
    )
    return [
        Q(created_at__gte=cutoff)
        | Q(consent_processing_at__gte=cutoff)
        | Q(consent_communications_at__gte=cutoff)
        | Q(user__last_login__gte=cutoff)
        | Q(user__date_joined__gte=cutoff),
        holds_membership(
            Membership.objects.filter(Q(year__gte=day.year) | Q(created_at__gte=cutoff))
        ),
        Q(Exists(requests)),
    ]


# Helpers shared with the other apps' privacy modules -------------------------------------


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
    """A field's translated label, to name extra columns like the model's own."""
    return str(capfirst(model._meta.get_field(name).verbose_name))


def _phone_regex(phone: str) -> str | None:
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
        phone = _phone_regex(person.phone)
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


# Which rows are the subject's -------------------------------------------------------------


def _requests(subject: DataSubject):
    scope = Q(email__iexact=subject.email) if subject.email else Q(pk__in=[])
    if subject.person is not None:
        scope |= Q(membership__person=subject.person)
    return MembershipRequest.objects.filter(scope).order_by("created_at", "pk")


def _invoices(subject: DataSubject):
    if subject.person is None:
        return Invoice.objects.none()
    return Invoice.objects.filter(membership__person=subject.person).order_by("year", "sequence")


def _reminders(subject: DataSubject) -> list[tuple[Reminder, bool]]:
    """(reminder, of the subject's own invoice) for the subject's invoices' reminders and
    those sent to the subject's address (an organisation's invoice, as its contact)."""
    own = set(_invoices(subject).values_list("pk", flat=True))
    scope = Q(invoice__in=own)
    if subject.email:
        scope |= Q(recipients__icontains=subject.email)
    rows = Reminder.objects.filter(scope).select_related("invoice").order_by("invoice", "pk")
    return [
        (r, r.invoice_id in own)
        for r in rows
        if r.invoice_id in own or any(_is_subject(a, subject) for a in r.recipients or ())
    ]


def _is_subject(address, subject: DataSubject) -> bool:
    return bool(subject.email) and str(address).strip().lower() == subject.email


def _organisations(subject: DataSubject):
    if not subject.email:
        return Organisation.objects.none()
    return Organisation.objects.alias(email_lower=Lower("email")).filter(email_lower=subject.email)


def _campaign_errors(subject: DataSubject):
    """(campaign, error) pairs naming the subject as an individual member."""
    person = subject.person
    if person is None or not person.memberships.exists():
        return []
    name = str(person)
    campaigns = DuesCampaign.objects.filter(errors__icontains=name).order_by("created_at")
    return [(c, e) for c in campaigns for e in c.errors or () if e.get("member") == name]


# Export -----------------------------------------------------------------------------------


def subject_data(*, subject: DataSubject) -> dict[str, list[dict]]:
    """The directory record, memberships, requests to join, invoices and reminders."""
    person = subject.person
    data: dict[str, list[dict]] = {}
    if person is not None:
        data[_("Directory record")] = [
            row_from(person, PERSON_FIELDS, **{_("User account"): person.user_id is not None})
        ]
        data[_("Memberships")] = [
            row_from(m, ["year", "category", "amount", "cancelled_at", "created_at"])
            for m in person.memberships.order_by("year", "pk")
        ]
    data[_("Requests to join")] = [
        row_from(r, MEMBERSHIP_REQUEST_FIELDS) for r in _requests(subject)
    ]
    invoices = list(_invoices(subject))
    issued = ["number", "issued_on", "amount"]
    data[_("Invoices")] = [
        row_from(i, [*issued, "due_on", "payer_name", "payer_address", "payer_siret"])
        for i in invoices
    ]
    data[_("Credit notes")] = [
        row_from(c, [*issued, "reason"], **{label(CreditNote, "invoice"): c.invoice.number})
        for c in CreditNote.objects.filter(invoice__in=invoices).select_related("invoice")
    ]
    data[_("Payments")] = [
        row_from(p, [*issued, "method", "paid_on", "reference"])
        for p in Payment.objects.filter(invoice__in=invoices).order_by("paid_on", "pk")
    ]
    data[_("Reminders")] = [
        row_from(
            r,
            ["invoice", "days_after_due", "sent_at"],
            **{
                label(Reminder, "recipients"): ", ".join(
                    str(a) for a in r.recipients if own or _is_subject(a, subject)
                )
            },
        )
        for r, own in _reminders(subject)
    ]
    data[_("Dues campaign errors")] = [
        {label(DuesCampaign, "year"): c.year, label(DuesCampaign, "errors"): str(e.get("error"))}
        for c, e in _campaign_errors(subject)
    ]
    data[_("Organisations with this address")] = [
        row_from(o, ["name", "email", "phone"]) for o in _organisations(subject)
    ]
    return {title: rows for title, rows in data.items() if rows}


# Erasure ----------------------------------------------------------------------------------


def subject_erase(*, subject: DataSubject, placeholder: str) -> dict[str, int]:
    """Anonymise requests, reminders, campaign errors, organisation contacts, then the person."""
    counts = {
        "members.membershiprequest": 0,
        "members.reminder": 0,
        "members.duescampaign": 0,
        "members.organisation": 0,
        "members.person": 0,
    }
    for request in _requests(subject):
        own = (f"{request.first_name} {request.last_name}", request.last_name, request.first_name)
        if request.first_name == ANONYMOUS_FIRST_NAME:
            own = ()
        pattern = identifiers_pattern(subject=subject, names=own)
        name = text_scrub(request.organisation_name, pattern=pattern, placeholder=placeholder)
        counts["members.membershiprequest"] += changes_apply(
            request,
            {
                "organisation_name": name,
                "first_name": ANONYMOUS_FIRST_NAME,
                "last_name": ANONYMOUS_LAST_NAME,
                "email": "",
                "phone": "",
                "job_title": "",
                "town": "",
                "message": placeholder if request.message else "",
            },
        )
    for reminder, own in _reminders(subject):
        recipients = [
            placeholder if own or _is_subject(a, subject) else a for a in reminder.recipients
        ]
        counts["members.reminder"] += changes_apply(reminder, {"recipients": recipients})
    erased = {}
    for campaign, error in _campaign_errors(subject):
        erased.setdefault(campaign, []).append(error)
    for campaign, errors in erased.items():
        kept = [{**e, "member": placeholder} if e in errors else e for e in campaign.errors]
        counts["members.duescampaign"] += changes_apply(campaign, {"errors": kept})
    for organisation in _organisations(subject):
        counts["members.organisation"] += changes_apply(organisation, {"email": ""})
    if subject.person is not None:
        counts["members.organisation"] += _organisation_phone_erase(subject.person)
        counts["members.person"] += _person_anonymise(subject.person)
    return counts


def _organisation_phone_erase(person: Person) -> bool:
    """The organisation's phone goes when it is the person's own number."""
    phone = _phone_regex(person.phone)
    if phone is None or person.organisation_id is None:
        return False
    organisation = Organisation.objects.filter(pk=person.organisation_id).first()
    if organisation is None or not re.fullmatch(phone, organisation.phone.strip()):
        return False
    return changes_apply(organisation, {"phone": ""})


def _person_anonymise(person: Person) -> bool:
    """Last of all: the row stays for what counts it, with its département and actor type."""
    person = Person.objects.get(pk=person.pk)
    return changes_apply(
        person,
        {
            "first_name": ANONYMOUS_FIRST_NAME,
            "last_name": ANONYMOUS_LAST_NAME,
            "email": "",
            "phone": "",
            "job_title": "",
            "organisation": None,
            "is_member_contact": False,
            "consent_processing_at": None,
            "consent_communications_at": None,
        },
    )
