"""The import of attendance for many sessions at once (events.imports) through the back
office, and the report's figures that follow from it."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Attendance, Headcount
from events.selectors.figures import participation_figures
from members.models import ActorType, Person
from portal.core.erasures import erasure_record
from portal.core.models import AuditEntry
from tests.events.factories import ActionFactory, RegistrationFactory, SessionFactory
from tests.members.factories import DepartmentFactory, OrganisationFactory, PersonFactory
from tests.sheets import (
    csv_bytes,
    import_confirm,
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

KIND = "events.attendance"
HEADER = ["Séance", "Action", "Date", "Heure de début", "Nom", "Prénom", "Courriel", "Structure",
          "Département", "Type d'acteur", "Présent", "Nombre"]  # fmt: skip


def moment(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def year(db):
    """Two actions of 2024, the directory's départements, an organisation, two people."""
    departments = {
        code: DepartmentFactory(code=code, name=name)
        for code, name in (("95", "Val-d'Oise"), ("78", "Yvelines"), ("92", "Hauts-de-Seine"),
                           ("75", "Paris"))
    }  # fmt: skip
    group = ActionFactory(title="Groupe de travail PRE")
    meeting = ActionFactory(title="Rencontre départementale")

    def session(action, day, start, end):
        return SessionFactory(
            action=action, starts_at=moment(day, *start), ends_at=moment(day, *end)
        )

    agora = OrganisationFactory(name="Centre social Agora", department=None)
    return {
        "departments": departments,
        "s1": session(group, date(2024, 3, 12), (9, 30), (12, 30)),
        "s2": session(group, date(2024, 5, 14), (14, 0), (17, 30)),
        "s2_morning": session(group, date(2024, 5, 14), (9, 0), (12, 0)),
        "s3": session(meeting, date(2024, 10, 2), (9, 0), (17, 0)),
        "agora": agora,
        "awa": PersonFactory(
            first_name="Awa", last_name="Diallo", email="awa@example.org",
            department=departments["78"], actor_type=ActorType.OTHER,
        ),
        "jean": PersonFactory(
            first_name="Jean", last_name="Morel", email="", organisation=agora,
            department=None, actor_type=ActorType.OTHER,
        ),
    }  # fmt: skip


def year_rows(year) -> list[list]:
    s1, s2, s3 = year["s1"].reference, year["s2"].pk, year["s3"].reference
    return [
        HEADER,
        [s1, None, None, None, "Diallo", "Awa", "AWA@example.org", None, "Val d\u2019Oise",
         "Agent de collectivité", "oui", None],
        [None, "groupe de travail pré", "12/03/2024", None, "MOREL", "Jean", None,
         "centre social agora", "78", "Élu·e", "x", None],
        [s1, None, None, None, "Petit", "Léa", "lea@example.org", None, "92", "Associatif",
         "non", None],
        [None, "Groupe de travail PRE", "14/05/2024", "14:00", "Diallo", "Awa", "awa@example.org",
         None, None, None, "présente", None],
        [s2, None, None, None, "Nouveau", "Paul", None, "Mairie inconnue", "Paris", "Habitant",
         None, None],
        [s3, None, None, None, None, None, None, None, "95", "Agent de collectivité", None, 120],
        [s3, None, None, None, None, None, None, None, None, None, None, 30],
    ]  # fmt: skip


def shares(items) -> dict[str, int]:
    return {share.key: share.count for share in items if share.count}


def test_an_xlsx_for_many_sessions_gives_the_report_its_figures(staff_client, staff_user, year):
    RegistrationFactory(session=year["s1"], person=year["awa"])
    job = import_through_pages(staff_client, KIND, xlsx_bytes(year_rows(year)))
    assert job.result["counts"] == {"create": 7, "update": 0, "unchanged": 0, "error": 0}

    # People: matched by email, then by name and organisation; the others created.
    assert Person.objects.count() == 4
    awa, jean = year["awa"], year["jean"]
    awa.refresh_from_db()
    jean.refresh_from_db()
    assert (awa.department.code, awa.actor_type) == ("95", ActorType.COLLECTIVITY_STAFF)
    assert (jean.department.code, jean.actor_type) == ("78", ActorType.ELECTED)
    lea = Person.objects.get(email="lea@example.org")
    assert (lea.department.code, lea.actor_type, lea.organisation) == (
        "92", ActorType.ASSOCIATION, None,
    )  # fmt: skip
    paul = Person.objects.get(first_name="Paul")
    assert (paul.email, paul.organisation, paul.department.code) == ("", None, "75")

    attendance = {(a.session_id, a.person_id): a for a in Attendance.objects.all()}
    s1, s2, s3 = year["s1"].pk, year["s2"].pk, year["s3"].pk
    assert set(attendance) == {(s1, awa.pk), (s1, jean.pk), (s1, lea.pk), (s2, awa.pk),
                               (s2, paul.pk)}  # fmt: skip
    assert not attendance[(s1, lea.pk)].present and attendance[(s2, paul.pk)].present
    assert not attendance[(s1, awa.pk)].is_walk_in and attendance[(s1, jean.pk)].is_walk_in
    assert attendance[(s1, awa.pk)].checked_by == staff_user
    counts = {
        (h.session_id, h.department_id, h.actor_type): h.count for h in Headcount.objects.all()
    }
    assert counts == {
        (s3, year["departments"]["95"].pk, ActorType.COLLECTIVITY_STAFF): 120,
        (s3, None, ActorType.OTHER): 30,
    }
    entry = AuditEntry.objects.for_object(year["s1"]).get(action="attendance.imported")
    assert entry.changes == {"created": 3, "updated": 0, "new_people": 1}

    figures = participation_figures(year=2024)
    assert (figures.actions, figures.sessions, figures.half_days) == (2, 4, 5)
    assert (figures.participations, figures.named_participations) == (154, 4)
    assert figures.unique_participants == 3
    assert shares(figures.by_department) == {"95": 122, "78": 1, "other": 31}
    assert shares(figures.by_actor_type) == {
        "collectivity_staff": 122, "elected": 1, "resident": 1, "other": 30,
    }  # fmt: skip
    assert sum(share.percent for share in figures.by_department) == Decimal(100)


