"""The subscribers' import (newsletter.imports.subscribers) through the back office's pages."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from newsletter.models import ConsentSource, Subscriber, SubscriberStatus
from newsletter.selectors.figures import newsletter_figures
from portal.core.models import AuditEntry, ImportJobStatus
from portal.core.subjects import DataSubject
from portal.privacy.services import subject_erase
from tests.members.factories import DepartmentFactory
from tests.newsletter.factories import SubscriberFactory
from tests.sheets import csv_bytes, import_confirm, import_through_pages, import_upload, last_job

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=False),
]

KIND = "newsletter.subscribers"
HEADER = ["Courriel", "Prénom", "Nom", "Département", "Type d'acteur", "Base du consentement",
          "Date du consentement", "Date de confirmation"]  # fmt: skip


@pytest.fixture
def val_d_oise(db):
    return DepartmentFactory(code="95", name="Val-d'Oise")


def test_a_windows_csv_creates_confirmed_subscribers_that_count(
    staff_client, staff_user, val_d_oise
):
    data = csv_bytes(
        [
            HEADER,
            [
                "awa@example.org",
                "Awa",
                "Diallo",
                "Val d\u2019Oise",
                "Agent de collectivité",
                "Fiche papier, rencontre 2024",
                "12/03/2024",
                "",
            ],
            ["JEAN@example.org", "Jean", "Morel", "95", "Élu·e", "Salon", "", "02/01/2025"],
        ],
        encoding="cp1252",
    )
    job = import_through_pages(staff_client, KIND, data, "abonnes.csv")
    assert job.result["counts"]["create"] == 2
    awa = Subscriber.objects.get(email="awa@example.org")
    assert (awa.status, awa.consent_source, awa.department) == (
        SubscriberStatus.ACTIVE, ConsentSource.IMPORT, val_d_oise,
    )  # fmt: skip
    assert awa.actor_type == "collectivity_staff"
    assert timezone.localtime(awa.confirmed_at).date() == date(2024, 3, 12)
    jean = Subscriber.objects.get(email="jean@example.org")
    assert jean.actor_type == "elected"
    assert timezone.localtime(jean.confirmed_at).date() == date(2025, 1, 2)
    # Both count: Awa at the end of 2024, Jean from 2025 on.
    assert newsletter_figures(year=2024).subscribers == 1
    assert newsletter_figures(year=2025).subscribers == 2
    entry = AuditEntry.objects.for_object(job).get(action="import.done")
    assert (entry.actor, entry.changes["create"]) == (staff_user, 2)


def test_the_same_file_twice_updates_and_never_duplicates(staff_client, val_d_oise):
    rows = [HEADER, ["awa@example.org", "Awa", "Diallo", "95", "", "Formulaire", "", ""]]
    import_through_pages(staff_client, KIND, csv_bytes(rows), "a.csv")
    rows[1][2] = "Diallo-Sow"
    job = import_through_pages(staff_client, KIND, csv_bytes(rows), "a.csv")
    assert job.result["counts"] == {"create": 0, "update": 1, "unchanged": 0, "error": 0}
    again = import_through_pages(staff_client, KIND, csv_bytes(rows), "a.csv")
    assert again.result["counts"]["unchanged"] == 1
    assert Subscriber.objects.get().last_name == "Diallo-Sow"


def test_a_known_address_waiting_for_confirmation_becomes_active(staff_client, staff_user):
    pending = SubscriberFactory(email="Awa@Example.org", status=SubscriberStatus.PENDING)
    rows = [HEADER, ["awa@example.org", "Awa", "Diallo", "", "", "Formulaire", "", ""]]
    job = import_through_pages(staff_client, KIND, csv_bytes(rows), "a.csv")
    assert job.result["counts"]["update"] == 1
    pending.refresh_from_db()
    assert (pending.status, pending.consent_source) == ("active", ConsentSource.IMPORT)
    entry = AuditEntry.objects.for_object(pending).get()
    assert (entry.action, entry.actor) == ("newsletter.subscriber_imported", staff_user)
    assert entry.changes["status"] == ["pending", "active"]


def test_errors_name_the_spreadsheet_line_and_nothing_is_written(staff_client, val_d_oise):
    data = csv_bytes(
        [
            HEADER,
            ["ok@example.org", "Awa", "Diallo", "95", "", "Formulaire", "", ""],
            ["sans-base@example.org", "Jean", "Morel", "", "", "", "", ""],
            ["dept@example.org", "Léa", "Roux", "Finistère", "", "Formulaire", "", ""],
            ["date@example.org", "Paul", "Petit", "", "", "Formulaire", "31/02/2024", ""],
            ["pas-une-adresse", "Zoé", "Blanc", "", "", "Formulaire", "", ""],
            ["OK@example.org", "Awa", "Diallo", "95", "", "Formulaire", "", ""],
            ["futur@example.org", "Max", "Blanc", "", "", "Formulaire", "01/01/2030", ""],
        ]
    )
    response = import_upload(staff_client, KIND, data, "abonnes.csv")
    job = last_job()
    errors = dict(job.result["errors"])
    assert set(errors) == {3, 4, 5, 6, 7, 8}
    assert "Base du consentement" in errors[3]
    assert "Finistère" in errors[4]
    assert "31/02/2024" in errors[5]
    assert "pas-une-adresse" in errors[6]
    assert "ligne 2" in errors[7]  # a duplicate of line 2, whatever the case
    assert "futur" in errors[8]
    assert "None" not in response.content.decode()
    response = import_confirm(staff_client, job)
    assert "lignes valides" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_valid_lines_only_and_the_rejected_lines_come_back(staff_client, val_d_oise):
    data = csv_bytes(
        [
            HEADER,
            ["ok@example.org", "Awa", "Diallo", "95", "", "Formulaire", "", ""],
            ["mauvais", "Jean", "Morel", "", "", "Formulaire", "", ""],
        ]
    )
    import_upload(staff_client, KIND, data, "abonnes.csv")
    job = last_job()
    import_confirm(staff_client, job, valid_only=True)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["ok@example.org"]
    response = staff_client.get(reverse("admin:core_importjob_rejected", args=[job.pk]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Ligne" and rows[0][-1] == "Erreur"
    assert rows[1][:2] == (3, "mauvais")
    assert "adresse" in rows[1][-1]


def test_people_who_left_or_were_erased_are_never_subscribed_again(
    staff_client, staff_user, val_d_oise
):
    SubscriberFactory(email="parti@example.org", status=SubscriberStatus.UNSUBSCRIBED)
    SubscriberFactory(email="efface@example.org")
    subject_erase(
        subject=DataSubject(email="efface@example.org", person=None),
        actor=staff_user,
        reason="Demande écrite",
    )
    data = csv_bytes(
        [
            HEADER,
            ["parti@example.org", "A", "B", "", "", "Formulaire", "", ""],
            ["Efface@Example.org", "A", "B", "", "", "Formulaire", "", ""],
        ]
    )
    import_upload(staff_client, KIND, data, "abonnes.csv")
    errors = dict(last_job().result["errors"])
    assert "désabonné" in errors[2]
    assert "effacées" in errors[3]
    assert Subscriber.objects.filter(status=SubscriberStatus.ACTIVE).count() == 0


def test_a_subscriber_added_by_staff_is_confirmed_and_counts(staff_client):
    url = reverse("admin:newsletter_subscriber_add")
    data = {
        "email": "nouvelle@example.org", "actor_type": "other", "mail_format": "html",
        "consent_at_0": "01/02/2025", "consent_at_1": "10:00:00", "consent_basis": "Fiche",
    }  # fmt: skip
    assert staff_client.post(url, data).status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmed_at == subscriber.consent_at
    assert newsletter_figures(year=2025).subscribers == 1
