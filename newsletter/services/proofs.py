"""Test sends of an issue (« envoi de test »): the real message, to a few staff addresses."""

from __future__ import annotations

from dataclasses import replace

from django.core.mail import mailers
from django.urls import reverse

from newsletter import rendering
from newsletter.models import Issue
from newsletter.services.messages import campaign_message
from portal.core.services import audit_log

PROOF_MAX_ADDRESSES = 10
PROOF_PREFIX = "[TEST] "


def issue_proof_send(*, issue: Issue, addresses: list[str], actor) -> int:
    """Send the issue as subscribers will get it, subject prefixed « [TEST] »; return the
    number of messages sent.

    Test recipients are not subscribers and have no token: their unsubscribe and
    preferences links lead to the subscription page. One SMTP connection for all; the
    audit entry is written once the server has accepted the messages.
    """
    if not 0 < len(addresses) <= PROOF_MAX_ADDRESSES:
        raise ValueError(f"between 1 and {PROOF_MAX_ADDRESSES} addresses, not {len(addresses)}")
    rendered = rendering.issue_render(issue)
    rendered = replace(rendered, subject=PROOF_PREFIX + rendered.subject)
    landing = rendering.absolute_url(reverse("newsletter:subscribe"))
    messages = [
        campaign_message(
            rendered=rendered, to=address, unsubscribe_url=landing, preferences_url=landing
        )
        for address in addresses
    ]
    sent = mailers.default.send_messages(messages) or 0
    audit_log(
        actor=actor, obj=issue, action="newsletter.test_send", changes={"to": list(addresses)}
    )
    return sent
