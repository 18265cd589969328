"""Reads of the public agenda: sessions with their free seats, action pages, feeds.

Every list is annotated, prefetched or given its seats by one grouped query, so that a
page runs the same number of queries whatever the number of sessions in the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.db import connection
from django.db.models import (
    Max,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from events.models import (
    Action,
    ActionStatus,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    Session,
)
from portal.core.models import Commune
from portal.core.pagecache import kept_while_unchanged

# The agenda feed also carries the sessions of the last weeks, so that calendars
# which subscribed keep the sessions their owner attended.
FEED_PAST_DAYS = 60


def session_state(session: Session, *, now=None) -> str:
    """Where a session's registration stands, for the pages: one of
    cancelled, past, closed, not_open, on_request, open, seats, full.

    Uses the `seats_left` that sessions_with_seats() sets; no query.
    """
    now = now or timezone.now()
    if session.is_cancelled:
        return "cancelled"
    if session.starts_at <= now:
        return "past"
    if not session.registration_is_open(now):
        if session.mode != RegistrationMode.CLOSED and (
            session.registration_opens_at and now < session.registration_opens_at
        ):
            return "not_open"
        return "closed"
    if session.mode == RegistrationMode.ON_REQUEST:
        return "on_request"
    if session.seats_left is None:
        return "open"
    return "seats" if session.seats_left > 0 else "full"


def _seats_left_set(session: Session) -> None:
    session.seats_left = (
        None if session.capacity is None else max(session.capacity - session.confirmed_count, 0)
    )


# What a session's registration state needs, and its confirmed registrations.
SEATS_SQL = """
    SELECT s.id, s.capacity, s.mode, s.is_cancelled, s.starts_at,
           s.registration_opens_at, s.registration_closes_at,
           (SELECT count(*) FROM events_registration r
             WHERE r.session_id = s.id AND r.status = %s) AS confirmed_count
      FROM events_session s
     WHERE s.id = ANY(%s)
"""


def sessions_with_seats(*, ids: Iterable[int]) -> list[Session]:
    """These sessions with `confirmed_count` and `seats_left`, in one query: what the
    live fragments of a page need (events.views.live), whatever the number of sessions.

    Raw SQL: every page showing sessions runs it, cached or not, and building it with
    the ORM cost more than PostgreSQL's work (each count reads the (session, status) index).
    """
    sessions = list(Session.objects.raw(SEATS_SQL, [RegistrationStatus.CONFIRMED, list(ids)]))
    for session in sessions:
        _seats_left_set(session)
    return sessions


def agenda_sessions() -> QuerySet[Session]:
    """Upcoming sessions of public published actions, soonest first, for their cards
    (their seats are live fragments: events.views.live; their themes, action_theme_ids()).
    The action's description, which cards don't show, is left out. The agenda's list,
    which its filters narrow, is AgendaList: the same sessions read with raw SQL."""
    return (
        Session.objects.public()
        .upcoming()
        .select_related("action", "commune")
        .defer("action__description")
        .order_by("starts_at", "pk")
    )


class _Columns:
    """A model's columns in a raw query, under a table's alias, and the instance that
    `from_db` (as the ORM) builds from them."""

    def __init__(self, model, alias: str, *, without: tuple[str, ...] = ()):
        fields = [field for field in model._meta.concrete_fields if field.name not in without]
        self.model = model
        self.sql = ", ".join(f"{alias}.{field.column}" for field in fields)
        self.names = [field.attname for field in fields]

    def built(self, row: tuple, start: int):
        """The instance from the row's columns at `start`; None when its id is null."""
        if row[start] is None:
            return None
        values = row[start : start + len(self.names)]
        return self.model.from_db(connection.alias, self.names, values)


_SESSION = _Columns(Session, "s")
_COMMUNE = _Columns(Commune, "c")
# A card's action: its description, which cards don't show, is left out.
_CARD_ACTION = _Columns(Action, "a", without=("description",))
_ACTION_OF_SESSION = Session._meta.get_field("action")
_COMMUNE_OF_SESSION = Session._meta.get_field("commune")


