"""The back office: one person's data (summary, JSON, PDF), the erasure asked for by one
staff member and confirmed by another, the retention runs (read only)."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.translation import gettext as _
from pypdf import PdfReader

from members.models import Person
from portal.core.models import AuditEntry
from portal.privacy.models import ErasureRequest, ErasureStatus, RetentionRun
from tests.privacy.factories import person_with_traces

pytestmark = pytest.mark.django_db

EMAIL = "theodorine.quillardeau@exemple-rgpd.fr"
LOOKUP = reverse("admin:privacy_subjectlookup_changelist")


@pytest.fixture
def person(db):
    return person_with_traces(
        first_name="Théodorine",
        last_name="Quillardeau",
        email=EMAIL,
        phone="06 71 82 93 04",
    ).person


@pytest.fixture
def staff_b(make_user):
    from portal.core.roles import STAFF_GROUP

    return make_user("agent.b@centre.example.org", staff=True, groups=(STAFF_GROUP,))


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_index_lists_the_privacy_pages(admin_client_for_staff):
    content = admin_client_for_staff.get(reverse("admin:index")).content.decode()
    assert LOOKUP in content
    assert reverse("admin:privacy_erasurerequest_changelist") in content
    assert reverse("admin:privacy_retentionrun_changelist") in content


@pytest.fixture
def admin_client_for_staff(client, staff_user):
    client.force_login(staff_user)
    return client


def test_staff_look_a_person_up_and_download_their_data(admin_client_for_staff, person):
    client = admin_client_for_staff
    assert client.get(LOOKUP).status_code == 200
    page = client.post(LOOKUP, {"email": " Theodorine.Quillardeau@EXEMPLE-rgpd.fr"})
    assert page.status_code == 200
    content = page.content.decode()
    assert _("Directory record") in content
    assert _("Attendances") in content
    assert reverse("admin:members_person_change", args=[person.pk]) in content

    response = client.post(reverse("admin:privacy_subjectlookup_json"), {"email": EMAIL})
    assert response.status_code == 200
    assert json.loads(response.content)["email"] == EMAIL
    response = client.post(reverse("admin:privacy_subjectlookup_pdf"), {"email": EMAIL})
    assert response["Content-Type"] == "application/pdf"
    assert EMAIL in "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    entries = AuditEntry.objects.filter(action="privacy.subject_exported")
    assert entries.count() == 2
    assert EMAIL not in json.dumps([entry.changes for entry in entries])
    # Addresses travel in POST bodies only.
    assert client.get(reverse("admin:privacy_subjectlookup_json")).status_code == 405


def test_a_bad_address_shows_the_form_again(admin_client_for_staff):
    page = admin_client_for_staff.post(LOOKUP, {"email": "pas une adresse"})
    assert page.status_code == 200
    assert page.context["form"].errors


def test_erasure_asked_by_one_confirmed_by_another(client, staff_user, staff_b, person):
    client.force_login(staff_user)
    ask = reverse("admin:privacy_subjectlookup_erasure")
    refused = client.post(ask, {"email": EMAIL, "reason": ""})
    assert refused.status_code == 200
    assert refused.context["ask_form"].errors
    assert not ErasureRequest.objects.exists()

    response = client.post(ask, {"email": EMAIL, "reason": "Demande par courrier du 3 mars"})
    erasure = ErasureRequest.objects.get()
    change = reverse("admin:privacy_erasurerequest_change", args=[erasure.pk])
    confirm = reverse("admin:privacy_erasurerequest_confirm", args=[erasure.pk])
    assert response.status_code == 302 and response["Location"] == change
    assert erasure.requested_by == staff_user
    # The requester sees the request but no way to confirm it; a POST is refused.
    page = client.get(change)
    assert page.status_code == 200
    assert confirm not in page.content.decode()
    assert client.get(confirm).context["is_requester"] is True
    response = client.post(confirm)
    assert _("Another staff member must confirm the erasure: you asked for it.") in _messages(
        response
    )
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.REQUESTED

    client.force_login(staff_b)
    assert confirm in client.get(change).content.decode()
    page = client.get(confirm)
    assert page.status_code == 200
    assert "effacement est irréversible" in page.content.decode()
    response = client.post(confirm)
    assert response.status_code == 302
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.DONE
    assert erasure.confirmed_by == staff_b
    assert Person.objects.get(pk=person.pk).email == ""
    again = client.post(confirm)
    assert _("This erasure is already done.") in _messages(again)
    # Looked up again, the address finds its erasure (by fingerprint: it holds none now).
    page = client.post(LOOKUP, {"email": EMAIL})
    assert page.context["subject"].person is None
    assert page.context["requests"] == [erasure]


def test_a_request_can_be_cancelled(admin_client_for_staff, person, staff_user):
    from portal.privacy.selectors import subject_find
    from portal.privacy.services import erasure_request

    erasure = erasure_request(
        subject=subject_find(email=EMAIL), requested_by=staff_user, reason="Erreur"
    )
    cancel = reverse("admin:privacy_erasurerequest_cancel", args=[erasure.pk])
    assert admin_client_for_staff.get(cancel).status_code == 405
    admin_client_for_staff.post(cancel)
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.CANCELLED


def test_nothing_is_added_changed_or_deleted_through_djangos_pages(admin_client_for_staff):
    run = RetentionRun.objects.create(dry_run=True, counts={"inactive_people": 3})
    client = admin_client_for_staff
    page = client.get(reverse("admin:privacy_retentionrun_changelist"))
    assert page.status_code == 200
    assert f"{_('inactive people erased')}\u00a0: 3" in page.content.decode()
    change = reverse("admin:privacy_retentionrun_change", args=[run.pk])
    assert client.get(change).status_code == 200
    assert client.get(reverse("admin:privacy_retentionrun_add")).status_code == 403
    assert client.get(reverse("admin:privacy_erasurerequest_add")).status_code == 403
    delete = reverse("admin:privacy_retentionrun_delete", args=[run.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert RetentionRun.objects.filter(pk=run.pk).exists()


def test_exporting_an_address_without_a_record_is_audited_without_it(admin_client_for_staff):
    from tests.newsletter.factories import SubscriberFactory

    SubscriberFactory(email="lectrice@exemple-rgpd.fr")
    response = admin_client_for_staff.post(
        reverse("admin:privacy_subjectlookup_json"), {"email": "lectrice@exemple-rgpd.fr"}
    )
    assert [s["app"] for s in json.loads(response.content)["sections"]] == ["newsletter"]
    entry = AuditEntry.objects.get(action="privacy.subject_exported")
    assert entry.object_id == ""
    assert "lectrice" not in entry.object_repr + json.dumps(entry.changes)
