"""Writes with the page cache on and warm, a Celery worker running (load.serving()).

- Just after a registration: a visitor registers to an open session of the measured
  action through the public form (GET for the CSRF cookie and token, then POST, as a
  browser does); within 1 s another visitor, without cookies, requests the action page
  and the home page. Both must come back from the cache (X-Page-Cache: hit), the action
  page showing the new seats left in its live fragment of that session.
- Just after a content edit: the action's title changed through the ORM in this process
  (a committed change: the refresh task is queued on commit). Redis is polled every
  50 ms until the refresh task has stored the action page and the home page again; then
  one anonymous request of each must be a hit, the action page with the new title. The
  time from the commit is beside a cold render of the same page.
- A mixed load: wrk with a Lua script, 95 % anonymous GETs over the public pages and 5 %
  POSTs of the three public forms, each with a unique email address, in slices
  alternating with the trivial view's and with the same mix whose POSTs go to a minimal
  form (CSRF, one field, one row, a redirect: bench/urls.py), the floor any form's
  writes leave, and to the same form sending one mail through portal.core.mail (each
  public form sends one), the floor of the public forms. The rows written are counted
  afterwards.

Everything written here is deleted afterwards: a kept database stays as generated.
"""

from __future__ import annotations

import http.client
import re
import secrets
import time
from html import escape
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from bench.scale.load import TRIVIAL, alternated

EMAIL_PREFIX = "bench-write-"
# The forms limit the posts of one address per hour: each run writes with addresses of its own.
RUN = secrets.token_hex(3)
LIVE_STATE = re.compile(r"<!--live:session-state:(\d+)-->(.*?)<!--/live-->", re.DOTALL)
SESSION_CHOICE = re.compile(r'name="session" value="(\d+)"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([a-zA-Z0-9]{64})"')
POLL_SECONDS, POLL_LIMIT = 0.05, 5.0
AFTER_WRITE_LIMIT = 1.0  # seconds between the registration and the pages served from cache
# The mixed load's floors: the same mix with these forms in place of the public forms.
MINIMAL_WRITES = {"minimal": "/__bench__/write/", "minimal with a mail": "/__bench__/write-mail/"}


def _request(base: str, method: str, path: str, *, form=None, cookie: str = ""):
    """One request on a new connection: (status, headers, text), redirects not followed."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def csrf_pair(base: str, path: str) -> tuple[str, str]:
    """The CSRF cookie (as a Cookie header) and a form's token, from a GET of `path`."""
    from django.conf import settings

    _status, headers, text = _request(base, "GET", path)
    cookies = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    morsel = cookies.get(settings.CSRF_COOKIE_NAME)
    token = TOKEN.search(text)
    if morsel is None or token is None:
        raise RuntimeError(f"{path} gave no CSRF cookie and token")
    return f"{settings.CSRF_COOKIE_NAME}={morsel.value}", token.group(1)


def live_states(text: str) -> dict[int, str]:
    """The live fragment of each session's registration state on a page, by session id."""
    return {int(pk): " ".join(html.split()) for pk, html in LIVE_STATE.findall(text)}


def open_session(text: str) -> int:
    """The first session offered by an action page's registration form with a live state."""
    states = live_states(text)
    for pk in SESSION_CHOICE.findall(text):
        if int(pk) in states:
            return int(pk)
    raise RuntimeError("the action page offers no session to register to")


def forms(*, session: int, email: str, token: str) -> dict[str, dict[str, str]]:
    """The three public forms filled as a visitor does: {path suffix: fields}. The honeypot
    (`website`) stays empty and consent is ticked."""
    from infodoc.models import RequesterKind
    from members.models import ActorType

    common = {"csrfmiddlewaretoken": token, "website": "", "consent": "on", "email": email}
    return {
        "registration": {
            **common, "session": str(session), "first_name": "Camille", "last_name": "Banc",
            "actor_type": ActorType.OTHER.value,
        },
        "info-doc request": {
            **common, "first_name": "Camille", "last_name": "Banc",
            "requester_kind": RequesterKind.OTHER.value, "subject": "Données du quartier",
            "question": "Où trouver les chiffres de la politique de la ville de mon quartier ?",
        },
        "subscription": {**common, "actor_type": ActorType.OTHER.value},
    }  # fmt: skip


def form_paths(action_path: str) -> dict[str, str]:
    return {
        "registration": action_path,
        "info-doc request": "/infodoc/",
        "subscription": "/resonances/inscription/",
    }


def rows_written() -> dict[str, int]:
    """The rows the benchmark's forms created, by kind (their addresses start alike)."""
    from events.models import Registration
    from infodoc.models import InfoRequest
    from newsletter.models import Subscriber

    return {
        "registration": Registration.objects.filter(person__email__startswith=EMAIL_PREFIX).count(),
        "info-doc request": InfoRequest.objects.filter(
            person__email__startswith=EMAIL_PREFIX
        ).count(),
        "subscription": Subscriber.objects.filter(email__startswith=EMAIL_PREFIX).count(),
    }


