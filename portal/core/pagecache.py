"""The anonymous page cache: public pages served from Redis, dropped at the first change
and rendered again at once.

Anonymous visitors without a session get the same pages, so a GET whose response is
the same for all of them (status 200, no cookie set, no flash message, not an htmx
fragment) is stored under the path and the query string, with the version number it was
made under: one Redis round trip reads both the current number and the page.

What differs from one visitor or one minute to the next is filled in each time a stored
page is served:

- the CSRF token: a page with a form is stored with a slot where its token was, and each
  visitor gets their own token in it (and the cookie that goes with it);
- live fragments: what changes too often to drop every page for it (a session's seats
  left and registration state). A template writes only a marker, e.g.
  ``<!--live:session-state:42--><!--/live-->`` (live_fragment()), and the app registers
  the function that renders its kinds (live_register(), from its AppConfig.ready()).
  Every response leaving this middleware, made now or served from the cache, has its
  markers filled: each renderer is called once with every fragment of its kinds on the
  page, and reads their data with live_rows(): kept in each process until a write of the
  row commits (live_row_changed() counts them in Redis), so no more round trip while no
  live write commits, and one query for the rows changed.
  So what holds a marker can itself be kept (a session's card, in the fragments cache)
  and still show the seats of now. A page without a marker costs one substring test.

Each app names, in its AppConfig's ``public_models``, the models its public pages show.
Saving or deleting one of them (or changing one of their many-to-many links) bumps the
version once the transaction commits, once per transaction: a visitor between the write
and the commit cannot store the old page under the new number. A new row that no page
shows yet (a request not published, an organisation nothing links to yet) bumps nothing:
its model says so with a `shown_when_created()` method, asked on creation only (its
later changes and its deletion bump as usual). Bulk writes send no signal: the code
making them calls page_cache_invalidate(). A timeout bounds what any other write outside
the ORM's signals could leave behind. Signed-in people are never served from, nor stored
in, the cache.

Once the version is bumped, a Celery task (page_cache_refresh()) renders again the pages
a change affects, as an anonymous visitor through Django's request handler, so that the
next visitor is served from the cache: the home page and the pages each app names in its
AppConfig's ``warm_pages``, and the page of each row the transaction changed (its
get_absolute_url()).

The cache talks to Redis (the cache's server, the cache's timeouts) through one redis-py
client: a page served from the cache costs one round trip (the page, the version and the
count of live writes), and a second one for its live fragments only after a live write
committed (the write counters of its rows).
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import redis
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.handlers.base import BaseHandler
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.safestring import SafeString

PREFIX = "portal:pagecache:"
VERSION_KEY = PREFIX + "version"
# Moves on with every committed write of live data, of any row (live_row_changed()).
LIVE_WRITES_KEY = PREFIX + "live:writes"
NEVER_CACHED = ("/admin/", "/espace/", "/comptes/", "/direction/", "/healthz", "/media/")
# What {% csrf_token %} writes, and where a stored page keeps a slot for the visitor's token.
TOKEN_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[a-zA-Z0-9]{64}(")')
TOKEN_SLOT = b"\x00csrf-token\x00"
# The shape of a masked CSRF token: 64 letters and digits in a row.
TOKEN_LIKE = re.compile(rb"[a-zA-Z0-9]{64}")

# "app_label.modelname" of every model some public page shows (filled by install()).
public_models: frozenset[str] = frozenset()
# The URL names (with a query string or not) of the pages rendered again after every
# change: the home page and those each app names in its AppConfig's `warm_pages`.
HOME = "core:home"
warm_pages: tuple[str, ...] = ()
# Pages of changed rows rendered again after one change, at most.
MAX_CHANGED_PAGES = 20


@functools.cache
def redis_client() -> redis.Redis:
    """The cache's Redis, one client per process, for what Django's cache API lacks: the
    page cache's MGET and counters, the rate limits' script."""
    config = settings.CACHES["default"]
    return redis.Redis.from_url(config["LOCATION"], **config.get("OPTIONS", {}))


def _version_started(client: redis.Redis) -> bytes:
    """A new counter, when Redis lost it: a number nothing lost with it was kept under."""
    client.set(VERSION_KEY, time.time_ns(), nx=True)
    return client.get(VERSION_KEY)


# Writes of public models by this process, counted in content_version().
_local_writes = 0
# The committed version read once per request: PageCacheMiddleware opens the scope (and
# fills it when its page lookup has read the version), and closes it with the request.
_request_scope = threading.local()


def _committed_version() -> bytes:
    version = getattr(_request_scope, "version", None)
    if version is None:
        client = redis_client()
        version, live_writes = client.mget(VERSION_KEY, LIVE_WRITES_KEY)
        version = version or _version_started(client)
        if getattr(_request_scope, "open", False):
            _request_scope.version = version
            _request_scope.live_seen = (version, live_writes)  # for live_rows()
    return version


def content_version() -> str:
    """Where the public content stands, to key what is kept for it (the site's settings,
    the reference data of portal.core.reference, the template fragments cached
    `using="fragments"`): the version, which every commit moves on, read from Redis once
    per request, and this process's own writes, so that the process that writes reads its
    writes at once."""
    return _with_local_writes(_committed_version())


def _with_local_writes(committed: bytes) -> str:
    return f"{committed.decode()}.{_local_writes}"


def kept_while_unchanged[T](load: Callable[[], T]) -> Callable[[], T]:
    """`load` made to run once per content version in each process: for the rows many
    pages show and few writes change (the site's settings, the themes and départements,
    the links of actions and publications to them).

    What it read is kept under the version read before it, so a change committed
    meanwhile makes the next call read again; the process's own writes while it ran (the
    site's settings created with their defaults) are part of what it read."""
    kept: tuple[str | None, T | None] = (None, None)

    @functools.wraps(load)
    def current() -> T:
        nonlocal kept
        committed = _committed_version()
        version = _with_local_writes(committed)
        if kept[0] != version:
            value = load()
            if _committed_version() == committed:
                version = _with_local_writes(committed)
            kept = (version, value)
        return kept[1]

    return current


