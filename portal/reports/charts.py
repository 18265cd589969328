"""Small bar charts as inline SVG, for the annual report's PDF and the director dashboard.

No JavaScript and no web font: the SVG is text in the page, so WeasyPrint draws it
as vectors and a browser scales it to a phone through its viewBox. Each chart is an
image for assistive technologies (role="img") named by its <title> and described by a
<desc> listing every value, since the bars themselves say nothing to a screen reader.
Every label goes through escape(): they come from the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from portal.core.formats import NARROW_NBSP, NBSP, format_number

Number = int | float | Decimal

FONT = "Liberation Sans, DejaVu Sans, Arial, sans-serif"
TEXT_COLOUR = "#1a1a1a"
COLOUR = "#1d4e89"  # this year: the site's default primary colour
PREVIOUS_COLOUR = "#6b7280"  # the year before: a grey with a 4.8:1 contrast on white
FONT_SIZE = 12
CHAR_WIDTH = 0.56  # average glyph width of a sans-serif font, in ems: to fit labels
VALUE_SPACE = 90  # room kept right of the longest bar for its value
PAD = 4
SEPARATOR = f"{NARROW_NBSP}; "  # between the values listed in <desc>


def format_value(value: Number, unit: str = "") -> str:
    """12.5 and "%" → « 12,5 % »; integers without decimals; French separators."""
    number = Decimal(str(value))
    decimals = 0 if number == number.to_integral_value() else 1
    text = format_number(number, decimals)
    if not unit:
        return text
    return f"{text}{NARROW_NBSP if unit == '%' else NBSP}{unit}"


def _fit(label: str, width: float) -> str:
    """The label, cut with « … » when it would overflow `width` (the full one is in <desc>)."""
    room = int(width / (FONT_SIZE * CHAR_WIDTH))
    return label if len(label) <= room else label[: max(room - 1, 1)].rstrip() + "…"


def _identifier(kind: str, title: str, rows: Sequence) -> str:
    """A stable id for aria-labelledby, distinct for distinct charts on one page."""
    digest = hashlib.sha1(repr((kind, title, list(rows))).encode(), usedforsecurity=False)
    return f"chart-{digest.hexdigest()[:10]}"


def _bar_length(value: Number, largest: Number, room: float) -> float:
    if not largest or value <= 0:
        return 0.0  # zero or empty rows: no bar, and no division by zero
    return round(float(value) / float(largest) * room, 1)


def _text(x: float, y: float, content: str, *, anchor: str = "start", bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x}" y="{y}" font-size="{FONT_SIZE}" text-anchor="{anchor}"'
        f' fill="{TEXT_COLOUR}"{weight}>{escape(content)}</text>'
    )


def _svg(ident: str, title: str, description: str, width: int, height: float, body: list[str]):
    return mark_safe(  # noqa: S308 - every piece of text above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}"'
        f' role="img" aria-labelledby="{ident}-title" aria-describedby="{ident}-desc"'
        f' font-family="{FONT}">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def _no_data(ident: str, title: str, width: int) -> SafeString:
    message = _("No data for this period.")
    return _svg(ident, title, message, width, 30, [_text(0, 20, message)])


def bar_chart(
    rows: Sequence[tuple[str, Number]],
    *,
    title: str,
    unit: str = "",
    width: int = 480,
    colour: str = COLOUR,
) -> SafeString:
    """Horizontal bars, each under its label with its value at its end."""
    rows = list(rows)
    ident = _identifier("bar", title, rows)
    if not rows:
        return _no_data(ident, title, width)
    room = width - VALUE_SPACE
    largest = max(max(value for _label, value in rows), 0)
    step, bar = 36, 14
    body, described = [], []
    for index, (label, value) in enumerate(rows):
        top = index * step
        shown = format_value(value, unit)
        length = _bar_length(value, largest, room)
        described.append(f"{label}{NARROW_NBSP}: {shown}")
        body.append(_text(0, top + FONT_SIZE, _fit(str(label), width)))
        body.append(
            f'<rect x="0" y="{top + 16}" width="{length}" height="{bar}" fill="{escape(colour)}"/>'
        )
        body.append(_text(length + PAD, top + 16 + bar - 3, shown, bold=True))
    return _svg(ident, title, SEPARATOR.join(described), width, len(rows) * step, body)


def comparison_chart(
    rows: Sequence[tuple[str, Number, Number]],
    *,
    title: str,
    years: tuple[int, int],
    width: int = 480,
    colour: str = COLOUR,
) -> SafeString:
    """For each label, the previous year's bar above this year's; a legend names both.

    `years` is (previous, current), in the order of the values in each row.
    """
    rows = list(rows)
    ident = _identifier("comparison", title, [*rows, years])
    if not rows:
        return _no_data(ident, title, width)
    previous_year, current_year = years
    room = width - VALUE_SPACE
    largest = max(max(max(previous, current) for _label, previous, current in rows), 0)
    legend = 24
    step, bar = 50, 12
    body = [
        f'<rect x="0" y="4" width="12" height="12" fill="{PREVIOUS_COLOUR}"/>',
        _text(18, 14, str(previous_year)),
        f'<rect x="80" y="4" width="12" height="12" fill="{escape(colour)}"/>',
        _text(98, 14, str(current_year)),
    ]
    described = []
    for index, (label, previous, current) in enumerate(rows):
        top = legend + index * step
        body.append(_text(0, top + FONT_SIZE, _fit(str(label), width)))
        for offset, value, fill in (
            (16, previous, PREVIOUS_COLOUR),
            (16 + bar + 2, current, colour),
        ):
            length = _bar_length(value, largest, room)
            body.append(
                f'<rect x="0" y="{top + offset}" width="{length}" height="{bar}"'
                f' fill="{escape(fill)}"/>'
            )
            body.append(_text(length + PAD, top + offset + bar - 2, format_value(value)))
        described.append(
            f"{label}{NARROW_NBSP}: {format_value(current)} "
            f"({previous_year}{NARROW_NBSP}: {format_value(previous)})"
        )
    height = legend + len(rows) * step
    return _svg(ident, title, SEPARATOR.join(described), width, height, body)
