"""A person's data in the members app: export of their own rows only, and erasure.

`traces` is shared with the other apps' privacy tests: it looks for the subject's
identifiers in every text column (CharField, TextField, EmailField, JSONField) of an app's
models, with one query per model.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation

from members.models import (
    ActorType,
    DuesCampaign,
    DuesCampaignStatus,
    Invoice,
    Membership,
    MembershipRequest,
    Organisation,
    PaymentMethod,
    Person,
    Reminder,
)
from members.privacy import KEPT, MODELS, subject_data, subject_erase
from members.services.billing import invoice_issue, payment_record
from portal.core.subjects import DataSubject
from tests.members.factories import (
    DepartmentFactory,
    IndividualMembershipFactory,
    MembershipFactory,
    MembershipRequestFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

PLACEHOLDER = "[effacé]"
YEAR = 2026


@pytest.fixture(autouse=True)
def _english():
    """Labels are compared in English (the source strings), whatever is translated."""
    with translation.override("en"):
        yield


def traces(app_label: str, needles: list[str]) -> dict[str, list[int]]:
    """{model label: pks} of the app's rows holding one of `needles` in a text column."""
    found = {}
    for model in apps.get_app_config(app_label).get_models():
        columns = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        ]
        condition = Q()
        for column in columns:
            for needle in needles:
                condition |= Q(**{f"{column}__icontains": needle})
        if not condition:
            continue
        pks = sorted(model.objects.filter(condition).values_list("pk", flat=True))
        if pks:
            found[model._meta.label_lower] = pks
    return found


def subject_of(person: Person) -> DataSubject:
    """As the privacy app finds it: by the address, with the directory record."""
    return DataSubject(email=person.email.strip().lower(), person=person)


def needles_of(person: Person) -> list[str]:
    digits = "".join(c for c in person.phone if c.isdigit())
    return [person.first_name, person.last_name, person.email, person.phone, digits]


def flat(data: dict) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)


@pytest.fixture
def subject_person():
    """Léonie Vasseur-Quintal, an individual member with an invoice, a payment and a reminder."""
    person = PersonFactory(
        first_name="Léonie",
        last_name="Vasseur-Quintal",
        email="Leonie.VQ@exemple.fr",
        phone="06 12 34 56 78",
        job_title="Chargée de mission habitat",
        actor_type=ActorType.RESIDENT,
        department=DepartmentFactory(code="95"),
        consent_processing_at=timezone.now(),
        consent_communications_at=timezone.now(),
        organisation=OrganisationFactory(phone="+33 6 12 34 56 78"),
    )
    person.email = person.email.lower()  # as Person.clean() stores it
    person.save(update_fields=["email"])
    membership = IndividualMembershipFactory(year=YEAR, person=person)
    invoice = invoice_issue(membership=membership, issued_by=None, issued_on=date(YEAR, 1, 15))
    payment_record(
        invoice=invoice, amount=Decimal("10.00"), method=PaymentMethod.CHEQUE,
        paid_on=date(YEAR, 2, 1), recorded_by=None,
    )  # fmt: skip
    Reminder.objects.create(invoice=invoice, days_after_due=15, recipients=[person.email])
    MembershipRequestFactory(
        organisation_name="", kind="", first_name="Léonie", last_name="Vasseur-Quintal",
        email="LEONIE.vq@exemple.fr", phone="06 12 34 56 78",
        message="Je suis Léonie Vasseur-Quintal, joignable au 06 12 34 56 78.",
        membership=membership,
    )  # fmt: skip
    return person


@pytest.fixture
def other_person():
    """Someone else, with a request, a membership and an organisation's reminder."""
    person = PersonFactory(
        first_name="Gaspard", last_name="Oudinot", email="gaspard@autre.fr", phone="01 99 88 77 66"
    )
    IndividualMembershipFactory(year=YEAR, person=person)
    MembershipRequestFactory(first_name="Gaspard", last_name="Oudinot", email="gaspard@autre.fr")
    return person


