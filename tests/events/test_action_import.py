"""The import of actions with their sessions (events.imports) through the back office."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Action, ActionFormat, ActionStatus, Session
from portal.core.models import AuditEntry, Theme
from tests.events.factories import ActionFactory, SessionFactory
from tests.members.factories import CommuneFactory, DepartmentFactory, OrganisationFactory
from tests.sheets import (
    csv_bytes,
    import_through_pages,
    import_upload,
    last_job,
    ods_bytes,
    xlsx_bytes,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=False),
]

KIND = "events.actions"
HEADER = ["Action", "Format", "Thèmes", "Date", "Heure de début", "Heure de fin", "Lieu",
          "Commune", "Capacité", "Demi-journées", "Partenaires", "Lien en ligne"]  # fmt: skip


@pytest.fixture
def places(db):
    val_d_oise = DepartmentFactory(code="95", name="Val-d'Oise")
    return {
        "cergy": CommuneFactory(insee_code="95127", name="Cergy", department=val_d_oise),
        "caf": OrganisationFactory(name="CAF du Val-d'Oise"),
    }


def local(session: Session) -> tuple[date, time, time]:
    starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    return starts.date(), starts.time(), ends.time()


def test_an_xlsx_of_sessions_makes_actions_grouped_by_title_and_year(
    staff_client, staff_user, places
):
    rows = [
        HEADER,
        ["Groupe de travail PRE", "Groupe de travail", "Éducation ; Jeunesse", date(2024, 3, 12),
         time(9, 30), time(12, 30), "Maison de quartier", "Cergy", 25, None,
         "CAF du Val d\u2019Oise", None],
        ["groupe de travail pré", "groupe de travail", "Parentalité", "14/05/2024", "14 h",
         "17h30", None, "95127", None, None, None, None],
        ["Petit-déjeuner santé", "Petit déj", "Santé", "02/10/2024", "09:00", "17:00",
         None, None, None, None, None, "https://visio.example.org/pdj"],
        ["Cycle laïcité", "Cycle de qualification", None, "05/11/2024", "09:00", "12:00",
         None, None, None, 2, None, None],
    ]  # fmt: skip
    job = import_through_pages(staff_client, KIND, xlsx_bytes(rows))
    assert job.result["counts"] == {"create": 4, "update": 0, "unchanged": 0, "error": 0}

    assert Action.objects.count() == 3
    group = Action.objects.get(title="Groupe de travail PRE")
    assert (group.format, group.status, group.is_public) == (
        ActionFormat.PEER_GROUP, ActionStatus.PUBLISHED, True,
    )  # fmt: skip
    assert group.slug == "groupe-de-travail-pre-2024"
    assert {t.name for t in group.themes.all()} == {"Éducation", "Jeunesse", "Parentalité"}
    assert list(group.partners.all()) == [places["caf"]]
    first, second = group.sessions.order_by("starts_at")
    assert local(first) == (date(2024, 3, 12), time(9, 30), time(12, 30))
    assert local(second) == (date(2024, 5, 14), time(14, 0), time(17, 30))
    assert (first.venue, first.commune, first.capacity) == (
        "Maison de quartier", places["cergy"], 25,
    )  # fmt: skip
    assert second.commune == places["cergy"] and second.capacity is None
    # Half-days: computed when the file leaves them empty, as given otherwise.
    assert first.half_days_override is None and first.half_days == 1
    breakfast = Session.objects.get(action__title="Petit-déjeuner santé")
    assert breakfast.half_days_override is None and breakfast.half_days == 2
    assert breakfast.is_online and breakfast.online_url == "https://visio.example.org/pdj"
    assert Session.objects.get(action__title="Cycle laïcité").half_days == 2
    entry = AuditEntry.objects.for_object(group).get()
    assert (entry.action, entry.actor) == ("action.imported", staff_user)


def test_the_same_title_in_two_years_makes_two_actions_with_their_own_address(staff_client):
    ActionFactory(title="Autre", slug="rencontre-annuelle-2023")  # the address is taken
    rows = [
        ["Action", "Format", "Date", "Début", "Fin"],
        ["Rencontre annuelle", "Rencontre", "20/06/2023", "09:00", "17:00"],
        ["Rencontre annuelle", "Rencontre", "18/06/2024", "09:00", "17:00"],
    ]
    import_through_pages(staff_client, KIND, csv_bytes(rows), "actions.csv")
    slugs = set(Action.objects.filter(title="Rencontre annuelle").values_list("slug", flat=True))
    assert slugs == {"rencontre-annuelle-2023-2", "rencontre-annuelle-2024"}
    # Imported again, and with a third year: the two stay, a third comes.
    rows.append(["RENCONTRE ANNUELLE", "rencontre", "17/06/2025", "09:00", "17:00"])
    job = import_through_pages(staff_client, KIND, csv_bytes(rows), "actions.csv")
    assert job.result["counts"] == {"create": 1, "update": 0, "unchanged": 2, "error": 0}
    assert Action.objects.filter(title__iexact="Rencontre annuelle").count() == 3


def test_a_windows_csv_twice_updates_and_never_duplicates(staff_client, places):
    rows = [
        HEADER,
        ["Atelier égalité", "Atelier", "Égalité femmes-hommes", "12/03/2024", "14:00", "17:00",
         "Salle des fêtes", "Cergy", "30", "", "", ""],
    ]  # fmt: skip
    import_through_pages(staff_client, KIND, csv_bytes(rows, encoding="cp1252"), "a.csv")
    again = import_through_pages(staff_client, KIND, csv_bytes(rows, encoding="cp1252"), "a.csv")
    assert again.result["counts"]["unchanged"] == 1
    rows[1][6], rows[1][8] = "Médiathèque", "40"
    job = import_through_pages(staff_client, KIND, csv_bytes(rows, encoding="cp1252"), "a.csv")
    assert job.result["counts"]["update"] == 1
    session = Session.objects.get()
    assert (session.venue, session.capacity, session.action.title) == (
        "Médiathèque", 40, "Atelier égalité",
    )  # fmt: skip
    assert Action.objects.count() == 1


def test_an_ods_file_updates_an_action_made_by_hand(staff_client):
    action = ActionFactory(title="Séminaire PRE", format=ActionFormat.SEMINAR)
    session = SessionFactory(
        action=action,
        starts_at=timezone.make_aware(datetime.combine(date(2024, 9, 19), time(9))),
        ends_at=timezone.make_aware(datetime.combine(date(2024, 9, 19), time(12))),
        capacity=50,
    )
    rows = [
        ["Action", "Date", "Début", "Fin", "Statut", "Lieu"],
        ["SEMINAIRE  pre", date(2024, 9, 19), "9h", "12h", "Annulée", None],
    ]
    job = import_through_pages(staff_client, KIND, ods_bytes(rows), "actions.ods")
    assert job.result["counts"]["update"] == 1
    action.refresh_from_db()
    session.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED
    assert Session.objects.count() == 1
    assert (session.capacity, session.venue) == (50, "Maison de quartier")  # empty cells keep


def test_errors_name_the_line_and_the_column_and_nothing_is_written(staff_client, places):
    rows = [
        HEADER,
        ["Atelier", "Atelier", "", "12/03/2024", "14:00", "17:00", "", "", "", "", "", ""],
        ["Sans format", "", "", "12/03/2024", "14:00", "17:00", "", "", "", "", "", ""],
        ["Atelier", "Atelier", "Astrologie", "13/03/2024", "14:00", "17:00", "", "", "", "", "",
         ""],
        ["Atelier", "Atelier", "", "14/03/2024", "17:00", "14:00", "", "", "", "", "", ""],
        ["Atelier", "Webinaire", "", "15/03/2024", "14:00", "17:00", "", "", "", "", "", ""],
        ["Atelier", "Atelier", "", "16/03/2024", "14:00", "17:00", "", "", "",
         "", "Inconnue SA", ""],
        ["atelier", "Atelier", "", "12/03/2024", "14h", "17:00", "", "", "", "", "", ""],
        ["Atelier", "Kermesse", "", "17/03/2024", "14:00", "17:00", "", "", "", "", "", ""],
    ]  # fmt: skip
    response = import_upload(staff_client, KIND, csv_bytes(rows), "a.csv")
    errors = dict(last_job().result["errors"])
    assert set(errors) == {3, 4, 5, 6, 7, 8, 9}
    assert "Format" in errors[3]
    assert "Astrologie" in errors[4]
    assert "après son début" in errors[5]
    assert "ligne 2" in errors[6]  # another format for the same action
    assert "Inconnue SA" in errors[7] and "annuaire" in errors[7]
    assert "ligne 2" in errors[8]  # the same session twice
    assert "Kermesse" in errors[9]
    assert "None" not in response.content.decode()
    assert not Action.objects.exists() and not Session.objects.exists()


def test_the_template_marks_the_required_columns_and_the_lists_link_to_the_import(
    staff_client,
):
    response = staff_client.get(reverse("admin:core_importjob_template", args=[KIND]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [cell.value for cell in workbook.worksheets[0][1]]
    assert {"Action *", "Date *", "Heure de début *", "Heure de fin *", "Format"} <= set(headers)
    upload = reverse("admin:core_importjob_upload", args=[KIND])
    for name in ("action", "session"):
        page = staff_client.get(reverse(f"admin:events_{name}_changelist"))
        assert upload in page.content.decode()
    assert Theme.objects.exists()
