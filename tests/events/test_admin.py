"""The events back office: pages, capacity through the service, actions, exports."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.imports.exports import ParticipantResource
from events.models import (
    Attendance,
    Evaluation,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Session,
)
from portal.core.models import AuditEntry
from tests.events.factories import ActionFactory, RegistrationFactory, SessionFactory
from tests.members.factories import DepartmentFactory, OrganisationFactory, PersonFactory

CSV_FORMAT, XLSX_FORMAT = "0", "1"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def labels(resource) -> dict[str, str]:
    return {name: str(field.column_name) for name, field in resource().fields.items()}


# Access -----------------------------------------------------------------------------

CHANGELISTS = ["action", "session", "registration", "attendance", "evaluation"]


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelists_and_add_pages_load_for_staff(staff_client, model):
    session = SessionFactory()
    registration = RegistrationFactory(session=session)
    Attendance.objects.create(session=session, person=registration.person, present=True)
    Evaluation.objects.create(
        session=session, person=registration.person, satisfaction=4, usefulness=5
    )
    response = staff_client.get(reverse(f"admin:events_{model}_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    if model != "evaluation":
        assert staff_client.get(reverse(f"admin:events_{model}_add")).status_code == 200


def test_change_pages_link_to_the_staff_pages(staff_client):
    session = SessionFactory()
    response = staff_client.get(reverse("admin:events_action_change", args=[session.action_id]))
    assert response.status_code == 200
    response = staff_client.get(reverse("admin:events_session_change", args=[session.pk]))
    html = response.content.decode()
    assert reverse("admin:events_session_checkin", args=[session.pk]) in html
    assert reverse("admin:events_session_signin_sheet", args=[session.pk]) in html
    upload = reverse("admin:core_importjob_upload", args=["events.attendance"])
    assert f"{upload}?session={session.pk}" in html
    assert session.reference in html


@pytest.mark.parametrize("model", CHANGELISTS)
def test_members_are_refused(client, member_user, model):
    client.force_login(member_user)
    response = client.get(reverse(f"admin:events_{model}_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_the_sessions_list_shows_counts_without_a_query_per_row(
    staff_client, django_assert_num_queries
):
    def sessions(count: int) -> None:
        for _ in range(count):
            session = SessionFactory(capacity=2)
            RegistrationFactory.create_batch(2, session=session)
            RegistrationFactory(session=session, status=RegistrationStatus.WAITLISTED)
            Attendance.objects.create(session=session, person=PersonFactory(), present=True)

    url = reverse("admin:events_session_changelist")
    staff_client.get(url)
    sessions(2)
    with CaptureQueriesContext(connection) as context:
        staff_client.get(url)
    sessions(20)
    with django_assert_num_queries(len(context)):
        response = staff_client.get(url)
    row = response.context["cl"].result_list[0]
    assert (row.confirmed_count, row.waitlisted_count, row.present_count) == (2, 1, 1)
    assert reverse("admin:events_session_checkin", args=[row.pk]) in response.content.decode()


def test_the_registrations_list_needs_no_query_per_row(staff_client, django_assert_num_queries):
    url = reverse("admin:events_registration_changelist")
    staff_client.get(url)
    RegistrationFactory.create_batch(2)
    with CaptureQueriesContext(connection) as context:
        staff_client.get(url)
    RegistrationFactory.create_batch(30)
    with django_assert_num_queries(len(context)):
        staff_client.get(url)


# Capacity ---------------------------------------------------------------------------


def session_form_data(session: Session, **changes) -> dict:
    def split(name: str, value) -> dict:
        if value is None:
            return {f"{name}_0": "", f"{name}_1": ""}
        local = timezone.localtime(value)
        return {f"{name}_0": f"{local:%Y-%m-%d}", f"{name}_1": f"{local:%H:%M:%S}"}

    data = {
        "action": session.action_id,
        "title": session.title,
        "half_days_override": "",
        "venue": session.venue,
        "address": session.address,
        "commune": "",
        "online_url": "",
        "capacity": "" if session.capacity is None else session.capacity,
        "mode": session.mode,
        **split("starts_at", session.starts_at),
        **split("ends_at", session.ends_at),
        **split("registration_opens_at", None),
        **split("registration_closes_at", None),
        "headcounts-TOTAL_FORMS": "0",
        "headcounts-INITIAL_FORMS": "0",
        "headcounts-MIN_NUM_FORMS": "0",
        "headcounts-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_lowering_the_capacity_below_the_confirmed_seats_is_refused(staff_client):
    session = SessionFactory(capacity=5, title="Séance 1")
    RegistrationFactory.create_batch(3, session=session)
    url = reverse("admin:events_session_change", args=[session.pk])

    response = staff_client.post(url, session_form_data(session, capacity=2, title="Changé"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["capacity"]
    assert "3" in errors[0]
    session.refresh_from_db()
    assert (session.capacity, session.title) == (5, "Séance 1")  # nothing saved
    assert not AuditEntry.objects.filter(action="session.capacity").exists()


def test_a_new_capacity_goes_through_the_service_and_promotes(staff_client, staff_user):
    session = SessionFactory(capacity=2)
    RegistrationFactory.create_batch(2, session=session)
    waiting = RegistrationFactory(session=session, status=RegistrationStatus.WAITLISTED)
    url = reverse("admin:events_session_change", args=[session.pk])

    response = staff_client.post(url, session_form_data(session, capacity=3, venue="Mairie"))

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.capacity, session.venue) == (3, "Mairie")
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    entry = AuditEntry.objects.get(action="session.capacity")
    assert entry.actor == staff_user and entry.changes == {"from": 2, "to": 3}


def test_the_capacity_edited_inline_on_the_action_is_checked_too(staff_client):
    session = SessionFactory(capacity=5)
    RegistrationFactory.create_batch(3, session=session)
    action = session.action
    local = timezone.localtime
    data = {
        "title": action.title,
        "slug": action.slug,
        "summary": action.summary,
        "description": "",
        "format": action.format,
        "mission": action.mission,
        "status": action.status,
        "is_public": "on",
        "sessions-TOTAL_FORMS": "1",
        "sessions-INITIAL_FORMS": "1",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
        "sessions-0-id": session.pk,
        "sessions-0-action": action.pk,
        "sessions-0-starts_at_0": f"{local(session.starts_at):%Y-%m-%d}",
        "sessions-0-starts_at_1": f"{local(session.starts_at):%H:%M:%S}",
        "sessions-0-ends_at_0": f"{local(session.ends_at):%Y-%m-%d}",
        "sessions-0-ends_at_1": f"{local(session.ends_at):%H:%M:%S}",
        "sessions-0-title": "",
        "sessions-0-venue": session.venue,
        "sessions-0-address": session.address,
        "sessions-0-capacity": "1",
        "sessions-0-mode": session.mode,
    }
    url = reverse("admin:events_action_change", args=[action.pk])

    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors[0]["capacity"]
    assert Session.objects.get(pk=session.pk).capacity == 5

    response = staff_client.post(url, {**data, "sessions-0-capacity": "4"})
    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).capacity == 4
    assert AuditEntry.objects.filter(action="session.capacity").count() == 1

    response = staff_client.post(
        url, {**data, "sessions-0-capacity": "4", "sessions-0-DELETE": "on"}
    )
    assert response.status_code == 200  # people are registered: cancel it, do not delete it
    assert Session.objects.filter(pk=session.pk).exists()


# Registrations: actions, staff registration, export ------------------------------------


def post_action(client, action: str, registrations):
    return client.post(
        reverse("admin:events_registration_changelist"),
        {"action": action, "_selected_action": [r.pk for r in registrations]},
    )


def test_confirm_action_confirms_while_seats_remain_and_explains_the_rest(staff_client):
    session = SessionFactory(capacity=2)
    RegistrationFactory(session=session)
    first = RegistrationFactory(session=session, status=RegistrationStatus.WAITLISTED)
    second = RegistrationFactory(session=session, status=RegistrationStatus.REQUESTED)

    response = post_action(staff_client, "confirm_registrations", [first, second])

    assert response.status_code == 302
    statuses = {r.pk: r.status for r in Registration.objects.filter(pk__in=[first.pk, second.pk])}
    assert statuses == {first.pk: "confirmed", second.pk: "requested"}
    messages = messages_of(response)
    assert any(str(first.person) in m for m in messages)
    assert any(str(second.person) in m and "2" in m for m in messages)  # full: 2 seats


def test_cancel_action_cancels_and_promotes_the_waiting_list(staff_client, staff_user):
    session = SessionFactory(capacity=1)
    taken = RegistrationFactory(session=session)
    waiting = RegistrationFactory(session=session, status=RegistrationStatus.WAITLISTED)

    response = post_action(staff_client, "cancel_registrations", [taken])

    assert response.status_code == 302
    taken.refresh_from_db()
    waiting.refresh_from_db()
    assert taken.status == RegistrationStatus.CANCELLED and taken.cancelled_at is not None
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert AuditEntry.objects.get(action="registration.cancelled").actor == staff_user


def test_staff_register_someone_through_the_service(staff_client):
    session = SessionFactory(capacity=1)
    RegistrationFactory(session=session)
    person = PersonFactory()
    url = reverse("admin:events_registration_add")

    response = staff_client.post(url, {"session": session.pk, "person": person.pk})

    assert response.status_code == 302
    registration = Registration.objects.get(person=person)
    assert registration.source == RegistrationSource.STAFF
    assert registration.status == RegistrationStatus.WAITLISTED  # the only seat is taken

    response = staff_client.post(url, {"session": session.pk, "person": person.pk})
    assert response.status_code == 302  # refused by the service: back to the form
    assert any(str(person) in m for m in messages_of(response))
    assert Registration.objects.filter(person=person).count() == 1

    past = SessionFactory(starts_at=timezone.now() - timedelta(days=2))
    response = staff_client.post(url, {"session": past.pk, "person": person.pk})
    assert response.status_code == 302
    assert not Registration.objects.filter(session=past).exists()


def export(client, query: str, file_format: str):
    prefix = ParticipantResource.__name__.lower()
    data = {"format": file_format, "resource": "0"}
    data |= {f"{prefix}_{name}": "on" for name in ParticipantResource().get_export_order()}
    return client.post(reverse("admin:events_registration_export") + query, data)


def test_participants_are_exported_with_french_columns_and_presence(staff_client):
    session = SessionFactory()
    department = DepartmentFactory(code="95", name="Val-d'Oise")
    organisation = OrganisationFactory(name="Ville de Sarcelles")
    here = PersonFactory(
        last_name="Duval", first_name="Hélène", organisation=organisation, department=department
    )
    absent = PersonFactory(last_name="Martin", organisation=None)
    RegistrationFactory(session=session, person=here)
    RegistrationFactory(session=session, person=absent)
    RegistrationFactory(person=PersonFactory(last_name="Ailleurs"))  # another session
    Attendance.objects.create(session=session, person=here, present=True)
    Attendance.objects.create(session=session, person=absent, present=False)
    column = labels(ParticipantResource)

    response = export(staff_client, f"?session__id__exact={session.pk}", CSV_FORMAT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:9] == [
        column[name]
        for name in (
            "last_name", "first_name", "email", "organisation", "job_title", "actor_type",
            "department", "status", "presence",
        )
    ]  # fmt: skip
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {"Duval", "Martin"}
    assert by_name["Duval"][column["organisation"]] == "Ville de Sarcelles"
    assert by_name["Duval"][column["department"]] == "Val-d'Oise (95)"
    assert by_name["Duval"][column["presence"]] in ("yes", "oui")
    assert by_name["Martin"][column["presence"]] in ("no", "non")

    response = export(staff_client, f"?session__id__exact={session.pk}", XLSX_FORMAT)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == column["last_name"] and len(values) == 3


def test_the_evaluation_summary_page(staff_client):
    session = SessionFactory(action=ActionFactory(title="Petit-déjeuner santé"))
    person = PersonFactory()
    Evaluation.objects.create(session=session, person=person, satisfaction=4, usefulness=3)
    year = timezone.localtime(session.starts_at).year
    response = staff_client.get(reverse("admin:events_evaluation_summary"), {"year": year})
    assert response.status_code == 200
    assert "Petit-déjeuner santé" in response.content.decode()
    assert response.context["total"].answers == 1


# Half-days ------------------------------------------------------------------------------


def test_half_days_are_shown_for_sessions_and_totalled_for_actions(staff_client):
    action = ActionFactory(title="Formation animation participative")
    start = timezone.now() + timedelta(days=20)
    full_day = SessionFactory(action=action, starts_at=start, ends_at=start + timedelta(hours=7))
    evening = SessionFactory(
        action=action, starts_at=start + timedelta(days=1),
        ends_at=start + timedelta(days=1, hours=2),
    )  # fmt: skip
    SessionFactory(
        action=action, starts_at=start + timedelta(days=2),
        ends_at=start + timedelta(days=2, hours=7), is_cancelled=True,
    )  # fmt: skip
    SessionFactory(action=ActionFactory(), half_days_override=4)

    actions = staff_client.get(reverse("admin:events_action_changelist"))
    row = next(a for a in actions.context["cl"].result_list if a.pk == action.pk)
    assert row.half_days_total == 3  # 2 + 1; the cancelled session does not count
    assert "Demi-journées" in actions.content.decode()

    change = staff_client.get(reverse("admin:events_action_change", args=[action.pk]))
    html = change.content.decode()
    assert "Demi-journées comptées" in html  # the sessions inline
    assert "Chiffres" in html
    fieldsets = [fieldset.name for fieldset in change.context["adminform"]]
    assert "Chiffres" in fieldsets
    assert change.context["original"].half_days_total == 3

    sessions = staff_client.get(reverse("admin:events_session_changelist"))
    by_pk = {s.pk: s for s in sessions.context["cl"].result_list}
    assert (by_pk[full_day.pk].half_days, by_pk[evening.pk].half_days) == (2, 1)
    page = staff_client.get(reverse("admin:events_session_change", args=[full_day.pk]))
    field = page.context["adminform"].form.fields  # the override stays editable
    assert "half_days_override" in field
    text = page.content.decode()
    assert "Demi-journées comptées" in text
    assert '<div class="readonly">2</div>' in text
    assert staff_client.get(reverse("admin:events_session_add")).status_code == 200
    assert staff_client.get(reverse("admin:events_action_add")).status_code == 200
