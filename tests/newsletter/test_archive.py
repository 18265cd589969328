"""The public archive of Résonances, the web version and PDF of an issue, the home page box."""

from __future__ import annotations

import datetime
import html
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from newsletter.models import IssueStatus
from newsletter.views.archive import ISSUES_PER_PAGE, pdf_cache_key
from tests.newsletter.factories import IssueFactory, issue_with_content

pytestmark = pytest.mark.django_db

NOT_PUBLIC = [
    IssueStatus.DRAFT, IssueStatus.READY, IssueStatus.SCHEDULED, IssueStatus.SENDING,
    IssueStatus.PAUSED, IssueStatus.CANCELLED,
]  # fmt: skip


def sent(number: int, **fields):
    return IssueFactory(number=number, status=IssueStatus.SENT, **fields)


def test_the_archive_lists_sent_issues_only_newest_first(client):
    older = sent(41, title="Contrats de ville", month=datetime.date(2026, 10, 1))
    newer = sent(42, title="Santé mentale", month=datetime.date(2026, 11, 1))
    for number, status in enumerate(NOT_PUBLIC, start=43):
        IssueFactory(number=number, status=status, title=f"Brouillon {number}")

    response = client.get(reverse("newsletter:archive"))

    assert response.status_code == 200
    assert list(response.context["issues"]) == [newer, older]
    page = response.content.decode()
    assert "Brouillon" not in page
    assert "novembre 2026" in page
    assert "N° 42" in page
    assert 'href="/resonances/42/"' in page
    assert 'href="/resonances/42/resonances-42.pdf"' in page
    assert f'href="{reverse("newsletter:subscribe")}"' in page
    assert "S'abonner à Résonances" in html.unescape(page)


def test_the_archive_is_paginated(client):
    for number in range(1, ISSUES_PER_PAGE + 3):
        sent(number)

    first = client.get(reverse("newsletter:archive"))
    second = client.get(reverse("newsletter:archive"), {"page": 2})

    assert len(first.context["issues"]) == ISSUES_PER_PAGE
    assert [issue.number for issue in second.context["issues"]] == [2, 1]
    assert 'rel="next"' in first.content.decode()


def test_the_web_version_is_a_site_page_with_the_four_pages(client):
    issue = issue_with_content(number=42, status=IssueStatus.SENT, title="Santé mentale")

    response = client.get(reverse("newsletter:issue", args=[42]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page and "Santé mentale" in page
    for anchor in ("page-1", "page-2", "page-3", "page-4"):
        assert f'id="{anchor}"' in page
    assert issue.initiative.title in html.unescape(page)
    assert "style=" not in page  # the site's CSP forbids inline styles
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert 'href="/resonances/42/resonances-42.pdf"' in page


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_an_unsent_issue_is_not_public(client, status):
    IssueFactory(number=42, status=status)

    assert client.get(reverse("newsletter:issue", args=[42])).status_code == 404
    assert client.get(reverse("newsletter:issue_pdf", args=[42, 42])).status_code == 404


def test_the_pdf_of_a_sent_issue_is_printed_once_then_cached(client):
    issue = issue_with_content(number=42, status=IssueStatus.SENT, title="Santé mentale")

    response = client.get(reverse("newsletter:issue_pdf", args=[42, 42]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="resonances-42.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == "Résonances n° 42 — Santé mentale"
    assert cache.get(pdf_cache_key(issue)) == response.content


def test_a_pdf_under_another_number_is_not_found(client):
    sent(42)

    assert client.get("/resonances/42/resonances-41.pdf").status_code == 404
    assert client.get("/resonances/43/resonances-43.pdf").status_code == 404


def test_the_home_page_shows_the_latest_issue_and_the_subscribe_link(client):
    sent(41, title="Contrats de ville")
    sent(42, title="Santé mentale", month=datetime.date(2026, 11, 1))
    IssueFactory(number=43, status=IssueStatus.DRAFT, title="Jeunesse en brouillon")

    page = client.get(reverse("core:home")).content.decode()

    assert "Le dernier Résonances" in page
    assert 'href="/resonances/42/"' in page and "Santé mentale" in page
    assert "novembre 2026" in page
    assert "Contrats de ville" not in page
    assert "Jeunesse en brouillon" not in page
    assert f'href="{reverse("newsletter:subscribe")}"' in page


def test_the_home_page_before_the_first_issue(client):
    page = client.get(reverse("core:home")).content.decode()

    assert "Aucun numéro n'a encore été publié." in html.unescape(page)
    assert f'href="{reverse("newsletter:subscribe")}"' in page