def _session_built(row: tuple, start: int, action: Action) -> Session:
    """The session of the row's columns at `start` (_SESSION, then _COMMUNE), with its
    commune and action, as select_related() or a prefetch gives them."""
    session = _SESSION.built(row, start)
    commune = _COMMUNE.built(row, start + len(_SESSION.names))
    _COMMUNE_OF_SESSION.set_cached_value(session, commune)
    _ACTION_OF_SESSION.set_cached_value(session, action)
    return session


# agenda_sessions() in SQL, with the filters' conditions ({where}) on the aliases s, a, c.
AGENDA_SQL = """
    SELECT {select}
      FROM events_session s
      JOIN events_action a ON a.id = s.action_id
      LEFT JOIN core_commune c ON c.id = s.commune_id
     WHERE a.is_public AND a.status = %s AND NOT s.is_cancelled AND s.ends_at >= %s{where}
"""


class AgendaList:
    """The agenda's upcoming sessions (as agenda_sessions() finds them, with their actions
    and communes), narrowed by SQL conditions: what events.filters.AgendaFilter filters and
    ShortListPaginator slices into pages and counts, one raw query each.

    Raw SQL: building the filtered query with the ORM (the filters' joins and subqueries,
    the columns of three tables) cost several times what PostgreSQL takes to run it.
    """

    model = Session  # what django-filter's FilterSet reads of its queryset

    def __init__(self, conditions: tuple[tuple[str, tuple], ...] = ()):
        self.conditions = conditions

    def all(self) -> AgendaList:
        return self

    def where(self, condition: str, *params) -> AgendaList:
        """These sessions that meet the condition too (SQL on s, a and c)."""
        return AgendaList((*self.conditions, (condition, params)))

    def _query(self, select: str) -> tuple[str, list]:
        where, params = "", [ActionStatus.PUBLISHED, timezone.now()]
        for condition, condition_params in self.conditions:
            where += f" AND ({condition})"
            params += condition_params
        return AGENDA_SQL.format(select=select, where=where), params

    def count(self) -> int:
        sql, params = self._query("count(*)")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def __getitem__(self, rows: slice) -> list[Session]:
        """The sessions of a page, soonest first: `rows` is a slice, as Paginator takes one."""
        sql, params = self._query(f"{_CARD_ACTION.sql}, {_SESSION.sql}, {_COMMUNE.sql}")
        offset = rows.start or 0
        sql += " ORDER BY s.starts_at, s.id LIMIT %s OFFSET %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, rows.stop - offset, offset])
            found = cursor.fetchall()
        start = len(_CARD_ACTION.names)
        return [_session_built(row, start, _CARD_ACTION.built(row, 0)) for row in found]


@kept_while_unchanged
def action_theme_ids() -> dict[int, tuple[int, ...]]:
    """The theme ids of each action that has themes, kept in each process while the public
    content is unchanged (an action's themes are part of it): a session's card shows
    them without a join or a subquery per list."""
    links = defaultdict(list)
    rows = Action.themes.through.objects.order_by("action_id", "theme_id")
    for action_id, theme_id in rows.values_list("action_id", "theme_id"):
        links[action_id].append(theme_id)
    return {action_id: tuple(themes) for action_id, themes in links.items()}


def past_actions() -> QuerySet[Action]:
    """Public actions whose sessions are all over, the most recent first, with their sessions."""
    now = timezone.now()
    sessions = Session.objects.filter(is_cancelled=False).select_related("commune")
    return (
        Action.objects.public()
        .annotate(last_ends_at=Max("sessions__ends_at", filter=Q(sessions__is_cancelled=False)))
        .filter(last_ends_at__lt=now)
        .prefetch_related(
            "themes",
            Prefetch("sessions", queryset=sessions.order_by("starts_at"), to_attr="session_list"),
        )
        .order_by("-last_ends_at", "pk")
    )


