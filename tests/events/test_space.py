"""Member space pages of the events app: my registrations, my organisation's participation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import constants as message_levels
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import Attendance, Registration, RegistrationStatus
from events.selectors.space import organisation_participation
from members.models import Organisation, Person
from portal.core.models import OutgoingMail
from tests.events.factories import ActionFactory, RegistrationFactory, SessionFactory
from tests.members.factories import CityFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
REGISTRATIONS = reverse("events_space:registrations")
PARTICIPATION = reverse("events_space:participation")


@dataclass
class Member:
    client: Client
    person: Person
    organisation: Organisation | None


@pytest.fixture
def member(member_user) -> Member:
    organisation = CityFactory(name="Ville de Cergy")
    person = PersonFactory(
        user=member_user, organisation=organisation, first_name="Sophie", last_name="Adhérente"
    )
    client = Client()
    client.force_login(member_user)
    return Member(client=client, person=person, organisation=organisation)


def future(days: int, hours: float = 3, **extra):
    start = timezone.now() + timedelta(days=days)
    return SessionFactory(starts_at=start, ends_at=start + timedelta(hours=hours), **extra)


def past_session(year: int, month: int, hours: float = 3, **extra):
    start = datetime(year, month, 10, 9, 30, tzinfo=PARIS)
    return SessionFactory(starts_at=start, ends_at=start + timedelta(hours=hours), **extra)


def messages_of(response) -> list:
    return list(response.context["messages"])


# My registrations ----------------------------------------------------------------------


def test_my_registrations_lists_only_mine_upcoming_and_past(member):
    online = future(5, action=ActionFactory(title="Webinaire santé mentale"), is_online=True,
                    online_url="https://visio.example.org/sante")  # fmt: skip
    waiting = future(8, action=ActionFactory(title="Petit-déjeuner emploi"), is_online=True,
                     online_url="https://visio.example.org/secret")  # fmt: skip
    RegistrationFactory(session=online, person=member.person, status=RegistrationStatus.CONFIRMED)
    RegistrationFactory(session=waiting, person=member.person, status=RegistrationStatus.WAITLISTED)
    done = past_session(timezone.localdate().year - 1, 3, action=ActionFactory(title="Groupe PRE"))
    RegistrationFactory(session=done, person=member.person)
    Attendance.objects.create(session=done, person=member.person, present=True)
    other = future(6, action=ActionFactory(title="Séminaire réservé à autrui"))
    RegistrationFactory(session=other, person=PersonFactory(organisation=member.organisation))

    response = member.client.get(REGISTRATIONS)
    assert response.status_code == 200
    assert [r.session for r in response.context["upcoming"]] == [online, waiting]
    assert [r.session for r in response.context["past"]] == [done]
    assert response.context["past"][0].attended
    body = response.content.decode()
    assert "Webinaire santé mentale" in body and "Groupe PRE" in body
    assert "Séminaire réservé à autrui" not in body
    assert "https://visio.example.org/sante" in body  # confirmed online session: the link
    assert "https://visio.example.org/secret" not in body  # waiting list: no link yet
    assert f'href="{REGISTRATIONS}" aria-current="page"' in body
    assert body.count('class="space-cancel-link"') == 2


def test_cancelling_promotes_the_waiting_list(member):
    session = future(10, capacity=1, action=ActionFactory(title="Formation animation"))
    mine = RegistrationFactory(session=session, person=member.person)
    waiting = RegistrationFactory(session=session, status=RegistrationStatus.WAITLISTED)
    url = reverse("events_space:registration_cancel", args=[mine.pk])
    response = member.client.post(url, follow=True)
    assert response.redirect_chain == [(REGISTRATIONS, 302)]
    [message] = messages_of(response)
    assert message.level == message_levels.SUCCESS
    assert "Formation animation" in message.message
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert mine.status == RegistrationStatus.CANCELLED and mine.cancelled_at is not None
    assert waiting.status == RegistrationStatus.CONFIRMED
    # The promotion email of the person waiting, and no other.
    assert list(OutgoingMail.objects.values_list("to", flat=True)) == [waiting.person.email]
    assert response.context["upcoming"] == []

    again = member.client.post(url, follow=True)
    assert messages_of(again)[0].level == message_levels.INFO
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED


def test_someone_elses_registration_is_404(member):
    colleague = PersonFactory(organisation=member.organisation)
    theirs = RegistrationFactory(session=future(4), person=colleague)
    url = reverse("events_space:registration_cancel", args=[theirs.pk])
    assert member.client.post(url).status_code == 404
    assert member.client.get(url).status_code == 404
    assert (
        member.client.post(reverse("events_space:registration_cancel", args=[999999])).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == RegistrationStatus.CONFIRMED


def test_a_started_or_cancelled_session_cannot_be_cancelled(member):
    started = SessionFactory(starts_at=timezone.now() - timedelta(hours=1),
                             ends_at=timezone.now() + timedelta(hours=2))  # fmt: skip
    registration = RegistrationFactory(session=started, person=member.person)
    response = member.client.get(REGISTRATIONS)
    assert response.context["upcoming"] == [registration]
    assert 'class="space-cancel-link"' not in response.content.decode()
    url = reverse("events_space:registration_cancel", args=[registration.pk])
    response = member.client.post(url, follow=True)
    assert messages_of(response)[0].level == message_levels.ERROR
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_sign_in_required_and_accounts_without_a_person(client, make_user):
    response = client.get(REGISTRATIONS)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    client.force_login(make_user("seul@example.org"))
    response = client.get(REGISTRATIONS)
    assert response.status_code == 200
    assert "members/space_unlinked.html" in [t.name for t in response.templates]
    assert client.post(reverse("events_space:registration_cancel", args=[1])).status_code == 404
    assert client.get(PARTICIPATION).status_code == 200  # the same friendly page


def _registrations(member: Member, n: int) -> None:
    for index in range(n):
        RegistrationFactory(session=future(3 + index), person=member.person)
        done = past_session(2020 + index % 5, 1 + index % 12)
        RegistrationFactory(session=done, person=member.person)
        Attendance.objects.create(session=done, person=member.person, present=index % 2 == 0)


def test_my_registrations_query_count_is_fixed(member, django_assert_num_queries):
    _registrations(member, 2)
    member.client.get(REGISTRATIONS)  # warm the site settings cache
    with django_assert_num_queries(REGISTRATION_QUERIES):
        assert member.client.get(REGISTRATIONS).status_code == 200
    _registrations(member, 12)
    member.client.get(REGISTRATIONS)  # the sessions created changed the content: read again
    with django_assert_num_queries(REGISTRATION_QUERIES):
        response = member.client.get(REGISTRATIONS)
    assert len(response.context["upcoming"]) == 14


# Participation of my organisation -----------------------------------------------------------


@pytest.fixture
def history(member):
    """Last year: two sessions (3 h and 7 h); the year before: one; plus noise."""
    year = timezone.localdate().year - 1
    colleague = PersonFactory(organisation=member.organisation, last_name="Collègue")
    stranger = PersonFactory(organisation=OrganisationFactory(), last_name="Zébulon-Inconnu")
    workshop = ActionFactory(title="Atelier participation")
    s1 = past_session(year, 3, action=workshop)
    for person in (member.person, colleague, stranger):
        Attendance.objects.create(session=s1, person=person, present=True)
    s2 = past_session(year, 5, hours=7, action=ActionFactory(title="Journée jeunesse"))
    Attendance.objects.create(session=s2, person=colleague, present=True)
    Attendance.objects.create(session=s2, person=member.person, present=False)
    s3 = past_session(year - 1, 6, action=ActionFactory(title="Groupe santé"))
    Attendance.objects.create(session=s3, person=member.person, present=True)
    cancelled = past_session(year, 9, is_cancelled=True, action=ActionFactory(title="Annulée"))
    Attendance.objects.create(session=cancelled, person=member.person, present=True)
    only_strangers = past_session(year, 10, action=ActionFactory(title="Réunion d'autrui"))
    Attendance.objects.create(session=only_strangers, person=stranger, present=True)
    return year


def test_participation_of_my_organisation_by_year(member, history):
    rows = organisation_participation(organisation_id=member.organisation.pk)
    assert [(r.year, r.sessions, r.people, r.participations, r.half_days) for r in rows] == [
        (history, 2, 2, 3, 3),
        (history - 1, 1, 1, 1, 1),
    ]
    response = member.client.get(PARTICIPATION)
    assert response.status_code == 200
    assert response.context["year"] == history
    titles = [s.action_title for s in response.context["sessions"]]
    assert titles == ["Journée jeunesse", "Atelier participation"]
    assert [s.people for s in response.context["sessions"]] == [1, 2]
    body = response.content.decode()
    assert "Zébulon-Inconnu" not in body and "Collègue" not in body  # counts, never names
    assert "Réunion d&#x27;autrui" not in body and "Annulée" not in body
    assert f'href="{PARTICIPATION}" aria-current="page"' in body

    response = member.client.get(PARTICIPATION, {"annee": history - 1})
    assert [s.action_title for s in response.context["sessions"]] == ["Groupe santé"]
    response = member.client.get(PARTICIPATION, {"annee": "1999"})
    assert response.context["year"] == history


def test_participation_is_404_for_an_individual_member(member):
    member.person.organisation = None
    member.person.save()
    assert member.client.get(PARTICIPATION).status_code == 404
    body = member.client.get(REGISTRATIONS).content.decode()
    assert PARTICIPATION not in body  # no link in the navigation


def test_an_organisation_without_history_sees_an_empty_page(member):
    response = member.client.get(PARTICIPATION)
    assert response.status_code == 200
    assert response.context["summary"] == ()


def _history(member: Member, n: int) -> None:
    people = PersonFactory.create_batch(3, organisation=member.organisation)
    for index in range(n):
        session = past_session(timezone.localdate().year - 1 - index % 3, 1 + index % 12)
        for person in people[: 1 + index % 3]:
            Attendance.objects.create(session=session, person=person, present=True)


def test_participation_query_count_is_fixed(member, django_assert_num_queries):
    _history(member, 2)
    member.client.get(PARTICIPATION)  # warm the site settings cache
    with django_assert_num_queries(PARTICIPATION_QUERIES):
        assert member.client.get(PARTICIPATION).status_code == 200
    _history(member, 15)
    member.client.get(PARTICIPATION)  # the sessions created changed the content: read again
    with django_assert_num_queries(PARTICIPATION_QUERIES):
        response = member.client.get(PARTICIPATION)
    assert len(response.context["summary"]) == 3


# user + person (with organisation) + upcoming + past + attended + attendance certificates
REGISTRATION_QUERIES = 6
# user + person + the years + their half-days + the sessions of the year
PARTICIPATION_QUERIES = 5
