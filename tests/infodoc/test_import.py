"""The info-doc requests' import (infodoc.imports) through the back office's pages."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from infodoc.models import InfoRequest, RequestCounter, RequestStatus, StatusChange
from infodoc.selectors.figures import request_figures
from infodoc.services.requests import info_request_create
from members.models import Organisation, Person
from portal.core.models import AuditEntry, Theme
from portal.core.subjects import DataSubject
from portal.privacy.services import subject_erase
from tests.infodoc.factories import InfoRequestFactory
from tests.members.factories import (
    CommuneFactory,
    DepartmentFactory,
    EpciFactory,
    OrganisationFactory,
    PersonFactory,
)
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

KIND = "infodoc.requests"
PARIS = ZoneInfo("Europe/Paris")
HEADER = [
    "Date de réception", "Nom", "Prénom", "Courriel", "Structure", "Type de demandeur",
    "Commune", "EPCI", "Département", "Thèmes", "Question", "Statut", "Date de réponse",
    "Suivie par", "Canal", "Types de réponse",
]  # fmt: skip
ING, EG, JEU = "Ingénierie territoriale", "Égalité et justice sociale", "Jeunesse"


@pytest.fixture
def places(db):
    val_d_oise = DepartmentFactory(code="95", name="Val-d'Oise")
    seine_st_denis = DepartmentFactory(code="93", name="Seine-Saint-Denis")
    cergy_pontoise = EpciFactory(siren="249500109", name="CA de Cergy-Pontoise")
    plaine = EpciFactory(siren="200054781", name="EPT Plaine Commune")
    cergy = CommuneFactory(
        insee_code="95127", name="Cergy", department=val_d_oise, epci=cergy_pontoise
    )
    saint_denis = CommuneFactory(
        insee_code="93066", name="Saint-Denis", department=seine_st_denis, epci=plaine
    )
    return {
        "95": val_d_oise, "93": seine_st_denis, "cergy": cergy, "saint_denis": saint_denis,
        "cergy_pontoise": cergy_pontoise, "plaine": plaine,
    }  # fmt: skip


@pytest.fixture
def claire(make_user):
    return make_user("claire@centre.example.org", staff=True, first_name="Claire", last_name="Roy")


def lines() -> list[list]:
    """Four requests of 2024 as a centre's log keeps them, loosely written."""
    return [
        HEADER,
        ["10/01/2024", "Diallo", "Awa", "awa@cergy.example.org", "Ville de Cergy", "Mairie",
         "Cergy", "", "", f"{ING} ; {EG}", "Auriez-vous des diagnostics partagés en QPV ?",
         "Clôturée", "14/01/2024", "Claire Roy", "Courriel", "Documents ; Bibliographie"],
        ["03/02/2024", "Morel", "Jean", "", "Le Lien", "Asso", "", "", "Val d\u2019Oise",
         JEU, "Des contacts d'animateurs jeunesse ?", "En cours", "", "", "Téléphone", ""],
        ["04/03/2024", "Petit", "Léa", "lea@prefecture.example.org", "Préfecture", "État",
         "Saint-Denis", "", "", ING, "Les chiffres des QPV de Seine-Saint-Denis ?",
         "Répondue", "14/03/2024", "claire@centre.example.org", "tél", "Orientation"],
        ["12/12/2024", "Diallo", "Awa", "AWA@cergy.example.org", "Ville de Cergy", "Ville",
         "95127", "", "", "", "Une bibliographie sur la participation des habitant·es ?",
         "", "", "", "", ""],
    ]  # fmt: skip


