"""A person's info-doc requests and loans: export and erasure."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation

from infodoc import privacy
from infodoc.models import (
    Attachment,
    InfoRequest,
    Loan,
    RequesterKind,
    RequestStatus,
    StatusChange,
)
from infodoc.selectors.figures import request_figures
from infodoc.services.answers import info_request_publish
from infodoc.services.requests import info_request_transition
from members import privacy as members_privacy
from portal.core.models import Theme
from portal.core.subjects import DataSubject
from tests.infodoc.factories import AttachmentFactory, InfoRequestFactory, ResourceFactory
from tests.members.factories import CommuneFactory, DepartmentFactory, PersonFactory
from tests.members.test_privacy import needles_of, personal_models, traces

pytestmark = pytest.mark.django_db

PLACEHOLDER = "[effacé]"
YEAR = timezone.localdate().year - 1


@pytest.fixture(autouse=True)
def _english_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield


@pytest.fixture
def people():
    subject = PersonFactory(
        first_name="Léonie", last_name="Vasseur-Quintal", email="leonie.vq@exemple.fr",
        phone="06 12 34 56 78", department=DepartmentFactory(code="95"),
    )  # fmt: skip
    other = PersonFactory(first_name="Gaspard", last_name="Oudinot", email="gaspard@autre.fr")
    return subject, other


@pytest.fixture
def requests(people):
    """The subject's answered, published request (with a note and a file), and another's."""
    subject, other = people
    theme, _created = Theme.objects.get_or_create(name="Santé", defaults={"slug": "sante"})
    commune = CommuneFactory()
    mine = InfoRequestFactory(
        person=subject, received_on=date(YEAR, 4, 2), requester_kind=RequesterKind.CITY,
        commune=commune, department=commune.department, themes=[theme],
        subject="Diagnostic santé de Léonie Vasseur-Quintal",
        question="Bonjour, je suis Léonie Vasseur-Quintal (06 12 34 56 78) : des exemples ?",
        answer="Chère Léonie, voici des ressources.", status=RequestStatus.IN_PROGRESS,
        consent_at=timezone.now(), response_types=["documents"],
    )  # fmt: skip
    mine = info_request_transition(
        request=mine, to_status=RequestStatus.ANSWERED, actor=None,
        note="Rappelée au 06 12 34 56 78",
    )  # fmt: skip
    info_request_publish(
        request=mine,
        public_question="Une cheffe de projet, Léonie Vasseur-Quintal, cherche des diagnostics.",
        public_answer="Voici trois diagnostics partagés ; merci à Mme Vasseur-Quintal.",
        actor=None,
    )
    AttachmentFactory(request=mine, title="Diagnostic envoyé par Léonie")
    theirs = InfoRequestFactory(
        person=other, received_on=date(YEAR, 5, 3), requester_kind=RequesterKind.ASSOCIATION,
        subject="Demande de Gaspard", question="Gaspard Oudinot demande.",
        status=RequestStatus.CLOSED,
    )  # fmt: skip
    AttachmentFactory(request=theirs, title="Pièce de Gaspard")
    Loan.objects.create(
        resource=ResourceFactory(title="Guide des CLSM"), person=subject,
        lent_on=date(YEAR, 4, 10), due_on=date(YEAR, 5, 10), returned_on=date(YEAR, 5, 2),
    )  # fmt: skip
    return InfoRequest.objects.get(pk=mine.pk), theirs


def subject_of(person) -> DataSubject:
    return DataSubject(email=person.email, person=person)


def test_the_models_are_listed():
    assert personal_models("infodoc") <= set(privacy.MODELS)
    assert "infodoc.attachment" in privacy.MODELS  # the files a requester sent
    assert set(privacy.KEPT) <= set(privacy.MODELS)


def test_the_export_holds_the_subjects_requests_and_loans_only(people, requests):
    subject, _other = people
    mine, _theirs = requests
    data = privacy.subject_data(subject=subject_of(subject))

    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    assert "Gaspard" not in text
    [request] = data["Information requests"]
    assert request["Reference"] == mine.reference
    assert request["Requester kind"] == "City"
    assert request["Themes"] == "Santé"
    assert request["Response types"] == "Documents"
    assert request["Question"].startswith("Bonjour, je suis Léonie")
    assert request["Published as a Q&A"] is True
    assert [c["Note"] for c in data["Information request history"]] == [
        "", "Rappelée au 06 12 34 56 78"
    ]  # fmt: skip
    [attachment] = data["Information request attachments"]
    assert attachment["Title"] == "Diagnostic envoyé par Léonie"
    assert attachment["File"] == "Diagnostic_envoyé_par_Léonie.pdf"  # stored under its title
    [loan] = data["Loans"]
    assert (loan["Resource"], loan["Lent on"]) == ("Guide des CLSM", f"{YEAR}-04-10")


def test_erasure_keeps_the_figures_and_the_public_answer(
    people, requests, django_capture_on_commit_callbacks
):
    subject_person, _other = people
    mine, theirs = requests
    subject = subject_of(subject_person)
    needles = needles_of(subject_person)
    before = request_figures(year=YEAR)
    assert before.requests == 2
    mine_file = Path(mine.attachments.get().file.path)
    assert mine_file.exists()

    with django_capture_on_commit_callbacks(execute=True):
        counts = privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER)
    members_privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER)

    assert counts == {
        "infodoc.inforequest": 1, "infodoc.statuschange": 1, "infodoc.attachment": 1
    }  # fmt: skip
    assert traces("infodoc", needles) == {}
    assert request_figures(year=YEAR) == before
    mine.refresh_from_db()
    assert (mine.subject, mine.question, mine.answer) == (PLACEHOLDER,) * 3
    assert mine.public_question == "Une cheffe de projet, [effacé], cherche des diagnostics."
    assert mine.public_answer == "Voici trois diagnostics partagés ; merci à Mme [effacé]."
    assert mine.is_public
    assert (mine.requester_kind, mine.commune_id, mine.received_on) == (
        RequesterKind.CITY, requests[0].commune_id, date(YEAR, 4, 2)
    )  # fmt: skip
    assert mine.organisation is None
    assert list(mine.themes.values_list("name", flat=True)) == ["Santé"]
    assert not mine.attachments.exists()
    assert not mine_file.exists()
    assert Loan.objects.filter(person=subject_person).count() == 1
    # The other requester is untouched.
    theirs.refresh_from_db()
    assert theirs.question == "Gaspard Oudinot demande."
    assert Attachment.objects.filter(request=theirs).count() == 1


def test_erasure_is_safe_to_run_twice(people, requests):
    subject = subject_of(people[0])
    privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER)
    state = privacy.subject_data(subject=subject)
    changes = list(StatusChange.objects.values_list("pk", "note"))

    counts = privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER)

    assert set(counts.values()) == {0}
    assert privacy.subject_data(subject=subject) == state
    assert list(StatusChange.objects.values_list("pk", "note")) == changes


def test_a_subject_without_a_directory_record_has_nothing_here(requests):
    subject = DataSubject(email="inconnu@exemple.fr", person=None)
    assert privacy.subject_data(subject=subject) == {}
    assert set(privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER).values()) == {0}


def test_a_request_of_this_year_is_counted_the_same(people):
    """The figures of the current year too, with an unanswered request and no public text."""
    subject_person, _other = people
    InfoRequestFactory(person=subject_person, question="Léonie demande.")
    year = timezone.localdate().year
    before = request_figures(year=year)

    privacy.subject_erase(subject=subject_of(subject_person), placeholder=PLACEHOLDER)

    assert request_figures(year=year) == before
    assert traces("infodoc", needles_of(subject_person)) == {}
