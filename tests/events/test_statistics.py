"""Participation figures against a small fixture computed by hand.

2024 (the year under test), times in Europe/Paris:

A1 peer group, theme Santé
  s1 12/03 09:30-12:30 (3 h → 1 half-day): p95a, p95b, p78 present; p92 absent → 3
  s2 14/05 09:30-16:30 (7 h → 2 half-days): p95a, pnone present → 2
  s3 11/06 cancelled session: p95a present → not counted
A2 meeting, themes Jeunesse and Parentalité
  s4 20/06 09:00-17:00 (8 h → 2): p75, p92 present → 2
     headcounts: 95 staff 40, 78 residents 20, no département associations 10 → 70
A3 webinar, theme Santé
  s5 03/10 14:00-19:00 (exactly 5 h → 1): p95a, p78 present → 2
  s6 05/11 10:00-12:00 with a 2 half-day override: headcount 92 elected 4 → 4
A4 cancelled action with a session and a present person → not counted
A5 only a cancelled session → not counted
A1 also has a session on 01/01/2025 at 00:30 in Paris (still 2024 in UTC) → not 2024.

Totals: 3 actions, 5 sessions, 1+2+2+1+2 = 8 half-days, 9 named + 74 counted = 83
participations, 6 unique people (p92 counts once: absent at s1, present at s4).
By département: 95 = 2+1+1+40 = 44, 78 = 1+1+20 = 22, 92 = 1+4 = 5, other = 1+1+10 = 12.
By actor type: staff 2+1+2+40 = 45, residents 1+20 = 21, associations 1+10 = 11,
elected 1+4 = 5, state 1.

2023: A1 one 3-hour session (p95a, p95b present → 2), A2 one 7-hour session with a
headcount of 48 → 2 actions, 2 sessions, 3 half-days, 50 participations;
2024 against 2023: (83 - 50) / 50 = +66.0 %.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from events.models import ActionFormat, ActionStatus, Attendance, Headcount
from events.selectors.figures import (
    ParticipationFigures,
    allocate_percentages,
    participation_by_month,
    participation_figures,
    percent_change,
)
from members.models import ActorType
from portal.core.models import Department, Theme
from tests.events.factories import ActionFactory, SessionFactory
from tests.members.factories import DepartmentFactory, PersonFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def at(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def session(action, start: datetime, hours: float, **extra):
    return SessionFactory(
        action=action, starts_at=start, ends_at=start + timedelta(hours=hours), **extra
    )


def attend(session_, *people, present=True):
    for person in people:
        Attendance.objects.create(session=session_, person=person, present=present)


def count(session_, department, actor_type, number):
    Headcount.objects.create(
        session=session_, department=department, actor_type=actor_type, count=number
    )


@pytest.fixture
def fixture():
    d95 = DepartmentFactory(code="95", name="Val-d'Oise")
    d78 = DepartmentFactory(code="78", name="Yvelines")
    d92 = DepartmentFactory(code="92", name="Hauts-de-Seine")
    d75 = DepartmentFactory(code="75", name="Paris")
    staff, association = ActorType.COLLECTIVITY_STAFF, ActorType.ASSOCIATION
    p95a = PersonFactory(department=d95, actor_type=staff)
    p95b = PersonFactory(department=d95, actor_type=association)
    p78 = PersonFactory(department=d78, actor_type=staff)
    p92 = PersonFactory(department=d92, actor_type=ActorType.ELECTED)
    p75 = PersonFactory(department=d75, actor_type=ActorType.STATE)
    pnone = PersonFactory(department=None, actor_type=ActorType.RESIDENT)
    health = Theme.objects.get(slug="sante")
    youth = Theme.objects.get(slug="jeunesse")
    parenting = Theme.objects.get(slug="parentalite")

    a1 = ActionFactory(title="Groupe ASV", format=ActionFormat.PEER_GROUP)
    a1.themes.add(health)
    s1 = session(a1, at(2024, 3, 12, 9, 30), 3)
    attend(s1, p95a, p95b, p78)
    attend(s1, p92, present=False)
    s2 = session(a1, at(2024, 5, 14, 9, 30), 7)
    attend(s2, p95a, pnone)
    s3 = session(a1, at(2024, 6, 11, 9, 30), 3, is_cancelled=True)
    attend(s3, p95a)
    boundary = session(a1, at(2025, 1, 1, 0, 30), 1.5)
    attend(boundary, p95a)

    a2 = ActionFactory(title="Journée jeunesse", format=ActionFormat.MEETING)
    a2.themes.add(youth, parenting)
    s4 = session(a2, at(2024, 6, 20, 9), 8)
    attend(s4, p75, p92)
    count(s4, d95, staff, 40)
    count(s4, d78, ActorType.RESIDENT, 20)
    count(s4, None, association, 10)

    a3 = ActionFactory(title="Webinaire santé", format=ActionFormat.WEBINAR)
    a3.themes.add(health)
    s5 = session(a3, at(2024, 10, 3, 14), 5)
    attend(s5, p95a, p78)
    s6 = session(a3, at(2024, 11, 5, 10), 2, half_days_override=2)
    count(s6, d92, ActorType.ELECTED, 4)

    a4 = ActionFactory(title="Action annulée", status=ActionStatus.CANCELLED)
    attend(session(a4, at(2024, 4, 2, 9), 3), p95a)
    a5 = ActionFactory(title="Séance annulée")
    attend(session(a5, at(2024, 4, 3, 9), 3, is_cancelled=True), p95a)

    # 2023
    attend(session(a1, at(2023, 11, 14, 9, 30), 3), p95a, p95b)
    count(session(a2, at(2023, 6, 15, 9), 7), d95, staff, 48)
    return {"a1": a1, "a2": a2, "a3": a3, "people": [p95a, p95b, p78, p92, p75, pnone]}


def shares(items) -> dict[str, tuple[int, Decimal]]:
    return {share.key: (share.count, share.percent) for share in items}


def test_the_year_figures_match_the_hand_computed_fixture(fixture):
    figures = participation_figures(year=2024)
    assert isinstance(figures, ParticipationFigures)
    assert (figures.actions, figures.sessions, figures.half_days) == (3, 5, 8)
    assert (figures.named_participations, figures.headcount_participations) == (9, 74)
    assert figures.participations == 83
    assert figures.unique_participants == 6


def test_departement_and_actor_type_shares_add_up_to_100(fixture):
    figures = participation_figures(year=2024)
    assert [share.key for share in figures.by_department] == ["95", "78", "92", "other"]
    assert shares(figures.by_department) == {
        "95": (44, Decimal("53.0")),
        "78": (22, Decimal("26.5")),
        "92": (5, Decimal("6.0")),
        "other": (12, Decimal("14.5")),
    }
    assert figures.by_department[0].label == "Val-d'Oise"
    assert [(s.key, s.count, s.percent) for s in figures.by_actor_type] == [
        ("collectivity_staff", 45, Decimal("54.2")),
        ("resident", 21, Decimal("25.3")),
        ("association", 11, Decimal("13.3")),
        ("elected", 5, Decimal("6.0")),
        ("state", 1, Decimal("1.2")),
        ("researcher", 0, Decimal("0.0")),
        ("other", 0, Decimal("0.0")),
    ]
    for breakdown in (figures.by_department, figures.by_actor_type):
        assert sum(share.percent for share in breakdown) == Decimal("100.0")
        assert sum(share.count for share in breakdown) == figures.participations


def test_themes_count_an_action_in_each_of_its_themes(fixture):
    figures = participation_figures(year=2024)
    by_theme = [
        (g.key, g.actions, g.sessions, g.half_days, g.participations) for g in figures.by_theme
    ]
    assert by_theme == [
        ("jeunesse", 1, 1, 2, 72),
        ("parentalite", 1, 1, 2, 72),
        ("sante", 2, 4, 6, 11),
    ]
    assert sum(g.participations for g in figures.by_theme) == 155  # A2 counted twice


def test_formats_and_actions_sorted_by_participations(fixture):
    figures = participation_figures(year=2024)
    assert [
        (g.key, g.actions, g.sessions, g.half_days, g.participations) for g in figures.by_format
    ] == [
        ("meeting", 1, 1, 2, 72),
        ("webinar", 1, 2, 3, 6),
        ("peer_group", 1, 2, 3, 5),
    ]
    per_action = [
        (a.title, a.sessions, a.half_days, a.participations, a.named_participations,
         a.headcount_participations)
        for a in figures.per_action
    ]  # fmt: skip
    assert per_action == [
        ("Journée jeunesse", 1, 2, 72, 2, 70),
        ("Webinaire santé", 2, 3, 6, 2, 4),
        ("Groupe ASV", 2, 3, 5, 5, 0),
    ]
    assert figures.per_action[0].slug == fixture["a2"].slug


def test_the_previous_year_and_the_change_of_participations(fixture):
    figures = participation_figures(year=2024)
    previous = figures.previous
    assert previous.year == 2023
    assert (previous.actions, previous.sessions, previous.half_days) == (2, 2, 3)
    assert previous.participations == 50
    assert previous.unique_participants == 2
    assert shares(previous.by_department)["95"] == (50, Decimal("100.0"))
    assert previous.previous is None
    assert figures.participations_change == Decimal("66.0")
    # the year after: only the session of 1 January 00:30 (Paris), not a 2024 one
    following = participation_figures(year=2025)
    assert (following.sessions, following.participations) == (1, 1)
    assert following.participations_change == Decimal("-98.8")


def test_sessions_after_until_are_not_activity_yet(fixture):
    figures = participation_figures(year=2024, until=at(2024, 6, 1, 0), with_previous=False)
    assert (figures.actions, figures.sessions, figures.half_days, figures.participations) == (
        1,
        2,
        3,
        5,
    )
    assert figures.previous is None
    assert figures.participations_change is None


def test_an_empty_year_has_zero_shares():
    figures = participation_figures(year=2010)
    assert (figures.actions, figures.participations, figures.participations_change) == (0, 0, None)
    assert all(share.percent == Decimal("0.0") for share in figures.by_department)
    assert figures.per_action == figures.by_theme == figures.by_format == ()


def test_participation_by_month(fixture):
    months = participation_by_month(year=2024)
    assert len(months) == 12
    busy = {m.month: (m.sessions, m.half_days, m.participations) for m in months if m.sessions}
    assert busy == {3: (1, 1, 3), 5: (1, 2, 2), 6: (1, 2, 72), 10: (1, 1, 2), 11: (1, 2, 4)}
    assert sum(m.participations for m in months) == 83


def test_percentages_allocate_rounding_to_reach_100():
    assert allocate_percentages([1, 1, 1]) == [Decimal("33.4"), Decimal("33.3"), Decimal("33.3")]
    assert allocate_percentages([2, 1]) == [Decimal("66.7"), Decimal("33.3")]
    assert allocate_percentages([0, 0]) == [Decimal("0.0"), Decimal("0.0")]
    assert sum(allocate_percentages([7, 7, 7, 7, 7, 7, 1])) == Decimal("100.0")
    assert percent_change(4693, 2844) == Decimal("65.0")
    assert percent_change(5, 0) is None


def _more_data(fixture, n: int) -> None:
    """n more actions, each with two sessions, attendances and headcounts, in both years."""
    other = Department.objects.get(code="75")
    people = fixture["people"] + PersonFactory.create_batch(5, department=other)
    theme = Theme.objects.get(slug="emploi-et-developpement-economique")
    for index in range(n):
        action = ActionFactory(format=ActionFormat.WORKSHOP)
        action.themes.add(theme)
        for year in (2023, 2024):
            s = session(action, at(year, 2 + index % 9, 3, 9), 3 + index % 6)
            attend(s, *people[index % 3 :: 2])
            count(s, other, ActorType.OTHER, 5)


def test_a_fixed_number_of_queries_whatever_the_data_size(fixture, django_assert_num_queries):
    with django_assert_num_queries(11):
        small = participation_figures(year=2024)
    with django_assert_num_queries(3):
        participation_by_month(year=2024)
    _more_data(fixture, 12)
    with django_assert_num_queries(11):
        large = participation_figures(year=2024)
    with django_assert_num_queries(3):
        participation_by_month(year=2024)
    assert large.actions == small.actions + 12
    assert large.participations > small.participations
