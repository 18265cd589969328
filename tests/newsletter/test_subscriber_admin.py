"""The subscribers' back office: the list at scale, export, unsubscription,
and a person's data on request (export, erasure)."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from newsletter.imports.exports import SubscriberResource
from newsletter.models import ConsentSource, Subscriber, SubscriberStatus
from newsletter.services.subscribers import subscription_request
from portal.core.models import AuditEntry
from portal.core.paginators import CappedCountPaginator
from portal.core.sheets.columns import text
from portal.core.subjects import DataSubject
from portal.privacy.services import subject_erase
from tests.members.factories import DepartmentFactory
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:newsletter_subscriber_changelist")
EXPORT = reverse("admin:newsletter_subscriber_export")
CSV_FORMAT, XLSX_FORMAT = "0", "1"


@pytest.fixture
def val_d_oise(db):
    return DepartmentFactory(code="95", name="Val-d'Oise")


def column() -> dict[str, str]:
    return SubscriberResource.column_labels()


# The list ---------------------------------------------------------------------------------------


def test_the_list_filters_and_searches(staff_client, val_d_oise):
    SubscriberFactory(email="awa@example.org", department=val_d_oise, organisation="CCAS")
    SubscriberFactory(email="jean@example.org", status=SubscriberStatus.UNSUBSCRIBED)
    SubscriberFactory(email="leo@example.org", actor_type="elected", consent_source="import")

    def emails(query: str) -> set[str]:
        response = staff_client.get(CHANGELIST + query)
        assert response.status_code == 200
        return {s.email for s in response.context["cl"].result_list}

    assert emails("") == {"awa@example.org", "jean@example.org", "leo@example.org"}
    assert emails("?status__exact=unsubscribed") == {"jean@example.org"}
    assert emails(f"?department__id__exact={val_d_oise.pk}") == {"awa@example.org"}
    assert emails("?actor_type__exact=elected") == {"leo@example.org"}
    assert emails("?consent_source__exact=import") == {"leo@example.org"}
    assert emails("?q=ccas") == {"awa@example.org"}


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_runs_the_same_queries_whatever_its_size(
    staff_client, val_d_oise, rows, django_assert_num_queries
):
    SubscriberFactory.create_batch(rows, department=val_d_oise)
    staff_client.get(CHANGELIST)  # session, content types and permissions warmed up
    with django_assert_num_queries(8):  # the themes of the « themes » filter included
        assert staff_client.get(CHANGELIST).status_code == 200


def test_a_big_list_is_never_counted_in_full(staff_client, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 5)
    SubscriberFactory.create_batch(7)
    response = staff_client.get(CHANGELIST + "?q=example")
    cl = response.context["cl"]
    assert cl.paginator.capped
    assert cl.result_count == 5
    assert cl.full_result_count is None
    content = response.content.decode()
    assert cl.paginator.count_display in content
    assert "5" in cl.paginator.count_display


def test_the_paginator_counts_small_lists_exactly():
    paginator = CappedCountPaginator(list(range(12)), 5)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (12, False, 3)


def test_the_consent_is_read_only_after_creation(staff_client):
    subscriber = SubscriberFactory(consent_basis="")
    response = staff_client.get(reverse("admin:newsletter_subscriber_change", args=[subscriber.pk]))
    assert response.status_code == 200
    form_fields = response.context["adminform"].form.fields
    for name in ("consent_at", "consent_basis", "consent_source", "consent_ip", "status"):
        assert name not in form_fields


def test_staff_add_a_subscriber_with_a_consent_basis(staff_client, staff_user):
    url = reverse("admin:newsletter_subscriber_add")
    data = {
        "email": "nouvelle@example.org", "actor_type": "other", "mail_format": "html",
        "consent_at_0": "01/02/2025", "consent_at_1": "10:00:00",
    }  # fmt: skip
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "consent_basis" in response.context["adminform"].form.errors
    basis = "Fiche papier, rencontre du 1er février"
    response = staff_client.post(url, {**data, "consent_basis": basis})
    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert subscriber.consent_source == ConsentSource.STAFF
    entry = AuditEntry.objects.for_object(subscriber).get()
    assert (entry.action, entry.actor) == ("newsletter.subscriber_added", staff_user)


def test_unsubscribe_selected_is_audited(staff_client, staff_user):
    chosen = SubscriberFactory.create_batch(2)
    kept = SubscriberFactory()
    response = staff_client.post(
        CHANGELIST,
        {"action": "unsubscribe_selected", "_selected_action": [s.pk for s in chosen]},
    )
    assert response.status_code == 302
    for subscriber in chosen:
        subscriber.refresh_from_db()
        assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
        entry = AuditEntry.objects.for_object(subscriber).get()
        assert entry.actor == staff_user
        assert entry.changes["source"] == "staff"
    kept.refresh_from_db()
    assert kept.status == SubscriberStatus.ACTIVE


# Erased people ----------------------------------------------------------------------------------


def test_staff_never_subscribe_again_someone_erased(staff_client, staff_user):
    SubscriberFactory(email="efface@example.org")
    subject_erase(
        subject=DataSubject(email="efface@example.org", person=None),
        actor=staff_user,
        reason="Demande écrite",
    )
    refusal = "Les données de cette personne ont été effacées à sa demande"

    add = staff_client.post(
        reverse("admin:newsletter_subscriber_add"),
        {"email": "efface@example.org", "actor_type": "other", "mail_format": "html",
         "consent_basis": "Fiche papier", "consent_at_0": "01/02/2025", "consent_at_1": "10:00:00"},
    )  # fmt: skip
    assert refusal in str(add.context["adminform"].form.errors["email"])
    assert not Subscriber.objects.filter(email__iexact="efface@example.org").exists()

    # The person themself may: their confirmation is a new consent.
    subscription_request(email="efface@example.org")
    assert Subscriber.objects.get(email="efface@example.org").status == SubscriberStatus.PENDING


# Export -----------------------------------------------------------------------------------------


def export_post(client, file_format: str):
    data = {"format": file_format, "resource": "0"}
    data |= {f"subscriberresource_{name}": "on" for name in SubscriberResource().get_export_order()}
    return client.post(EXPORT, data)


def test_export_escapes_formulae_and_round_trips(staff_client):
    SubscriberFactory(
        email="awa@example.org",
        first_name="+33 1 23",
        organisation='=HYPERLINK("http://evil.example","clic")',
        last_name="@SUM(A1)",
    )
    response = export_post(staff_client, CSV_FORMAT)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    labels = column()
    assert rows[0][0] == labels["email"]
    row = dict(zip(rows[0], rows[1], strict=True))
    for name in ("first_name", "last_name", "organisation"):
        assert not row[labels[name]].startswith(("=", "+", "-", "@")), row[labels[name]]

    xlsx = export_post(staff_client, XLSX_FORMAT)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]

    # The « export selected » action writes the same, escaped, for the rows chosen.
    chosen = staff_client.post(
        CHANGELIST,
        {"action": "export_selected", "_selected_action": [Subscriber.objects.get().pk]},
    )
    assert chosen["Content-Disposition"].startswith("attachment")
    chosen_rows = list(csv.reader(io.StringIO(chosen.content.decode("utf-8-sig")), delimiter=";"))
    assert chosen_rows == rows

    # Imported back, the apostrophe goes away (and a formula is refused).
    assert text(200)(row[labels["first_name"]], None) == "+33 1 23"


# A person's data on request ---------------------------------------------------------------------


def test_the_person_s_data_are_one_click_away_and_never_deleted_here(staff_client):
    """Export and erasure are portal.privacy's (tests/privacy): the subscriber's page
    posts its address there, and Django's delete page is closed."""
    subscriber = SubscriberFactory(email="awa@example.org")
    page = staff_client.get(reverse("admin:newsletter_subscriber_change", args=[subscriber.pk]))
    tool = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page.content.decode())
    assert tool is not None
    assert tool[1] == reverse("admin:privacy_subjectlookup_changelist")
    assert 'name="email" value="awa@example.org"' in tool[2]
    assert reverse("admin:newsletter_subscriber_delete", args=[subscriber.pk]) not in (
        page.content.decode()
    )

    lookup = staff_client.post(tool[1], {"email": "awa@example.org"})
    assert lookup.status_code == 200
    assert lookup.context["subject"].email == "awa@example.org"

    delete = reverse("admin:newsletter_subscriber_delete", args=[subscriber.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_no_bulk_deletion_of_subscribers(staff_client):
    response = staff_client.get(CHANGELIST)
    actions = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert {"unsubscribe_selected", "export_selected"} <= set(actions)
