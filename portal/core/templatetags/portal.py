from django import template

from portal.core.formats import format_datetime, format_euros, format_number, format_time

register = template.Library()


@register.filter
def euros(value) -> str:
    """{{ invoice.amount|euros }} → 2 510,40 €"""
    return format_euros(value) if value not in (None, "") else ""


@register.filter
def number_fr(value, decimals: int = 0) -> str:
    """{{ population|number_fr }} → 62 760"""
    return format_number(value, int(decimals)) if value not in (None, "") else ""


@register.filter
def hour(value) -> str:
    """{{ session.starts_at|hour }} → 14 h, 9 h 30 (the one way a time is written)."""
    return format_time(value) if value not in (None, "") else ""


@register.filter
def date_hour(value, date_format_string: str = "j F Y") -> str:
    """{{ sent_at|date_hour }} → 8 décembre 2026 à 14 h 30; {{ x|date_hour:"l j F Y" }}."""
    return format_datetime(value, date_format_string) if value not in (None, "") else ""