def personal_models(app_label: str) -> set[str]:
    """The app's models with a link to a person or a user, or an email field."""
    found = set()
    for model in apps.get_app_config(app_label).get_models():
        fields = model._meta.concrete_fields
        targets = {f.related_model for f in fields if f.is_relation}
        if (
            Person in targets
            or apps.get_model("core", "User") in targets
            or any(isinstance(f, models.EmailField) for f in fields)
        ):
            found.add(model._meta.label_lower)
    return found


def test_every_model_with_a_person_a_user_or_an_email_is_listed():
    assert personal_models("members") <= set(MODELS)
    assert "members.organisation" in personal_models("members")
    assert set(KEPT) <= set(MODELS)


def test_the_export_holds_the_subjects_rows_and_no_one_elses(subject_person, other_person):
    data = subject_data(subject=subject_of(subject_person))

    text = flat(data)
    assert "Léonie" in text
    assert "Vasseur-Quintal" in text
    assert "joignable au 06 12 34 56 78" in text
    assert "Gaspard" not in text
    assert "gaspard@autre.fr" not in text
    assert set(data) == {
        "Directory record", "Memberships", "Requests to join", "Invoices", "Payments",
        "Reminders",
    }  # fmt: skip
    [record] = data["Directory record"]
    assert record["Type of actor"] == "Resident"
    assert record["Email"] == "leonie.vq@exemple.fr"
    [invoice] = data["Invoices"]
    assert invoice["Payer"] == "Léonie Vasseur-Quintal"
    assert invoice["Amount (€)"] == "30.00"
    assert data["Payments"][0]["Method"] == "Cheque"
    assert [m["Year"] for m in data["Memberships"]] == [YEAR]


def test_erasure_leaves_no_name_email_or_phone_but_in_the_invoices(subject_person, other_person):
    subject = subject_of(subject_person)
    department, invoice = (
        subject_person.department,
        Invoice.objects.get(membership__person=subject_person),
    )

    counts = subject_erase(subject=subject, placeholder=PLACEHOLDER)

    assert counts == {
        "members.membershiprequest": 1,
        "members.reminder": 1,
        "members.duescampaign": 0,
        "members.organisation": 1,
        "members.person": 1,
    }
    # The invoice keeps its payer as issued (accounting law), and only it.
    assert traces("members", needles_of(subject_person)) == {"members.invoice": [invoice.pk]}
    assert "members.invoice" in KEPT
    invoice.refresh_from_db()
    assert invoice.payer_name == "Léonie Vasseur-Quintal"
    person = Person.objects.get(pk=subject_person.pk)
    assert str(person) == "Personne anonymisée"
    assert (person.department, person.actor_type) == (department, ActorType.RESIDENT)
    assert (person.email, person.phone, person.job_title, person.organisation) == ("", "", "", None)
    assert person.consent_processing_at is None
    assert person.consent_communications_at is None
    # Rows that count stay.
    assert Membership.objects.filter(person=person, year=YEAR).count() == 1
    request = MembershipRequest.objects.get(membership__person=person)
    assert request.message == PLACEHOLDER
    assert Reminder.objects.get(invoice=invoice).recipients == [PLACEHOLDER]
    # The other person is untouched.
    other = Person.objects.get(pk=other_person.pk)
    assert str(other) == "Gaspard Oudinot"
    assert MembershipRequest.objects.filter(email="gaspard@autre.fr").count() == 1


def test_erasure_is_safe_to_run_twice(subject_person):
    subject = subject_of(subject_person)
    subject_erase(subject=subject, placeholder=PLACEHOLDER)
    state = flat(subject_data(subject=DataSubject(email=subject.email, person=subject_person)))

    counts = subject_erase(subject=subject, placeholder=PLACEHOLDER)

    assert set(counts.values()) == {0}
    assert flat(subject_data(subject=subject)) == state