def test_a_windows_csv_records_requests_their_people_and_their_history(
    staff_client, staff_user, places, claire, smtp_server, django_capture_on_commit_callbacks
):
    data = csv_bytes(lines(), encoding="cp1252")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_through_pages(staff_client, KIND, data, "demandes.csv")
    assert job.result["counts"] == {"create": 4, "update": 0, "unchanged": 0, "error": 0}
    requests = {r.reference: r for r in InfoRequest.objects.select_related("person")}
    assert sorted(requests) == ["ID-2024-0001", "ID-2024-0002", "ID-2024-0003", "ID-2024-0004"]
    first = requests["ID-2024-0001"]
    assert (first.received_on, first.answered_on, first.status) == (
        date(2024, 1, 10), date(2024, 1, 14), RequestStatus.CLOSED,
    )  # fmt: skip
    assert (first.requester_kind, first.channel, first.assignee) == ("city", "email", claire)
    assert (first.commune, first.epci, first.department) == (
        places["cergy"], places["cergy_pontoise"], places["95"],
    )  # fmt: skip
    assert first.subject == "Auriez-vous des diagnostics partagés en QPV ?"
    assert first.response_types == ["documents", "bibliography"]
    assert set(first.themes.values_list("name", flat=True)) == {EG, ING}
    # One person per requester: Awa twice, Jean without an address; their organisations.
    assert Person.objects.count() == 3
    awa = Person.objects.get(email="awa@cergy.example.org")
    assert awa.organisation.name == "Ville de Cergy" and awa.organisation.kind == "commune"
    assert awa.department == places["95"] and awa.actor_type == "collectivity_staff"
    assert requests["ID-2024-0004"].person == awa
    jean = requests["ID-2024-0002"].person
    assert (jean.last_name, jean.email, jean.organisation.name) == ("Morel", "", "Le Lien")
    assert requests["ID-2024-0002"].department == places["95"]
    assert requests["ID-2024-0004"].status == RequestStatus.NEW
    # The history leads to each status, dated on the days received and answered.
    history = [
        (c.from_status, c.to_status, c.changed_at.astimezone(PARIS), c.changed_by)
        for c in first.status_changes.all()
    ]
    assert history == [
        ("new", "in_progress", datetime(2024, 1, 10, 9, tzinfo=PARIS), claire),
        ("in_progress", "answered", datetime(2024, 1, 14, 17, tzinfo=PARIS), claire),
        ("answered", "closed", datetime(2024, 1, 14, 17, tzinfo=PARIS), claire),
    ]
    assert list(requests["ID-2024-0002"].status_changes.values_list("to_status", flat=True)) == [
        "in_progress"
    ]
    assert not requests["ID-2024-0004"].status_changes.exists()
    entry = AuditEntry.objects.for_object(first).get()
    assert (entry.action, entry.actor, entry.changes["status"]) == (
        "info_request.imported", staff_user, ["", "closed"],
    )  # fmt: skip
    # Nothing was sent: no acknowledgement, no answer.
    assert smtp_server.envelopes == []
    # The figures count them at once.
    figures = request_figures(year=2024)
    assert figures.requests == 4
    assert {s.key: s.count for s in figures.by_requester_kind if s.count} == {
        "city": 2, "association": 1, "state": 1,
    }  # fmt: skip
    assert {s.label: s.count for s in figures.by_epci} == {
        "CA de Cergy-Pontoise": 2, "EPT Plaine Commune": 1, "Territoire inconnu": 1,
    }  # fmt: skip
    assert {s.label: s.count for s in figures.by_theme} == {ING: 2, EG: 1, JEU: 1}
    assert (figures.inside_area, figures.outside_area, figures.unknown_area) == (3, 1, 0)
    assert figures.outside_area_percent == Decimal("25.0")
    assert (figures.answered, figures.median_response_days) == (2, Decimal("7.0"))


def test_the_same_file_twice_updates_and_a_later_one_moves_the_history_on(
    staff_client, places, claire
):
    rows = lines()
    import_through_pages(staff_client, KIND, xlsx_bytes(rows), "demandes.xlsx")
    again = import_through_pages(staff_client, KIND, xlsx_bytes(rows), "demandes.xlsx")
    assert again.result["counts"] == {"create": 0, "update": 0, "unchanged": 4, "error": 0}
    assert (InfoRequest.objects.count(), Person.objects.count(), StatusChange.objects.count()) == (
        4, 3, 6,
    )  # fmt: skip
    # Later, Jean's request was answered; the question's typing changed a little.
    rows[2][10] = "des contacts d\u2019animateurs  jeunesse ?"
    rows[2][11:14] = ["Répondue", "20/02/2024", "Claire Roy"]
    job = import_through_pages(staff_client, KIND, xlsx_bytes(rows), "demandes.xlsx")
    assert job.result["counts"] == {"create": 0, "update": 1, "unchanged": 3, "error": 0}
    request = InfoRequest.objects.get(reference="ID-2024-0002")
    assert (request.status, request.answered_on, request.assignee) == (
        "answered", date(2024, 2, 20), claire,
    )  # fmt: skip
    assert request.question == "des contacts d\u2019animateurs  jeunesse ?"
    assert list(request.status_changes.values_list("from_status", "to_status")) == [
        ("new", "in_progress"), ("in_progress", "answered"),
    ]  # fmt: skip
    assert RequestCounter.objects.get(year=2024).last_number == 4


