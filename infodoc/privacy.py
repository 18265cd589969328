"""A person's info-doc requests and loans, exported and erased on request.

Erasure keeps every request the annual report counts, with its requester kind, themes,
territory, dates, response types and time spent; what the person wrote or what was written
to them (subject, question, answer, status notes) is replaced, and the files they sent are
deleted. A public Q&A drawn from a request was written to be published anonymously: only
the person's names, email and phone are replaced inside it, so the public page stays.
The contract this module fulfils: portal.privacy.registry.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infodoc.models import Attachment, InfoRequest, Loan, ResponseType, StatusChange
from portal.core.subjects import (
    DataSubject,
    changes_apply,
    identifiers_pattern,
    label,
    row_from,
    text_scrub,
)

MODELS: tuple[str, ...] = (
    "infodoc.inforequest",
    "infodoc.statuschange",
    "infodoc.attachment",
    "infodoc.loan",
)
KEPT: dict[str, str] = {
    "infodoc.loan": gettext_lazy(
        "The catalogue's lending history; a loan holds no name itself and points to the "
        "anonymised person."
    ),
}

REQUEST_FIELDS = (
    "reference", "received_on", "channel", "organisation", "requester_kind", "commune", "epci",
    "department", "subject", "question", "wished_by", "status", "answer", "answered_on",
    "consent_at", "is_public", "public_question", "public_answer", "created_at",
)  # fmt: skip


def traces_since(*, cutoff: datetime) -> list[Q]:
    """Conditions on a Person row: a request of theirs received, answered or worked on at
    or after `cutoff`, or a loan not returned or recent (retention keeps them)."""
    person = OuterRef("pk")
    day = timezone.localdate(cutoff)
    requests = InfoRequest.objects.filter(
        Q(received_on__gte=day) | Q(answered_on__gte=day) | Q(updated_at__gte=cutoff),
        person=person,
    )
    loans = Loan.objects.filter(
        Q(returned_on__isnull=True) | Q(lent_on__gte=day) | Q(returned_on__gte=day),
        person=person,
    )
    return [Q(Exists(requests)), Q(Exists(loans))]


def _response_types(values) -> str:
    labels = dict(ResponseType.choices)
    return ", ".join(str(labels.get(value, value)) for value in values or ())


def subject_data(*, subject: DataSubject) -> dict[str, list[dict]]:
    """The subject's requests with their history and files, and their loans.

    Who handled a request on the staff side is left out: it is not the subject's data.
    """
    person = subject.person
    if person is None:
        return {}
    requests = list(
        InfoRequest.objects.filter(person=person)
        .select_related("organisation", "commune", "epci", "department")
        .prefetch_related("themes")
        .order_by("received_on", "pk")
    )
    reference = label(StatusChange, "request")
    data = {
        _("Information requests"): [
            row_from(
                r,
                REQUEST_FIELDS,
                **{
                    label(InfoRequest, "themes"): ", ".join(t.name for t in r.themes.all()),
                    label(InfoRequest, "response_types"): _response_types(r.response_types),
                },
            )
            for r in requests
        ],
        _("Information request history"): [
            row_from(
                c,
                ["from_status", "to_status", "changed_at", "note"],
                **{reference: c.request.reference},
            )
            for c in StatusChange.objects.filter(request__in=requests).select_related("request")
        ],
        _("Information request attachments"): [
            row_from(a, ["title", "file", "added_at"], **{reference: a.request.reference})
            for a in Attachment.objects.filter(request__in=requests)
            .select_related("request")
            .order_by("added_at", "pk")
        ],
        _("Loans"): [
            row_from(loan, ["resource", "lent_on", "due_on", "returned_on", "reminder_sent_at"])
            for loan in Loan.objects.filter(person=person).select_related("resource")
        ],
    }
    return {title: rows for title, rows in data.items() if rows}


def subject_erase(*, subject: DataSubject, placeholder: str) -> dict[str, int]:
    """Replace the requests' texts and notes, delete the attachments (files after commit)."""
    counts = {"infodoc.inforequest": 0, "infodoc.statuschange": 0, "infodoc.attachment": 0}
    if subject.person is None:
        return counts
    pattern = identifiers_pattern(subject=subject)
    requests = list(InfoRequest.objects.filter(person=subject.person).order_by("pk"))
    for request in requests:
        counts["infodoc.inforequest"] += changes_apply(
            request,
            {
                "subject": placeholder,
                "question": placeholder,
                "answer": placeholder if request.answer else "",
                "public_question": text_scrub(
                    request.public_question, pattern=pattern, placeholder=placeholder
                ),
                "public_answer": text_scrub(
                    request.public_answer, pattern=pattern, placeholder=placeholder
                ),
                "organisation": None,
                "consent_at": None,
            },
        )
    for change in StatusChange.objects.filter(request__in=requests).exclude(note=""):
        counts["infodoc.statuschange"] += changes_apply(change, {"note": placeholder})
    for attachment in Attachment.objects.filter(request__in=requests):
        if attachment.file.name:
            transaction.on_commit(partial(attachment.file.storage.delete, attachment.file.name))
        attachment.delete()
        counts["infodoc.attachment"] += 1
    return counts
