"""The sessions behind the year's participation figures, one row each, for spreadsheets.

The rows follow the counting rules of `events.selectors.figures` (same session filter,
same half-days, same participations), so their sums are the annual report's figures.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.models import Action, Attendance, Headcount, Session
from events.selectors.figures import counted_sessions_q, format_label, half_days_expression


def _total(queryset, aggregate) -> Coalesce:
    """A per-session total as a correlated subquery (0 when nothing was recorded)."""
    totals = (
        queryset.filter(session_id=OuterRef("pk"))
        .order_by()
        .values("session_id")
        .annotate(total=aggregate)
        .values("total")
    )
    return Coalesce(Subquery(totals, output_field=IntegerField()), 0)


def session_rows(*, year: int, until: datetime | None = None) -> list[dict]:
    """The year's counted sessions, oldest first; 2 queries whatever the amount of data.

    Each row: session_id, date (local), action, title, format, format_label, themes (names),
    commune, venue, is_online, half_days, named_participations, headcount_participations,
    participations.
    """
    until = until or timezone.now()
    sessions_q = counted_sessions_q(year=year, until=until)
    sessions = list(
        Session.objects.filter(sessions_q)
        .annotate(
            half_days_counted=half_days_expression(),
            named=_total(Attendance.objects.filter(present=True), Count("pk")),
            counted=_total(Headcount.objects.all(), Sum("count")),
        )
        .order_by("starts_at", "pk")
        .values(
            "pk", "starts_at", "title", "venue", "is_online", "action_id", "action__title",
            "action__format", "commune__name", "half_days_counted", "named", "counted",
        )
    )  # fmt: skip
    themes: dict[int, list[str]] = {}
    for action_id, name in (
        Action.themes.through.objects.filter(
            action_id__in=Session.objects.filter(sessions_q).values("action_id")
        )
        .order_by("theme__name")
        .values_list("action_id", "theme__name")
    ):
        themes.setdefault(action_id, []).append(name)
    return [
        {
            "session_id": row["pk"],
            "date": timezone.localtime(row["starts_at"]).date(),
            "action": row["action__title"],
            "title": row["title"],
            "format": row["action__format"],
            "format_label": format_label(row["action__format"]),
            "themes": tuple(themes.get(row["action_id"], ())),
            "commune": row["commune__name"] or "",
            "venue": row["venue"],
            "is_online": row["is_online"],
            "half_days": row["half_days_counted"],
            "named_participations": row["named"],
            "headcount_participations": row["counted"],
            "participations": row["named"] + row["counted"],
        }
        for row in sessions
    ]
