"""The events demo: a year shaped like the 2023 activity report, loaded once, agenda alive."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo import events as events_demo
from events.models import (
    Action,
    Attendance,
    Headcount,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    Session,
)
from events.selectors.figures import participation_figures
from members.models import Organisation, Person

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Action, Session, Attendance, Headcount, Registration, Person, Organisation)
    )


@pytest.fixture
def demo(whole_demo) -> int:
    """This year, in the whole demo (tests/demo/whole/conftest.py)."""
    return whole_demo.year


def test_the_demo_loads_twice_without_duplicates(demo):
    counts = _counts()
    events_demo.load_demo()
    call_command("load_demo", force=True, stdout=io.StringIO())
    assert _counts() == counts
    assert Person.objects.filter(email__endswith="@participants.demo.test").count() == 420


def test_last_year_is_shaped_like_the_activity_report(demo):
    figures = participation_figures(year=demo - 1, with_previous=False)
    assert 50 <= figures.actions <= 60
    assert 170 <= figures.half_days <= 215
    assert 4000 <= figures.participations <= 5500
    assert figures.headcount_participations >= 600  # large days: a headcount only
    assert 250 <= figures.unique_participants <= 450
    departments = {share.key: share.percent for share in figures.by_department}
    assert Decimal(40) <= departments["95"] <= Decimal(52)
    assert Decimal(19) <= departments["78"] <= Decimal(31)
    assert Decimal(15) <= departments["92"] <= Decimal(27)
    assert Decimal(3) <= departments["other"] <= Decimal(14)
    actor_types = {share.key: share.percent for share in figures.by_actor_type}
    assert Decimal(40) <= actor_types["collectivity_staff"] <= Decimal(58)
    assert figures.by_actor_type[0].key == "collectivity_staff"
    assert {"association", "resident", "state", "elected"} <= {
        share.key for share in figures.by_actor_type if share.count
    }
    assert len(figures.by_theme) >= 14
    assert len(figures.by_format) == 13  # every format of DOMAIN.md
    titles = {action.title for action in figures.per_action}
    assert "Formation « Animation participative d'un groupe de travail »" in titles
    cnr = Action.objects.get(title__startswith="Conseil national de la refondation")
    assert sum(h.count for h in Headcount.objects.filter(session__action=cnr)) == 104
    assert cnr.partners.filter(name="Préfecture des Yvelines").exists()
    training = Action.objects.get(
        slug=f"formation-animation-participative-dun-groupe-de-travail-{demo - 1}"
    )
    assert training.partners.filter(name="Infusion collective").exists()
    assert [s.half_days for s in training.sessions.all()] == [2] * 6


def test_this_years_agenda_is_alive(demo):
    upcoming = Session.objects.public().upcoming()
    assert upcoming.count() >= 8
    assert upcoming.filter(mode=RegistrationMode.ON_REQUEST).exists()
    assert upcoming.filter(is_online=True).exclude(online_url="").exists()
    almost_full = [
        s
        for s in upcoming.filter(capacity__isnull=False)
        if s.capacity - 4 <= s.registrations.confirmed().count() < s.capacity
    ]
    assert almost_full
    assert Registration.objects.filter(status=RegistrationStatus.WAITLISTED).exists()

    member = Person.objects.get(email="membre@demo.test")
    assert member.organisation.name == "Ville de Cergy"
    mine = member.registrations.filter(session__starts_at__gt=timezone.now())
    assert mine.count() == 1
    assert mine.get().session.is_online
    assert member.attendances.filter(present=True).count() >= 3
