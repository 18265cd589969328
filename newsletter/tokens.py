"""Signed tokens in the links of newsletter emails.

The management token (unsubscribe, preferences) never expires: a link in an issue
from three years ago must still unsubscribe. The confirmation token of the double
opt-in expires after CONFIRMATION_MAX_AGE.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

MANAGE_SALT = "newsletter.subscription"
CONFIRM_SALT = "newsletter.confirmation"
CONFIRMATION_MAX_AGE = timedelta(days=7)


def manage_token_make(subscriber_id: int) -> str:
    return signing.Signer(salt=MANAGE_SALT, sep=".").sign(str(subscriber_id))


def manage_token_read(token: str) -> int | None:
    """The subscriber id, or None if the token was tampered with."""
    try:
        return int(signing.Signer(salt=MANAGE_SALT, sep=".").unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def confirm_token_make(subscriber_id: int) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT, sep=".").sign(str(subscriber_id))


def confirm_token_read(token: str) -> int | None:
    """The subscriber id, or None if the token was tampered with or has expired."""
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT, sep=".").unsign(
            token, max_age=CONFIRMATION_MAX_AGE
        )
        return int(value)
    except (signing.BadSignature, ValueError):
        return None
