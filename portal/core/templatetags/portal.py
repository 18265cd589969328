"""The portal's filters, {% load portal %}: the one set of French formats for templates
(built on portal.core.formats), for pages, emails, PDFs and the annual report."""

from __future__ import annotations

import datetime
import re

from django import template

from portal.core.formats import (
    format_change,
    format_date,
    format_datetime,
    format_euros,
    format_number,
    format_percent,
    format_time,
)

register = template.Library()

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _empty(value) -> bool:
    return value is None or value == ""


@register.filter
def euros(value) -> str:
    """{{ invoice.amount|euros }} → 2 510,40 €; empty for None."""
    return "" if _empty(value) else format_euros(value)


@register.filter
def number_fr(value, decimals: int = 0) -> str:
    """{{ population|number_fr }} → 62 760; {{ 3.25|number_fr:1 }} → 3,3; empty for None."""
    return "" if _empty(value) else format_number(value, int(decimals))


@register.filter
def percent_fr(value, decimals: int = 1) -> str:
    """{{ share.percent|percent_fr }} → 12,5 %; empty for None (no base to compare)."""
    return "" if _empty(value) else format_percent(value, int(decimals))


@register.filter
def change_fr(value, decimals: int = 1) -> str:
    """A change in %: +8,3 %, \u22122,0 % (a minus sign, not a hyphen), 0,0 %."""
    return "" if _empty(value) else format_change(value, int(decimals))


@register.filter
def date_fr(value) -> str:
    """{{ edited_on|date_fr }} → 1er juillet 2026; empty for anything but a date."""
    return format_date(value) if isinstance(value, datetime.date) else ""


@register.filter
def hour(value) -> str:
    """{{ session.starts_at|hour }} → 14 h, 9 h 30 (the one way a time is written)."""
    return "" if _empty(value) else format_time(value)


@register.filter
def date_hour(value, date_format_string: str = "j F Y") -> str:
    """{{ sent_at|date_hour }} → 8 décembre 2026 à 14 h 30; {{ x|date_hour:"l j F Y" }}."""
    return "" if _empty(value) else format_datetime(value, date_format_string)


@register.filter
def paragraphs(text: str) -> list[str]:
    """A text typed in a form (directors' texts), as paragraphs: an empty line ends one."""
    if not text:
        return []
    blocks = _BLANK_LINE.split(text.replace("\r\n", "\n"))
    return [block.strip() for block in blocks if block.strip()]