def test_an_ods_with_references_keeps_them_and_the_counter_moves_past(staff_client, places):
    header = ["Réf.", "Reçue le", "NOM", "Type de structure", "Question", "Etat",
              "Répondu le", "canal", "Types de réponse", "Objet"]  # fmt: skip
    rows = [
        header,
        ["id-2023-7", date(2023, 5, 2), "Bernard", "Bailleur", "Un guide de la GUSP ?",
         "Sans suite", None, "Formulaire", None, None],
        ["DOC-23-012", date(2023, 6, 1), "Roux", "étudiante", "Un stage au centre ?",
         "fermée", date(2023, 6, 1), "Sur place", "Offres d'emploi", "Stage"],
    ]  # fmt: skip
    job = import_through_pages(staff_client, KIND, ods_bytes(rows), "demandes.ods")
    assert job.result["counts"]["create"] == 2
    bernard = InfoRequest.objects.get(reference="ID-2023-0007")
    assert (bernard.requester_kind, bernard.status, bernard.channel) == (
        "social_landlord", "no_follow_up", "web",
    )  # fmt: skip
    assert bernard.subject == "Un guide de la GUSP ?"
    roux = InfoRequest.objects.get(reference="DOC-23-012")
    assert (roux.requester_kind, roux.subject, roux.response_types) == (
        "student", "Stage", ["job_offers"],
    )  # fmt: skip
    # The portal's next request of 2023 follows the imported number.
    later = info_request_create(
        person=PersonFactory(), subject="x", question="?", received_on=date(2023, 9, 1)
    )
    assert later.reference == "ID-2023-0008"
    # Keyed by reference: the same file updates, even with another question.
    rows[2][4] = "Un stage de six mois au centre ?"
    job = import_through_pages(staff_client, KIND, ods_bytes(rows), "demandes.ods")
    assert job.result["counts"] == {"create": 0, "update": 1, "unchanged": 1, "error": 0}
    assert InfoRequest.objects.count() == 3


def test_people_are_matched_by_email_then_name_and_organisation(staff_client, places):
    mairie = OrganisationFactory(name="Mairie de Sarcelles", kind="commune")
    known = PersonFactory(email="nadia@example.org", first_name="Nadia", last_name="Saïdi")
    nameless = PersonFactory(email="", first_name="Éric", last_name="Lefèvre", organisation=mairie)
    rows = [
        ["Date", "Nom", "Prénom", "E-mail", "Organisme", "Question"],
        ["02/01/2024", "Autre nom", "", "Nadia@Example.org", "", "Question A"],
        ["03/01/2024", "LEFEVRE", "eric", "eric@sarcelles.example.org", "mairie de sarcelles",
         "Question B"],
        ["04/01/2024", "Lefèvre", "Éric", "", "Mairie de Sarcelles", "Question C"],
    ]  # fmt: skip
    job = import_through_pages(staff_client, KIND, csv_bytes(rows, delimiter=","), "a.csv")
    assert job.result["counts"]["create"] == 3
    assert Person.objects.count() == 2 and Organisation.objects.count() == 2
    by_question = {r.question: r for r in InfoRequest.objects.all()}
    assert by_question["Question A"].person == known
    assert by_question["Question B"].person == nameless == by_question["Question C"].person
    assert by_question["Question B"].organisation == mairie
    nameless.refresh_from_db()
    assert nameless.email == "eric@sarcelles.example.org"  # an empty detail completed
    known.refresh_from_db()
    assert known.last_name == "Saïdi"  # never overwritten
    again = import_through_pages(staff_client, KIND, csv_bytes(rows, delimiter=","), "a.csv")
    assert again.result["counts"]["unchanged"] == 3


