"""A person's registrations, attendances, evaluations and certificates mailed: export and
erasure."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation

from events import privacy
from events.models import Attendance, CertificateMailing, Evaluation, Headcount, Registration
from events.selectors.figures import participation_figures
from members import privacy as members_privacy
from members.models import ActorType, Person
from portal.core.subjects import DataSubject
from tests.events.factories import ActionFactory, RegistrationFactory, SessionFactory
from tests.members.factories import DepartmentFactory, PersonFactory
from tests.members.test_privacy import needles_of, personal_models, traces

pytestmark = pytest.mark.django_db

PLACEHOLDER = "[effacé]"
PARIS = ZoneInfo("Europe/Paris")
YEAR = timezone.localdate().year - 1


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def people():
    d95, d78 = DepartmentFactory(code="95"), DepartmentFactory(code="78", name="Yvelines")
    subject = PersonFactory(
        first_name="Léonie", last_name="Vasseur-Quintal", email="leonie.vq@exemple.fr",
        phone="06 12 34 56 78", actor_type=ActorType.RESIDENT, department=d95,
    )  # fmt: skip
    other = PersonFactory(
        first_name="Gaspard", last_name="Oudinot", email="gaspard@autre.fr",
        actor_type=ActorType.ELECTED, department=d78,
    )  # fmt: skip
    return subject, other


@pytest.fixture
def sessions(people):
    """Two sessions of last year both attended, a headcount, evaluations with comments."""
    subject, other = people
    action = ActionFactory(title="Groupe d'échanges santé")
    first = SessionFactory(
        action=action, starts_at=datetime(YEAR, 3, 12, 9, 30, tzinfo=PARIS),
        ends_at=datetime(YEAR, 3, 12, 12, 30, tzinfo=PARIS),
    )  # fmt: skip
    second = SessionFactory(
        action=action, title="Restitution", starts_at=datetime(YEAR, 6, 11, 9, tzinfo=PARIS),
        ends_at=datetime(YEAR, 6, 11, 17, tzinfo=PARIS),
    )  # fmt: skip
    for session in (first, second):
        for person in (subject, other):
            RegistrationFactory(session=session, person=person)
            Attendance.objects.create(session=session, person=person, present=True)
    Headcount.objects.create(
        session=second, department=subject.department, actor_type=ActorType.RESIDENT, count=12
    )
    Evaluation.objects.create(
        session=first, person=subject, satisfaction=4, usefulness=5,
        comments="Merci, Léonie Vasseur-Quintal (06 12 34 56 78) reviendra.",
    )  # fmt: skip
    Evaluation.objects.create(
        session=first, person=other, satisfaction=2, usefulness=3, comments="Gaspard : trop long."
    )
    return first, second


def subject_of(person: Person) -> DataSubject:
    return DataSubject(email=person.email, person=person)


def figures():
    return participation_figures(year=YEAR, until=timezone.now() + timedelta(days=1))


def test_the_models_are_listed():
    assert personal_models("events") == set(privacy.MODELS)
    assert set(privacy.KEPT) <= set(privacy.MODELS)


def test_the_export_holds_the_subjects_rows_and_no_other_attendee(people, sessions):
    subject, _other = people
    data = privacy.subject_data(subject=subject_of(subject))

    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    assert "Gaspard" not in text
    assert "trop long" not in text
    assert [len(data[title]) for title in ("Event registrations", "Attendances")] == [2, 2]
    [evaluation] = data["Evaluations"]
    assert evaluation["Comments"].startswith("Merci, Léonie")
    assert evaluation["Satisfaction (1 to 5)"] == 4
    assert evaluation["Session"] == "Groupe d'échanges santé"
    assert data["Attendances"][1]["Session"] == "Restitution"
    assert data["Event registrations"][0]["Status"] == "Confirmed"
    assert datetime.fromisoformat(data["Attendances"][0]["Starts"]).year == YEAR


def test_a_subject_without_a_directory_record_has_nothing_here(people, sessions):
    subject = DataSubject(email="inconnu@exemple.fr", person=None)
    assert privacy.subject_data(subject=subject) == {}
    assert privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER) == {
        "events.evaluation": 0,
        "events.certificatemailing": 0,
    }


def test_erasure_keeps_the_figures_and_leaves_no_trace(people, sessions):
    subject_person, other = people
    subject = subject_of(subject_person)
    needles = needles_of(subject_person)
    before = figures()
    assert before.named_participations == 4
    assert traces("events", needles) != {}

    counts = privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER)
    members_privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER)

    assert counts == {"events.evaluation": 1, "events.certificatemailing": 0}
    assert traces("events", needles) == {}
    assert traces("members", needles) == {}
    assert figures() == before
    assert Attendance.objects.filter(person=subject_person).count() == 2
    assert Registration.objects.filter(person=subject_person).count() == 2
    evaluation = Evaluation.objects.get(person=subject_person)
    assert (evaluation.comments, evaluation.satisfaction) == (PLACEHOLDER, 4)
    assert Evaluation.objects.get(person=other).comments == "Gaspard : trop long."


def test_erasure_is_safe_to_run_twice(people, sessions):
    subject = subject_of(people[0])
    privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER)
    state = privacy.subject_data(subject=subject)

    assert privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER) == {
        "events.evaluation": 0,
        "events.certificatemailing": 0,
    }
    assert privacy.subject_data(subject=subject) == state


def test_the_certificates_mailed_are_exported_then_deleted(people, sessions):
    subject_person, other = people
    for person in (subject_person, other):
        CertificateMailing.objects.create(
            action=sessions[0].action, person=person, recipient=person.email,
            request_key=uuid.uuid4(), status="sent",
        )  # fmt: skip
    subject = subject_of(subject_person)

    [row] = privacy.subject_data(subject=subject)["Attendance certificates mailed"]
    assert (row["Recipient"], row["Action"], row["Status"]) == (
        "leonie.vq@exemple.fr", "Groupe d'échanges santé", "Sent",
    )  # fmt: skip

    counts = privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER)

    assert counts["events.certificatemailing"] == 1
    assert not CertificateMailing.objects.filter(person=subject_person).exists()
    assert CertificateMailing.objects.filter(person=other).exists()
