"""French formats for money and numbers, for pages, emails, PDFs and spreadsheets."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NARROW_NBSP = "\u202f"  # thousands separator in French typography
NBSP = "\u00a0"  # between the amount and its unit


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
