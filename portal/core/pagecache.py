"""The anonymous page cache: public pages served from Redis, dropped at the first change.

Anonymous visitors without a session get the same pages, so a GET whose response is
the same for all of them (status 200, no cookie set, no flash message, not an htmx
fragment) is stored under the path and the query string, with the version number it was
made under: one Redis round trip reads both the current number and the page. A page with
a form is stored with a slot where its CSRF token was, and each visitor served from the
cache gets their own token in it (and the cookie that goes with it). Saving or
deleting any model a public page shows bumps the version (signals, connected in
CoreConfig.ready()), so an edit is visible at once; a timeout bounds what a write
outside the ORM's signals (a queryset update) could leave behind. Signed-in people
are never served from, nor stored in, the cache.
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.utils.cache import patch_cache_control

VERSION_KEY = "pagecache:version"
# Models whose rows never show on a public page: their writes keep the cache.
# Among them the frequent writes of a working day: sign-ins (last_login), public forms
# (consents, requests to join), check-ins, and the whole of the dues.
IGNORED_MODELS = frozenset({
    "core.auditentry", "core.consentrecord", "core.user",
    "members.membershiprequest", "members.invoice", "members.creditnote", "members.payment",
    "members.reminder", "members.duescampaign", "members.documentsequence",
    "events.attendance", "events.headcount", "events.evaluation",
    "infodoc.statuschange", "infodoc.requestcounter", "infodoc.loan",
    "newsletter.delivery", "newsletter.subscriber",
    "sessions.session", "admin.logentry", "account.emailaddress", "account.emailconfirmation",
})  # fmt: skip
# Apps whose models public pages show (the rest: accounts, sessions, Celery...).
PUBLIC_APPS = frozenset({"core", "members", "events", "publications", "infodoc", "newsletter"})
NEVER_CACHED = ("/admin/", "/espace/", "/comptes/", "/direction/", "/healthz", "/media/")
# What {% csrf_token %} writes, and where a stored page keeps a slot for the visitor's token.
TOKEN_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[a-zA-Z0-9]{64}(")')
TOKEN_SLOT = b"\x00csrf-token\x00"
TOKEN_LIKE = re.compile(rb"[a-zA-Z0-9]{64}")


def _version_start() -> int:
    cache.add(VERSION_KEY, 1, timeout=None)
    return cache.get(VERSION_KEY, 1)


def page_cache_invalidate(**_signal_kwargs) -> None:
    """Make every cached page stale (the next visitor gets a fresh one)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: nothing is cached under one
        cache.add(VERSION_KEY, 1, timeout=None)


def model_changed(sender, **kwargs) -> None:
    """Receiver of post_save, post_delete and m2m_changed for every model."""
    label = sender._meta.label_lower
    if sender._meta.app_label in PUBLIC_APPS and label not in IGNORED_MODELS:
        page_cache_invalidate()


def _key(request) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"pagecache:{request.method}:{digest}"


def _lookup(key: str) -> tuple[int, tuple | None]:
    """The current version, and the page stored under `key` if it was made under it."""
    found = cache.get_many([VERSION_KEY, key])
    current = found.get(VERSION_KEY)
    if current is None:
        return _version_start(), None
    stored = found.get(key)
    if stored is None or stored[0] != current:
        return current, None
    return current, stored[1:]


def _messages_pending(request) -> bool:
    """Whether a flash message waits for this visitor (in the messages cookie or the
    session, or added by this request): their page must be made for them, to show it.

    Counting loads the stored messages without marking them read, so the page rendered
    next still shows them (and clears them)."""
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _eligible(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        # A visitor with a session (a request just sent, a registration) may see pages
        # made for them: never shared, never served from the shared copy.
        and request.session.is_empty()
        and "HTTP_HX_REQUEST" not in request.META
        and not request.path.startswith(NEVER_CACHED)
        # The page after a form's redirect says what happened: never the shared copy.
        and not _messages_pending(request)
    )


def _storable(request, response) -> bool:
    messages = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not (messages is not None and messages.used)
        and not _messages_pending(request)
        and "private" not in response.get("Cache-Control", "")
    )


def _with_token_slots(request, content: bytes) -> bytes | None:
    """The page with each CSRF token input turned into a slot; None when the visitor's
    token also shows elsewhere (a script, an attribute): such a page is never shared."""
    if not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return content  # the page used no token
    secret = request.META["CSRF_COOKIE"]
    content = TOKEN_INPUT.sub(rb"\1" + TOKEN_SLOT + rb"\2", content)
    if secret.encode() in content:
        return None
    for candidate in TOKEN_LIKE.findall(content):
        # Django's own unmasking (private, but the only way to recognise a masked token).
        if _unmask_cipher_token(candidate.decode()) == secret:
            return None
    return content


def _served(request, content: bytes, content_type: str) -> HttpResponse:
    if TOKEN_SLOT in content:
        # get_token() makes the CSRF middleware send this visitor's cookie with the page.
        content = content.replace(TOKEN_SLOT, get_token(request).encode())
    response = HttpResponse(content, content_type=content_type)
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        patch_cache_control(response, private=True)
    response["X-Page-Cache"] = "hit"
    return response


class PageCacheMiddleware:
    """Place it after the authentication, message and CSP middlewares: a cached page
    still goes out through them (security headers are added to every response)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _eligible(request):
            return self.get_response(request)
        key = _key(request)
        current, stored = _lookup(key)
        if stored is not None:
            return _served(request, *stored)
        response = self.get_response(request)
        if _storable(request, response):
            content = _with_token_slots(request, response.content)
            if content is not None:
                page = (current, content, response["Content-Type"])
                cache.set(key, page, settings.PAGE_CACHE_SECONDS)
                response["X-Page-Cache"] = "miss"
        return response