def test_errors_name_the_line_and_nothing_is_written(staff_client, staff_user, places, claire):
    closed = InfoRequestFactory(
        received_on=date(2024, 1, 5), question="Déjà close", status=RequestStatus.CLOSED
    )
    subject_erase(
        subject=DataSubject(email="efface@example.org", person=None),
        actor=staff_user,
        reason="Demande écrite",
    )
    header = ["Référence", "Date de réception", "Nom", "Courriel", "Commune", "Département",
              "Question", "Statut", "Date de réponse", "Suivi par"]  # fmt: skip
    rows = [
        header,
        ["", "10/01/2024", "Ok", "", "", "", "Une bonne ligne", "", "", ""],
        ["", "10/01/2024", "Sans", "", "", "", "Répondue sans date", "Répondue", "", ""],
        ["", "10/01/2024", "Avant", "", "", "", "Trop tôt", "Close", "01/01/2024", ""],
        ["", "01/07/2025", "Futur", "", "", "", "Demain", "", "", ""],
        ["", "10/01/2024", "Qui", "", "", "", "Inconnue", "", "", "Paul Personne"],
        ["", "10/01/2024", "Lieu", "", "Cergy", "93", "Mauvais lieu", "", "", ""],
        ["", "10/01/2024", "Ok", "", "", "", "une bonne ligne !", "", "", ""],
        ["", "10/01/2024", "", "", "", "", "Personne", "", "", ""],
        [closed.reference, "05/01/2024", "X", "", "", "", "Déjà close", "En cours", "", ""],
        ["", "10/01/2024", "Effacé", "efface@example.org", "", "", "Q", "", "", ""],
        ["", "10/01/2024", "Encours", "", "", "", "Q2", "En cours", "12/01/2024", ""],
        ["", "", "Sans date", "", "", "", "Q3", "", "", ""],
    ]  # fmt: skip
    response = import_upload(staff_client, KIND, xlsx_bytes(rows))
    errors = dict(last_job().result["errors"])
    assert set(errors) == set(range(3, 14))
    assert "Date de réponse" in errors[3]
    assert "précéder" in errors[4]
    assert "futur" in errors[5]
    assert "Paul Personne" in errors[6]
    assert "Cergy" in errors[7] and "Seine-Saint-Denis" in errors[7]
    assert "ligne 2" in errors[8]
    assert "courriel ou le nom" in errors[9]
    assert "Clôturée" in errors[10] and "En cours" in errors[10]
    assert "effacées" in errors[11]
    assert "Date de réponse" in errors[12]
    assert "Date de réception" in errors[13]
    page = response.content.decode()
    assert "None" not in page
    import_confirm(staff_client, last_job())
    assert InfoRequest.objects.count() == 1 and Person.objects.count() == 1


def test_a_reference_already_taken_by_the_natural_key_is_refused(staff_client, places):
    rows = [["Date", "Nom", "Question"], ["10/01/2024", "Diallo", "Une question"]]
    import_through_pages(staff_client, KIND, csv_bytes(rows), "a.csv")
    rows = [["Référence", "Date", "Nom", "Question"],
            ["ANCIEN-1", "10/01/2024", "Diallo", "Une question"]]  # fmt: skip
    import_upload(staff_client, KIND, csv_bytes(rows), "a.csv")
    assert "ID-2024-0001" in dict(last_job().result["errors"])[2]


def test_the_template_marks_required_columns_and_lists_values(staff_client):
    response = staff_client.get(reverse("admin:core_importjob_template", args=[KIND]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [cell.value for cell in next(book.worksheets[0].iter_rows(max_row=1))]
    assert "Date de réception *" in headers and "Question *" in headers
    assert "Statut" in headers and "Référence" in headers
    allowed = [[cell.value for cell in column] for column in book.worksheets[2].iter_cols()]
    statuses = next(column for column in allowed if column[0] == "Statut")
    assert "Clôturée" in statuses and "Sans suite" in statuses
    themes = next(column for column in allowed if column[0] == "Thèmes")
    assert Theme.objects.filter(name=themes[1]).exists()


def test_the_request_list_links_to_the_import(staff_client):
    page = staff_client.get(reverse("admin:infodoc_inforequest_changelist")).content.decode()
    assert reverse("admin:core_importjob_upload", args=[KIND]) in page