# Invalidation --------------------------------------------------------------------


class _Invalidation:
    """The version bump of one transaction, and the rows it changed whose pages to render
    again. Each write schedules it after the commit (transaction.on_commit), so a
    rolled-back savepoint takes away only its own writes' callbacks; the first callback
    to run bumps and enqueues the refresh, the others find it done."""

    done = False

    def __init__(self) -> None:
        # ("app_label.modelname", pk) of the rows changed, in order, without repeats.
        self.changed: dict[tuple[str, int], None] = {}

    def run(self) -> None:
        if not self.done:
            self.done = True
            version = redis_client().incr(VERSION_KEY)
            if settings.PAGE_CACHE_SECONDS > 0:
                from portal.core.tasks import page_cache_refresh_task

                page_cache_refresh_task.delay(version, list(self.changed))


# Per database alias, this thread's invalidation not yet run (its transaction's, or one
# a rollback dropped, which the next transaction reuses: the rows the rollback undid
# then have their pages rendered for nothing).
_pending = threading.local()


def page_cache_invalidate(*, using: str = DEFAULT_DB_ALIAS, changed=None) -> None:
    """Make every cached page stale once the current transaction commits (at once
    outside a transaction); one bump per transaction, however many calls. The page of
    the `changed` row (its get_absolute_url()) is rendered again with the others."""
    invalidation = getattr(_pending, using, None)
    if invalidation is None or invalidation.done:
        invalidation = _Invalidation()
        setattr(_pending, using, invalidation)
    if hasattr(changed, "get_absolute_url") and len(invalidation.changed) < MAX_CHANGED_PAGES:
        invalidation.changed[changed._meta.label_lower, changed.pk] = None
    # Robust: the write is committed whatever Redis or the broker answers; the timeout
    # bounds the rest.
    transaction.on_commit(invalidation.run, using=using, robust=True)


