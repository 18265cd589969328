"""Template tags of the newsletter.

{% latest_newsletter %}: the last sent issue and the subscribe box, for the home page.
|text_block and |html_text: the plain-text part of the email, wrapped and indented like
what a mail client shows without HTML.
"""

from __future__ import annotations

import html
import re
import textwrap

from django import template
from django.utils.html import strip_tags

from newsletter.selectors.archive import latest_issue

register = template.Library()

TEXT_WIDTH = 72
_PARAGRAPHS = re.compile(r"\n\s*\n")
_BREAKS = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|tr)>", re.I)
_ITEMS = re.compile(r"<li[^>]*>", re.I)
# French puts a space before ; : ! ? and inside « »: keep it from starting a line.
_BEFORE_PUNCTUATION = re.compile(r" ([;:!?»])")
_AFTER_QUOTE = re.compile(r"« ")


@register.inclusion_tag("newsletter/includes/latest.html")
def latest_newsletter() -> dict:
    return {"issue": latest_issue()}


@register.filter
def text_block(value, indent: int = 0) -> str:
    """Wrap each paragraph (a blank line ends one) at 72 columns, indented by `indent`."""
    margin = " " * int(indent)
    paragraphs = (
        _AFTER_QUOTE.sub("«\u00a0", _BEFORE_PUNCTUATION.sub("\u00a0\\1", " ".join(part.split())))
        for part in _PARAGRAPHS.split(str(value).strip())
    )
    return "\n\n".join(
        textwrap.fill(
            paragraph,
            width=TEXT_WIDTH,
            initial_indent=margin,
            subsequent_indent=margin,
            break_long_words=False,
            break_on_hyphens=False,
        )
        for paragraph in paragraphs
        if paragraph
    )


@register.filter
def html_text(value) -> str:
    """Formatted text (a publication's body) as plain paragraphs: one per block element,
    list items with a dash."""
    text = _ITEMS.sub("\n\n\N{EN DASH} ", str(value))
    text = _BREAKS.sub("\n\n", text)
    return html.unescape(strip_tags(text)).strip()