def test_a_subject_known_only_by_email(other_person):
    request = MembershipRequestFactory(
        first_name="Odile", last_name="Quarante", email="odile@exemple.fr", message="Bonjour",
        organisation_name="Collectif d'Odile Quarante",
    )  # fmt: skip
    subject = DataSubject(email="odile@exemple.fr", person=None)

    assert [r["First name"] for r in subject_data(subject=subject)["Requests to join"]] == ["Odile"]
    counts = subject_erase(subject=subject, placeholder=PLACEHOLDER)

    assert counts["members.membershiprequest"] == 1
    assert counts["members.person"] == 0
    assert traces("members", ["Odile", "Quarante", "odile@exemple.fr"]) == {}
    request.refresh_from_db()
    assert (request.first_name, request.email, request.message) == ("Personne", "", PLACEHOLDER)
    assert request.organisation_name == "Collectif d'[effacé]"
    assert subject_data(subject=subject) == {}
    assert subject_erase(subject=subject, placeholder=PLACEHOLDER)["members.membershiprequest"] == 0


def test_an_organisation_contacts_address_and_reminders_sent_to_it(subject_person):
    organisation = OrganisationFactory(email="leonie.vq@exemple.fr")
    membership = MembershipFactory(year=YEAR, organisation=organisation)
    invoice = invoice_issue(membership=membership, issued_by=None, issued_on=date(YEAR, 1, 15))
    reminder = Reminder.objects.create(
        invoice=invoice, days_after_due=15,
        recipients=["compta@asso.example.org", "Leonie.VQ@exemple.fr"],
    )  # fmt: skip
    subject = subject_of(subject_person)

    data = subject_data(subject=subject)
    assert data["Organisations with this address"][0]["Name"] == organisation.name
    assert {r["Recipients"] for r in data["Reminders"]} == {
        "leonie.vq@exemple.fr", "Leonie.VQ@exemple.fr"
    }  # fmt: skip

    subject_erase(subject=subject, placeholder=PLACEHOLDER)

    reminder.refresh_from_db()
    assert reminder.recipients == ["compta@asso.example.org", PLACEHOLDER]
    organisation.refresh_from_db()
    assert organisation.email == ""
    assert Organisation.objects.get(pk=subject_person.organisation_id).phone == ""


def test_dues_campaign_errors_naming_the_person(subject_person, other_person):
    campaign = DuesCampaign.objects.create(
        year=YEAR + 1, status=DuesCampaignStatus.FAILED,
        errors=[
            {"member": "Léonie Vasseur-Quintal", "error": "Pas de règle de cotisation."},
            {"member": "Gaspard Oudinot", "error": "Pas de règle de cotisation."},
        ],
    )  # fmt: skip

    assert subject_data(subject=subject_of(subject_person))["Dues campaign errors"] == [
        {"Year": YEAR + 1, "Errors": "Pas de règle de cotisation."}
    ]
    counts = subject_erase(subject=subject_of(subject_person), placeholder=PLACEHOLDER)

    assert counts["members.duescampaign"] == 1
    campaign.refresh_from_db()
    assert [e["member"] for e in campaign.errors] == [PLACEHOLDER, "Gaspard Oudinot"]


def test_export_values_are_json_ready(subject_person):
    data = subject_data(subject=subject_of(subject_person))
    for rows in data.values():
        for row in rows:
            for value in row.values():
                assert value is None or isinstance(value, str | int | bool), value
    consent = data["Directory record"][0]["Consent to processing"]
    assert datetime.fromisoformat(consent).tzinfo is not None


def test_a_person_without_an_address_as_retention_erases_them(other_person):
    """Retention erases inactive records, some of which have no email address."""
    person = PersonFactory(first_name="Octave", last_name="Sansmail", email="", phone="")
    MembershipRequestFactory(first_name="Autre", last_name="Demande", email="autre@exemple.fr")
    subject = DataSubject(email="", person=person)

    assert set(subject_data(subject=subject)) == {"Directory record"}
    counts = subject_erase(subject=subject, placeholder=PLACEHOLDER)

    assert counts["members.person"] == 1
    assert counts["members.membershiprequest"] == 0
    assert str(Person.objects.get(pk=person.pk)) == "Personne anonymisée"
    assert MembershipRequest.objects.filter(email="autre@exemple.fr").count() == 1
