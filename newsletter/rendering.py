"""Rendering an issue: HTML email, plain text, web page, PDF.

The email is rendered once per issue; the recipient's own links are left as the
placeholders below and filled in per message (services/messages.py), so sending
thousands of messages never renders a template again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from newsletter.selectors.content import IssueContent, issue_content
from portal.core.models import SiteSettings
from portal.core.pdf import render_pdf

UNSUBSCRIBE_URL = "https://unsubscribe.invalid/%%unsubscribe%%"
PREFERENCES_URL = "https://preferences.invalid/%%preferences%%"


@dataclass(frozen=True)
class RenderedIssue:
    subject: str
    html: str  # table layout, CSS inlined, absolute image URLs, placeholders for links
    text: str  # the plain-text part, same placeholders


EMAIL_HTML = "newsletter/emails/issue.html"
EMAIL_TEXT = "newsletter/emails/issue.txt"
PDF_TEMPLATE = "newsletter/issue_pdf.html"

# The inliner keeps only @media rules in a <style> element (small screens); everything
# the layout needs is in style attributes, which every mail client reads.
_inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+\n")


def absolute_url(path: str) -> str:
    """An address a mail client or a PDF reader can open: the site's URL and the path."""
    return f"{settings.SITE_URL}{path}"


def issue_pdf_url(issue) -> str:
    """The path of an issue's PDF (its file name carries the number: resonances-42.pdf)."""
    return reverse("newsletter:issue_pdf", args=[issue.number, issue.number])


def issue_subject(issue) -> str:
    """« Résonances n° 42 — Quartiers et transitions », in French."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Résonances no. %(number)s — %(title)s") % {
            "number": issue.number,
            "title": issue.title,
        }


def _context(content: IssueContent) -> dict:
    issue = content.issue
    site = SiteSettings.load()
    return {
        "content": content,
        "issue": issue,
        "site": site,
        "site_url": settings.SITE_URL,
        "subject": issue_subject(issue),
        "logo_url": absolute_url(site.logo.url) if site.logo else "",
        "web_url": absolute_url(issue.get_absolute_url()),
        "pdf_url": absolute_url(issue_pdf_url(issue)),
        "archive_url": absolute_url(reverse("newsletter:archive")),
        "agenda_url": absolute_url(reverse("events:agenda")),
        "publications_url": absolute_url(reverse("publications:list")),
        "infodoc_url": absolute_url(reverse("infodoc:index")),
        "unsubscribe_url": UNSUBSCRIBE_URL,
        "preferences_url": PREFERENCES_URL,
    }


def _tidy_text(text: str) -> str:
    """Template loops leave runs of blank lines; keep one between paragraphs."""
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", lines) + "\n"


def issue_render(issue) -> RenderedIssue:
    """The issue as one email for every subscriber, links to their own pages left as
    placeholders. Rendered in French even from a worker with no request."""
    content = issue_content(issue=issue)
    context = _context(content)
    with translation.override(settings.LANGUAGE_CODE):
        html = _inliner.inline(render_to_string(EMAIL_HTML, context))
        text = _tidy_text(render_to_string(EMAIL_TEXT, context))
    return RenderedIssue(subject=context["subject"], html=html, text=text)


def issue_pdf(issue) -> bytes:
    """The printable issue: four A4 pages, tagged PDF (portal.core.pdf.render_pdf)."""
    context = _context(issue_content(issue=issue))
    return render_pdf(PDF_TEMPLATE, context)
