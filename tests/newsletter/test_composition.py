"""Composition of an issue: its four pages, the email (HTML and text) and the PDF."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone
from pypdf import PdfReader

from newsletter import rendering
from newsletter.models import BlockPage, IssueStatus
from newsletter.selectors.content import issue_content, issue_suggestions
from publications.models import PublicationKind, PublicationStatus
from tests.events.factories import SessionFactory
from tests.infodoc.factories import ResourceFactory
from tests.newsletter.factories import BlockFactory, IssueFactory, issue_with_content
from tests.publications.factories import PublicationFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://portail.example.org"
# The queries of issue_content: sessions, publications and their themes, blocks,
# the initiative with its themes and departments, resources.
CONTENT_QUERIES = 8


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


def test_pages_hold_what_staff_picked_in_reading_order():
    issue = IssueFactory(number=42)
    soon = timezone.now() + timedelta(days=3)
    later = SessionFactory(starts_at=soon + timedelta(days=20))
    first = SessionFactory(starts_at=soon)
    cancelled = SessionFactory(starts_at=soon + timedelta(days=1), is_cancelled=True)
    issue.sessions.add(later, first, cancelled)
    published = PublicationFactory()
    draft = PublicationFactory(status=PublicationStatus.DRAFT)
    issue.publications.add(published, draft)
    sheet = PublicationFactory(kind=PublicationKind.EXPERIENCE_SHEET)
    issue.initiative = sheet
    issue.save()
    book_b = ResourceFactory(kind="book", title="B livre")
    book_a = ResourceFactory(kind="book", title="A livre")
    site = ResourceFactory(kind="website", title="Z site")
    article = ResourceFactory(kind="article", title="A article")
    issue.resources.add(book_b, article, book_a, site)
    block = BlockFactory(issue=issue, page=BlockPage.ACTIVITY)
    local = BlockFactory(issue=issue, page=BlockPage.NEWS, scope="local")
    national = BlockFactory(issue=issue, page=BlockPage.NEWS, scope="national")

    content = issue_content(issue=issue)

    assert content.sessions == [first, later]
    assert content.publications == [published]
    assert content.activity_blocks == [block]
    assert content.national_news == [national]
    assert content.local_news == [local]
    assert content.initiative == sheet
    # Page 4: websites, radio, books, reports, articles; then by title.
    assert content.resources == [site, book_a, book_b, article]
    assert [group.kind for group in content.resource_groups] == ["website", "book", "article"]


@pytest.mark.parametrize("size", [1, 6])
def test_content_reads_a_fixed_number_of_queries(size, django_assert_num_queries):
    issue = issue_with_content(sessions=size, publications=size, resources=size)

    with django_assert_num_queries(CONTENT_QUERIES):
        content = issue_content(issue=issue)
        for publication in [*content.publications, content.initiative]:
            list(publication.themes.all())
        list(content.initiative.departments.all())
        [session.action.title for session in content.sessions]


def test_an_empty_issue_renders():
    rendered = rendering.issue_render(IssueFactory(number=7, title="Numéro vide"))

    assert rendered.subject == "Résonances n° 7 — Numéro vide"
    assert rendering.UNSUBSCRIBE_URL in rendered.html
    assert rendering.UNSUBSCRIBE_URL in rendered.text


def test_the_email_is_a_table_layout_with_inlined_styles_and_absolute_links():
    issue = issue_with_content(number=42, title="Santé mentale et quartiers")

    rendered = rendering.issue_render(issue)
    html = rendered.html

    assert rendered.subject == "Résonances n° 42 — Santé mentale et quartiers"
    assert '<table role="presentation"' in html
    assert "max-width: 600px" in html
    assert html.count('style="') > 100
    # Only the small-screen rules stay in a <style> element: the layout does not need it.
    styles = re.findall(r"<style[^>]*>(.*?)</style>", html, re.S)
    assert len(styles) == 1
    assert styles[0].strip().startswith("@media")
    assert re.search(r'class="container"[^>]*width="600"', html)
    for url in re.findall(r'(?:href|src)="([^"]+)"', html):
        assert url.startswith(("https://", "mailto:")), url
    for url in re.findall(r'src="([^"]+)"', html):
        assert url.startswith(f"{SITE_URL}/media/publications/covers/"), url
    session = issue.sessions.order_by("starts_at").first()
    assert f'href="{SITE_URL}{session.action.get_absolute_url()}"' in html
    assert f'href="{SITE_URL}/resonances/42/"' in html
    assert f'href="{SITE_URL}/resonances/42/resonances-42.pdf"' in html
    assert f'href="{rendering.UNSUBSCRIBE_URL}"' in html
    assert f'href="{rendering.PREFERENCES_URL}"' in html
    for heading in ("Page 1", "L'activité du centre", "Page 4", "Ressources repérées"):
        assert heading in unescape(html)
    assert "Pôle ressources ville et développement social" in html
    # Demo-like content weighs 30 to 40 KB, well under Gmail's 102 KB clipping.
    assert 30_000 <= len(html.encode()) <= 45_000


def test_the_text_part_carries_the_same_content():
    issue = issue_with_content(number=43)

    text = rendering.issue_render(issue).text

    assert "<" not in text.replace("<https", "")
    for session in issue.sessions.all():
        assert session.action.title in text
        assert f"{SITE_URL}{session.action.get_absolute_url()}" in text
    for publication in issue.publications.all():
        assert publication.title in text
    for block in issue.blocks.all():
        assert block.title in text
    assert issue.initiative.title in text
    assert "premiers secours en santé mentale" in text  # the sheet's body, without tags
    for resource in issue.resources.all():
        assert resource.title in text
        assert resource.url in text
    assert f"Se désabonner : {rendering.UNSUBSCRIBE_URL}" in text
    assert rendering.PREFERENCES_URL in text
    assert "\n\n\n" not in text


def test_the_pdf_is_a_tagged_document_with_the_title():
    issue = issue_with_content(number=44, title="Transition écologique")

    reader = PdfReader(io.BytesIO(rendering.issue_pdf(issue)))

    assert reader.metadata.title == "Résonances n° 44 — Transition écologique"
    assert len(reader.pages) >= 4
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Transition écologique" in text
    assert issue.initiative.title.split(" — ")[1] in text.replace("\n", " ")
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_suggestions_offer_what_is_current_for_the_issue():
    today = timezone.localdate()
    issue = IssueFactory(number=50, month=today, status=IssueStatus.DRAFT)
    IssueFactory(number=49, month=today - timedelta(days=31), status=IssueStatus.SENT)
    soon = SessionFactory(starts_at=timezone.now() + timedelta(days=20))
    SessionFactory(starts_at=timezone.now() + timedelta(days=150))
    recent = PublicationFactory(published_on=today - timedelta(days=10))
    PublicationFactory(published_on=today - timedelta(days=200))
    used = PublicationFactory(kind=PublicationKind.EXPERIENCE_SHEET)
    IssueFactory(number=30, status=IssueStatus.SENT, initiative=used)
    unused = PublicationFactory(kind=PublicationKind.EXPERIENCE_SHEET)
    resource = ResourceFactory(kind="website")

    suggestions = issue_suggestions(issue=issue)

    assert suggestions.sessions == [soon]
    assert suggestions.publications == [recent]
    assert suggestions.sheets == [unused]
    assert suggestions.resources == [resource]
