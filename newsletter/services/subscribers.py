"""Subscribing to « Résonances » and leaving it: double opt-in, unsubscription,
preferences, bounces and complaints, and a person's data on request.

Status changes are audited. The audit trail names a subscriber by its address
(`str(subscriber)`), so erasure replaces that name by a hash of the address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import ActorType
from newsletter.models import ConsentSource, Subscriber, SubscriberStatus
from newsletter.selectors.subscribers import subscribers_by_email
from newsletter.services.messages import subscriber_links
from newsletter.tokens import CONFIRMATION_MAX_AGE, confirm_token_make
from portal.core.mail import email_send
from portal.core.models import Department, Theme
from portal.core.ratelimit import rate_allow, rate_limits
from portal.core.services import audit_log

logger = logging.getLogger(__name__)

# Confirmation emails per hour; settings.NEWSLETTER_SUBSCRIBE_RATE_LIMITS overrides them.
RATE_LIMITS = {"email": 3, "ip": 10}
# Statuses in which an address still receives mail (the confirmation, or the issues).
RECEIVING = (SubscriberStatus.ACTIVE, SubscriberStatus.PENDING)
BOUNCE_KINDS = ("hard", "soft", "complaint")

# How an unsubscription came (recorded in the audit trail).
UNSUBSCRIBE_LINK = "link"
UNSUBSCRIBE_ONE_CLICK = "one_click"
UNSUBSCRIBE_STAFF = "staff"
UNSUBSCRIBE_PROVIDER = "provider"


class SubscriptionRateLimited(Exception):
    """Too many confirmation emails asked for this address or from this IP lately."""


def _ip_or_none(ip: str) -> str | None:
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


def email_digest(email: str) -> str:
    """The sha256 of the normalised address: names an erased subscriber in the audit trail."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _status_audit(subscriber: Subscriber, before: str, *, actor, action: str, **extra) -> None:
    """Audit a status change just saved on `subscriber` (inside the same transaction)."""
    changes = {"status": [before, subscriber.status], **extra}
    audit_log(actor=actor, obj=subscriber, action=action, changes=changes)


# Double opt-in ------------------------------------------------------------------------


# No savepoint of its own inside the form's transaction (two round trips fewer): the view
# that catches its error leaves that transaction.
@transaction.atomic(savepoint=False)
def subscription_request(
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    organisation: str = "",
    actor_type: str = ActorType.OTHER,
    department: Department | None = None,
    ip: str = "",
) -> Subscriber:
    """Ask for a subscription: a pending subscriber and, once committed, a confirmation email.

    An active subscriber is left as it is (they get a reminder of their links instead),
    so the page never tells whether an address was known. A person who unsubscribed,
    bounced or complained may subscribe again: the new confirmation proves the address.
    Raises SubscriptionRateLimited before any write when the address or the IP asked
    too often (settings.NEWSLETTER_SUBSCRIBE_RATE_LIMITS).
    """
    email = email.strip()
    limits = rate_limits(setting="NEWSLETTER_SUBSCRIBE_RATE_LIMITS", defaults=RATE_LIMITS)
    if not rate_allow(scope="newsletter", keys={"email": email, "ip": ip}, limits=limits):
        raise SubscriptionRateLimited
    details = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "organisation": organisation.strip(),
        "actor_type": actor_type or ActorType.OTHER,
        "department": department,
    }
    subscriber = subscribers_by_email(email).select_for_update().first()
    if subscriber is None:
        subscriber, created = _pending_create(email=email, details=details)
        if created:
            _confirmation_record(subscriber)
            return subscriber
    if subscriber.status == SubscriberStatus.ACTIVE:
        already_subscribed_send(subscriber_id=subscriber.pk)
        return subscriber
    before = subscriber.status
    for name, value in details.items():
        setattr(subscriber, name, value)
    subscriber.status = SubscriberStatus.PENDING
    subscriber.save(update_fields=[*details, "status", "updated_at"])
    if before != SubscriberStatus.PENDING:
        _status_audit(subscriber, before, actor=None, action="newsletter.subscription_requested")
    _confirmation_record(subscriber)
    return subscriber


def _pending_create(*, email: str, details: dict) -> tuple[Subscriber, bool]:
    """A new pending subscriber (True); the existing one if the address was saved just
    before by another request (False)."""
    subscriber = Subscriber(
        email=email,
        status=SubscriberStatus.PENDING,
        consent_source=ConsentSource.WEB_FORM,
        **details,
    )
    subscriber.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            subscriber.save()
    except IntegrityError:  # the same address sent twice at the same moment
        return subscribers_by_email(email).select_for_update().get(), False
    return subscriber, True


def confirmation_url(subscriber: Subscriber) -> str:
    token = confirm_token_make(subscriber.pk)
    return settings.SITE_URL + reverse("newsletter:confirm", args=[token])


def _confirmation_record(subscriber: Subscriber) -> None:
    """The email with the confirmation link of the double opt-in, for a pending subscriber
    just saved: recorded in the caller's transaction, sent after commit (portal.core.mail)."""
    email_send(
        template="newsletter/emails/confirmation",
        context={
            "subscriber": subscriber,
            "confirm_url": confirmation_url(subscriber),
            "valid_days": CONFIRMATION_MAX_AGE.days,
        },
        to=[subscriber.email],
    )
    logger.info("Newsletter confirmation queued for subscriber %s.", subscriber.pk)


