"""Facts about the request that need the deployment's knowledge (proxies), what a form's
thank-you page keeps of the visitor's submission, the one security header Django's
SecurityMiddleware does not set (Permissions-Policy), and the paths refused before any view."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import BadRequest

# How long a thank-you page still shows what the visitor sent.
THANKS_SECONDS = 24 * 3600


def client_ip(request) -> str:
    """The visitor's address: REMOTE_ADDR, or behind TRUSTED_PROXIES proxies the address
    the outermost trusted proxy saw (counted from the right of X-Forwarded-For)."""
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [address for address in forwarded if address]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def thanks_remember(response, *, name: str, value) -> None:
    """Keep `value` (JSON) for the thank-you page the form redirects to, in a signed
    cookie: no session row to write for an anonymous visitor, whose other pages stay the
    shared ones of the page cache. The page reads it with thanks_recall()."""
    response.set_signed_cookie(
        name,
        json.dumps(value),
        salt=name,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def thanks_recall(request, *, name: str):
    """What thanks_remember() kept under `name`; None when absent, too old or tampered
    with. A page showing it is the visitor's own: never cache it (never_cache)."""
    kept = request.get_signed_cookie(name, default=None, salt=name, max_age=THANKS_SECONDS)
    try:
        return json.loads(kept) if kept else None
    except ValueError:
        return None


class PermissionsPolicyMiddleware:
    """Sets settings.PERMISSIONS_POLICY on every response (pages served from the page cache
    too: it sits outside it): the browser features no page of the portal uses stay off,
    even for a script that got in."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class NulPathMiddleware:
    """Answers 400 (the French page) to a path holding a NUL byte (%00), before any view:
    PostgreSQL refuses NUL in text, so a document number or a token taken from the path
    would otherwise fail in the query. Query strings and forms keep their own handling
    (a filter ignores the value, a field says it is invalid)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise BadRequest("NUL byte in the path")
        return self.get_response(request)