def test_the_same_file_twice_updates_and_never_duplicates(staff_client, year):
    rows = year_rows(year)
    import_through_pages(staff_client, KIND, xlsx_bytes(rows))
    again = import_through_pages(staff_client, KIND, xlsx_bytes(rows))
    assert again.result["counts"] == {"create": 0, "update": 0, "unchanged": 7, "error": 0}
    rows[3][10] = "oui"  # Léa came after all
    rows[7][11] = 25
    job = import_through_pages(staff_client, KIND, xlsx_bytes(rows))
    assert job.result["counts"] == {"create": 0, "update": 2, "unchanged": 5, "error": 0}
    assert Person.objects.count() == 4 and Attendance.objects.count() == 5
    assert Attendance.objects.filter(present=True).count() == 5
    assert sorted(Headcount.objects.values_list("count", flat=True)) == [25, 120]
    rows[7][11] = 0  # 0 removes the group
    import_through_pages(staff_client, KIND, xlsx_bytes(rows))
    assert list(Headcount.objects.values_list("count", flat=True)) == [120]


def test_a_windows_csv_with_loose_headers_and_values(staff_client, year):
    rows = [
        ["Référence", "NOM", "prénom", "E-mail", "Organisme", "Dép.", "Type d'acteur", "Présence"],
        [year["s3"].reference.lower(), "Éluard", "Hélène", "helene@example.org",
         "Centre social l'Agora", "Val-d'Oise", "Agent de collectivite", "Présente"],
    ]  # fmt: skip
    data = csv_bytes(rows, encoding="cp1252")
    import_through_pages(staff_client, KIND, data, "presences.csv")
    helene = Person.objects.get(email="helene@example.org")
    assert (helene.last_name, helene.department.code, helene.actor_type) == (
        "Éluard", "95", ActorType.COLLECTIVITY_STAFF,
    )  # fmt: skip
    assert Attendance.objects.get(person=helene).session == year["s3"]


def test_an_ods_file_without_email_matches_the_same_person_again(staff_client, year):
    rows = [
        ["Action", "Date", "Nom", "Prénom", "Structure"],
        ["Rencontre departementale", date(2024, 10, 2), "Sans", "Courriel", None],
    ]
    import_through_pages(staff_client, KIND, ods_bytes(rows), "presences.ods")
    rows[1][0] = "Groupe de travail PRE"
    rows[1][1] = date(2024, 3, 12)
    import_through_pages(staff_client, KIND, ods_bytes(rows), "presences.ods")
    person = Person.objects.get(last_name="Sans")
    assert person.attendances.count() == 2


def test_errors_name_the_line_and_nothing_is_written(staff_client, year):
    erasure_record(email="parti@example.org")
    s1 = year["s1"]
    rows = [
        HEADER,
        [s1.reference, None, None, None, "Diallo", "Awa", "awa@example.org", None, None,
         None, None, None],
        ["S-999999", None, None, None, "Petit", "Léa", None, None, None, None, None, None],
        [None, "Groupe de travail PRE", "14/05/2024", None, "Petit", "Léa", None, None, None,
         None, None, None],
        [None, "Atelier fantôme", "14/05/2024", None, "Petit", "Léa", None, None, None, None,
         None, None],
        [s1.pk, None, None, None, "Diallo", "Awa", "AWA@example.org", None, None, None, None,
         None],
        [s1.reference, None, None, None, "Parti", "Jean", "parti@example.org", None, None,
         None, None, None],
        [s1.reference, None, None, None, "Roux", "Zoé", None, None, None, None, "peut-être",
         None],
        [s1.reference, None, None, None, "Roux", "Zoé", None, None, None, None, None, 12],
        [None, None, None, None, "Roux", "Zoé", None, None, None, None, None, None],
        [s1.reference, None, None, None, "Blanc", None, None, None, None, None, None, None],
        [s1.reference, None, None, None, "Blanc", "Max", None, None, "Finistère", None, None,
         None],
    ]  # fmt: skip
    data = xlsx_bytes(rows)
    response = import_upload(staff_client, KIND, data)
    errors = dict(last_job().result["errors"])
    assert set(errors) == set(range(3, 13))
    assert "S-999999" in errors[3]
    assert "plusieurs séances" in errors[4]
    assert "Atelier fantôme" in errors[5]
    assert "ligne 2" in errors[6]  # the same person and session, written another way
    assert "effacées" in errors[7]
    assert "peut-être" in errors[8]
    assert "sans nom" in errors[9]
    assert "Quelle séance" in errors[10]
    assert "Prénom" in errors[11]
    assert "Département" in errors[12] and "Finistère" in errors[12]
    assert "None" not in response.content.decode()
    import_confirm(staff_client, last_job())
    assert not Attendance.objects.exists() and Person.objects.count() == 2


