"""A stamped copy (the fast path over SMTP) is the message built the usual way."""

from __future__ import annotations

import email
import email.policy

import pytest

from newsletter.models import MailFormat
from newsletter.services import sending
from newsletter.services.messages import campaign_message, subscriber_links
from newsletter.services.outbox import StampedMessages
from tests.newsletter.factories import SubscriberFactory, issue_with_content

pytestmark = pytest.mark.django_db


def parsed(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def bodies(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.walk()
            if part.get_content_maintype() == "text"}  # fmt: skip


@pytest.mark.parametrize("mail_format", [MailFormat.HTML, MailFormat.TEXT])
def test_a_stamped_copy_has_the_headers_and_bodies_of_a_built_message(settings, mail_format):
    settings.SITE_URL = "https://portail.example.org"
    subscriber = SubscriberFactory(email="lea.martin@example.org", mail_format=mail_format)
    rendered = sending.rendered_issue(issue_with_content())
    links = subscriber_links(subscriber)
    message_id = "<42.1@portail.example.org>"

    stamped = StampedMessages(rendered).bytes_for(
        to=subscriber.email, mail_format=mail_format, message_id=message_id, links=links
    )
    built = campaign_message(
        rendered=rendered, to=subscriber.email, mail_format=mail_format,
        message_id=message_id, **links,
    ).message(policy=email.policy.SMTP).as_bytes()  # fmt: skip

    assert stamped is not None
    stamped, built = parsed(stamped), parsed(built)
    for header in ("Subject", "From", "To", "Message-ID", "List-Id", "List-Unsubscribe",
                   "List-Unsubscribe-Post"):  # fmt: skip
        assert stamped[header] == built[header], header
    assert bodies(stamped) == bodies(built)
    assert links["unsubscribe_url"] in bodies(stamped)["text/plain"]
    assert all(len(line) <= 998 for line in stamped.as_bytes().splitlines())


@pytest.mark.parametrize("address", ["josé@exemple.fr", "a\r\nBcc: x@y.org", "a b@c.org"])
def test_an_address_that_cannot_be_stamped_as_it_is_is_built_the_usual_way(address):
    rendered = sending.rendered_issue(issue_with_content(sessions=0, resources=0))
    links = {"unsubscribe_url": "https://x/u", "preferences_url": "https://x/p"}
    copy = StampedMessages(rendered).bytes_for(
        to=address, mail_format=MailFormat.HTML, message_id="<1@x>", links=links
    )
    assert copy is None
