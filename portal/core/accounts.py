"""django-allauth, fitted to the portal: accounts are created by staff or by invitation, not
by sign-up, the centre is named by its site settings, and failed sign-ins hold back the one
who guesses, not the owner of the address.

Without django.contrib.sites allauth takes the request's host for the site's name: its mails
would greet "from 127.0.0.1:8000" and its pages would put that host in the layout's `site`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.internal import ratelimit
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.html import format_html
from django.utils.translation import gettext as _

from portal.core.http import client_ip
from portal.core.mail import mail_queue
from portal.core.models import SiteSettings


@dataclass(frozen=True)
class CentreSite:
    """What allauth's templates read of a Site: the centre's name and the site's address."""

    name: str
    domain: str

    def __str__(self) -> str:
        return self.name


def centre_site() -> CentreSite:
    site = SiteSettings.load()
    return CentreSite(name=site.name, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def format_email_subject(self, subject: str) -> str:
        site = SiteSettings.load()
        return f"[{site.short_name or site.name}] {force_str(subject)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account mails (reset, sign-in code, address check) go through the durable mail
        path like every other message: recorded, then sent by the mail task."""
        context = {
            "request": allauth_context.request,
            "email": email,
            **context,
            "current_site": centre_site(),
            "site": SiteSettings.load(),
            "site_url": settings.SITE_URL,
        }
        mail_queue(self.render_mail(template_prefix, email, context))

    def get_client_ip(self, request) -> str:
        """allauth's per-IP limits count the visitor, not the reverse proxy (TRUSTED_PROXIES)."""
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """The `key` of allauth's "login_failed" limit: the address *and* the visitor's IP
        (allauth's own is the address alone, so anyone could lock its owner out). A password
        reset clears it through allauth, for the device that reset."""
        address = credentials.get("email", "").lower()
        return f"{address} {self.get_client_ip(request)}"

    def pre_authenticate(self, request, **credentials) -> None:
        """Refuse a password sign-in over "login_failed" (per IP and per address and IP) or
        over "login_failed_address", the ceiling per address from all IPs that makes a
        guesser spread over many. Only failures stay counted (allauth rolls back a success);
        the message points to the sign-in by emailed code, which no failure blocks."""
        by_device = ratelimit.consume(
            request,
            app="allauth.account",
            action="login_failed",
            key=self._get_login_attempts_cache_key(request, **credentials),
        )
        if not by_device:
            raise self._too_many_attempts(
                _(
                    "Too many attempts from this device. Try again in a few minutes, or "
                    '<a href="{url}">receive a sign-in code by email</a>.'
                )
            )
        by_address = ratelimit.consume(
            request,
            app="allauth.account",
            action="login_failed_address",
            key=credentials.get("email", "").lower(),
        )
        if not by_address:
            by_device.rollback()
            raise self._too_many_attempts(
                _(
                    "Too many failed attempts for this address: signing in with its password "
                    'is paused for a while. <a href="{url}">Receive a sign-in code by email</a> '
                    "to sign in now."
                )
            )
        by_device.usage.extend(by_address.usage)
        # What allauth's authenticate() rolls back when the password is right.
        self._login_failed_rl_usage = by_device

    @staticmethod
    def _too_many_attempts(message: str) -> forms.ValidationError:
        url = reverse("account_request_login_code")
        return forms.ValidationError(format_html(message, url=url), code="too_many_login_attempts")


class CentreSiteMiddleware:
    """Give allauth's pages the centre's settings as `site`, as every other page has.

    allauth's views put their own `site` (the request's host) in the context, which wins over
    the context processor; this puts the settings back before the response is rendered.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        context = response.context_data
        if context and "site" in context and not isinstance(context["site"], SiteSettings):
            context["site"] = SiteSettings.load()
        return response
