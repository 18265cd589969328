"""Consent records: every public collection form records what the person agreed to, as
shown on the page; the register of processing follows the retention settings."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from members.models import OrganisationKind, Person
from newsletter.models import Subscriber
from portal.core.consent import consent_record, consent_records_anonymise
from portal.core.models import ConsentPurpose, ConsentRecord
from portal.core.processing import REGISTER
from tests.events.factories import SessionFactory
from tests.members.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

IP = "203.0.113.9"


def _shown(client, url: str, record: ConsentRecord) -> None:
    """The wording recorded is the label of the checkbox on the page, word for word."""
    page = client.get(url).content.decode()
    assert escape(record.wording) in page
    assert len(record.wording) > 40


def _assert_record(record, *, purpose, email, source, person=None) -> None:
    assert (record.purpose, record.email, record.source, record.ip) == (
        purpose,
        email,
        source,
        IP,
    )
    assert record.person == person
    assert record.given_at is not None


def test_an_event_registration_records_the_consent(client):
    DepartmentFactory(code="95")
    session = SessionFactory(capacity=10)
    url = session.action.get_absolute_url()
    data = {
        "session": str(session.pk),
        "first_name": "Nadia",
        "last_name": "Benali",
        "email": "Nadia.Benali@Ville.example.org",
        "organisation_name": "Ville de Sarcelles",
        "job_title": "",
        "actor_type": "collectivity_staff",
        "department": "95",
        "consent": "on",
        "website": "",
    }

    response = client.post(url, data, REMOTE_ADDR=IP)

    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    person = Person.objects.get()
    _assert_record(
        record,
        purpose=ConsentPurpose.EVENT_REGISTRATION,
        email="nadia.benali@ville.example.org",
        source="events:action",
        person=person,
    )
    _shown(client, url, record)


def test_an_info_doc_request_records_the_consent(client):
    url = reverse("infodoc:index")
    data = {
        "first_name": "Camille",
        "last_name": "Durand",
        "email": "camille.durand@example.org",
        "phone": "",
        "organisation_name": "Ville de Cergy",
        "requester_kind": "city",
        "department": "",
        "commune": "",
        "subject": "Diagnostic partagé en QPV",
        "question": "Auriez-vous des exemples de diagnostics partagés ?",
        "wished_by": "",
        "consent": "on",
        "website": "",
    }

    response = client.post(url, data, REMOTE_ADDR=IP)

    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    _assert_record(
        record,
        purpose=ConsentPurpose.INFODOC_REQUEST,
        email="camille.durand@example.org",
        source="infodoc:index",
        person=Person.objects.get(),
    )
    _shown(client, url, record)


def test_a_newsletter_subscription_records_the_consent_and_keeps_its_own(client):
    url = reverse("newsletter:subscribe")
    data = {
        "email": "camille.durand@example.org",
        "first_name": "Camille",
        "last_name": "Durand",
        "organisation": "",
        "actor_type": "other",
        "department": "",
        "consent": "on",
    }

    response = client.post(url, data, REMOTE_ADDR=IP)

    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    _assert_record(
        record,
        purpose=ConsentPurpose.NEWSLETTER,
        email="camille.durand@example.org",
        source="newsletter:subscribe",
    )
    _shown(client, url, record)
    subscriber = Subscriber.objects.get()
    assert subscriber.consent_source == "web_form"  # the newsletter's own record stays


def test_a_membership_request_records_the_consent(client):
    url = reverse("members:public_list")
    data = {
        "organisation_name": "Régie de quartier du Val",
        "kind": OrganisationKind.ASSOCIATION,
        "first_name": "Nadia",
        "last_name": "Benali",
        "email": "nadia.benali@regie.example.org",
        "phone": "",
        "job_title": "Présidente",
        "town": "Garges-lès-Gonesse",
        "message": "Nous souhaitons adhérer.",
        "consent": "on",
        "website": "",
    }

    response = client.post(url, data, REMOTE_ADDR=IP)

    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    _assert_record(
        record,
        purpose=ConsentPurpose.MEMBERSHIP_REQUEST,
        email="nadia.benali@regie.example.org",
        source="members:public_list",
    )
    _shown(client, url, record)


def test_nothing_is_recorded_without_consent_or_when_refused(client, settings):
    url = reverse("newsletter:subscribe")
    data = {"email": "a@example.org", "actor_type": "other", "department": ""}
    assert client.post(url, data).status_code == 200  # no consent ticked
    settings.NEWSLETTER_SUBSCRIBE_RATE_LIMITS = {"email": 0, "ip": 0}
    response = client.post(url, {**data, "consent": "on"})
    assert response.status_code == 429
    assert not ConsentRecord.objects.exists()
    assert not Subscriber.objects.exists()


def test_consent_record_normalises_what_it_keeps():
    record = consent_record(
        purpose=ConsentPurpose.ACCOUNT,
        email="  Camille@Example.ORG ",
        wording="J'accepte.",
        source="import",
        ip="unknown",
    )
    assert (record.email, record.ip, record.person) == ("camille@example.org", None, None)


def test_consents_of_removed_data_lose_their_address_and_ip():
    kept = consent_record(
        purpose=ConsentPurpose.EVENT_REGISTRATION, email="a@example.org", wording="x", source="s"
    )
    gone = consent_record(
        purpose=ConsentPurpose.NEWSLETTER, email="a@example.org", wording="x", source="s", ip=IP
    )
    assert consent_records_anonymise(emails=["A@example.org"], purpose="newsletter") == 1
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert (gone.email, gone.ip, kept.email) == ("", None, "a@example.org")


def test_the_back_office_shows_consents_read_only(admin_client):
    record = consent_record(
        purpose=ConsentPurpose.NEWSLETTER, email="a@example.org", wording="x", source="s"
    )
    assert admin_client.get(reverse("admin:core_consentrecord_changelist")).status_code == 200
    change = reverse("admin:core_consentrecord_change", args=[record.pk])
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"email": "b@example.org"}).status_code == 403
    assert admin_client.get(reverse("admin:core_consentrecord_add")).status_code == 403
    record.refresh_from_db()
    assert record.email == "a@example.org"


# The register of processing ---------------------------------------------------------------


def test_the_register_lists_every_processing_the_portal_does():
    with translation.override("en"):
        names = {str(processing.name) for processing in REGISTER}
        assert names == {
            "User accounts",
            "Members and dues",
            "Events and attendance",
            "Info-doc requests",
            "Newsletter Résonances",
            "Consent records",
            "Transactional emails",
            "Audit trail",
            "Retention and rights requests",
            "Annual report statistics",
        }
        for processing in REGISTER:
            for value in (processing.purpose, processing.legal_basis, processing.data):
                assert str(value).strip()
            assert str(processing.retention).strip()


def test_the_privacy_page_states_the_retention_settings(client, settings):
    settings.RETENTION_INACTIVE_PEOPLE_YEARS = 4
    settings.RETENTION_PENDING_SUBSCRIPTION_DAYS = 45
    settings.RETENTION_DELIVERY_YEARS = 1
    page = client.get(reverse("core:privacy")).content.decode()
    assert page.count('<th scope="row"') == len(REGISTER)
    with translation.override("fr"):
        retentions = [str(processing.retention) for processing in REGISTER]
    for retention in retentions:
        assert escape(retention) in page
    with translation.override("en"):
        newsletter = str(REGISTER[4].retention)
        assert "4 years after the person's last activity" in str(REGISTER[0].retention)
    assert "45 days" in newsletter
    assert "delivery history: 1 year" in newsletter
