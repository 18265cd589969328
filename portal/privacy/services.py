"""Writes of the privacy app: a person's erasure, asked for by one staff member and
confirmed by another (RGPD art. 17), and the erasure itself shared with retention.

The erasure anonymises rather than deletes where the annual figures count a row (see
each app's privacy module); it is irreversible, and audited without the data it erased:
the audit trail and the request keep a SHA-256 of the address, never the address.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Person
from portal.core.erasures import email_fingerprint, erasure_record
from portal.core.models import AuditEntry
from portal.core.pagecache import page_cache_invalidate
from portal.core.roles import is_staff
from portal.core.services import audit_log
from portal.core.subjects import DataSubject, identifiers_pattern, text_scrub
from portal.privacy.models import ErasureRequest, ErasureStatus
from portal.privacy.registry import contributors_erase_order
from portal.privacy.selectors import erasure_requests_of, subject_find

# What replaces free text written by or about the person (stored: always in French).
PLACEHOLDER = gettext_lazy("[erased]")
OWN_LABEL = "privacy.erasurerequest"


class ErasureRefused(Exception):
    """The request cannot go on; the message says why, to the staff member."""


def placeholder_text() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(PLACEHOLDER)


def _audit(*, actor, subject: DataSubject, obj: Model | None, action: str, changes: dict):
    """An audit entry on `obj`, else on the subject's record, else on no row at all."""
    if obj is None and subject.person is not None:
        obj = Person.objects.get(pk=subject.person.pk)  # as it is now (anonymised or not)
    if obj is not None:
        return audit_log(actor=actor, obj=obj, action=action, changes=changes)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        content_type=ContentType.objects.get_for_model(Person),
        object_id="",
        object_repr=f"sha256:{changes.get('email_sha256', '')[:16]}",
        action=action,
        changes=changes,
    )


def _requests_scrub(*, subject: DataSubject, pattern, placeholder: str) -> int:
    """The subject's erasure requests keep no address, and their reasons no identifier.

    One still waiting has nothing left to do (e.g. retention got there first): it is
    cancelled (erasure_confirm then marks its own one done).
    """
    changed = 0
    for request in erasure_requests_of(subject=subject):
        reason = text_scrub(request.reason, pattern=pattern, placeholder=placeholder)
        if request.subject_email or reason != request.reason:
            updates = {"subject_email": "", "reason": reason}
            if request.status == ErasureStatus.REQUESTED:
                updates["status"] = ErasureStatus.CANCELLED
            ErasureRequest.objects.filter(pk=request.pk).update(**updates)
            changed += 1
    return changed


@transaction.atomic
def subject_erase(*, subject: DataSubject, actor, reason: str) -> dict[str, int]:
    """Anonymise the subject in every app (registry's erase order); rows changed per model.

    One transaction: all of it or nothing. Safe to run twice (the second run changes
    nothing). Audited with the address's fingerprint and the counts.
    """
    return _erase(subject=subject, actor=actor, reason=reason, audit_obj=None)


def _erase(*, subject: DataSubject, actor, reason: str, audit_obj: Model | None):
    if not subject.email and subject.person is None:
        raise ValueError("A data subject needs an email address or a directory record.")
    placeholder = placeholder_text()
    # Read before the record is anonymised: the names are needed to scrub the reasons.
    pattern = identifiers_pattern(subject=subject)
    fingerprint = email_fingerprint(subject.email) if subject.email else ""
    counts: dict[str, int] = {}
    for contributor in contributors_erase_order():
        changed = contributor.module.subject_erase(subject=subject, placeholder=placeholder)
        for label, number in changed.items():
            counts[label] = counts.get(label, 0) + number
    counts[OWN_LABEL] = _requests_scrub(subject=subject, pattern=pattern, placeholder=placeholder)
    # No import and no staff form may bring the address back (portal.core.erasures).
    erasure_record(email=subject.email)
    _audit(
        actor=actor,
        subject=subject,
        obj=audit_obj,
        action="privacy.subject_erased",
        changes={
            "email_sha256": fingerprint,
            "reason": text_scrub(reason, pattern=pattern, placeholder=placeholder),
            "counts": counts,
        },
    )
    # Public pages (a published Q&A, a list of members) may show what went: drop them.
    page_cache_invalidate()
    return counts


