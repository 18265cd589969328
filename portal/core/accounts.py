"""django-allauth, fitted to the portal: accounts are created by staff or by invitation, not
by sign-up, and the centre is named by its site settings.

Without django.contrib.sites allauth takes the request's host for the site's name: its mails
would greet "from 127.0.0.1:8000" and its pages would put that host in the layout's `site`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.utils.encoding import force_str

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
