"""Money as the members back office shows it."""

from __future__ import annotations

from portal.core.formats import format_euros


def euros(value) -> str:
    return format_euros(value) if value is not None else "—"