@transaction.atomic
def erasure_request(*, subject: DataSubject, requested_by, reason: str) -> ErasureRequest:
    """Ask for the subject's erasure; another staff member confirms it (erasure_confirm)."""
    reason = (reason or "").strip()
    if not is_staff(requested_by):
        raise ErasureRefused(_("Only staff members can ask for an erasure."))
    if not reason:
        raise ErasureRefused(_("Say why the data is erased."))
    if not subject.email:
        raise ErasureRefused(_("An erasure needs the person's email address."))
    fingerprint = email_fingerprint(subject.email)
    if ErasureRequest.objects.filter(
        email_sha256=fingerprint, status=ErasureStatus.REQUESTED
    ).exists():
        raise ErasureRefused(_("An erasure of this address is already waiting for confirmation."))
    erasure = ErasureRequest(
        subject_email=subject.email,
        email_sha256=fingerprint,
        person=subject.person,
        reason=reason,
        requested_by=requested_by,
    )
    try:
        erasure.full_clean()
    except ValidationError as error:
        raise ErasureRefused(" ".join(error.messages)) from error
    erasure.save()
    audit_log(
        actor=requested_by,
        obj=erasure,
        action="privacy.erasure_requested",
        changes={"email_sha256": fingerprint},
    )
    return erasure


def _locked_open(erasure: ErasureRequest) -> ErasureRequest:
    locked = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if locked.status == ErasureStatus.DONE:
        raise ErasureRefused(_("This erasure is already done."))
    if locked.status == ErasureStatus.CANCELLED:
        raise ErasureRefused(_("This erasure request was cancelled."))
    return locked


@transaction.atomic
def erasure_confirm(*, erasure: ErasureRequest, confirmed_by) -> ErasureRequest:
    """Carry out the erasure: a second staff member, never the requester. Irreversible."""
    locked = _locked_open(erasure)
    if not is_staff(confirmed_by):
        raise ErasureRefused(_("Only staff members can confirm an erasure."))
    if confirmed_by.pk == locked.requested_by_id:
        raise ErasureRefused(_("Another staff member must confirm the erasure: you asked for it."))
    person = locked.person or subject_find(email=locked.subject_email).person
    subject = DataSubject(email=locked.subject_email, person=person)
    # Audited on the request itself (it never names the person).
    counts = _erase(subject=subject, actor=confirmed_by, reason=locked.reason, audit_obj=locked)
    ErasureRequest.objects.filter(pk=locked.pk).update(
        status=ErasureStatus.DONE,
        subject_email="",
        confirmed_by=confirmed_by,
        confirmed_at=timezone.now(),
        counts=counts,
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def erasure_cancel(*, erasure: ErasureRequest, cancelled_by) -> ErasureRequest:
    """Drop a request that waits for confirmation (the requester or another staff member)."""
    locked = _locked_open(erasure)
    if not is_staff(cancelled_by):
        raise ErasureRefused(_("Only staff members can cancel an erasure request."))
    ErasureRequest.objects.filter(pk=locked.pk).update(status=ErasureStatus.CANCELLED)
    locked.refresh_from_db()
    audit_log(
        actor=cancelled_by,
        obj=locked,
        action="privacy.erasure_cancelled",
        changes={"email_sha256": locked.email_sha256},
    )
    return locked


def subject_export_audit(*, subject: DataSubject, actor, file_format: str) -> None:
    """Record that staff exported a person's data (a sensitive read), without the address."""
    _audit(
        actor=actor,
        subject=subject,
        obj=None,
        action="privacy.subject_exported",
        changes={"email_sha256": email_fingerprint(subject.email), "format": file_format},
    )
