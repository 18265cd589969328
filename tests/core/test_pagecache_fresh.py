"""No stale content: each public page, cached first, shows a write as soon as it is
committed: an edit of what the page shows, and on the pages listing sessions a
registration's seats. Before the refresh task has run (the page is rendered afresh) and
after it (the page it stored is served)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from events.models import ActionFormat
from events.services.registrations import registration_create
from newsletter.models import IssueStatus
from portal.core.tasks import page_cache_refresh_task
from tests.events.factories import SessionFactory
from tests.infodoc.factories import InfoRequestFactory
from tests.members.factories import PersonFactory
from tests.newsletter.factories import IssueFactory
from tests.publications.factories import PublicationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def site():
    session = SessionFactory(
        capacity=5,
        action__title="Rencontre des adultes-relais",
        action__format=ActionFormat.PEER_GROUP,
    )
    return SimpleNamespace(
        session=session,
        action=session.action,
        publication=PublicationFactory(title="Habiter les quartiers"),
        issue=IssueFactory(status=IssueStatus.SENT, title="Quartiers et transitions"),
        question=InfoRequestFactory(
            is_public=True,
            public_question="Comment monter un conseil citoyen ?",
            public_answer="Voici les étapes.",
        ),
        person=PersonFactory(),
    )


def _home(site) -> str:
    return "/"


def _agenda_filtered(site) -> str:
    return reverse("events:agenda") + f"?format={ActionFormat.PEER_GROUP}"


def _publication_search(site) -> str:
    return reverse("publications:list") + "?q=quartiers"


def _action_page(site) -> str:
    return site.action.get_absolute_url()


def _archive(site) -> str:
    return reverse("newsletter:archive")


def _publication_page(site) -> str:
    return site.publication.get_absolute_url()


def _infodoc_index(site) -> str:
    return reverse("infodoc:index")


def _action_renamed(site) -> str:
    site.action.title = "Rencontre régionale des adultes-relais"
    site.action.save()
    return site.action.title


def _action_summary_changed(site) -> str:
    site.action.summary = "Deux jours pour partager les pratiques de médiation."
    site.action.save()
    return site.action.summary


def _publication_renamed(site) -> str:
    site.publication.title = "Habiter et vivre les quartiers"
    site.publication.save()
    return "Habiter et vivre"  # the search marks the word it found


def _issue_renamed(site) -> str:
    site.issue.title = "Quartiers en transition"
    site.issue.save()
    return site.issue.title


def _question_reworded(site) -> str:
    site.question.public_question = "Comment faire vivre un conseil citoyen ?"
    site.question.save()
    return site.question.public_question


def _registered(site) -> str:
    registration_create(session=site.session, person=site.person)
    return "4 places restantes"


# The pages the refresh task renders (the filtered and searched ones are rendered by
# their next visitor).
REFRESHED = {_home, _action_page, _archive, _publication_page, _infodoc_index}

CASES = [
    (_home, _action_renamed),
    (_home, _registered),
    (_agenda_filtered, _action_renamed),
    (_agenda_filtered, _registered),
    (_publication_search, _publication_renamed),
    (_action_page, _action_summary_changed),
    (_action_page, _registered),
    (_archive, _issue_renamed),
    (_publication_page, _publication_renamed),
    (_infodoc_index, _question_reworded),
]


@pytest.mark.parametrize("refreshed", [False, True], ids=["before-refresh", "after-refresh"])
@pytest.mark.parametrize(
    ("page", "write"), CASES, ids=[f"{p.__name__[1:]}-{w.__name__[1:]}" for p, w in CASES]
)
def test_a_cached_page_shows_a_write_as_soon_as_it_is_committed(
    site, page, write, refreshed, monkeypatch, django_capture_on_commit_callbacks
):
    url = page(site)
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    monkeypatch.setattr(
        page_cache_refresh_task,
        "delay",
        page_cache_refresh_task if refreshed else lambda version, changed: None,
    )

    with django_capture_on_commit_callbacks(execute=True):
        shown = write(site)

    response = Client().get(url)
    assert shown in response.content.decode()
    if (refreshed and page in REFRESHED) or write is _registered:
        assert response["X-Page-Cache"] == "hit"
