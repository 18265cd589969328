"""Templated emails: a plain-text part always, an HTML part with its CSS inlined, in French."""

from __future__ import annotations

from collections.abc import Iterable

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from portal.core.models import SiteSettings


def email_build(
    *,
    template: str,
    context: dict,
    to: Iterable[str],
    subject: str | None = None,
    reply_to: Iterable[str] | None = None,
) -> EmailMultiAlternatives:
    """Render `<template>.txt` and `<template>.html` (extending emails/layout.html).

    Without `subject`, the subject is rendered from `<template>_subject.txt`. Rendering
    happens in the site's language, so messages sent by Celery are French too.
    """
    with translation.override(settings.LANGUAGE_CODE):
        context = {"site": SiteSettings.load(), "site_url": settings.SITE_URL, **context}
        if subject is None:
            subject = render_to_string(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}.txt", context)
        html = css_inline.inline(render_to_string(f"{template}.html", context))
    message = EmailMultiAlternatives(
        subject=" ".join(str(subject).split()),
        body=text,
        to=list(to),
        reply_to=list(reply_to) if reply_to else None,
    )
    message.attach_alternative(html, "text/html")
    return message


def email_send(**kwargs) -> None:
    """Build with email_build() and send through the default mailer."""
    email_build(**kwargs).send()
