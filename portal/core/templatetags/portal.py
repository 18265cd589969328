from django import template

from portal.core.formats import format_euros, format_number

register = template.Library()


@register.filter
def euros(value) -> str:
    """{{ invoice.amount|euros }} → 2 510,40 €"""
    return format_euros(value) if value not in (None, "") else ""


@register.filter
def number_fr(value, decimals: int = 0) -> str:
    """{{ population|number_fr }} → 62 760"""
    return format_number(value, int(decimals)) if value not in (None, "") else ""
