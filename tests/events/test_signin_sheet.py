"""The sign-in sheet (« feuille d'émargement ») of a session, as a PDF."""

import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from events.models import Attendance, RegistrationStatus
from tests.events.factories import ActionFactory, RegistrationFactory, SessionFactory
from tests.members.factories import OrganisationFactory, PersonFactory


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_sheet_lists_registered_people_by_last_name_with_blank_rows(staff_client):
    session = SessionFactory(
        action=ActionFactory(title="Cycle de qualification laïcité"), venue="Salle Cavé"
    )
    city = OrganisationFactory(name="Ville de Garges")
    for last_name, first_name, status in [
        ("Zidane", "Yasmina", RegistrationStatus.CONFIRMED),
        ("Éluard", "Paul", RegistrationStatus.CONFIRMED),
        ("Bernard", "Lucie", RegistrationStatus.CONFIRMED),
        ("Attente", "Léo", RegistrationStatus.WAITLISTED),
        ("Annulé", "Max", RegistrationStatus.CANCELLED),
    ]:
        person = PersonFactory(last_name=last_name, first_name=first_name, organisation=city)
        RegistrationFactory(session=session, person=person, status=status)
    walk_in = PersonFactory(last_name="Dupont", first_name="Inès", organisation=None)
    Attendance.objects.create(session=session, person=walk_in, present=True, is_walk_in=True)
    url = reverse("admin:events_session_signin_sheet", args=[session.pk])

    response = staff_client.get(url, {"lignes": "12"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "emargement-cycle-de-qualification-laicite" in response["Content-Disposition"]
    text = pdf_text(response)
    assert "Cycle de qualification laïcité" in text and "Salle Cavé" in text
    assert "Ville de Garges" in text
    positions = [text.index(name) for name in ("BERNARD", "DUPONT", "ÉLUARD", "ZIDANE")]
    assert positions == sorted(positions)  # by last name, accents folded
    assert "ATTENTE" not in text and "ANNULÉ" not in text
    numbers = [line.split()[0] for line in text.splitlines() if line.split()]
    assert numbers[-17:-1] == [str(n) for n in range(1, 17)]  # 4 names + 12 blank rows
    assert "1 / 1" in text  # page numbers
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title.endswith("Cycle de qualification laïcité")


def test_a_long_list_runs_over_several_numbered_pages(staff_client):
    session = SessionFactory()
    RegistrationFactory.create_batch(40, session=session)
    response = staff_client.get(reverse("admin:events_session_signin_sheet", args=[session.pk]))
    reader = PdfReader(io.BytesIO(response.content))
    pages = len(reader.pages)
    assert pages >= 2
    assert f"1 / {pages}" in reader.pages[0].extract_text()
    assert f"{pages} / {pages}" in reader.pages[-1].extract_text()


def test_a_bad_blank_rows_value_falls_back_and_members_are_refused(client, member_user, staff_user):
    session = SessionFactory()
    url = reverse("admin:events_session_signin_sheet", args=[session.pk])
    client.force_login(member_user)
    assert client.get(url).status_code == 302
    client.force_login(staff_user)
    assert client.get(url, {"lignes": "beaucoup"}).status_code == 200


def _sheet_text(staff_client, session) -> str:
    response = staff_client.get(reverse("admin:events_session_signin_sheet", args=[session.pk]))
    assert response.status_code == 200
    return pdf_text(response)


def test_a_full_day_is_signed_morning_and_afternoon(staff_client):
    start = timezone.now() + timedelta(days=5)
    full_day = SessionFactory(starts_at=start, ends_at=start + timedelta(hours=7))
    RegistrationFactory(session=full_day, person=PersonFactory(last_name="Benali"))

    text = _sheet_text(staff_client, full_day)

    assert full_day.half_days == 2
    headers = text.upper().replace("-\n", "-").replace("- ", "-")  # a header may wrap
    assert "SIGNATURE MATIN" in headers and "SIGNATURE APRÈS-MIDI" in headers
    assert "BENALI" in text


def test_a_half_day_or_a_long_session_counted_as_one_keeps_one_column(staff_client):
    start = timezone.now() + timedelta(days=5)
    morning = SessionFactory(starts_at=start, ends_at=start + timedelta(hours=3))
    overridden = SessionFactory(
        starts_at=start, ends_at=start + timedelta(hours=7), half_days_override=1
    )
    for session in (morning, overridden):
        text = _sheet_text(staff_client, session).upper()
        assert "SIGNATURE" in text
        assert "MATIN" not in text and "APRÈS-MIDI" not in text
