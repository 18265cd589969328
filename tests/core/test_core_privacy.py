"""The core's part of a person's data (portal/core/privacy.py): account, sign-in addresses,
sessions, audit trail and consents, exported and erased."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.utils import translation

from members import privacy as members_privacy
from portal.core import privacy
from portal.core.consent import consent_record
from portal.core.mail import mail_queue
from portal.core.models import AuditEntry, ConsentPurpose, ConsentRecord, OutgoingMail, User
from portal.core.services import audit_log
from portal.core.subjects import DataSubject
from tests.events.factories import RegistrationFactory
from tests.members.factories import IndividualMembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

PLACEHOLDER = "[effacé]"
EMAIL = "nadia.benali@example.org"


@pytest.fixture
def person(make_user):
    user = make_user(EMAIL, first_name="Nadia", last_name="Benali")
    user.groups.add(Group.objects.get_or_create(name="Lecteurs")[0])
    return PersonFactory(
        first_name="Nadia", last_name="Benali", email=EMAIL, phone="06 12 34 56 78", user=user
    )


@pytest.fixture
def traces(person, client):
    """Audit entries about the person and their rows, mentions elsewhere, and consents."""
    client.force_login(person.user)
    registration = RegistrationFactory(person=person)
    membership = IndividualMembershipFactory(person=person)
    other = PersonFactory(first_name="Paul", last_name="Durand", email="paul@example.org")
    audit_log(actor=None, obj=person, action="person.updated", changes={"phone": ["", "06 12"]})
    audit_log(actor=None, obj=registration, action="registration.confirmed")
    audit_log(actor=None, obj=membership, action="membership.created", changes={"amount": 30})
    audit_log(
        actor=None,
        obj=other,
        action="invoice.reminder_sent",
        changes={"recipients": [EMAIL, "paul@example.org"], "note": "Nadia Benali relancée"},
    )
    audit_log(actor=None, obj=other, action="person.updated", changes={"job_title": "x"})
    LogEntry.objects.create(
        user=User.objects.create_user("equipe@example.org", is_staff=True),
        content_type=ContentType.objects.get_for_model(person),
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["Téléphone"]}}]),
    )
    consent_record(
        purpose=ConsentPurpose.EVENT_REGISTRATION,
        email=EMAIL,
        person=person,
        wording="J'accepte.",
        source="events:action",
        ip="203.0.113.9",
    )
    consent_record(
        purpose=ConsentPurpose.NEWSLETTER,
        email=EMAIL,
        wording="Oui.",
        source="newsletter:subscribe",
    )
    consent_record(
        purpose=ConsentPurpose.NEWSLETTER, email="paul@example.org", wording="Oui.", source="s"
    )
    return {"registration": registration, "membership": membership, "other": other}


def _subject(person) -> DataSubject:
    return DataSubject(email=person.email, person=person)


def _export(person) -> dict:
    with translation.override("en"):
        return privacy.subject_data(subject=_subject(person))


def test_the_export_holds_the_account_sessions_audit_and_consents(person, traces):
    data = _export(person)

    [account] = data["User account"]
    assert (account["Email address"], account["First name"], account["Groups"]) == (
        EMAIL,
        "Nadia",
        ["Lecteurs"],
    )
    assert data["Sign-in email addresses"] == [
        {"Email address": EMAIL, "Verified": True, "Primary": True}
    ]
    assert len(data["Open sessions"]) == 1
    actions = sorted(entry["Action"] for entry in data["Audit trail"])
    assert actions == [
        "Membership created",
        "Person changed",
        "Registration confirmed",
        "Reminder sent",
    ]  # read as the back office's trail reads them
    reminder = next(e for e in data["Audit trail"] if e["Action"] == "Reminder sent")
    assert reminder["What"]["Recipients"] == f"{EMAIL}, ***"  # never another person's address
    assert [entry["Object"] for entry in data["Back-office history"]] == ["Nadia Benali"]
    assert sorted(c["Source"] for c in data["Consents given"]) == [
        "events:action",
        "newsletter:subscribe",
    ]
    json.dumps(data)  # JSON-ready


def test_the_export_of_someone_else_holds_none_of_it(person, traces):
    data = _export(traces["other"])
    assert data["User account"] == []
    assert data["Consents given"][0]["Source"] == "s"
    # Other people's addresses are masked; free text about Paul's own rows is his to see.
    assert EMAIL not in json.dumps(data)


def _erase(person) -> dict[str, int]:
    """In the registry's order: members (the person's row last) before core."""
    subject = _subject(person)
    members_privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER)
    return privacy.subject_erase(subject=subject, placeholder=PLACEHOLDER)


def test_erasure_scrubs_the_trail_closes_the_account_and_keeps_the_entries(person, traces, client):
    entries = AuditEntry.objects.count()
    untouched = AuditEntry.objects.get(action="person.updated", object_id=str(traces["other"].pk))

    counts = _erase(person)

    assert counts["core.user"] == 1
    assert not User.objects.filter(pk=person.user_id).exists()  # nothing needed it
    assert not EmailAddress.objects.filter(email=EMAIL).exists()
    assert counts["sessions.session"] == 1
    assert client.get("/espace/").status_code == 302  # signed out
    assert AuditEntry.objects.count() == entries
    everything = json.dumps(
        list(AuditEntry.objects.values("object_repr", "changes"))
        + list(LogEntry.objects.values("object_repr", "change_message")),
        ensure_ascii=False,
    )
    for value in (EMAIL, "Benali", "06 12 34 56 78"):
        assert value not in everything
    assert "paul@example.org" in everything  # another person's data stays
    reminder = AuditEntry.objects.get(action="invoice.reminder_sent")
    assert reminder.changes == {
        "recipients": [PLACEHOLDER, "paul@example.org"],
        "note": f"{PLACEHOLDER} relancée",
    }
    assert AuditEntry.objects.get(action="registration.confirmed").object_repr.startswith(
        "Personne anonymisée — "
    )
    assert AuditEntry.objects.get(pk=untouched.pk).object_repr == untouched.object_repr
    consents = ConsentRecord.objects.filter(person=person)
    assert [(c.email, c.ip) for c in consents] == [("", None)]
    assert ConsentRecord.objects.filter(email="").count() == 2
    assert ConsentRecord.objects.filter(email="paul@example.org").exists()


def test_erasure_twice_changes_nothing_the_second_time(person, traces):
    _erase(person)
    person.refresh_from_db()
    again = privacy.subject_erase(
        subject=DataSubject(email=EMAIL, person=person), placeholder=PLACEHOLDER
    )
    assert set(again.values()) == {0}


def test_an_account_named_in_the_trail_is_kept_anonymous_and_unusable(person, traces):
    audit_log(actor=person.user, obj=person, action="person.updated", changes={})
    user_pk = person.user_id

    _erase(person)

    user = User.objects.get(pk=user_pk)
    assert user.email.startswith("efface-") and user.email.endswith("@anonyme.invalid")
    assert (user.first_name, user.last_name, user.is_active) == ("", "", False)
    assert not user.has_usable_password()
    assert not user.groups.exists()
    assert AuditEntry.objects.filter(actor=user).exists()  # who did what stays recorded


def test_a_person_without_address_never_matches_emptied_rows(person, traces):
    _erase(person)
    stranger = PersonFactory(first_name="Lucie", last_name="Moreau", email="")
    data = privacy.subject_data(subject=DataSubject(email="", person=stranger))
    assert all(rows == [] for rows in data.values())
    counts = privacy.subject_erase(
        subject=DataSubject(email="", person=stranger), placeholder=PLACEHOLDER
    )
    assert set(counts.values()) == {0}


def test_every_model_of_the_module_exists():
    from django.apps import apps

    for label in privacy.MODELS:
        assert apps.get_model(label)
    assert set(privacy.KEPT) <= set(privacy.MODELS)


def test_the_emails_sent_to_them_are_exported_then_erased(person):
    def mail(to: str, subject: str) -> None:
        mail_queue(EmailMessage(subject=subject, body="Bonjour", to=[to]))

    mail(EMAIL, "Votre inscription")
    mail(EMAIL.upper(), "Votre attestation")
    mail("paul@example.org", "Pour Paul")
    mail("x" + EMAIL, "Une autre adresse")

    data = _export(person)
    assert sorted(row["Subject"] for row in data["Transactional emails sent to them"]) == [
        "Votre attestation",
        "Votre inscription",
    ]
    assert _erase(person)["core.outgoingmail"] == 2
    assert sorted(OutgoingMail.objects.values_list("subject", flat=True)) == [
        "Pour Paul",
        "Une autre adresse",
    ]
