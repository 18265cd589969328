"""French formats for money, numbers, shares, dates and times, for pages, emails, PDFs and
spreadsheets (templates: {% load portal %}, portal.core.templatetags.portal).

French typography: narrow no-break spaces between thousands and before « % », a decimal
comma, a true minus sign on falls, « 1er » on the first of the month.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext

NARROW_NBSP = "\u202f"  # thousands separator in French typography
NBSP = "\u00a0"  # between the amount and its unit
MINUS = "\u2212"  # a fall: a minus sign, not a hyphen


def format_number(value: Decimal | int | float, decimals: int = 0) -> str:
    """1234567.891 → '1 234 567,89' (narrow no-break spaces, decimal comma)."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = NARROW_NBSP.join([whole, *groups])
    return f"{sign}{text},{fraction}" if decimals else f"{sign}{text}"


def format_euros(value: Decimal | int | float | None, decimals: int = 2) -> str:
    """2510.4 → '2 510,40 €' (a rate per inhabitant: 0.0425 with decimals=4 → '0,0425 €')."""
    if value is None:
        return ""
    return f"{format_number(value, decimals)}{NBSP}€"


def format_price(value: Decimal | int | float | None) -> str:
    """An amount with the decimals it has, cents at least: a rate per inhabitant
    Decimal('0.0400') → '0,04 €', Decimal('0.0425') → '0,0425 €'."""
    if value is None:
        return ""
    exponent = Decimal(str(value)).normalize().as_tuple().exponent
    return format_euros(value, max(2, -exponent if isinstance(exponent, int) else 2))


def format_percent(value: Decimal | int | float, decimals: int = 1) -> str:
    """12.5 → '12,5 %' (a narrow no-break space before the sign)."""
    return f"{format_number(value, decimals)}{NARROW_NBSP}%"


def format_change(value: Decimal | int | float, decimals: int = 1) -> str:
    """A change in %: '+8,3 %', '\u22122,0 %' (a minus sign), '0,0 %' when it rounds to zero."""
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    sign = "+" if number > 0 else MINUS if number < 0 else ""
    return f"{sign}{format_percent(abs(number), decimals)}"


def format_date(value: date) -> str:
    """'1er juillet 2026', '14 juillet 2026' (month names from the active language)."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month]} {value.year}"


def _hours(hours: int, minutes: int) -> str:
    return f"{hours}{NBSP}h{NBSP}{minutes:02d}" if minutes else f"{hours}{NBSP}h"


def format_time(value: datetime | time | None) -> str:
    """The one way a time is written: 14:00 → '14 h', 9:05 → '9 h 05' (no-break spaces).

    An aware datetime is first put in the site's time zone.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return _hours(value.hour, value.minute)


def format_datetime(value: datetime | None, date_format_string: str = "j F Y") -> str:
    """'8 décembre 2026 à 14 h 30': a date in words and its time written by format_time()."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return gettext("%(date)s at %(time)s") % {
        "date": date_format(value, date_format_string),
        "time": format_time(value),
    }


def format_duration(duration: timedelta) -> str:
    """7 h, 3 h 30, 10 h 05: a length of time written as format_time() writes a time."""
    minutes = round(duration.total_seconds() / 60)
    return _hours(*divmod(minutes, 60))
