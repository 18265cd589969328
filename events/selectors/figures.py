"""Participation figures for the annual report and the director dashboard.

Counting rules, as the activity report uses them:

- a session counts when neither it nor its action is cancelled, and it started in the
  year (local time) before `until` (now by default: planned sessions are not activity yet);
- half-days: `Session.half_days` computed in SQL (the override when set, else 1 up to
  five hours, else 2);
- participations (« participations cumulées »): present named attendances plus headcounts;
- unique participants: distinct people with a present attendance (headcounts are anonymous);
- an action counts when at least one of its sessions counts; an action with several themes
  counts in each of them.

Every function runs a fixed number of aggregate queries, whatever the amount of data,
and returns frozen dataclasses of plain values that templates render and code compares.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractMonth
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Action, ActionFormat, ActionStatus, Attendance, Headcount, Session
from events.models.actions import HALF_DAY_MAX
from members.models import ActorType
from portal.core.models import Department

OTHER_DEPARTMENTS = "other"
ZERO_PERCENT = Decimal("0.0")


# Value objects ------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """One part of a whole: `percent` is rounded to 0.1 and the parts add up to 100."""

    key: str
    label: str
    count: int
    percent: Decimal


@dataclass(frozen=True)
class GroupFigures:
    """Activity of a theme or a format."""

    key: str
    label: str
    actions: int
    sessions: int
    half_days: int
    participations: int


@dataclass(frozen=True)
class ActionFigures:
    action_id: int
    title: str
    slug: str
    format: str
    format_label: str
    sessions: int
    half_days: int
    participations: int
    named_participations: int
    headcount_participations: int


@dataclass(frozen=True)
class ParticipationFigures:
    """A year of activity; `previous` holds the year before (whose own `previous` is None)."""

    year: int
    actions: int
    sessions: int
    half_days: int
    participations: int
    named_participations: int
    headcount_participations: int
    unique_participants: int
    by_department: tuple[Share, ...]
    by_actor_type: tuple[Share, ...]
    by_theme: tuple[GroupFigures, ...]
    by_format: tuple[GroupFigures, ...]
    per_action: tuple[ActionFigures, ...]
    previous: ParticipationFigures | None = None
    # Change of participations against `previous`, in %, rounded to 0.1; None without a base.
    participations_change: Decimal | None = None


@dataclass(frozen=True)
class MonthFigures:
    month: int
    sessions: int
    half_days: int
    participations: int


# Expressions and helpers -------------------------------------------------------------


def half_days_expression(prefix: str = "") -> Coalesce:
    """`Session.half_days` in SQL; `prefix` reaches the session from another model."""
    duration = ExpressionWrapper(
        F(f"{prefix}ends_at") - F(f"{prefix}starts_at"), output_field=DurationField()
    )
    derived = Case(
        When(LessThanOrEqual(duration, Value(HALF_DAY_MAX)), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return Coalesce(F(f"{prefix}half_days_override"), derived, output_field=IntegerField())


def counted_sessions_q(*, year: int | None = None, until: datetime | None = None, prefix=""):
    """The sessions that count as activity: not cancelled, started (in `year`) before `until`."""
    until = until or timezone.now()
    scope = Q(**{f"{prefix}is_cancelled": False, f"{prefix}starts_at__lt": until}) & ~Q(
        **{f"{prefix}action__status": ActionStatus.CANCELLED}
    )
    if year is not None:
        scope &= Q(**{f"{prefix}starts_at__year": year})
    return scope


def allocate_percentages(counts: list[int]) -> list[Decimal]:
    """Percentages rounded to 0.1 that add up to exactly 100 (largest remainders first)."""
    total = sum(counts)
    if not total:
        return [ZERO_PERCENT for _count in counts]
    exact = [Fraction(count * 1000, total) for count in counts]
    tenths = [int(value) for value in exact]
    missing = 1000 - sum(tenths)
    by_remainder = sorted(range(len(counts)), key=lambda i: (tenths[i] - exact[i], i))
    for index in by_remainder[:missing]:
        tenths[index] += 1
    return [Decimal(value).scaleb(-1) for value in tenths]


def percent_change(current: int, previous: int) -> Decimal | None:
    if not previous:
        return None
    change = Decimal(current - previous) * 100 / Decimal(previous)
    return change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _shares(rows: list[tuple[str, str, int]]) -> tuple[Share, ...]:
    percents = allocate_percentages([count for _key, _label, count in rows])
    return tuple(
        Share(key=key, label=label, count=count, percent=percent)
        for (key, label, count), percent in zip(rows, percents, strict=True)
    )


def format_label(value: str) -> str:
    try:
        return str(ActionFormat(value).label)
    except ValueError:
        return value


def _department_labels() -> dict[str, str]:
    codes = list(settings.CENTRE_DEPARTMENTS)
    names = dict(Department.objects.filter(code__in=codes).values_list("code", "name"))
    labels = {code: names.get(code, code) for code in codes}
    labels[OTHER_DEPARTMENTS] = _("Other territories or unknown")
    return labels


# The year's figures --------------------------------------------------------------------


def _year_figures(year: int, until: datetime, department_labels: dict[str, str]):
    sessions_q = counted_sessions_q(year=year, until=until)
    related_q = counted_sessions_q(year=year, until=until, prefix="session__")

    per_action = list(
        Session.objects.filter(sessions_q)
        .values("action_id", "action__title", "action__slug", "action__format")
        .annotate(sessions=Count("pk"), half_days=Sum(half_days_expression()))
        .order_by()
    )
    named = list(
        Attendance.objects.filter(related_q, present=True)
        .values("session__action_id", "person__department__code", "person__actor_type")
        .annotate(total=Count("pk"))
        .order_by()
    )
    counted = list(
        Headcount.objects.filter(related_q)
        .values("session__action_id", "department__code", "actor_type")
        .annotate(total=Sum("count"))
        .order_by()
    )
    unique_participants = Attendance.objects.filter(related_q, present=True).aggregate(
        people=Count("person_id", distinct=True)
    )["people"]
    action_themes = list(
        Action.themes.through.objects.filter(
            action_id__in=Session.objects.filter(sessions_q).values("action_id")
        ).values_list("action_id", "theme__slug", "theme__name")
    )

    centre = set(settings.CENTRE_DEPARTMENTS)
    by_department: dict[str, int] = defaultdict(int)
    by_actor_type: dict[str, int] = defaultdict(int)
    named_by_action: dict[int, int] = defaultdict(int)
    counted_by_action: dict[int, int] = defaultdict(int)
    for rows, department_field, actor_type_field, per_action_totals in (
        (named, "person__department__code", "person__actor_type", named_by_action),
        (counted, "department__code", "actor_type", counted_by_action),
    ):
        for row in rows:
            total = row["total"]
            per_action_totals[row["session__action_id"]] += total
            department = row[department_field]
            by_department[department if department in centre else OTHER_DEPARTMENTS] += total
            by_actor_type[row[actor_type_field]] += total

    actions = [
        ActionFigures(
            action_id=row["action_id"],
            title=row["action__title"],
            slug=row["action__slug"],
            format=row["action__format"],
            format_label=format_label(row["action__format"]),
            sessions=row["sessions"],
            half_days=row["half_days"] or 0,
            participations=named_by_action[row["action_id"]] + counted_by_action[row["action_id"]],
            named_participations=named_by_action[row["action_id"]],
            headcount_participations=counted_by_action[row["action_id"]],
        )
        for row in per_action
    ]
    actions.sort(key=lambda a: (-a.participations, a.title.casefold(), a.action_id))
    figures_by_id = {action.action_id: action for action in actions}

    themes: dict[str, tuple[str, list[ActionFigures]]] = {}
    for action_id, slug, name in action_themes:
        themes.setdefault(slug, (name, []))[1].append(figures_by_id[action_id])
    formats: dict[str, tuple[str, list[ActionFigures]]] = {}
    for action in actions:
        formats.setdefault(action.format, (action.format_label, []))[1].append(action)

    actor_types = sorted(
        ActorType, key=lambda t: (-by_actor_type.get(t.value, 0), list(ActorType).index(t))
    )
    departments = [*settings.CENTRE_DEPARTMENTS, OTHER_DEPARTMENTS]
    named_total = sum(named_by_action.values())
    counted_total = sum(counted_by_action.values())
    return {
        "year": year,
        "actions": len(actions),
        "sessions": sum(a.sessions for a in actions),
        "half_days": sum(a.half_days for a in actions),
        "participations": named_total + counted_total,
        "named_participations": named_total,
        "headcount_participations": counted_total,
        "unique_participants": unique_participants,
        "by_department": _shares(
            [(code, department_labels[code], by_department.get(code, 0)) for code in departments]
        ),
        "by_actor_type": _shares(
            [(t.value, str(t.label), by_actor_type.get(t.value, 0)) for t in actor_types]
        ),
        "by_theme": _groups(themes),
        "by_format": _groups(formats),
        "per_action": tuple(actions),
    }


def _groups(groups: dict[str, tuple[str, list[ActionFigures]]]) -> tuple[GroupFigures, ...]:
    rows = [
        GroupFigures(
            key=key,
            label=label,
            actions=len(actions),
            sessions=sum(a.sessions for a in actions),
            half_days=sum(a.half_days for a in actions),
            participations=sum(a.participations for a in actions),
        )
        for key, (label, actions) in groups.items()
    ]
    rows.sort(key=lambda g: (-g.participations, -g.half_days, g.label.casefold()))
    return tuple(rows)


def participation_figures(
    *, year: int, until: datetime | None = None, with_previous: bool = True
) -> ParticipationFigures:
    """The year's activity and participation, with the year before for comparison.

    11 queries with the previous year, 6 without, whatever the amount of data.
    """
    until = until or timezone.now()
    labels = _department_labels()
    previous = None
    change = None
    current = _year_figures(year, until, labels)
    if with_previous:
        previous = ParticipationFigures(**_year_figures(year - 1, until, labels))
        change = percent_change(current["participations"], previous.participations)
    return ParticipationFigures(**current, previous=previous, participations_change=change)


def participation_by_month(*, year: int, until: datetime | None = None) -> tuple[MonthFigures, ...]:
    """Sessions, half-days and participations of each month (1 to 12) of the year; 3 queries."""
    until = until or timezone.now()
    sessions_q = counted_sessions_q(year=year, until=until)
    related_q = counted_sessions_q(year=year, until=until, prefix="session__")
    sessions = {
        row["month"]: row
        for row in Session.objects.filter(sessions_q)
        .values(month=ExtractMonth("starts_at"))
        .annotate(sessions=Count("pk"), half_days=Sum(half_days_expression()))
        .order_by()
    }
    participations: dict[int, int] = defaultdict(int)
    for queryset, total in (
        (Attendance.objects.filter(related_q, present=True), Count("pk")),
        (Headcount.objects.filter(related_q), Sum("count")),
    ):
        for row in (
            queryset.values(month=ExtractMonth("session__starts_at"))
            .annotate(total=total)
            .order_by()
        ):
            participations[row["month"]] += row["total"] or 0
    return tuple(
        MonthFigures(
            month=month,
            sessions=sessions.get(month, {}).get("sessions", 0),
            half_days=sessions.get(month, {}).get("half_days") or 0,
            participations=participations.get(month, 0),
        )
        for month in range(1, 13)
    )


# The sessions behind the figures, one row each, for the report's spreadsheets: the same
# session filter, half-days and participations, so their sums are the figures above.


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
