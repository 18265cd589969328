"""Reads of the public agenda: sessions with their free seats, action pages, feeds.

Every list is annotated, prefetched or given its seats by one grouped query, so that a
page runs the same number of queries whatever the number of sessions in the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import (
    Max,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from events.models import (
    Action,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    Session,
)
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
    The action's description, which cards don't show, is left out."""
    return (
        Session.objects.public()
        .upcoming()
        .select_related("action", "commune")
        .defer("action__description")
        .order_by("starts_at", "pk")
    )


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


def action_for_page(*, slug: str) -> Action | None:
    """A public action with its sessions, or None. Its themes, partners and départements
    are read by the part of its page that shows them, which is kept while the content is
    unchanged (fragments cache): no query for them on most visits."""
    sessions = Session.objects.select_related("commune").order_by("starts_at", "pk")
    return (
        Action.objects.public()
        .filter(slug=slug)
        .prefetch_related(Prefetch("sessions", queryset=sessions, to_attr="session_list"))
        .first()
    )


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
