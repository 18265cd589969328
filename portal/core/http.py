"""Facts about the request that need the deployment's knowledge (proxies), what a form's
thank-you page keeps of the visitor's submission, the one security header Django's
SecurityMiddleware does not set (Permissions-Policy), and the paths and bodies refused before
any view."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import BadRequest
from django.shortcuts import render

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


class RequestSizeMiddleware:
    """Answers 413 (the French page) to a body larger than its path may send, from the
    Content-Length header, before anything reads the body: REQUEST_MAX_MB everywhere, and
    in the back office the largest upload setting on top of it. Django never reads past
    Content-Length (nothing without it), so a chunked body is never read either: the
    reverse proxy's client_max_body_size bounds what it buffers."""

    STAFF_PREFIX = "/admin/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit_mb = settings.REQUEST_MAX_MB
        if request.path_info.startswith(self.STAFF_PREFIX):
            limit_mb += max(
                settings.PUBLICATION_MAX_UPLOAD_MB,
                settings.PUBLICATION_MAX_MEDIA_MB,
                settings.IMPORT_MAX_MB,
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        if length > limit_mb * 1024 * 1024:
            response = render(request, "413.html", {"limit_mb": limit_mb}, status=413)
            # The client may still be sending: it can read the answer without waiting for
            # the connection to close.
            response.headers["Content-Length"] = len(response.content)
            return response
        return self.get_response(request)
