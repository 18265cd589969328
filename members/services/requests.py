"""Requests to join sent from the public members page, and their acceptance by staff."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.emails import (
    membership_request_acknowledgement_send,
    membership_request_notification_send,
)
from members.models import (
    Membership,
    MembershipRequest,
    MembershipRequestStatus,
    Organisation,
    Person,
)
from members.services.memberships import membership_create
from members.services.space import person_invite
from portal.core.services import audit_log


@transaction.atomic
def membership_request_create(
    *,
    first_name: str,
    last_name: str,
    email: str,
    organisation_name: str = "",
    kind: str = "",
    phone: str = "",
    job_title: str = "",
    town: str = "",
    message: str = "",
) -> MembershipRequest:
    """Record a pending request (the sender consented now), with its acknowledgement to
    the sender and its notification to the centre (sent after commit, portal.core.mail)."""
    membership_request = MembershipRequest(
        organisation_name=organisation_name.strip(),
        kind=kind if organisation_name.strip() else "",
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        job_title=job_title.strip(),
        town=town.strip(),
        message=message.strip(),
        consent_at=timezone.now(),
    )
    membership_request.full_clean()
    membership_request.save()
    audit_log(
        actor=None,
        obj=membership_request,
        action="membership_request.received",
        changes={"organisation": membership_request.organisation_name, "kind": kind},
    )
    membership_request_acknowledgement_send(request_id=membership_request.pk)
    membership_request_notification_send(request_id=membership_request.pk)
    return membership_request


def _pending_locked(membership_request: MembershipRequest) -> MembershipRequest:
    locked = MembershipRequest.objects.select_for_update().get(pk=membership_request.pk)
    if locked.status != MembershipRequestStatus.PENDING:
        raise ValidationError(_("This request has already been handled."), code="handled")
    return locked


def _organisation_for(membership_request: MembershipRequest, actor) -> Organisation:
    """The organisation named by the request (same name and kind), created if new."""
    organisation = (
        Organisation.objects.filter(
            name__iexact=membership_request.organisation_name, kind=membership_request.kind
        )
        .order_by("pk")
        .first()
    )
    if organisation is not None:
        return organisation
    if not membership_request.kind:
        raise ValidationError(
            {"kind": _("Choose the kind of organisation before accepting the request.")},
            code="kind",
        )
    organisation = Organisation(
        name=membership_request.organisation_name,
        kind=membership_request.kind,
        city=membership_request.town,
    )
    organisation.full_clean()
    organisation.save()
    audit_log(
        actor=actor,
        obj=organisation,
        action="organisation.created",
        changes={"membership_request": membership_request.pk},
    )
    return organisation


def _contact_for(
    membership_request: MembershipRequest, organisation: Organisation | None, actor
) -> Person:
    """The person who sent the request, found by email or created, made member contact."""
    person = (
        Person.objects.select_for_update().filter(email__iexact=membership_request.email).first()
    )
    if person is None:
        person = Person(
            first_name=membership_request.first_name,
            last_name=membership_request.last_name,
            email=membership_request.email,
            phone=membership_request.phone,
            job_title=membership_request.job_title,
            organisation=organisation,
            is_member_contact=True,
            consent_processing_at=membership_request.consent_at,
        )
        person.full_clean()
        person.save()
        audit_log(
            actor=actor,
            obj=person,
            action="person.created",
            changes={"membership_request": membership_request.pk, "member_contact": True},
        )
        return person
    if organisation is not None and person.organisation_id not in (None, organisation.pk):
        raise ValidationError(
            {
                "email": _(
                    "%(email)s belongs to a person of another organisation (%(organisation)s)."
                )
                % {"email": person.email, "organisation": person.organisation}
            },
            code="other_organisation",
        )
    changes: dict = {}
    if organisation is not None and person.organisation_id is None:
        person.organisation = organisation
        changes["organisation"] = organisation.pk
    if not person.is_member_contact:
        person.is_member_contact = True
        changes["is_member_contact"] = True
    for name in ("phone", "job_title"):
        if not getattr(person, name) and getattr(membership_request, name):
            setattr(person, name, getattr(membership_request, name))
            changes[name] = getattr(membership_request, name)
    if changes:
        person.full_clean()
        person.save(update_fields=[*changes, "updated_at"])
        audit_log(actor=actor, obj=person, action="person.updated", changes=changes)
    return person


@transaction.atomic
def membership_request_accept(
    *, membership_request: MembershipRequest, actor, year: int | None = None
) -> Membership:
    """Make the requester a member for `year` (this year by default).

    Finds or creates the organisation (same name and kind) or, for an individual,
    the person (same email); makes the sender the member contact; creates the
    membership priced by the year's dues rule (reused if one already exists); invites
    an organisation's new contact to the member space.
    """
    membership_request = _pending_locked(membership_request)
    year = year or timezone.localdate().year
    organisation = (
        _organisation_for(membership_request, actor)
        if membership_request.organisation_name
        else None
    )
    person = _contact_for(membership_request, organisation, actor)
    member = {"organisation": organisation} if organisation else {"person": person}
    membership = Membership.objects.filter(year=year, cancelled_at__isnull=True, **member).first()
    if membership is None:
        membership = membership_create(year=year, actor=actor, **member)
    membership_request.status = MembershipRequestStatus.ACCEPTED
    membership_request.handled_by = actor
    membership_request.handled_at = timezone.now()
    membership_request.membership = membership
    membership_request.save(update_fields=["status", "handled_by", "handled_at", "membership"])
    audit_log(
        actor=actor,
        obj=membership_request,
        action="membership_request.accepted",
        changes={"membership": membership.pk, "person": person.pk, "year": year},
    )
    if organisation is not None and person.user_id is None:
        # The new contact gets an account and a link to the member space.
        person_invite(
            organisation=organisation,
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            invited_by=actor,
        )
    return membership


@transaction.atomic
def membership_request_reject(*, membership_request: MembershipRequest, actor) -> None:
    """Decline a pending request; it stays on record with who handled it and when."""
    membership_request = _pending_locked(membership_request)
    membership_request.status = MembershipRequestStatus.REJECTED
    membership_request.handled_by = actor
    membership_request.handled_at = timezone.now()
    membership_request.save(update_fields=["status", "handled_by", "handled_at"])
    audit_log(actor=actor, obj=membership_request, action="membership_request.rejected")
