"""Registering on an action page, the thank-you page, and cancelling by the emailed link."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session as SessionRow
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import Registration, RegistrationMode, RegistrationStatus
from events.services.registrations import registration_cancel_token, registration_create
from events.views.actions import DONE_COOKIE
from members.models import Person
from tests.events.factories import ActionFactory, RegistrationFactory, SessionFactory
from tests.events.live import session_states
from tests.members.factories import DepartmentFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def form_data(target, **changes) -> dict:
    data = {
        "session": str(target.pk),
        "first_name": "Nadia",
        "last_name": "Benali",
        "email": "Nadia.Benali@Ville.example.org",
        "organisation_name": "Ville de Sarcelles",
        "job_title": "Cheffe de projet politique de la ville",
        "actor_type": "collectivity_staff",
        "department": "",
        "consent": "on",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def department():
    return DepartmentFactory(code="95", name="Val-d'Oise")


def _post(client, target, **changes):
    return client.post(target.action.get_absolute_url(), form_data(target, **changes))


# The journey -----------------------------------------------------------------------------


def test_an_anonymous_visitor_registers_and_sees_the_confirmation(client, department):
    session = SessionFactory(capacity=10)

    page = client.get(session.action.get_absolute_url())
    assert page.status_code == 200
    assert 'name="consent"' in page.content.decode()

    response = _post(client, session, department="95")

    assert response.status_code == 302
    assert response["Location"] == reverse("events:registration_done", args=[session.action.slug])
    person = Person.objects.get()
    assert person.email == "nadia.benali@ville.example.org"
    assert (person.first_name, person.job_title, person.department) == (
        "Nadia",
        "Cheffe de projet politique de la ville",
        department,
    )
    assert person.consent_processing_at is not None
    registration = Registration.objects.get()
    assert (registration.session, registration.person, registration.status) == (
        session,
        person,
        RegistrationStatus.CONFIRMED,
    )
    done = client.get(response["Location"])
    assert done.status_code == 200
    assert done.context["registrations"] == [registration]
    assert done.context["any_confirmed"] and not done.context["any_waitlisted"]


def test_the_thank_you_page_is_the_visitors_own_and_no_session_is_written(client):
    """The registrations just made ride in a signed cookie to the thank-you page, which is
    never stored in the page cache; another visitor, or a forged cookie, sees none."""
    session = SessionFactory(capacity=10)
    response = _post(client, session)

    assert not SessionRow.objects.exists()
    done = client.get(response["Location"])
    assert done.context["registrations"] == [Registration.objects.get()]
    assert "private" in done["Cache-Control"]
    assert Client().get(response["Location"]).context["registrations"] == []
    forged = Client()
    forged.cookies[DONE_COOKIE] = client.cookies[DONE_COOKIE].value.replace("[", "[9")
    assert forged.get(response["Location"]).context["registrations"] == []


def test_an_existing_person_is_matched_by_email_and_not_overwritten(client, department):
    person = PersonFactory(email="nadia.benali@ville.example.org", first_name="Nadia", job_title="")
    session = SessionFactory()

    _post(client, session, first_name="Someone else", department="95")

    person.refresh_from_db()
    assert Person.objects.count() == 1
    assert person.first_name == "Nadia"
    assert person.job_title == "Cheffe de projet politique de la ville"  # only empty fields filled
    assert Registration.objects.get().person == person


def test_a_signed_in_member_finds_the_form_prefilled_and_registers(client, member_user):
    organisation = OrganisationFactory(name="Régie de quartier")
    person = PersonFactory(
        user=member_user, email="membre@example.org", first_name="Sophie", organisation=organisation
    )
    session = SessionFactory()
    client.force_login(member_user)

    form = client.get(session.action.get_absolute_url()).context["form"]
    assert form["email"].value() == "membre@example.org"
    assert form["first_name"].value() == "Sophie"
    assert form["organisation_name"].value() == "Régie de quartier"
    assert form["session"].value() == str(session.pk)  # the only session, chosen already

    data = {name: form[name].value() or "" for name in form.fields}
    data.update(consent="on", department="")
    response = client.post(session.action.get_absolute_url(), data)

    assert response.status_code == 302
    assert Registration.objects.get().person == person


def test_a_signed_in_account_without_a_record_is_prefilled_from_the_account(client, member_user):
    session = SessionFactory()
    client.force_login(member_user)
    form = client.get(session.action.get_absolute_url()).context["form"]
    assert form["email"].value() == "membre@example.org"
    assert form["first_name"].value() == "Sophie"


def test_the_online_link_is_shown_to_confirmed_members_only(client, member_user):
    session = SessionFactory(is_online=True, online_url="https://visio.example.org/room")
    person = PersonFactory(user=member_user, email="membre@example.org")
    url = session.action.get_absolute_url()

    assert "visio.example.org" not in client.get(url).content.decode()
    client.force_login(member_user)
    assert "visio.example.org" not in client.get(url).content.decode()
    RegistrationFactory(session=session, person=person, status="confirmed")
    assert "https://visio.example.org/room" in client.get(url).content.decode()


def test_the_description_is_escaped_plain_text_with_line_breaks(client):
    action = ActionFactory(description="<script>alert(1)</script>\nSecond line")
    SessionFactory(action=action)
    content = client.get(action.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line" in content


def test_the_whole_cycle_at_once(client):
    first = SessionFactory()
    sessions = [first] + [
        SessionFactory(
            action=first.action,
            starts_at=first.starts_at + timedelta(days=7 * i),
            ends_at=first.ends_at + timedelta(days=7 * i),
        )
        for i in (1, 2)
    ]
    SessionFactory(action=first.action, mode=RegistrationMode.CLOSED)
    form = client.get(first.action.get_absolute_url()).context["form"]
    assert next(value for value, _label in form.fields["session"].choices) == "all"

    response = _post(client, first, session="all")

    assert response.status_code == 302
    registrations = list(Registration.objects.order_by("session__starts_at"))
    assert [r.session for r in registrations] == sessions
    assert len({r.cycle_key for r in registrations}) == 1
    assert registrations[0].cycle_key is not None
    done = client.get(response["Location"])
    assert len(done.context["registrations"]) == 3


def test_a_full_session_puts_the_person_on_the_waiting_list_and_says_so(client):
    session = SessionFactory(capacity=1)
    RegistrationFactory(session=session)
    label = dict(
        client.get(session.action.get_absolute_url()).context["form"].fields["session"].choices
    )
    assert label[str(session.pk)] != session  # the label tells the session is full

    response = _post(client, session)

    registration = Registration.objects.get(person__email="nadia.benali@ville.example.org")
    assert registration.status == RegistrationStatus.WAITLISTED
    done = client.get(response["Location"])
    assert done.context["any_waitlisted"]
    assert done.context["registrations"][0].position == 1
    assert "waitlisted" in done.content.decode()


def test_an_on_request_session_says_it_awaits_confirmation(client):
    session = SessionFactory(mode=RegistrationMode.ON_REQUEST)
    response = _post(client, session)
    assert Registration.objects.get().status == RegistrationStatus.REQUESTED
    assert client.get(response["Location"]).context["any_requested"]


# Refusals and bad input ------------------------------------------------------------------


def test_the_same_person_twice_is_refused_politely(client):
    session = SessionFactory()
    _post(client, session)

    response = _post(client, session, email="nadia.benali@ville.example.org")

    assert response.status_code == 200
    assert response.context["refusal"]
    assert 'role="alert"' in response.content.decode()
    assert Registration.objects.count() == 1


def test_the_same_person_twice_on_a_cycle_is_refused_politely(client):
    first = SessionFactory()
    SessionFactory(action=first.action, starts_at=first.starts_at + timedelta(days=1),
                   ends_at=first.ends_at + timedelta(days=1))  # fmt: skip
    _post(client, first)
    response = _post(client, first, session="all")
    assert response.status_code == 200
    assert response.context["refusal"]
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"mode": RegistrationMode.CLOSED},
        {"is_cancelled": True},
        {"registration_closes_at": timezone.now() - timedelta(minutes=1)},
        {"registration_opens_at": timezone.now() + timedelta(days=1)},
        {
            "starts_at": timezone.now() - timedelta(hours=1),
            "ends_at": timezone.now() + timedelta(hours=1),
        },
    ],
)
def test_a_closed_cancelled_not_yet_open_or_started_session_refuses_with_a_message(client, changes):
    session = SessionFactory()
    SessionFactory(action=session.action)  # keeps the form on the page
    for field, value in changes.items():
        setattr(session, field, value)
    session.save()

    response = _post(client, session)

    assert response.status_code == 200
    assert response.context["refusal"]
    assert not Registration.objects.exists()


def test_a_closed_session_is_not_offered(client):
    session = SessionFactory(mode=RegistrationMode.CLOSED)
    response = client.get(session.action.get_absolute_url())
    assert response.context["open_sessions"] == []
    assert session_states(response) == {session.pk: "Inscriptions closes"}


def test_the_sessions_offered_follow_the_clock_while_the_page_parts_are_kept(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    closing = SessionFactory(registration_closes_at=timezone.now() + timedelta(minutes=1))
    later = SessionFactory(action=closing.action, starts_at=closing.starts_at + timedelta(days=7),
                           ends_at=closing.ends_at + timedelta(days=7))  # fmt: skip
    url = closing.action.get_absolute_url()
    assert f'value="{closing.pk}"' in client.get(url).content.decode()

    time_machine.shift(timedelta(minutes=2))  # no content changed: the parts are still kept
    page = client.get(url).content.decode()

    assert f'value="{closing.pk}"' not in page
    assert f'name="session" value="{later.pk}"' in page and "checked" in page


def test_an_invalid_email_is_a_form_error(client):
    session = SessionFactory()
    response = _post(client, session, email="nadia@")
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not Person.objects.exists()
    assert not Registration.objects.exists()


def test_consent_is_required(client):
    session = SessionFactory()
    response = _post(client, session, consent=None)
    assert "consent" in response.context["form"].errors
    assert not Person.objects.exists()


def test_the_honeypot_records_nothing_and_answers_politely(client):
    session = SessionFactory()
    response = _post(client, session, website="http://spam.example.com")
    assert response.status_code == 302
    assert not Person.objects.exists()
    assert not Registration.objects.exists()
    done = client.get(response["Location"])
    assert done.status_code == 200
    assert done.context["registrations"] == []


@pytest.mark.parametrize(
    "changes",
    [
        {"session": "999999"},
        {"session": "abc"},
        {"session": "all"},  # a one-session action has no cycle
        {"session": None},
        {"department": "ZZ"},
        {"actor_type": "emperor"},
        {"first_name": "x" * 5000},
        {"last_name": "nul\x00byte"},
        {"email": "a" * 300 + "@example.org"},
    ],
)
def test_hostile_input_gets_a_form_error_never_a_500(client, changes):
    session = SessionFactory()
    response = _post(client, session, **changes)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Registration.objects.exists()


def test_a_session_of_another_action_is_refused(client):
    session = SessionFactory()
    other = SessionFactory()
    response = client.post(session.action.get_absolute_url(), form_data(other))
    assert response.status_code == 200
    assert "session" in response.context["form"].errors
    assert not Registration.objects.exists()


def test_unknown_or_draft_actions_are_not_found(client):
    draft = SessionFactory(action=ActionFactory(status="draft"))
    assert client.get(draft.action.get_absolute_url()).status_code == 404
    assert client.get(reverse("events:action", args=["nope"])).status_code == 404
    assert client.post(reverse("events:action", args=["nope"]), {}).status_code == 404


# Cancellation ----------------------------------------------------------------------------


def test_opening_the_cancellation_link_changes_nothing(client):
    registration = registration_create(session=SessionFactory(), person=PersonFactory())
    url = reverse("events:registration_cancel", args=[registration_cancel_token(registration)])

    response = client.get(url)

    assert response.status_code == 200
    assert response.context["registration"] == registration
    assert '<form method="post"' in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_cancelling_promotes_the_first_waitlisted_person_who_is_emailed(
    client, smtp_server, form_mail_tasks_inline, django_capture_on_commit_callbacks
):
    session = SessionFactory(capacity=1)
    confirmed = registration_create(session=session, person=PersonFactory())
    first_waiting = registration_create(
        session=session, person=PersonFactory(email="premiere@example.org")
    )
    second_waiting = registration_create(session=session, person=PersonFactory())
    url = reverse("events:registration_cancel", args=[registration_cancel_token(confirmed)])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {
        confirmed.pk: "cancelled",
        first_waiting.pk: "confirmed",
        second_waiting.pk: "waitlisted",
    }
    [message] = smtp_server.messages
    assert message["To"] == "premiere@example.org"
    attachments = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(attachments) == 1
    page = client.get(url)
    assert page.context["is_cancelled"]
    assert [m.level_tag for m in page.context["messages"]] == ["success"]


def test_cancelling_twice_changes_nothing_more(client):
    registration = registration_create(session=SessionFactory(), person=PersonFactory())
    url = reverse("events:registration_cancel", args=[registration_cancel_token(registration)])
    client.post(url)
    registration.refresh_from_db()
    cancelled_at = registration.cancelled_at

    response = client.post(url)

    assert response.status_code == 200
    assert response.context["is_cancelled"]
    registration.refresh_from_db()
    assert registration.cancelled_at == cancelled_at


def test_a_whole_cycle_can_be_cancelled_at_once(client):
    first = SessionFactory()
    SessionFactory(action=first.action, starts_at=first.starts_at + timedelta(days=1),
                   ends_at=first.ends_at + timedelta(days=1))  # fmt: skip
    _post(client, first, session="all")
    registration = Registration.objects.order_by("session__starts_at").first()
    url = reverse("events:registration_cancel", args=[registration_cancel_token(registration)])
    assert len(client.get(url).context["others"]) == 1

    client.post(url, {"scope": "cycle"})

    assert set(Registration.objects.values_list("status", flat=True)) == {"cancelled"}


def test_a_started_session_can_no_longer_be_cancelled(client):
    session = SessionFactory()
    registration = RegistrationFactory(session=session)
    session.starts_at = timezone.now() - timedelta(hours=1)
    session.ends_at = timezone.now() + timedelta(hours=1)
    session.save()
    url = reverse("events:registration_cancel", args=[registration_cancel_token(registration)])

    response = client.post(url)

    assert response.status_code == 200
    assert response.context["has_started"]
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_or_unknown_token_gets_a_clear_page(client, method):
    registration = RegistrationFactory()
    token = registration_cancel_token(registration)
    for bad in (token[:-2] + "xx", "garbage", token + "-", "..."):
        response = getattr(client, method)(reverse("events:registration_cancel", args=[bad]))
        assert response.status_code == 400
        assert response.context["invalid"]
    registration.delete()
    response = getattr(client, method)(reverse("events:registration_cancel", args=[token]))
    assert response.status_code == 400
