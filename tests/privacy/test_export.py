"""A person's data, exported (RGPD art. 15): a section from every app, only theirs; a PDF."""

from __future__ import annotations

import io
import json

import pytest
from django.utils.translation import gettext as _
from pypdf import PdfReader

from portal.privacy.selectors import (
    export_json,
    export_pdf,
    subject_export,
    subject_find,
    value_readable,
)
from portal.privacy.services import erasure_request
from tests.newsletter.factories import SubscriberFactory
from tests.privacy.factories import person_with_traces

pytestmark = pytest.mark.django_db

EMAIL = "theodorine.quillardeau@exemple-rgpd.fr"
OTHER_EMAIL = "paul.verdiguier@exemple-rgpd.fr"


@pytest.fixture
def traces(make_user):
    staff = make_user("agent@centre.example.org", staff=True, first_name="Agent")
    user = make_user(EMAIL, first_name="Théodorine", last_name="Quillardeau")
    mine = person_with_traces(
        first_name="Théodorine",
        last_name="Quillardeau",
        email=EMAIL,
        phone="06 71 82 93 04",
        user=user,
        actor=staff,
    )
    # Another person at the same sessions, with the same kinds of traces.
    other = person_with_traces(
        first_name="Paulin",
        last_name="Verdiguier",
        email=OTHER_EMAIL,
        phone="07 11 22 33 44",
        sessions=mine.sessions,
        actor=staff,
    )
    return mine, other


def _section(export: dict, app: str, title: str) -> list[dict]:
    for section in export["sections"]:
        if section["app"] == app and section["title"] == title:
            return section["rows"]
    raise AssertionError(f"no section {app} / {title}: {_titles(export)}")


def _titles(export: dict) -> list[tuple[str, str]]:
    return [(section["app"], section["title"]) for section in export["sections"]]


def test_subject_find_is_case_insensitive(traces):
    mine, _other = traces
    subject = subject_find(email="  Theodorine.QUILLARDEAU@exemple-rgpd.fr ")
    assert subject.email == EMAIL
    assert subject.person == mine.person
    nobody = subject_find(email="personne@exemple-rgpd.fr")
    assert nobody.person is None


def test_the_export_has_every_app_and_only_the_subject(traces):
    _mine, other = traces
    export = subject_export(subject=subject_find(email=EMAIL))

    assert export["email"] == EMAIL
    assert export["generated_at"]
    assert {section["app"] for section in export["sections"]} >= {
        "core",
        "members",
        "events",
        "infodoc",
        "newsletter",
    }
    record = _section(export, "members", _("Directory record"))
    assert len(record) == 1
    assert EMAIL in json.dumps(record, ensure_ascii=False)
    assert len(_section(export, "members", _("Memberships"))) == 1
    assert len(_section(export, "events", _("Event registrations"))) == 2
    assert len(_section(export, "events", _("Attendances"))) == 2
    assert len(_section(export, "events", _("Evaluations"))) == 1
    assert len(_section(export, "infodoc", _("Information requests"))) == 1
    assert len(_section(export, "newsletter", _("Newsletter subscription"))) == 1
    assert len(_section(export, "newsletter", _("Newsletter deliveries"))) == 2
    audit = json.dumps(_section(export, "core", _("Audit trail")), ensure_ascii=False)
    assert "Personne modifiée" in audit  # the action by its name, as the back office reads it
    assert _section(export, "core", _("Consents given"))

    text = export_json(export=export).decode()
    assert json.loads(text) == export
    for value in (OTHER_EMAIL, "Verdiguier", "Paulin", "07 11 22 33 44"):
        assert value not in text, value
    assert other.person.pk  # the other person exists, with rows on the same sessions


def test_an_address_without_a_record_still_finds_its_subscription(db):
    SubscriberFactory(email="lectrice@exemple-rgpd.fr")
    subject = subject_find(email="lectrice@exemple-rgpd.fr")
    export = subject_export(subject=subject)
    assert subject.person is None
    assert {section["app"] for section in export["sections"]} == {"newsletter"}


def test_the_export_lists_the_subjects_erasure_requests(traces, make_user):
    staff = make_user("equipe.a@centre.example.org", staff=True)
    subject = subject_find(email=EMAIL)
    erasure_request(subject=subject, requested_by=staff, reason="Demande par courriel")
    rows = _section(subject_export(subject=subject), "privacy", _("Erasure requests"))
    assert rows[0][_("Reason")] == "Demande par courriel"


def test_the_pdf_is_readable_with_a_title_and_the_address(traces):
    export = subject_export(subject=subject_find(email=EMAIL))
    pdf = export_pdf(export=export)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title.startswith(_("Personal data held by the centre"))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert EMAIL in text
    assert _("Directory record") in text
    assert "Quillardeau" in text
    assert "Verdiguier" not in text
    assert "avril" in text  # a session's date, in French


def test_values_read_in_french():
    assert value_readable(True) == _("Yes")
    assert value_readable(None) == "—"
    assert value_readable("2025-03-04") == "4 mars 2025"
    assert value_readable("2025-03-04T14:05:00+01:00") == "4 mars 2025 à 14 h 05"
    assert value_readable(["a", "b"]) == "a, b"
    assert value_readable("30.00") == "30,00"
    assert value_readable("Texte libre") == "Texte libre"
