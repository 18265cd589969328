"""Bounces and complaints: the provider's webhook end to end (a signed Mailgun payload
posted to anymail's tracking URL), and the rules of bounce_record()."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

import pytest
from django.utils import timezone

from newsletter.models import SubscriberStatus
from newsletter.services.subscribers import bounce_record
from portal.core.models import AuditEntry
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

TRACKING = "/resonances/suivi/mailgun/tracking/"
SIGNING_KEY = "test-mailgun-signing-key"
BASIC_AUTH = "anymail:test-webhook-secret"


@pytest.fixture(autouse=True)
def provider(settings):
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": BASIC_AUTH,
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
    }
    settings.NEWSLETTER_SOFT_BOUNCE_LIMIT = 3


def mailgun_payload(event: dict, *, key: str = SIGNING_KEY) -> str:
    """A Mailgun webhook body as Mailgun signs it: HMAC-SHA256(key, timestamp + token)."""
    timestamp, token = str(int(time.time())), secrets.token_hex(25)
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return json.dumps(
        {
            "signature": {
                "timestamp": timestamp,
                "token": token,
                "signature": signature.hexdigest(),
            },
            "event-data": {
                "id": secrets.token_hex(8),
                "timestamp": time.time(),
                "log-level": "error",
                "message": {"headers": {"message-id": "20260301.abc@resonances.example.org"}},
                **event,
            },
        }
    )


def failed(recipient: str, severity: str = "permanent") -> dict:
    return {
        "event": "failed",
        "severity": severity,
        "reason": "bounce" if severity == "permanent" else "generic",
        "recipient": recipient,
        "delivery-status": {
            "code": 550 if severity == "permanent" else 452,
            "message": "5.1.1 The email account that you tried to reach does not exist"
            if severity == "permanent"
            else "4.2.2 Mailbox full",
            "description": "",
        },
    }


def post(client, body: str, *, auth: str | None = BASIC_AUTH):
    headers = {}
    if auth:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return client.post(TRACKING, body, content_type="application/json", **headers)


def test_a_permanent_failure_marks_the_subscriber_bounced(client):
    subscriber = SubscriberFactory(email="Awa.Diallo@example.org")
    response = post(client, mailgun_payload(failed("awa.diallo@example.org")))
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.BOUNCED
    assert "does not exist" in subscriber.last_event
    assert subscriber.last_event_at is not None
    entry = AuditEntry.objects.for_object(subscriber).get()
    assert (entry.action, entry.changes["status"]) == ("newsletter.bounced", ["active", "bounced"])


def test_a_bad_signature_or_missing_auth_is_refused_and_changes_nothing(client):
    subscriber = SubscriberFactory()
    forged = mailgun_payload(failed(subscriber.email), key="not-the-key")
    assert post(client, forged).status_code == 400
    assert post(client, mailgun_payload(failed(subscriber.email)), auth=None).status_code == 400
    wrong_auth = post(client, mailgun_payload(failed(subscriber.email)), auth="anymail:guess")
    assert wrong_auth.status_code == 400
    assert post(client, "{not json").status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert not AuditEntry.objects.exists()


def test_temporary_failures_count_until_the_limit(client):
    subscriber = SubscriberFactory()
    for count in (1, 2):
        post(client, mailgun_payload(failed(subscriber.email, severity="temporary")))
        subscriber.refresh_from_db()
        assert (subscriber.soft_bounces, subscriber.status) == (count, SubscriberStatus.ACTIVE)
    post(client, mailgun_payload(failed(subscriber.email, severity="temporary")))
    subscriber.refresh_from_db()
    assert subscriber.soft_bounces == 3
    assert subscriber.status == SubscriberStatus.BOUNCED


def test_a_delivery_resets_the_soft_bounces(client):
    subscriber = SubscriberFactory(soft_bounces=2)
    delivered = {"event": "delivered", "recipient": subscriber.email}
    assert post(client, mailgun_payload(delivered)).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.soft_bounces == 0
    post(client, mailgun_payload(failed(subscriber.email, severity="temporary")))
    subscriber.refresh_from_db()
    assert (subscriber.soft_bounces, subscriber.status) == (1, SubscriberStatus.ACTIVE)


def test_a_complaint_stops_everything(client):
    subscriber = SubscriberFactory()
    complained = {"event": "complained", "recipient": subscriber.email}
    assert post(client, mailgun_payload(complained)).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.COMPLAINED
    assert AuditEntry.objects.for_object(subscriber).get().action == "newsletter.complained"


def test_an_unsubscription_at_the_provider_unsubscribes(client):
    subscriber = SubscriberFactory()
    event = {"event": "unsubscribed", "recipient": subscriber.email}
    assert post(client, mailgun_payload(event)).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert AuditEntry.objects.for_object(subscriber).get().changes["source"] == "provider"


def test_unknown_addresses_and_other_events_are_ignored(client):
    subscriber = SubscriberFactory()
    assert post(client, mailgun_payload(failed("inconnu@example.org"))).status_code == 200
    opened = {"event": "opened", "recipient": subscriber.email}
    assert post(client, mailgun_payload(opened)).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert subscriber.last_event == ""


# bounce_record() ----------------------------------------------------------------------------


def test_the_soft_bounce_limit_comes_from_the_settings(settings):
    settings.NEWSLETTER_SOFT_BOUNCE_LIMIT = 2
    subscriber = SubscriberFactory()
    bounce_record(email=subscriber.email, kind="soft", detail="4.2.2 full")
    assert bounce_record(email=subscriber.email, kind="soft", detail="").status == "bounced"


def test_a_hard_bounce_leaves_an_unsubscribed_person_unsubscribed_but_a_complaint_wins():
    subscriber = SubscriberFactory(status=SubscriberStatus.UNSUBSCRIBED)
    when = timezone.now()
    result = bounce_record(email=subscriber.email.upper(), kind="hard", detail="550", when=when)
    assert result.status == SubscriberStatus.UNSUBSCRIBED
    assert result.last_event_at == when
    assert not AuditEntry.objects.exists()
    assert bounce_record(email=subscriber.email, kind="complaint").status == "complained"


def test_unknown_kinds_and_addresses():
    assert bounce_record(email="personne@example.org", kind="hard") is None
    with pytest.raises(ValueError, match="unknown bounce kind"):
        bounce_record(email="personne@example.org", kind="maybe")


# Other providers ---------------------------------------------------------------------------


def brevo_post(client, event: str, email: str, *, auth: str | None = BASIC_AUTH):
    body = json.dumps({"event": event, "email": email, "ts_epoch": int(time.time() * 1000)})
    headers = {}
    if auth:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return client.post("/resonances/suivi/brevo/tracking/", body, "application/json", **headers)


def test_a_brevo_soft_bounce_counts_as_soft_and_a_hard_one_as_hard(client):
    subscriber = SubscriberFactory()
    assert brevo_post(client, "soft_bounce", subscriber.email).status_code == 200
    subscriber.refresh_from_db()
    assert (subscriber.soft_bounces, subscriber.status) == (1, SubscriberStatus.ACTIVE)
    brevo_post(client, "hard_bounce", subscriber.email)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.BOUNCED


@pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailInsecureWebhookWarning")
def test_without_a_webhook_secret_unsigned_providers_are_not_trusted(client, settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    subscriber = SubscriberFactory()
    for event in ("hard_bounce", "spam", "unsubscribe"):
        assert brevo_post(client, event, subscriber.email, auth=None).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE
    # Mailgun signs its webhooks: still trusted.
    assert post(client, mailgun_payload(failed(subscriber.email)), auth=None).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.BOUNCED


def test_a_provider_the_portal_is_not_configured_for_answers_404(client, settings):
    settings.ANYMAIL = {}  # no Mailgun signing key: anymail would raise ImproperlyConfigured
    subscriber = SubscriberFactory(email="lea@example.org")

    response = post(client, mailgun_payload(failed(subscriber.email)), auth=None)

    assert response.status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE


def test_only_tracking_webhooks_are_exposed(client):
    assert client.post("/resonances/suivi/mailgun/inbound/").status_code == 404
