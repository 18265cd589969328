"""Browser journey of issue 20's search and media points: the agenda searched by a theme and
in inclusive writing, the feed links, a podcast played in its page with its transcript, an
info-doc request followed up to its answer, a Q&A page and the Q&A search. axe-core runs
on every page at desktop and phone widths."""

from __future__ import annotations

import io
import re
import wave
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from events.models import Action, ActionFormat, ActionStatus, Session
from infodoc.models import InfoRequest, RequestStatus
from infodoc.services.intake import follow_token
from portal.core.models import Theme
from publications.models import Publication, PublicationKind, PublicationStatus
from tests.infodoc.factories import InfoRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _wav() -> bytes:
    """Half a second of silence: a real audio file Chromium can load."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 4000)
    return buffer.getvalue()


def _session(title: str, *, theme: Theme | None = None, slug: str) -> Session:
    action = Action.objects.create(
        title=title,
        slug=slug,
        summary="Un temps d'échanges entre pairs.",
        format=ActionFormat.PEER_GROUP,
        status=ActionStatus.PUBLISHED,
    )
    if theme:
        action.themes.add(theme)
    starts = timezone.now() + timedelta(days=12)
    return Session.objects.create(
        action=action, starts_at=starts, ends_at=starts + timedelta(hours=3), venue="Cergy"
    )


@pytest.fixture
def data(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    health, _ = Theme.objects.get_or_create(name="Santé", defaults={"slug": "sante"})
    _session("Groupe de pairs des coordinations", theme=health, slug="groupe-pairs")
    _session("Les habitant·es et la ville", slug="habitantes-ville")
    _session("Emploi et insertion", slug="emploi-insertion")

    podcast = Publication.objects.create(
        title="La voix des quartiers, épisode 3",
        slug="voix-des-quartiers-3",
        kind=PublicationKind.PODCAST,
        summary="Trois habitantes racontent leur quartier.",
        status=PublicationStatus.PUBLISHED,
        published_on=timezone.localdate() - timedelta(days=2),
        transcript="Bonjour à toutes et à tous, bienvenue dans La voix des quartiers.",
    )
    podcast.media_file.save("episode-3.wav", ContentFile(_wav()), save=True)

    answered = InfoRequestFactory(
        status=RequestStatus.ANSWERED,
        question="Auriez-vous des exemples de budgets participatifs ?",
        answer="Voici trois dossiers sur les budgets participatifs.",
    )
    InfoRequest.objects.filter(pk=answered.pk).update(
        is_public=True,
        public_question="Comment associer les habitant·es à un budget participatif ?",
        public_answer="En ouvrant des ateliers dans chaque quartier.",
    )
    return {"follow": f"/infodoc/suivi/{follow_token(answered)}/"}


def _search(page, text: str) -> None:
    box = page.get_by_role("main").get_by_role("searchbox").first
    box.fill(text)
    box.press("Enter")
    page.wait_for_url(lambda url: urlencode({"q": text}) in url)


def _titles(page) -> list[str]:
    return [title.strip() for title in page.locator(".session-list h3").all_inner_texts()]


def test_search_feeds_media_and_questions(live_server, page, data, assert_accessible_at_widths):
    # The agenda, searched by a theme and in inclusive writing.
    page.goto(live_server.url + "/agenda/")
    feed = page.get_by_role("link", name=re.compile("Suivre l.agenda"))
    assert feed.is_visible()
    assert feed.get_attribute("href") == "/agenda/flux.xml"
    assert page.locator('head link[type="application/rss+xml"]').count() == 1
    assert_accessible_at_widths(page)

    _search(page, "santé")
    assert page.get_by_text("Groupe de pairs des coordinations").first.is_visible()
    assert page.get_by_text("Les habitant·es et la ville").count() == 0
    assert page.get_by_text("Emploi et insertion").count() == 0
    assert_accessible_at_widths(page)

    _search(page, "habitants")
    assert page.get_by_text("Les habitant·es et la ville").first.is_visible()
    assert page.get_by_text("Groupe de pairs des coordinations").count() == 0
    assert_accessible_at_widths(page)

    # The publications: the feed link, then the podcast played in its page.
    page.goto(live_server.url + "/publications/")
    feed = page.get_by_role("link", name="Suivre les nouvelles publications (flux RSS)")
    assert feed.is_visible()
    assert page.locator('head link[type="application/rss+xml"]').count() == 1
    assert_accessible_at_widths(page)

    page.get_by_role("link", name="La voix des quartiers, épisode 3").first.click()
    page.wait_for_url("**/publications/voix-des-quartiers-3/")
    audio = page.locator("audio[controls]")
    assert audio.is_visible()
    # The file comes from the portal (CSP media from 'self') and the browser reads it.
    page.wait_for_function("document.querySelector('audio').readyState >= 1", timeout=10_000)
    assert page.evaluate("document.querySelector('audio').duration") == pytest.approx(0.5, 0.1)
    transcript = page.get_by_text("Bonjour à toutes et à tous")
    assert not transcript.is_visible()
    page.get_by_text("Transcription", exact=True).click()
    assert transcript.is_visible()
    assert_accessible_at_widths(page)

    # An info-doc request followed through its signed link: question, then answer.
    page.goto(live_server.url + data["follow"])
    assert page.get_by_role("heading", name="Votre question").is_visible()
    assert page.get_by_text("Auriez-vous des exemples de budgets participatifs ?").is_visible()
    assert page.get_by_role("heading", name="Notre réponse").is_visible()
    assert page.get_by_text("Voici trois dossiers sur les budgets participatifs.").is_visible()
    assert_accessible_at_widths(page)

    # A published Q&A has its page; the Q&As are searched.
    page.goto(live_server.url + "/infodoc/")
    assert_accessible_at_widths(page)
    question = "Comment associer les habitant·es à un budget participatif ?"
    page.get_by_role("link", name=question).click()
    page.wait_for_url(re.compile(r".*/infodoc/questions-reponses/\d+-comment-associer-.*/$"))
    assert page.get_by_text("En ouvrant des ateliers dans chaque quartier.").is_visible()
    assert_accessible_at_widths(page)

    page.get_by_role("link", name="Toutes les questions-réponses").first.click()
    page.wait_for_url("**/infodoc/questions-reponses/")
    assert page.get_by_role("link", name=question).is_visible()
    assert_accessible_at_widths(page)
    _search(page, "habitants")
    assert page.get_by_role("link", name=question).is_visible()
    _search(page, "logement")
    assert page.get_by_role("link", name=question).count() == 0
    assert_accessible_at_widths(page)
    assert not page.console_errors, page.console_errors
