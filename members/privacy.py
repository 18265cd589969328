"""A person's data in the members app, exported and erased on request (RGPD art. 15 and 17).

Erasure keeps what the annual report and the accounts need: the Person row stays (its
memberships, registrations and requests are counted) as « Personne anonymisée » of the same
département and actor type, and it is anonymised last, once the other apps are done.
Invoices, credit notes and payments keep the payer as issued: accounting law wins.
The contract this module fulfils: portal.privacy.registry.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
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
from portal.core.subjects import (
    ANONYMOUS_FIRST_NAME,
    ANONYMOUS_LAST_NAME,
    DataSubject,
    changes_apply,
    identifiers_pattern,
    label,
    phone_regex,
    row_from,
    text_scrub,
)

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
    phone = phone_regex(person.phone)
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