def test_from_a_session_page_the_session_is_chosen_and_the_column_left_out(staff_client, year):
    s2 = year["s2"]
    change = staff_client.get(reverse("admin:events_session_change", args=[s2.pk]))
    upload_url = reverse("admin:core_importjob_upload", args=[KIND])
    assert f"{upload_url}?session={s2.pk}" in change.content.decode()
    page = staff_client.get(f"{upload_url}?session={s2.pk}")
    assert page.context["form"]["session"].value() == str(s2.pk)
    assert f'value="{s2.pk}" selected' in page.content.decode()

    rows = [["Nom", "Prénom", "Courriel"], ["Diallo", "Awa", "awa@example.org"]]
    import_through_pages(staff_client, KIND, csv_bytes(rows), "p.csv", session=s2.pk)
    assert Attendance.objects.get().session == s2

    rows = [["Séance", "Nom", "Prénom"], [year["s1"].reference, "Petit", "Léa"]]
    import_upload(staff_client, KIND, csv_bytes(rows), "p.csv", session=s2.pk)
    assert "autre séance" in dict(last_job().result["errors"])[2]


def test_the_lists_show_the_reference_and_link_to_the_import(staff_client, year):
    sessions = staff_client.get(reverse("admin:events_session_changelist"))
    assert year["s1"].reference in sessions.content.decode()
    found = staff_client.get(
        reverse("admin:events_session_changelist"), {"q": year["s3"].reference}
    )
    assert list(found.context["cl"].result_list) == [year["s3"]]
    attendance = staff_client.get(reverse("admin:events_attendance_changelist"))
    assert reverse("admin:core_importjob_upload", args=[KIND]) in attendance.content.decode()


def test_a_year_loaded_only_through_the_two_imports_gives_its_figures(staff_client, db):
    DepartmentFactory(code="95", name="Val-d'Oise")
    DepartmentFactory(code="78", name="Yvelines")
    actions = [
        ["Action", "Format", "Date", "Début", "Fin", "Demi-journées"],
        ["Petit-déjeuner emploi", "Petit-déjeuner", "07/02/2023", "08:30", "10:30", None],
        ["Petit-déjeuner emploi", "Petit-déjeuner", "07/02/2024", "08:30", "10:30", None],
        ["Formation animation", "Formation", "11/04/2024", "09:00", "17:00", None],
        ["Formation animation", "Formation", "12/04/2024", "09:00", "12:00", 2],
    ]
    import_through_pages(staff_client, "events.actions", xlsx_bytes(actions))
    attendance = [
        ["Action", "Date", "Nom", "Prénom", "Courriel", "Département", "Type d'acteur", "Nombre"],
        ["Petit-déjeuner emploi", "07/02/2024", "Diallo", "Awa", "awa@example.org", "95",
         "Élu·e", None],
        ["Petit-dejeuner emploi", "07/02/2023", "Diallo", "Awa", "awa@example.org", "95",
         "Élu·e", None],
        ["Formation animation", "11/04/2024", "Morel", "Jean", None, "Yvelines", "Association",
         None],
        ["Formation animation", "12/04/2024", "Morel", "Jean", None, "78", "Association", None],
        ["Formation animation", "12/04/2024", None, None, None, "95", None, 10],
    ]  # fmt: skip
    import_through_pages(staff_client, KIND, csv_bytes(attendance, encoding="cp1252"), "p.csv")

    figures = participation_figures(year=2024)
    assert (figures.actions, figures.sessions, figures.half_days) == (2, 3, 5)
    assert (figures.participations, figures.headcount_participations) == (13, 10)
    assert shares(figures.by_department) == {"95": 11, "78": 2}
    assert shares(figures.by_actor_type) == {"elected": 1, "association": 2, "other": 10}
    assert figures.previous.participations == 1 and figures.participations_change == 1200
    assert Person.objects.count() == 2