def model_changed(
    sender, instance=None, created: bool = False, using: str = DEFAULT_DB_ALIAS, **kwargs
) -> None:
    """Receiver of post_save, post_delete and m2m_changed for every model."""
    # A many-to-many link belongs to the model that declares the field.
    global _local_writes
    model = sender._meta.auto_created or sender
    if model._meta.label_lower not in public_models:
        return
    if created and hasattr(instance, "shown_when_created") and not instance.shown_when_created():
        return
    _local_writes += 1
    page_cache_invalidate(
        using=using, changed=None if kwargs["signal"] is post_delete else instance
    )


def install() -> None:
    """Read each app's `public_models` and `warm_pages`, and listen to the writes of
    those models (CoreConfig.ready())."""
    global public_models, warm_pages
    public_models = frozenset(
        config.get_model(name)._meta.label_lower  # LookupError on a misspelt name
        for config in apps.get_app_configs()
        for name in getattr(config, "public_models", ())
    )
    warm_pages = (
        HOME,
        *(name for config in apps.get_app_configs() for name in getattr(config, "warm_pages", ())),
    )
    post_save.connect(model_changed, dispatch_uid="core.pagecache.save")
    post_delete.connect(model_changed, dispatch_uid="core.pagecache.delete")
    m2m_changed.connect(model_changed, dispatch_uid="core.pagecache.m2m")


# Live fragments ------------------------------------------------------------------

LIVE_MARK = b"<!--live:"
# How long live data is kept at most (live_rows()).
LIVE_ROW_SECONDS = 3600
LIVE_FRAGMENT = re.compile(rb"<!--live:([a-z-]+):(\d+)-->.*?<!--/live-->", re.DOTALL)

# A kind of fragment and the id of what it shows, e.g. ("session-state", 42).
LiveKey = tuple[str, int]
# Given the keys of a page's fragments of its kinds, their HTML now (their data read
# with live_rows()); a key left out keeps what the page shows.
LiveRenderer = Callable[[list[LiveKey]], dict[LiveKey, str]]

_live_renderers: dict[str, LiveRenderer] = {}


def live_register(kinds: Iterable[str], renderer: LiveRenderer) -> None:
    """Let `renderer` render the live fragments of these kinds on every page."""
    for kind in kinds:
        _live_renderers[kind] = renderer


def live_fragment(kind: str, pk: int, html: str) -> SafeString:
    """`html` (escaped unless safe) marked as a live fragment of this kind and id."""
    return format_html("<!--live:{}:{}-->{}<!--/live-->", kind, pk, html)


def _live_key(name: str, pk: int) -> str:
    """The Redis counter of a row's committed writes (live_row_changed())."""
    return f"{PREFIX}live:{name}:{pk}:writes"


# The live data this process read last: {(name, pk): (stamp, seen, monotonic expiry,
# row)}; `seen` is the content version and LIVE_WRITES_KEY when it was last known current.
_live_kept: dict[tuple[str, int], tuple[bytes, tuple, float, dict]] = {}
# Rows kept at most; past it, what is kept is forgotten and read again when shown.
LIVE_KEPT_MAX = 10_000


