"""The back office speaks French: every admin page, as staff and as director.

Each registered model's changelist, add, change, history and delete pages, and every
custom page the ModelAdmins add under /admin/, are rendered with the world of
tests/test_permissions.py (one object of every kind). The visible text of each page (no
tags, scripts, styles or attribute values) must hold no English msgid of the catalogue
that has a different French translation (a verbatim English msgid is a string left
untranslated), and no raw key: `invoice.issued`, `to_invoice`, `None`.

A msgid that French uses too (« Session », « Description ») cannot be told apart and is
not looked for. The world gets a history (statuses moved, records changed through the
services) so that the audit trail and the status histories have entries to show; that
every action the code logs has a French name is tests/core/test_audit.py's check.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.test import override_settings
from django.urls import NoReverseMatch
from django.utils import translation

from tests.test_permissions import (
    World,
    _build_world,
    all_patterns,
    expected_for,
    login_as,
    url_of,
)

BASE_DIR = Path(__file__).resolve().parent.parent
ROLES = ("staff", "director")


# The page's visible text ----------------------------------------------------------------


class _TextParser(HTMLParser):
    """The text a person reads: no tags, attribute values, scripts, styles or form data."""

    SKIPPED = {"script", "style", "template", "textarea", "noscript"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in {"br", "p", "div", "li", "tr", "td", "th", "option", "h1", "h2", "h3"}:
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1
        elif tag in {"td", "th", "li", "p", "div", "option", "label", "a", "button", "span"}:
            self.parts.append("\n")

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


# English strings and raw keys ------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\w*\}")


@cache
def english_patterns() -> list[tuple[str, re.Pattern]]:
    """The msgids a French page must never show: those of our catalogue translated
    differently, and those of the installed apps' catalogues with no French at all."""
    catalogues = [BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"]
    msgids: set[str] = set()
    for path in catalogues:
        for entry in polib.pofile(str(path)):
            if entry.obsolete or "fuzzy" in entry.flags:
                continue
            if entry.msgid_plural:
                translated = set(entry.msgstr_plural.values())
                msgids |= {m for m in (entry.msgid, entry.msgid_plural) if m not in translated}
            elif entry.msgstr and entry.msgstr != entry.msgid:
                msgids.add(entry.msgid)
    with translation.override("fr"):
        # Third-party strings with no French anywhere (import-export's « Select all »).
        for path in _third_party_catalogues():
            for entry in polib.pofile(str(path)).untranslated_entries():
                if translation.gettext(entry.msgid) == entry.msgid:
                    msgids.add(entry.msgid)
    french = _french_texts(catalogues)
    patterns = []
    for msgid in msgids:
        literal = PLACEHOLDER.split(msgid)
        if all(_said_in_french(part, french) for part in literal if part.strip()):
            continue  # « Session », « Description »: French words too
        words = re.findall(r"[A-Za-z]{2,}", " ".join(literal))
        if not words or "\n" in msgid:
            continue
        if len(literal) > 1 and not any(
            len(re.findall(r"[A-Za-z]{2,}", part)) >= 2 or re.search(r"[A-Za-z]{5}", part)
            for part in literal
        ):
            continue  # « %(first)s to %(last)s »: too little of it is English to tell
        body = r"[^\n]{1,80}?".join(re.escape(" ".join(part.split())) for part in literal)
        patterns.append((msgid, re.compile(rf"(?<![\w-]){body}(?![\w-])")))
    return sorted(patterns, key=lambda item: -len(item[0]))


def _french_texts(catalogues: list[Path]) -> str:
    """Every French translation, one a line: the words French uses too."""
    texts = []
    for path in [*catalogues, *_third_party_catalogues()]:
        for entry in polib.pofile(str(path)):
            texts += [entry.msgstr, *entry.msgstr_plural.values()]
    return "\n".join(" ".join(PLACEHOLDER.sub(" ", text).split()) for text in texts)


def _said_in_french(part: str, french: str) -> bool:
    phrase = re.escape(" ".join(part.split()))
    return re.search(rf"(?<!\w){phrase}(?!\w)", french, re.IGNORECASE) is not None


def _third_party_catalogues() -> list[Path]:
    from django.apps import apps

    paths = []
    for config in apps.get_app_configs():
        path = Path(config.path) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
        if path.exists() and not str(path).startswith(str(BASE_DIR / "locale")):
            paths.append(path)
    return paths


EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+|(?<!\w)/[\w./%?=&-]*")
SNAKE = re.compile(r"(?<![\w.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-])")
DOTTED = re.compile(r"(?<![\w.-])[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+(?![\w-])")
# The ends of file names and domains, not of keys.
NOT_KEYS = {"pdf", "csv", "xlsx", "xls", "ods", "zip", "xml", "ics", "json", "txt", "jpg",
            "png", "org", "fr", "com", "net", "test", "html",
            "mp3", "m4a", "ogg", "wav", "mp4", "webm"}  # fmt: skip


# Python's values printed as they are.
PYTHON_VALUES = re.compile(r"(?<![\w-])(?:None|True|False)(?![\w-])")
# Names that are not ours to change: the file INSEE publishes its populations in.
PROPER_NAMES = {"donnees_communes"}


def raw_keys(text: str) -> list[str]:
    text = EMAIL_OR_URL.sub(" ", text)
    found = [key for key in SNAKE.findall(text) if key not in PROPER_NAMES]
    found += [k for k in DOTTED.findall(text) if k.rsplit(".", 1)[1] not in NOT_KEYS]
    return found + PYTHON_VALUES.findall(text)


def findings(text: str) -> list[str]:
    problems = []
    for msgid, pattern in english_patterns():
        if pattern.search(text):
            problems.append(f"English: {msgid!r}")
    problems += [f"raw key: {key!r}" for key in raw_keys(text)]
    return problems


# The pages ------------------------------------------------------------------------------


def _history(world: World) -> None:
    """Statuses moved and records changed through the services, so that the audit trail,
    the status histories and the objects' « Journal » blocks have entries to read."""
    from events.services.attendance import headcount_record
    from events.services.registrations import session_capacity_change
    from infodoc.services.loans import loan_return
    from infodoc.services.requests import info_request_assign
    from members.models import ActorType
    from members.services.memberships import membership_cancel
    from newsletter.services.campaigns import issue_back_to_draft, issue_mark_ready
    from newsletter.services.subscribers import UNSUBSCRIBE_STAFF, subscriber_unsubscribe
    from portal.core.models import Department
    from publications.services import publication_publish, publication_withdraw
    from tests.members.factories import MembershipFactory, OrganisationFactory
    from tests.newsletter.factories import IssueFactory

    staff, objects = world.users["staff"], world.objects
    publication = objects["publications.publication"]
    publication_withdraw(publication=publication, actor=staff)
    publication_publish(publication=publication, actor=staff)
    issue = IssueFactory()
    issue_back_to_draft(issue=issue, actor=staff)
    issue_mark_ready(issue=issue, actor=staff)
    subscriber_unsubscribe(
        subscriber=objects["newsletter.subscriber"], source=UNSUBSCRIBE_STAFF, actor=staff
    )
    session = objects["events.session"]
    session_capacity_change(session=session, capacity=1200, actor=staff)
    headcount_record(
        session=session, department=Department.objects.first(), actor_type=ActorType.ELECTED,
        count=2500, actor=staff,
    )  # fmt: skip
    info_request_assign(request=objects["infodoc.inforequest"], assignee=staff, actor=staff)
    loan_return(loan=objects["infodoc.loan"], actor=staff)
    leaving = MembershipFactory(organisation=OrganisationFactory(name="Association partie"))
    membership_cancel(membership=leaving, actor=staff, reason="Départ")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db import transaction

    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    media.enable()
    with django_db_blocker.unblock(), transaction.atomic():
        built = _build_world()
        _history(built)
        yield built
        transaction.set_rollback(True)
    media.disable()


def admin_pages():
    """Every admin URL pattern a GET of staff or director may open."""
    return [p for p in all_patterns() if p.route.startswith("admin/")]


PAGES = admin_pages()


@pytest.mark.parametrize("pattern", PAGES, ids=[p.key for p in PAGES])
def test_admin_page_is_french(world, db, pattern):
    expected = expected_for(pattern, world)
    try:
        url = url_of(world, pattern)
    except (AssertionError, KeyError, NoReverseMatch):
        pytest.skip(f"{pattern.key}: no URL to build; tests/test_permissions.py must list it")
    # A page not in the permission matrix yet (its test fails there) is read if it opens.
    answers = dict(zip(ROLES, expected[3:], strict=True)) if expected else {}
    problems = []
    for role in ROLES:
        response = login_as(role, world).get(url)
        if answers.get(role, 200) != 200 or (not answers and response.status_code != 200):
            continue
        assert response.status_code == 200, f"{url} as {role}: {response.status_code}"
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        text = visible_text(response.content.decode())
        problems += [f"{role}: {problem}" for problem in findings(text)]
    assert not problems, f"{url}:\n" + "\n".join(sorted(set(problems)))
