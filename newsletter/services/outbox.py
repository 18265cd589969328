"""The campaign's messages on their way out: built once per batch, stamped per recipient.

Building a MIME message costs far more than sending it, so the issue is serialized
once per format and each recipient's copy is the same bytes with their address,
Message-ID and links written in. Over SMTP those bytes go straight to the batch's
connection; other backends (files in development, memory) get the same message
built the usual way.
"""

from __future__ import annotations

import email.policy
import re

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from newsletter import rendering
from newsletter.models import MailFormat, Subscriber
from newsletter.services.messages import (
    campaign_message,
    fits_8bit,
    subscriber_links,
)

# An address that can be written into a header as it is (RFC 5322 dot-atom, ASCII):
# anything else is built the usual way, with Django's own checks.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


class StampedMessages:
    """The campaign messages of one rendered issue, serialized once per format.

    Each recipient's copy is the same bytes with their address, Message-ID and links
    written in, instead of a MIME message built again thousands of times (building
    one costs far more than sending it). A copy that cannot be stamped safely (an
    encoded body, a non-ASCII address) is built the usual way: `bytes_for` says None.
    """

    TO = "recipient@resonances.invalid"
    MESSAGE_ID = "<stamp@resonances.invalid>"

    def __init__(self, rendered: rendering.RenderedIssue, *, linesep: str = "\r\n"):
        self.rendered = rendered
        self.linesep = linesep.encode()
        self._templates: dict[str, bytes | None] = {}

    def _template(self, mail_format: str) -> bytes | None:
        if mail_format not in self._templates:
            message = campaign_message(
                rendered=self.rendered, to=self.TO, mail_format=mail_format,
                unsubscribe_url=rendering.UNSUBSCRIBE_URL,
                preferences_url=rendering.PREFERENCES_URL, message_id=self.MESSAGE_ID,
            )  # fmt: skip
            policy = email.policy.SMTP.clone(linesep=self.linesep.decode())
            data = message.message(policy=policy).as_bytes()
            bodies = [self.rendered.text] + (
                [self.rendered.html] if mail_format == MailFormat.HTML else []
            )
            links = 1 + sum(body.count(rendering.UNSUBSCRIBE_URL) for body in bodies)
            stampable = data.count(rendering.UNSUBSCRIBE_URL.encode()) == links and all(
                fits_8bit(body) for body in bodies
            )
            self._templates[mail_format] = data if stampable else None
        return self._templates[mail_format]

    def bytes_for(self, *, to: str, mail_format: str, message_id: str, links: dict) -> bytes | None:
        template = self._template(mail_format)
        if template is None or not PLAIN_ADDRESS.fullmatch(to):
            return None
        stamps = {
            b"To: " + self.TO.encode() + self.linesep: b"To: " + to.encode() + self.linesep,
            self.MESSAGE_ID.encode(): message_id.encode(),
            rendering.UNSUBSCRIBE_URL.encode(): links["unsubscribe_url"].encode(),
            rendering.PREFERENCES_URL.encode(): links["preferences_url"].encode(),
        }
        for stamp, value in stamps.items():
            template = template.replace(stamp, value)
        return template


class Outbox:
    """One batch's way out: an open mailer and the issue's stamped messages."""

    def __init__(self, mailer, rendered: rendering.RenderedIssue):
        self.mailer = mailer
        self.stamped = StampedMessages(rendered)
        self.smtp = isinstance(mailer, SmtpBackend)
        self.sender = mailer.prep_address(settings.NEWSLETTER_FROM_EMAIL) if self.smtp else ""

    def deliver(self, subscriber: Subscriber, *, message_id: str) -> str:
        """Send one subscriber's copy; return its Message-ID. SMTP errors propagate."""
        links = subscriber_links(subscriber)
        data = self.stamped.bytes_for(
            to=subscriber.email, mail_format=subscriber.mail_format, message_id=message_id,
            links=links,
        )  # fmt: skip
        if data is not None and self.smtp and self.mailer.connection:
            self.mailer.connection.sendmail(self.sender, [subscriber.email], data)
        else:
            message = campaign_message(
                rendered=self.stamped.rendered, to=subscriber.email, message_id=message_id,
                mail_format=subscriber.mail_format, **links,
            )  # fmt: skip
            self.mailer.send_messages([message])
        return message_id
