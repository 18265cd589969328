"""Writes of the member space: inviting colleagues, editing one's own details."""

from __future__ import annotations

import logging
from datetime import timedelta

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.models import Organisation, Person
from portal.core.mail import email_send
from portal.core.models import SiteSettings
from portal.core.services import audit_log

logger = logging.getLogger(__name__)


def person_set_password_url(*, user) -> str:
    """An absolute link to choose a password, made of allauth's password-reset key."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


def _invitation_send(*, person_pk: int, inviter_name: str) -> None:
    person = Person.objects.select_related("organisation", "user").get(pk=person_pk)
    with translation.override(settings.LANGUAGE_CODE):
        site = SiteSettings.load()
        subject = _("Your access to the member space of %(site)s") % {
            "site": site.short_name or site.name
        }
        email_send(
            template="members/emails/invite",
            subject=subject,
            context={
                "person": person,
                "organisation": person.organisation,
                "inviter_name": inviter_name,
                "set_password_url": person_set_password_url(user=person.user),
                "expires": timezone.localtime()
                + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
            },
            to=[person.email],
        )


def _email_address_verify(*, user, email: str) -> None:
    """Mark `email` as a verified address of `user` (primary if the user has none)."""
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
    if address is None:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=not has_primary)
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


def _other_organisation_error() -> ValidationError:
    return ValidationError(
        {
            "email": _(
                "This email address belongs to a person of another organisation. "
                "Ask the centre's team to move them to your organisation."
            )
        },
        code="other_organisation",
    )


@transaction.atomic
def person_invite(
    *,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    invited_by,
) -> Person:
    """Give a colleague access to the organisation's member space and email them a link.

    Creates the person (or attaches a person without organisation), creates their
    account with an unusable password if they have none, marks the address verified,
    and emails a link to choose a password (sent after commit, portal.core.mail).
    Inviting the same colleague again sends a new link.
    """
    email = email.strip().lower()
    User = get_user_model()
    person = Person.objects.select_for_update().filter(email__iexact=email).first()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and person is None:
        person = Person.objects.select_for_update().filter(user=user).first()
    if person is not None and person.organisation_id not in (None, organisation.pk):
        raise _other_organisation_error()
    if person is not None and user is not None and person.user_id not in (None, user.pk):
        raise _other_organisation_error()
    if (
        person is not None
        and user is not None
        and Person.objects.filter(user=user).exclude(pk=person.pk).exists()
    ):
        raise _other_organisation_error()

    if person is None:
        person = Person(
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email,
            organisation=organisation,
        )
        person.full_clean()
        person.save()
        audit_log(
            actor=invited_by,
            obj=person,
            action="person.invited",
            changes={"organisation": organisation.pk, "email": email, "created": True},
        )
    elif person.organisation_id is None:
        person.organisation = organisation
        person.save(update_fields=["organisation", "updated_at"])
        audit_log(
            actor=invited_by,
            obj=person,
            action="person.invited",
            changes={"organisation": organisation.pk, "email": email, "attached": True},
        )

    if user is None:
        user = person.user
    if user is None:
        user = User.objects.create_user(
            email, None, first_name=person.first_name, last_name=person.last_name
        )
    if person.user_id is None:
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        audit_log(
            actor=invited_by, obj=person, action="person.account_linked", changes={"user": user.pk}
        )
    _email_address_verify(user=user, email=user.email)

    inviter_name = ""
    if invited_by is not None:
        inviter = Person.objects.filter(user=invited_by).first()
        inviter_name = str(inviter) if inviter else invited_by.get_full_name()
    _invitation_send(person_pk=person.pk, inviter_name=inviter_name)
    return person


@transaction.atomic
def person_details_update(
    *,
    person: Person,
    actor,
    first_name: str,
    last_name: str,
    phone: str = "",
    job_title: str = "",
) -> Person:
    """Change one's own name, phone and job title (not the email); audited, names synced."""
    person = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
    new_values = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "phone": phone.strip(),
        "job_title": job_title.strip(),
    }
    changes = {
        name: [getattr(person, name), value]
        for name, value in new_values.items()
        if getattr(person, name) != value
    }
    if not changes:
        return person
    for name, value in new_values.items():
        setattr(person, name, value)
    person.full_clean()
    person.save(update_fields=[*changes, "updated_at"])
    user = person.user
    if user is not None and (user.first_name, user.last_name) != (
        person.first_name,
        person.last_name,
    ):
        user.first_name = person.first_name[:150]
        user.last_name = person.last_name[:150]
        user.save(update_fields=["first_name", "last_name"])
    audit_log(actor=actor, obj=person, action="person.updated", changes=changes)
    return person