def live_rows(
    name: str, ids: Iterable[int], load: Callable[[list[int]], dict[int, dict]]
) -> dict[int, dict]:
    """The live data of these rows: kept in this process until a write of the row commits
    (live_row_changed()) or the content version moves on; the rows not kept come from
    `load` (one query). A row may say how long it holds whatever is written (`seconds`,
    e.g. until the clock changes its state).

    A request reads the version and the count of all live writes with its first look at
    the content (the page cache's lookup, or content_version()): while neither moved on
    since a row was known current, it is taken with no more round trip. Else
    one round trip reads each row's own write counter, and each row is stamped with it
    as read before `load`: a write committed meanwhile moves it on, so what was read
    before it is never taken for current."""
    ids = list(dict.fromkeys(ids))
    now = time.monotonic()
    rows = {}
    seen = getattr(_request_scope, "live_seen", None)
    if seen is not None:
        for pk in ids:
            _stamp, kept_seen, expiry, row = _live_kept.get((name, pk), (b"", (), 0.0, None))
            if kept_seen == seen and expiry > now:
                rows[pk] = row
        if len(rows) == len(ids):
            return rows
    unsure = [pk for pk in ids if pk not in rows]
    values = redis_client().mget(
        [VERSION_KEY, LIVE_WRITES_KEY, *(_live_key(name, pk) for pk in unsure)]
    )
    version, seen = values[0] or b"", (values[0], values[1])
    stamps = {}
    for pk, writes in zip(unsure, values[2:], strict=True):
        stamps[pk] = version + b":" + (writes or b"0")
        stamp, _seen, expiry, row = _live_kept.get((name, pk), (b"", (), 0.0, None))
        if stamp == stamps[pk] and expiry > now:
            _live_kept[name, pk] = (stamp, seen, expiry, row)
            rows[pk] = row
    missing = [pk for pk in unsure if pk not in rows]
    if missing:
        if len(_live_kept) > LIVE_KEPT_MAX:
            _live_kept.clear()
        for pk, row in load(missing).items():
            seconds = min(row.pop("seconds", None) or LIVE_ROW_SECONDS, LIVE_ROW_SECONDS)
            _live_kept[name, pk] = (stamps[pk], seen, now + seconds, row)
            rows[pk] = row
    return rows


def live_row_changed(name: str, pk: int, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Once the current transaction commits, the row's kept live data is read again."""

    def count() -> None:
        redis_client().pipeline(transaction=False).incr(_live_key(name, pk)).incr(
            LIVE_WRITES_KEY
        ).execute()

    transaction.on_commit(count, using=using, robust=True)


def _live_filled(content: bytes) -> bytes:
    """The page with each live fragment rendered now."""
    by_renderer: dict[LiveRenderer, dict[LiveKey, None]] = defaultdict(dict)
    for match in LIVE_FRAGMENT.finditer(content):
        kind = match[1].decode()
        if kind in _live_renderers:
            by_renderer[_live_renderers[kind]][(kind, int(match[2]))] = None
    html: dict[LiveKey, str] = {}
    for renderer, keys in by_renderer.items():
        html.update(renderer(list(keys)))

    def fill(match: re.Match) -> bytes:
        now = html.get((match[1].decode(), int(match[2])))
        if now is None:
            return match[0]
        return b"<!--live:%s:%s-->%s<!--/live-->" % (match[1], match[2], now.encode())

    return LIVE_FRAGMENT.sub(fill, content)


# Serving -------------------------------------------------------------------------


def _key(request) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{PREFIX}{request.method}:{digest}"


def _lookup(key: str) -> tuple[bytes, bytes | None, tuple[bytes, str] | None]:
    """The current version, the count of live writes (LIVE_WRITES_KEY), and the page
    stored under `key` if it was made under that version."""
    client = redis_client()
    current, live_writes, stored = client.mget(VERSION_KEY, LIVE_WRITES_KEY, key)
    if current is None:
        return _version_started(client), live_writes, None
    if stored is None:
        return current, live_writes, None
    version, content_type, content = stored.split(b"\n", 2)
    if version != current:
        return current, live_writes, None
    return current, live_writes, (content, content_type.decode())


def _store(key: str, version: bytes, content: bytes, content_type: str) -> None:
    page = version + b"\n" + content_type.encode() + b"\n" + content
    redis_client().set(key, page, ex=settings.PAGE_CACHE_SECONDS)


def _messages_pending(request) -> bool:
    """Whether a flash message waits for this visitor (in the messages cookie or the
    session, or added by this request): their page must be made for them, to show it.

    Counting loads the stored messages without marking them read, so the page rendered
    next still shows them (and clears them)."""
    return len(get_messages(request)) > 0


def _eligible(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        # A visitor with a session may see pages made for them: never shared, never
        # served from the shared copy. (A form's thank-you page reads a cookie of its
        # own, portal.core.http.thanks_recall, and is never stored.)
        and request.session.is_empty()
        and "HTTP_HX_REQUEST" not in request.META
        and not request.path.startswith(NEVER_CACHED)
        # The page after a form's redirect says what happened: never the shared copy.
        and not _messages_pending(request)
    )


def _storable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not getattr(get_messages(request), "used", False)
        and not _messages_pending(request)
        and "private" not in response.get("Cache-Control", "")
    )


