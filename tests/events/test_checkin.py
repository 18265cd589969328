"""The check-in page of a session: list, search, one-tap presence, walk-ins, headcounts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Attendance, Headcount, RegistrationStatus
from members.models import ActorType, Person
from portal.core.models import AuditEntry
from tests.events.factories import RegistrationFactory, SessionFactory
from tests.members.factories import DepartmentFactory, OrganisationFactory, PersonFactory

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def session(db):
    return SessionFactory(capacity=30)


def checkin_url(session) -> str:
    return reverse("admin:events_session_checkin", args=[session.pk])


def toggle_url(session, person) -> str:
    return reverse("admin:events_session_checkin_toggle", args=[session.pk, person.pk])


def register(session, last_name: str, first_name: str = "Camille", **extra):
    person = PersonFactory(last_name=last_name, first_name=first_name)
    return RegistrationFactory(session=session, person=person, **extra)


def test_the_page_lists_confirmed_people_first_then_the_others(staff_client, session):
    register(session, "Zola", status=RegistrationStatus.CONFIRMED)
    register(session, "Abel", status=RegistrationStatus.WAITLISTED)
    register(session, "Martin", status=RegistrationStatus.CONFIRMED)
    register(session, "Annulé", status=RegistrationStatus.CANCELLED)
    walk_in = PersonFactory(last_name="Bernard")
    Attendance.objects.create(session=session, person=walk_in, present=True, is_walk_in=True)

    response = staff_client.get(checkin_url(session))

    assert response.status_code == 200
    names = [row.person.last_name for row in response.context["rows"]]
    assert names == ["Martin", "Zola", "Abel", "Bernard"]
    assert response.context["counts"] == {"registered": 2, "present": 1, "walk_ins": 1}
    html = response.content.decode()
    assert 'name="htmx-config"' in html and "js/htmx.min.js" in html
    assert "X-CSRFToken" in html
    assert "<script>" not in html  # the CSP forbids inline scripts


def test_members_and_visitors_cannot_open_the_page(client, member_user, session):
    response = client.get(checkin_url(session))
    assert response.status_code == 302
    client.force_login(member_user)
    response = client.get(checkin_url(session))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    person = register(session, "Martin").person
    client.post(toggle_url(session, person), {"present": "1"})
    assert not Attendance.objects.exists()


def test_a_tap_without_javascript_marks_present_and_redirects(staff_client, staff_user, session):
    person = register(session, "Martin").person

    response = staff_client.post(toggle_url(session, person), {"present": "1", "q": "mar"})

    assert response.status_code == 302
    assert response["Location"] == checkin_url(session) + f"?q=mar#p-{person.pk}"
    attendance = Attendance.objects.get(session=session, person=person)
    assert attendance.present and not attendance.is_walk_in
    assert attendance.checked_by == staff_user and attendance.checked_at is not None

    staff_client.post(toggle_url(session, person), {"present": "1"})  # sent twice: still present
    assert Attendance.objects.get(pk=attendance.pk).present
    staff_client.post(toggle_url(session, person), {"present": "0"})
    assert not Attendance.objects.get(pk=attendance.pk).present


def test_a_tap_with_htmx_returns_the_row_and_the_counts(staff_client, session):
    person = register(session, "Martin").person
    register(session, "Zola")

    response = staff_client.post(toggle_url(session, person), {"present": "1"}, **HX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="p-{person.pk}"' in html
    assert 'aria-pressed="true"' in html and "is-present" in html
    assert 'name="present" value="0"' in html  # the next tap marks absent
    assert 'id="checkin-counts" hx-swap-oob="innerHTML"' in html
    assert "<dd>1</dd>" in html and "<dd>2</dd>" in html  # 1 present out of 2 registered
    assert "HX-Request" in response["Vary"]

    response = staff_client.post(toggle_url(session, person), **HX)  # no state sent: flips
    assert 'aria-pressed="false"' in response.content.decode()
    assert not Attendance.objects.get(person=person).present


def test_someone_not_on_the_list_cannot_be_ticked(staff_client, session):
    stranger = PersonFactory()
    cancelled = register(session, "Annulé", status=RegistrationStatus.CANCELLED).person
    for person in (stranger, cancelled):
        response = staff_client.post(toggle_url(session, person), {"present": "1"})
        assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_search_by_name_ignores_case_and_accents(staff_client, session):
    register(session, "Duval", first_name="Hélène")
    register(session, "Martin", first_name="Éric")
    walk_in = PersonFactory(last_name="Lefèvre", first_name="Zoé")
    Attendance.objects.create(session=session, person=walk_in, present=True, is_walk_in=True)

    response = staff_client.get(checkin_url(session), {"q": "helene DUV"})
    assert [row.person.last_name for row in response.context["rows"]] == ["Duval"]

    response = staff_client.get(checkin_url(session), {"q": "lefevre"}, **HX)
    html = response.content.decode()
    assert "<html" not in html and 'id="checkin-list"' in html
    assert "LEFÈVRE" in html and "DUVAL" not in html
    assert "HX-Request" in response["Vary"]

    response = staff_client.get(checkin_url(session), {"q": "personne"})
    assert response.context["rows"] == []
    assert "personne" in response.content.decode()


def test_a_walk_in_is_added_present(staff_client, staff_user, session):
    department = DepartmentFactory(code="95")
    organisation = OrganisationFactory(name="Centre social des Linandes")
    data = {
        "walk_in-first_name": "Inès",
        "walk_in-last_name": "Benali",
        "walk_in-email": "",
        "walk_in-organisation": "centre social des linandes",
        "walk_in-actor_type": ActorType.ASSOCIATION,
        "walk_in-department": department.pk,
    }

    response = staff_client.post(reverse("admin:events_session_walk_in", args=[session.pk]), data)

    assert response.status_code == 302
    attendance = Attendance.objects.get(session=session)
    assert attendance.present and attendance.is_walk_in and attendance.checked_by == staff_user
    person = attendance.person
    assert (person.first_name, person.last_name, person.email) == ("Inès", "Benali", "")
    assert person.organisation == organisation and person.department == department
    assert person.actor_type == ActorType.ASSOCIATION

    # The same walk-in added twice (no email) stays one person and one attendance.
    staff_client.post(reverse("admin:events_session_walk_in", args=[session.pk]), data)
    assert Person.objects.filter(last_name="Benali").count() == 1
    assert Attendance.objects.filter(session=session).count() == 1


def test_a_walk_in_with_a_known_email_is_matched(staff_client, session):
    known = PersonFactory(email="ines@example.org")
    data = {
        "walk_in-first_name": "Ines",
        "walk_in-last_name": "Autre",
        "walk_in-email": "INES@example.org",
        "walk_in-actor_type": ActorType.OTHER,
    }
    staff_client.post(reverse("admin:events_session_walk_in", args=[session.pk]), data)
    attendance = Attendance.objects.get(session=session)
    assert attendance.person == known and attendance.is_walk_in
    assert Person.objects.count() == 1


def test_a_registered_person_added_as_walk_in_is_not_a_walk_in(staff_client, session):
    person = register(session, "Martin").person
    data = {
        "walk_in-first_name": person.first_name,
        "walk_in-last_name": person.last_name,
        "walk_in-email": person.email,
        "walk_in-actor_type": ActorType.OTHER,
    }
    staff_client.post(reverse("admin:events_session_walk_in", args=[session.pk]), data)
    attendance = Attendance.objects.get(session=session)
    assert attendance.person == person and attendance.present and not attendance.is_walk_in


def test_an_incomplete_walk_in_shows_the_errors(staff_client, session):
    data = {"walk_in-first_name": "Inès", "walk_in-email": "pas-un-courriel"}
    response = staff_client.post(reverse("admin:events_session_walk_in", args=[session.pk]), data)
    assert response.status_code == 422
    form = response.context["walk_in_form"]
    assert "last_name" in form.errors and "email" in form.errors
    assert not Attendance.objects.exists() and not Person.objects.exists()


def test_a_headcount_is_saved_changed_and_removed(staff_client, session):
    department = DepartmentFactory(code="95")
    url = reverse("admin:events_session_headcount", args=[session.pk])
    data = {
        "headcount-department": department.pk,
        "headcount-actor_type": ActorType.RESIDENT,
        "headcount-count": "42",
    }
    assert staff_client.post(url, data).status_code == 302
    staff_client.post(url, {**data, "headcount-department": "", "headcount-count": "8"})
    staff_client.post(url, {**data, "headcount-count": "40"})
    counts = dict(Headcount.objects.values_list("department__code", "count"))
    assert counts == {"95": 40, None: 8}
    page = staff_client.get(checkin_url(session))
    assert page.context["headcount_total"] == 48

    staff_client.post(url, {**data, "headcount-count": "0"})
    assert list(Headcount.objects.values_list("count", flat=True)) == [8]
    assert AuditEntry.objects.filter(action="session.headcount").count() == 4

    response = staff_client.post(url, {**data, "headcount-count": "-3"})
    assert response.status_code == 422
    assert Headcount.objects.count() == 1


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def test_the_page_makes_the_same_queries_for_5_or_100_people(
    staff_client, session, django_assert_num_queries
):
    def fill(count: int) -> None:
        for index in range(count):
            registration = RegistrationFactory(session=session)
            if index % 3 == 0:
                Attendance.objects.create(session=session, person=registration.person, present=True)
        for _ in range(count // 5):
            Attendance.objects.create(
                session=session, person=PersonFactory(), present=True, is_walk_in=True
            )

    url = checkin_url(session)
    fill(5)
    staff_client.get(url)  # warm the session and the site settings caches
    small = _queries(staff_client, url)
    fill(95)
    staff_client.get(url)  # the people created changed the content: read again
    with django_assert_num_queries(small):
        response = staff_client.get(url)
    assert len(response.context["rows"]) == 120