def rows_last() -> dict[str, int]:
    """The last mail and audit entry before the writes: those after are the benchmark's."""
    from portal.core.models import AuditEntry, OutgoingMail

    return {
        model.__name__: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in (OutgoingMail, AuditEntry)
    }


def rows_delete(last: dict[str, int]) -> None:
    """Delete what the forms wrote (the people, their registrations and consents, the
    requests, the subscribers, the mails and audit entries after `last`), so that a kept
    database stays as generated (but for the info-doc requests' numbering)."""
    from events.models import Registration
    from infodoc.models import InfoRequest
    from members.models import Person
    from newsletter.models import Subscriber
    from portal.core.models import AuditEntry, ConsentRecord, OutgoingMail

    Registration.objects.filter(person__email__startswith=EMAIL_PREFIX).delete()
    InfoRequest.objects.filter(person__email__startswith=EMAIL_PREFIX).delete()
    Subscriber.objects.filter(email__startswith=EMAIL_PREFIX).delete()
    ConsentRecord.objects.filter(email__startswith=EMAIL_PREFIX).delete()
    Person.objects.filter(email__startswith=EMAIL_PREFIX).delete()
    OutgoingMail.objects.filter(pk__gt=last["OutgoingMail"]).delete()
    AuditEntry.objects.filter(pk__gt=last["AuditEntry"]).delete()


def after_registration(base: str, action_path: str) -> dict:
    """A registration through the form, then the action page and the home page."""
    _status, _headers, before = _request(base, "GET", action_path)
    session = open_session(before)
    cookie, token = csrf_pair(base, action_path)
    fields = forms(session=session, email=f"{EMAIL_PREFIX}{RUN}-after@example.org", token=token)
    status, _headers, _text = _request(
        base, "POST", action_path, form=fields["registration"], cookie=cookie
    )
    posted = time.perf_counter()
    action_status, action_headers, after = _request(base, "GET", action_path)
    home_status, home_headers, _home = _request(base, "GET", "/")
    seconds = time.perf_counter() - posted
    return {
        "status": status,
        "seconds": seconds,
        "action": action_headers.get("X-Page-Cache", "") if action_status == 200 else "",
        "home": home_headers.get("X-Page-Cache", "") if home_status == 200 else "",
        "before": live_states(before)[session],
        "after": live_states(after).get(session, ""),
    }


def _stored(path: str) -> bool:
    """Whether the page cache holds `path` under the current version (the refresh is done)."""
    from django.test import RequestFactory

    from portal.core import pagecache

    _version, _live_writes, stored = pagecache._lookup(pagecache._key(RequestFactory().get(path)))
    return stored is not None


def _title_set(action, title: str) -> float:
    """Save the action's title as an edit in the admin does; the commit's time."""
    from django.test import override_settings

    # This process runs with the page cache off: on, its commit queues the refresh task.
    with override_settings(PAGE_CACHE_SECONDS=300):
        action.title = title
        action.save()
    return time.perf_counter()


def _refreshed(paths: list[str], committed: float) -> float | None:
    """Seconds from `committed` until every path is stored again (None: not in POLL_LIMIT)."""
    while time.perf_counter() - committed <= POLL_LIMIT:
        if all(_stored(path) for path in paths):
            return time.perf_counter() - committed
        time.sleep(POLL_SECONDS)
    return None