_ACTION = _Columns(Action, "a")
# A public action and its sessions (none: one row of nulls) with their communes.
ACTION_PAGE_SQL = f"""
    SELECT {_ACTION.sql}, {_SESSION.sql}, {_COMMUNE.sql}
      FROM events_action a
      LEFT JOIN events_session s ON s.action_id = a.id
      LEFT JOIN core_commune c ON c.id = s.commune_id
     WHERE a.is_public AND a.status = %s AND a.slug = %s
     ORDER BY s.starts_at, s.id
"""  # noqa: S608 (the columns come from the models)


def action_for_page(*, slug: str) -> Action | None:
    """A public action with its sessions (`session_list`), or None, in one raw query (the
    ORM's two, the action then its sessions, cost most of the page). Its themes, partners
    and départements are read by the part of its page that shows them, which is kept while
    the content is unchanged (fragments cache): no query for them on most visits."""
    with connection.cursor() as cursor:
        cursor.execute(ACTION_PAGE_SQL, [ActionStatus.PUBLISHED, slug])
        rows = cursor.fetchall()
    if not rows:
        return None
    action = _ACTION.built(rows[0], 0)
    start = len(_ACTION.names)
    action.session_list = [
        _session_built(row, start, action) for row in rows if row[start] is not None
    ]
    return action


def public_action(*, slug: str) -> Action | None:
    return Action.objects.public().filter(slug=slug).first()


def person_registrations_for_action(*, person, action: Action) -> dict[int, Registration]:
    """A person's active registrations to the action's sessions, by session id."""
    if person is None:
        return {}
    registrations = Registration.objects.active().filter(person=person, session__action=action)
    return {registration.session_id: registration for registration in registrations}


def feed_sessions() -> QuerySet[Session]:
    """Sessions of the public agenda feed: upcoming ones and those of the last weeks.

    Cancelled sessions stay in the feed (marked cancelled) so subscribed calendars update.
    """
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    return (
        Session.objects.filter(action__in=Action.objects.public(), ends_at__gte=since)
        .select_related("action", "commune")
        .order_by("starts_at", "pk")
    )


def action_feed_sessions(*, action: Action) -> QuerySet[Session]:
    return action.sessions.select_related("action", "commune").order_by("starts_at", "pk")


def registrations_for_done_page(*, ids: list[int], action: Action) -> list[Registration]:
    """The registrations just made (ids kept in the visitor's session), for the thank-you page."""
    registrations = (
        Registration.objects.filter(pk__in=ids, session__action=action)
        .select_related("session__commune", "person")
        .order_by("session__starts_at", "pk")
    )
    return list(registrations)


def registration_waitlist_position(registration: Registration) -> int | None:
    """1 for the first person waiting; None when not on the waiting list."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Q(created_at__lt=registration.created_at) | Q(
        created_at=registration.created_at, pk__lt=registration.pk
    )
    waiting = Registration.objects.waitlist().filter(session_id=registration.session_id)
    return waiting.filter(ahead).count() + 1


def registration_for_email(*, registration_id: int) -> Registration | None:
    return (
        Registration.objects.select_related("session__action", "session__commune", "person")
        .filter(pk=registration_id)
        .first()
    )


def cycle_registrations(
    *, registration: Registration, include_cancelled: bool = False
) -> list[Registration]:
    """The other active registrations made with this one for every session of the action
    (the cancelled ones too with `include_cancelled`)."""
    if registration.cycle_key is None:
        return []
    registrations = Registration.objects.all()
    if not include_cancelled:
        registrations = registrations.active()
    return list(
        registrations.filter(cycle_key=registration.cycle_key, person_id=registration.person_id)
        .exclude(pk=registration.pk)
        .select_related("session")
        .order_by("session__starts_at")
    )


def reminder_candidates(*, now, until) -> QuerySet[Registration]:
    """Confirmed registrations not yet reminded, whose session starts between now and until."""
    return (
        Registration.objects.confirmed()
        .filter(
            reminder_sent_at__isnull=True,
            session__is_cancelled=False,
            session__starts_at__gt=now,
            session__starts_at__lt=until,
        )
        .exclude(person__email="")
        .order_by("session__starts_at", "pk")
    )
