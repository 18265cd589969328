"""The campaign message: one rendered issue, personalised links, the list headers."""

from __future__ import annotations

import email.policy
import functools
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.urls import reverse
from django.utils.crypto import salted_hmac

from newsletter import rendering
from newsletter.models import MailFormat, Subscriber
from newsletter.tokens import manage_token_make
from portal.core.mail import FoldOncePolicy

LIST_NAME = "Résonances"


# Headers whose value is one long URL. Python folds a long word by turning it into
# RFC 2047 encoded words, which mail clients do not decode in these headers; RFC 5322
# allows 998 characters on a line, so they stay on one.
UNFOLDED_HEADERS = frozenset({"list-unsubscribe", "list-unsubscribe-post"})
# RFC 5322 allows 998 characters on a line; bodies whose lines stay under this go out
# unencoded (8bit), with room left for the links written in per recipient.
LINE_LIMIT = 900


class CampaignPolicy(FoldOncePolicy):
    """The campaign's folding: the list headers stay on one line."""

    unfolded = UNFOLDED_HEADERS


_policies: dict[str, CampaignPolicy] = {}


class CampaignMessage(EmailMultiAlternatives):
    """A campaign message, cheap to build by the thousand (see CampaignPolicy), its
    bodies sent as 8bit when their lines allow it (no quoted-printable to compute)."""

    def message(self, *, policy=email.policy.default):
        if policy.linesep not in _policies:
            _policies[policy.linesep] = CampaignPolicy(linesep=policy.linesep)
        return super().message(policy=_policies[policy.linesep])

    def _add_bodies(self, msg):
        msg.set_content(self.body, subtype="plain", charset="utf-8", cte=_cte(self.body))
        for alternative in self.alternatives:
            subtype = alternative.mimetype.split("/", 1)[1]
            content = alternative.content
            msg.add_alternative(content, subtype=subtype, charset="utf-8", cte=_cte(content))
        return msg


def fits_8bit(text: str) -> bool:
    """True when every line is short enough to go out unencoded."""
    return max(map(len, text.encode().splitlines()), default=0) <= LINE_LIMIT


def _cte(text: str) -> str | None:
    """8bit when every line fits; else let the email package choose an encoding."""
    return "8bit" if fits_8bit(text) else None


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def delivery_message_id(delivery_id: int) -> str:
    """The Message-ID of one delivery, the same at every attempt: a copy sent again after
    a worker died is recognisably the same message to mail software."""
    token = salted_hmac("newsletter.delivery", str(delivery_id)).hexdigest()[:24]
    return f"<{token}.resonances@{site_domain()}>"


def list_id() -> str:
    """RFC 2919: a stable identifier of the list, under the site's domain."""
    return f"{LIST_NAME} <resonances.{site_domain()}>"


def subscriber_links(subscriber: Subscriber) -> dict[str, str]:
    """The absolute links of one subscriber's emails: unsubscribe and preferences."""
    token = manage_token_make(subscriber.pk)
    return {
        name: url.replace(TOKEN_SLOT, token)
        for name, url in _link_templates(settings.SITE_URL).items()
    }


TOKEN_SLOT = "token-slot"  # noqa: S105 (a placeholder, not a secret)


@functools.lru_cache(maxsize=4)
def _link_templates(site_url: str) -> dict[str, str]:
    """The links with a slot for the token, resolved once rather than per message."""
    return {
        "unsubscribe_url": site_url + reverse("newsletter:unsubscribe", args=[TOKEN_SLOT]),
        "preferences_url": site_url + reverse("newsletter:preferences", args=[TOKEN_SLOT]),
    }


def campaign_message(
    *,
    rendered: rendering.RenderedIssue,
    to: str,
    unsubscribe_url: str,
    preferences_url: str,
    mail_format: str = MailFormat.HTML,
    message_id: str | None = None,
) -> CampaignMessage:
    """Personalise the rendered issue for one address and add the list headers.

    Every campaign message carries List-Unsubscribe (HTTPS, signed token) and
    List-Unsubscribe-Post (RFC 8058 one-click), so mail clients offer a working button.
    """
    links = {
        rendering.UNSUBSCRIBE_URL: unsubscribe_url,
        rendering.PREFERENCES_URL: preferences_url,
    }
    message = CampaignMessage(
        subject=rendered.subject,
        body=_personalise(rendered.text, links),
        from_email=settings.NEWSLETTER_FROM_EMAIL,
        to=[to],
        headers={
            "Message-ID": message_id or make_msgid(domain=site_domain()),
            "List-Id": list_id(),
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    if mail_format == MailFormat.HTML:
        message.attach_alternative(_personalise(rendered.html, links), "text/html")
    return message


def _personalise(text: str, links: dict[str, str]) -> str:
    for placeholder, value in links.items():
        text = text.replace(placeholder, value)
    return text


def newsletter_mailer():
    """A new connection of the "newsletter" mailer when configured, else the default one."""
    return mailers.get("newsletter", mailers.default)
