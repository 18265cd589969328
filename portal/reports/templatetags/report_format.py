"""French formats for the annual report: {% load report_format %}.

The report is read in French, printed and quoted in funders' files, so its figures
follow French typography: narrow no-break spaces between thousands and before « % »,
a decimal comma, a true minus sign on falls, « 1er » on the first of the month.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.dates import MONTHS

from portal.core.formats import NARROW_NBSP, format_euros, format_number

register = template.Library()

MINUS = "\u2212"
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _empty(value) -> bool:
    return value is None or value == ""


@register.filter
def fr_int(value) -> str:
    """{{ 5729|fr_int }} → « 5 729 » (narrow no-break space); empty for None."""
    return "" if _empty(value) else format_number(value, 0)


@register.filter
def fr_number(value, decimals: int = 1) -> str:
    """{{ 3.25|fr_number }} → « 3,3 »; empty for None."""
    return "" if _empty(value) else format_number(value, int(decimals))


@register.filter
def fr_percent(value, decimals: int = 1) -> str:
    """{{ share.percent|fr_percent }} → « 12,5 % »; empty for None (no base to compare)."""
    if _empty(value):
        return ""
    return f"{format_number(value, int(decimals))}{NARROW_NBSP}%"


@register.filter
def fr_change(value, decimals: int = 1) -> str:
    """A change in %: « +8,3 % », « \u22122,0 % » (a minus sign, not a hyphen), « 0,0 % »."""
    if _empty(value):
        return ""
    places = int(decimals)
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    sign = "+" if number > 0 else MINUS if number < 0 else ""  # rounded to zero: no sign
    return f"{sign}{format_number(abs(number), places)}{NARROW_NBSP}%"


@register.filter
def fr_euros(value) -> str:
    """{{ dues.collected|fr_euros }} → « 2 510,40 € »."""
    return "" if _empty(value) else format_euros(value)


@register.filter
def fr_date(value) -> str:
    """« 1er juillet 2026 », « 14 juillet 2026 » (month names from the active language)."""
    if not isinstance(value, datetime.date):
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month]} {value.year}"


@register.filter
def paragraphs(text: str) -> list[str]:
    """Directors' texts: paragraphs are separated by an empty line."""
    if not text:
        return []
    blocks = _BLANK_LINE.split(text.replace("\r\n", "\n"))
    return [block.strip() for block in blocks if block.strip()]