def _with_token_slots(request, content: bytes) -> bytes | None:
    """The page with each CSRF token input turned into a slot; None when the visitor's
    token may also show elsewhere: such a page is never shared.

    A token is masked afresh each time a page asks for it, so it cannot be recognised
    outside a form input: any other run of 64 letters and digits (the shape of a masked
    token), or the visitor's secret itself, keeps the page out of the cache."""
    if not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return content  # the page used no token
    content = TOKEN_INPUT.sub(rb"\1" + TOKEN_SLOT + rb"\2", content)
    if request.META["CSRF_COOKIE"].encode() in content or TOKEN_LIKE.search(content):
        return None
    return content


def _with_live_fragments(response):
    """The response with its live fragments rendered: the last step of every page."""
    if not response.streaming and LIVE_MARK in response.content:
        response.content = _live_filled(response.content)
    return response


def _served(request, content: bytes, content_type: str) -> HttpResponse:
    """The stored page, with this visitor's CSRF token and the live fragments filled in."""
    if LIVE_MARK in content:
        content = _live_filled(content)
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
        _request_scope.open = True
        try:
            return self._respond(request)
        finally:
            _request_scope.open = False
            _request_scope.version = _request_scope.live_seen = None

    def _respond(self, request):
        if not _eligible(request):
            return _with_live_fragments(self.get_response(request))
        key = _key(request)
        current, live_writes, stored = _lookup(key)
        _request_scope.version = current
        _request_scope.live_seen = (current, live_writes)  # for live_rows()
        if stored is not None:
            return _served(request, *stored)
        response = _with_live_fragments(self.get_response(request))
        if _storable(request, response):
            content = _with_token_slots(request, response.content)
            if content is not None:
                _store(key, current, content, response["Content-Type"])
                response["X-Page-Cache"] = "miss"
        return response


# Refresh -------------------------------------------------------------------------


def _anonymous_request(url: str):
    """A GET of `url` from a visitor without cookies, as it reaches the site (its
    address, and https behind the proxy when the site is served so)."""
    site = urlsplit(settings.SITE_URL)
    extra = {"HTTP_HOST": site.netloc}
    if site.scheme == "https" and settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        extra[header] = value
    return RequestFactory().get(url, secure=site.scheme == "https", **extra)


def _refreshed_urls(changed: Iterable[tuple[str, int]]) -> list[str]:
    urls = []
    for name in warm_pages:
        name, _, query = name.partition("?")
        urls.append(reverse(name) + (f"?{query}" if query else ""))
    for label, pk in changed:
        row = apps.get_model(label)._default_manager.filter(pk=pk).first()
        if row is not None:  # deleted since
            urls.append(row.get_absolute_url())
    return list(dict.fromkeys(urls))


def page_cache_refresh(*, version: int, changed: Iterable[tuple[str, int]] = ()) -> int:
    """Render into the cache the public pages a change made under `version` affects:
    the `warm_pages`, and the page of each `changed` row. Each goes through Django's
    request handler as an anonymous visitor's GET, so the PageCacheMiddleware stores it
    as it stores any page. A page already stored under `version` is skipped; when the
    version moves on, the refresh stops (the later change has its own). Returns the
    number of pages rendered."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return 0
    handler = BaseHandler()
    handler.load_middleware()
    rendered = 0
    for url in _refreshed_urls(changed):
        request = _anonymous_request(url)
        current, _live_writes, stored = _lookup(_key(request))
        if int(current) != version:
            break
        if stored is None:
            handler.get_response(request)
            rendered += 1
    return rendered