def already_subscribed_send(*, subscriber_id: int) -> None:
    """Someone asked again for an active address: remind its owner of their links."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=SubscriberStatus.ACTIVE).first()
    if subscriber is None:
        return
    email_send(
        template="newsletter/emails/already_subscribed",
        context={"subscriber": subscriber, **subscriber_links(subscriber)},
        to=[subscriber.email],
    )


@transaction.atomic
def subscription_confirm(*, subscriber_id: int, ip: str) -> Subscriber:
    """Pending → active, recording the consent: when, from where, by the web form.

    Already active: nothing changes. Raises Subscriber.DoesNotExist for an erased
    subscriber, and ValidationError when the person has left since (an old link
    must not subscribe again someone who unsubscribed).
    """
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
    if subscriber.status == SubscriberStatus.ACTIVE:
        return subscriber
    if subscriber.status != SubscriberStatus.PENDING:
        raise ValidationError(
            _("This confirmation link is no longer valid: subscribe again."), code="not_pending"
        )
    now = timezone.now()
    subscriber.status = SubscriberStatus.ACTIVE
    subscriber.consent_at = subscriber.confirmed_at = now
    subscriber.consent_source = ConsentSource.WEB_FORM
    subscriber.consent_ip = _ip_or_none(ip)
    subscriber.unsubscribed_at = None
    subscriber.soft_bounces = 0
    subscriber.save(
        update_fields=[
            "status", "consent_at", "confirmed_at", "consent_source", "consent_ip",
            "unsubscribed_at", "soft_bounces", "updated_at",
        ]
    )  # fmt: skip
    _status_audit(
        subscriber, SubscriberStatus.PENDING, actor=None, action="newsletter.subscription_confirmed"
    )
    return subscriber


# Leaving, preferences -----------------------------------------------------------------


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber, source: str, actor=None) -> Subscriber:
    """Stop sending to this address at once; nothing to do when it already receives nothing.

    `source` says how (link, one_click, staff, provider) for the audit trail. Raises
    Subscriber.DoesNotExist when the subscriber was erased meanwhile.
    """
    locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if locked.status not in RECEIVING:
        return locked
    before = locked.status
    locked.status = SubscriberStatus.UNSUBSCRIBED
    locked.unsubscribed_at = timezone.now()
    locked.save(update_fields=["status", "unsubscribed_at", "updated_at"])
    _status_audit(locked, before, actor=actor, action="newsletter.unsubscribed", source=source)
    return locked


@transaction.atomic
def subscriber_preferences_update(
    *,
    subscriber: Subscriber,
    mail_format: str,
    first_name: str,
    last_name: str,
    organisation: str,
    actor_type: str,
    department: Department | None,
    themes: Iterable[Theme] | None = None,
) -> Subscriber:
    """What the subscriber changes on their preferences page (no status change here);
    `themes` replaces their themes of interest (None keeps them)."""
    subscriber.mail_format = mail_format
    subscriber.first_name = first_name.strip()
    subscriber.last_name = last_name.strip()
    subscriber.organisation = organisation.strip()
    subscriber.actor_type = actor_type or ActorType.OTHER
    subscriber.department = department
    subscriber.full_clean(validate_constraints=False)
    subscriber.save(
        update_fields=[
            "mail_format", "first_name", "last_name", "organisation", "actor_type",
            "department", "updated_at",
        ]
    )  # fmt: skip
    if themes is not None:
        subscriber.themes.set(themes)
    return subscriber


# Bounces and complaints ----------------------------------------------------------------


@transaction.atomic
def bounce_record(
    *, email: str, kind: str, detail: str = "", when: datetime | None = None
) -> Subscriber | None:
    """A bounce or complaint reported by the mail provider; unknown addresses are ignored.

    hard → bounced; complaint → complained (whatever the status: never write again);
    soft → one more soft bounce, and bounced once settings.NEWSLETTER_SOFT_BOUNCE_LIMIT
    is reached. The row is locked, so concurrent webhooks count every bounce.
    """
    if kind not in BOUNCE_KINDS:
        raise ValueError(f"unknown bounce kind {kind!r}")
    subscriber = subscribers_by_email(email).select_for_update().first()
    if subscriber is None:
        return None
    before = subscriber.status
    subscriber.last_event_at = when or timezone.now()
    subscriber.last_event = f"{kind}: {detail}".strip()[:300]
    fields = ["last_event_at", "last_event", "updated_at"]
    if kind == "soft":
        subscriber.soft_bounces = min(subscriber.soft_bounces + 1, 32767)
        fields.append("soft_bounces")
    if kind == "complaint":
        subscriber.status = SubscriberStatus.COMPLAINED
    elif before in RECEIVING and (
        kind == "hard" or subscriber.soft_bounces >= settings.NEWSLETTER_SOFT_BOUNCE_LIMIT
    ):
        subscriber.status = SubscriberStatus.BOUNCED
    if subscriber.status != before:
        fields.append("status")
    subscriber.save(update_fields=fields)
    if subscriber.status != before:
        action = "newsletter.complained" if kind == "complaint" else "newsletter.bounced"
        _status_audit(subscriber, before, actor=None, action=action, kind=kind)
    return subscriber


def soft_bounces_reset(*, email: str) -> int:
    """A message was delivered: the soft bounces counted are consecutive ones only."""
    return (
        subscribers_by_email(email)
        .filter(soft_bounces__gt=0, status=SubscriberStatus.ACTIVE)
        .update(soft_bounces=0, updated_at=timezone.now())
    )
