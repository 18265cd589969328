"""Bounces and complaints reported by the mail provider, through django-anymail's
tracking webhooks (`/resonances/suivi/<provider>/tracking/`).

Anymail checks the provider's signature or basic auth and normalises the events;
this receiver maps its event types to what the newsletter does with an address:

- bounced: the receiving server refused the message for good → hard bounce;
- rejected: the provider refused to send; for a known bad address (invalid,
  earlier bounce, repeated time-outs) that is a hard bounce, for a policy block
  (which may be ours, e.g. DMARC) only a soft one; an earlier complaint or
  unsubscription at the provider counts as such;
- deferred, failed: a temporary failure, or a provider-side error that says nothing
  sure about the address → soft bounce (enough in a row and the address is dropped);
- complained: the person marked the message as spam → never write again;
- unsubscribed: the person unsubscribed through the provider's own link;
- delivered: the soft bounces counted so far were not consecutive: reset.
Other events (opens, clicks...) are ignored: the portal does not track readers.

Anymail checks a provider's basic auth only when ANYMAIL["WEBHOOK_SECRET"] is set;
without it, events are ignored (a forged POST must not unsubscribe anyone), except
Mailgun's, whose signature anymail always checks.
"""

from __future__ import annotations

import functools
import logging

from anymail.signals import AnymailTrackingEvent, EventType, RejectReason
from anymail.utils import get_anymail_setting
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.urls import URLPattern

from newsletter.selectors.subscribers import subscriber_by_email
from newsletter.services.subscribers import (
    UNSUBSCRIBE_PROVIDER,
    bounce_record,
    soft_bounces_reset,
    subscriber_unsubscribe,
)

logger = logging.getLogger(__name__)

BOUNCE_KINDS = {
    EventType.BOUNCED: "hard",
    EventType.DEFERRED: "soft",
    EventType.FAILED: "soft",
    EventType.COMPLAINED: "complaint",
}
# Soft bounces that anymail normalises as "bounced"; the provider's own event says soft.
SOFT_ESP_EVENTS = {("Brevo", "soft_bounce"), ("SendinBlue", "soft_bounce")}
# Providers whose webhook signature anymail always checks.
SIGNED_ESPS = {"Mailgun"}
REJECT_KINDS = {
    RejectReason.INVALID: "hard",
    RejectReason.BOUNCED: "hard",
    RejectReason.TIMED_OUT: "hard",
    RejectReason.SPAM: "complaint",
    RejectReason.BLOCKED: "soft",
    RejectReason.OTHER: "soft",
}


def _trusted(esp_name: str) -> bool:
    return esp_name in SIGNED_ESPS or bool(get_anymail_setting("webhook_secret", default=None))


def _kind(event: AnymailTrackingEvent, esp_name: str) -> str | None:
    esp_type = event.esp_event.get("event") if isinstance(event.esp_event, dict) else None
    if (esp_name, esp_type) in SOFT_ESP_EVENTS:
        return "soft"
    if event.event_type == EventType.REJECTED:
        return REJECT_KINDS.get(event.reject_reason, "soft")
    return BOUNCE_KINDS.get(event.event_type)


def _detail(event: AnymailTrackingEvent, esp_name: str) -> str:
    parts = [esp_name, event.event_type, event.reject_reason, event.description]
    parts.append(event.mta_response)
    return " — ".join(str(part) for part in parts if part)[:280]


def tracking_receive(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    """Receiver of anymail.signals.tracking (connected in NewsletterConfig.ready())."""
    recipient = (event.recipient or "").strip()
    if not recipient:
        return
    if not _trusted(esp_name):
        logger.warning("%s event ignored: set ANYMAIL_WEBHOOK_SECRET to trust it.", esp_name)
        return
    if event.event_type == EventType.DELIVERED:
        soft_bounces_reset(email=recipient)
        return
    unsubscribe = event.event_type == EventType.UNSUBSCRIBED or (
        event.event_type == EventType.REJECTED and event.reject_reason == RejectReason.UNSUBSCRIBED
    )
    if unsubscribe:
        subscriber = subscriber_by_email(recipient)
        if subscriber is not None:
            subscriber_unsubscribe(subscriber=subscriber, source=UNSUBSCRIBE_PROVIDER)
        return
    kind = _kind(event, esp_name)
    if kind is None:
        return
    subscriber = bounce_record(
        email=recipient, kind=kind, detail=_detail(event, esp_name), when=event.timestamp
    )
    if subscriber is not None:
        logger.info("%s %s for subscriber %s.", esp_name, kind, subscriber.pk)


def _configured_only(view):
    """A provider's webhook answers 404 until the portal is configured for it (anymail
    raises ImproperlyConfigured, a 500, when e.g. Mailgun's signing key is missing)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ImproperlyConfigured as error:
            logger.warning("Webhook %s is not configured: %s", request.path, error)
            raise Http404 from error

    return wrapper


def tracking_urlpatterns() -> list[URLPattern]:
    """Anymail's tracking webhooks (bounces, complaints) only; inbound mail is not used."""
    from anymail.urls import urlpatterns

    return [
        URLPattern(pattern.pattern, _configured_only(pattern.callback), name=pattern.name)
        for pattern in urlpatterns
        # SendinBlue's URLs are Brevo's old ones, deprecated by anymail.
        if pattern.name.endswith("_tracking_webhook") and "sendinblue" not in pattern.name
    ]
