"""Capacity under concurrency, the waiting list, cancellation and promotion."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from events.models import Registration, RegistrationMode, RegistrationStatus
from events.services.registrations import (
    registration_cancel,
    registration_cancel_token,
    registration_confirm,
    registration_create,
    registration_create_for_cycle,
    registration_from_cancel_token,
    session_capacity_change,
)
from portal.core.models import OutgoingMail
from tests.events.factories import ActionFactory, SessionFactory
from tests.members.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_seats_are_confirmed_then_waitlisted_first_come_first_served():
    session = SessionFactory(capacity=2)
    people = PersonFactory.create_batch(4)
    statuses = [registration_create(session=session, person=p).status for p in people]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert list(session.registrations.waitlist().values_list("person", flat=True)) == [
        people[2].pk,
        people[3].pk,
    ]


def test_the_same_person_twice_is_refused_politely():
    session = SessionFactory()
    person = PersonFactory()
    registration_create(session=session, person=person)
    with pytest.raises(ValidationError) as error:
        registration_create(session=session, person=person)
    assert error.value.code == "duplicate"
    assert session.registrations.count() == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"mode": RegistrationMode.CLOSED}, "closed"),
        ({"is_cancelled": True}, "cancelled"),
        ({"starts_at": timezone.now() - timedelta(hours=1)}, "past"),
        ({"registration_closes_at": timezone.now() - timedelta(minutes=1)}, "closed"),
        ({"registration_opens_at": timezone.now() + timedelta(days=1)}, "not_open"),
    ],
)
def test_closed_cancelled_past_or_not_yet_open_sessions_refuse(changes, code):
    session = SessionFactory()
    for field, value in changes.items():
        setattr(session, field, value)
    if "starts_at" in changes:
        session.ends_at = session.starts_at + timedelta(hours=3)
    session.save()
    with pytest.raises(ValidationError) as error:
        registration_create(session=session, person=PersonFactory())
    assert error.value.code == code
    assert not Registration.objects.exists()


def test_on_request_sessions_wait_for_staff(staff_user):
    session = SessionFactory(mode=RegistrationMode.ON_REQUEST, capacity=1)
    first = registration_create(session=session, person=PersonFactory())
    second = registration_create(session=session, person=PersonFactory())
    assert (first.status, second.status) == ("requested", "requested")
    registration_confirm(registration=first, actor=staff_user)
    with pytest.raises(ValidationError) as error:
        registration_confirm(registration=second, actor=staff_user)
    assert error.value.code == "full"


def test_a_cancellation_promotes_exactly_one_waitlisted_person(mailoutbox):
    session = SessionFactory(capacity=1)
    first, second, third = (
        registration_create(session=session, person=PersonFactory()) for _ in range(3)
    )
    before = OutgoingMail.objects.latest("pk").pk
    promoted = registration_cancel(registration=first)
    assert [r.pk for r in promoted] == [second.pk]
    # One promotion email recorded, for the promoted person only.
    promotions = OutgoingMail.objects.filter(pk__gt=before).values_list("to", flat=True)
    assert list(promotions) == [second.person.email]
    statuses = dict(session.registrations.values_list("pk", "status"))
    assert statuses == {first.pk: "cancelled", second.pk: "confirmed", third.pk: "waitlisted"}
    assert registration_cancel(registration=first) == []  # twice: nothing more happens


def test_the_cancellation_token_finds_its_registration_and_refuses_tampering():
    registration = registration_create(session=SessionFactory(), person=PersonFactory())
    token = registration_cancel_token(registration)
    assert registration_from_cancel_token(token) == registration
    for bad in (token[:-2] + "xx", "garbage", "", token + ":"):
        with pytest.raises(ValidationError) as error:
            registration_from_cancel_token(bad)
        assert error.value.code == "bad_token"


def test_capacity_cannot_go_below_the_confirmed_count_and_raising_it_promotes(staff_user):
    session = SessionFactory(capacity=2)
    registrations = [registration_create(session=session, person=PersonFactory()) for _ in range(4)]
    with pytest.raises(ValidationError) as error:
        session_capacity_change(session=session, capacity=1, actor=staff_user)
    assert "capacity" in error.value.message_dict
    session.refresh_from_db()
    assert session.capacity == 2
    promoted = session_capacity_change(session=session, capacity=3, actor=staff_user)
    assert [r.pk for r in promoted] == [registrations[2].pk]


def test_a_cycle_registers_every_upcoming_open_session_at_once():
    action = ActionFactory()
    sessions = [
        SessionFactory(action=action, starts_at=timezone.now() + timedelta(days=d))
        for d in (5, 12, 19)
    ]
    SessionFactory(action=action, starts_at=timezone.now() - timedelta(days=3))  # past
    registrations = registration_create_for_cycle(action=action, person=PersonFactory())
    assert [r.session_id for r in registrations] == [s.pk for s in sessions]
    assert len({r.cycle_key for r in registrations}) == 1


def _max_parallel_connections() -> int:
    """Connections this test may open: 200, or what the server allows, with a margin."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int, count(*) FROM pg_stat_activity"
        )
        limit, used = cursor.fetchone()
    return max(10, min(200, limit - used - 20))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(3))
def test_200_attempts_at_once_on_50_seats_confirm_exactly_50(run):
    """200 people register at the same instant, each from a database connection of its
    own thread (as many connections as the server allows, up to 200): exactly 50 are
    confirmed, 150 waitlisted, and nobody gets an error."""
    session = SessionFactory(capacity=50)
    people = PersonFactory.create_batch(200)
    threads_count = _max_parallel_connections()
    barrier = threading.Barrier(threads_count)
    errors, statuses = [], []
    lock = threading.Lock()

    def work(batch):
        try:
            barrier.wait(timeout=60)
            for person in batch:
                registration = registration_create(session=session, person=person)
                with lock:
                    statuses.append(registration.status)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    batches = [people[i::threads_count] for i in range(threads_count)]
    threads = [threading.Thread(target=work, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert statuses.count(RegistrationStatus.CONFIRMED) == 50
    assert statuses.count(RegistrationStatus.WAITLISTED) == 150
    assert session.registrations.confirmed().count() == 50
    assert session.registrations.waitlist().count() == 150