def cold_render_ms(base: str, path: str, *, repeat: int = 5) -> float:
    """Median time of a request of `path` rendered afresh (a query string no one asked yet)."""
    times = []
    for number in range(repeat):
        started = time.perf_counter()
        _request(base, "GET", f"{path}{'&' if '?' in path else '?'}bench-cold={number}")
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[repeat // 2]


def after_edit(base: str, action_path: str) -> dict:
    """The action's title changed and committed: how soon its page and the home page are
    stored again, and whether the next anonymous requests are hits with the new title."""
    from events.models import Action

    action = Action.objects.get(slug=action_path.strip("/").split("/")[-1])
    title = action.title
    paths = [action_path, "/"]
    try:
        committed = _title_set(action, f"{title} (rev. bench)")
        seconds = _refreshed(paths, committed)
        states = {path: _request(base, "GET", path) for path in paths}
    finally:
        committed = _title_set(action, title)
        _refreshed(paths, committed)  # warm again for what follows
    status, headers, text = states[action_path]
    return {
        "seconds": seconds,
        "action": headers.get("X-Page-Cache", ""),
        "home": states["/"][1].get("X-Page-Cache", ""),
        "title_shown": status == 200 and escape(f"{title} (rev. bench)") in text,
        "reference_ms": cold_render_ms(base, action_path),
    }


MIX_SCRIPT = """
local gets = {%(gets)s}
local posts = {%(posts)s}
local cookie = "%(cookie)s"
local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("id", thread_count)
  table.insert(threads, thread)
end

function init(args)
  sent, posted, redirected, refused = 0, 0, 0, 0
end

function request()
  sent = sent + 1
  if sent %% 20 == 0 then
    posted = posted + 1
    local form = posts[(posted - 1) %% #posts + 1]
    local email = string.format("%(prefix)smix-%%d-%%d-%%d%%%%40example.org", slice, id, posted)
    local body = string.gsub(form.body, "EMAIL", function() return email end)
    return wrk.format("POST", form.path, {["Cookie"] = cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
  end
  return wrk.format("GET", gets[sent %% #gets + 1])
end

function response(status, headers, body)
  if status >= 300 and status < 400 then
    redirected = redirected + 1
  elseif status >= 400 or string.find(body, 'class="form-errors"', 1, true)
      or string.find(body, 'class="message error"', 1, true) then
    refused = refused + 1
  end
end

local summary_done = done
function done(summary, latency, requests)
  summary_done(summary, latency, requests)
  local p, r, f = 0, 0, 0
  for _, thread in ipairs(threads) do
    p = p + thread:get("posted")
    r = r + thread:get("redirected")
    f = f + thread:get("refused")
  end
  io.write(string.format("MIX %%d %%d %%d\\n", p, r, f))
end
"""


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mix_script(*, gets: list[str], posts: dict[str, dict], cookie: str) -> str:
    """The Lua of the mixed load: every 20th request a POST of the next form (EMAIL in its
    body becomes an address unique to the slice, the thread and the POST)."""
    return MIX_SCRIPT % {
        "gets": ", ".join(_lua(path) for path in gets),
        "posts": ", ".join(
            f"{{path = {_lua(path)}, body = {_lua(urlencode(fields))}}}"
            for path, fields in posts.items()
        ),
        "cookie": cookie,
        "prefix": f"{EMAIL_PREFIX}{RUN}-",
    }


def mix_counts(output: str) -> dict[str, int]:
    """The POSTs sent, redirected and refused, summed over the slices' MIX lines."""
    totals = {"posted": 0, "redirected": 0, "refused": 0}
    for line in output.splitlines():
        if line.startswith("MIX "):
            for key, value in zip(totals, map(int, line.split()[1:]), strict=True):
                totals[key] += value
    return totals


def mixed(base: str, pages: dict[str, str], *, duration: int) -> dict:
    """The mix in slices alternating with the trivial view, after one POST of each form
    checked to answer a redirect; the rows written, counted in the database."""
    action_path = pages["action page"]
    _status, _headers, text = _request(base, "GET", action_path)
    session = open_session(text)
    cookie, token = csrf_pair(base, action_path)  # one masked token serves every form
    paths = form_paths(action_path)
    checked = {}
    for kind, fields in forms(session=session, email=f"{EMAIL_PREFIX}{RUN}-check@example.org",
                              token=token).items():  # fmt: skip
        status, _headers, _text = _request(base, "POST", paths[kind], form=fields, cookie=cookie)
        checked[kind] = status
    # The references' POSTs: {kind: {path: fields}}.
    references = {
        kind: {path: {"csrfmiddlewaretoken": token, "email": "EMAIL"}}
        for kind, path in MINIMAL_WRITES.items()
    }
    for kind, path in MINIMAL_WRITES.items():
        fields = {"csrfmiddlewaretoken": token, "email": f"{EMAIL_PREFIX}{RUN}-check@example.org"}
        checked[kind], _headers, _text = _request(base, "POST", path, form=fields, cookie=cookie)
    if any(status != 302 for status in checked.values()):
        raise RuntimeError(f"a form did not redirect: {checked}")
    before = rows_written()
    posts = {
        paths[kind]: fields
        for kind, fields in forms(session=session, email="EMAIL", token=token).items()
    }
    gets = [path for label, path in pages.items() if label not in (TRIVIAL, "layout alone")]
    trivial, minimal, minimal_mail, mix = alternated(
        base,
        [pages[TRIVIAL], gets[0], gets[0], gets[0]],
        duration=duration,
        scripts={
            1: mix_script(gets=gets, posts=references["minimal"], cookie=cookie),
            2: mix_script(gets=gets, posts=references["minimal with a mail"], cookie=cookie),
            3: mix_script(gets=gets, posts=posts, cookie=cookie),
        },
    )
    time.sleep(1)  # the last POSTs wrk gave up on may still commit
    written = {kind: count - before[kind] for kind, count in rows_written().items()}
    return {
        "mix": mix,
        "trivial": trivial,
        "minimal": minimal,
        "minimal with a mail": minimal_mail,
        "counts": mix_counts(mix["output"]),
        "written": written,
    }
