"""Attendance certificates (« attestations de présence »): their content, the PDF, the zip
of an action, the mail on request (once per click) and the member's own in Mon espace."""

from __future__ import annotations

import io
import threading
import uuid
import zipfile
from datetime import datetime, timedelta
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from events import tasks
from events.models import Attendance, CertificateMailing, CertificateMailingStatus
from events.selectors.certificates import action_certificates, certificate_get
from events.services.certificates import certificate_mailing_request, certificate_mailing_send
from portal.core.models import AuditEntry, OutgoingMail, OutgoingMailStatus, SiteSettings
from tests.events.factories import ActionFactory, SessionFactory
from tests.members.factories import OrganisationFactory, PersonFactory

PARIS = ZoneInfo("Europe/Paris")
FROZEN = pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=False)
pytestmark = [pytest.mark.django_db, FROZEN]


def at(day: int, start: str, end: str, **extra):
    """A session on `day` March 2025, from `start` to `end` (« 9:30 »), Paris time."""

    def moment(text: str) -> datetime:
        hours, minutes = (int(part) for part in text.split(":"))
        return datetime(2025, 3, day, hours, minutes, tzinfo=PARIS)

    return SessionFactory(starts_at=moment(start), ends_at=moment(end), **extra)


def present(session, person, *, is_present: bool = True) -> Attendance:
    return Attendance.objects.create(session=session, person=person, present=is_present)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def cycle():
    """A two-session cycle (a full day, then a morning) and people at it."""
    site = SiteSettings.load()
    site.address = "12 rue de la Gare\n95000 Cergy"
    site.save()
    action = ActionFactory(
        title="Cycle de qualification laïcité", slug="cycle-laicite", format="cycle"
    )
    full_day = at(4, "9:30", "17:00", action=action, title="Journée 1")
    morning = at(11, "9:30", "12:30", action=action)
    missed = at(18, "9:30", "12:30", action=action)
    cancelled = at(25, "9:30", "12:30", action=action, is_cancelled=True)
    city = OrganisationFactory(name="Ville de Garges")
    nadia = PersonFactory(
        first_name="Nadia", last_name="Benali", organisation=city, email="nadia@example.org"
    )
    for session in (full_day, morning, cancelled):
        present(session, nadia)
    present(missed, nadia, is_present=False)
    present(at(4, "14:00", "16:00"), nadia)  # another action
    return {
        "action": action,
        "nadia": nadia,
        "sessions": (full_day, morning, missed, cancelled),
    }


# What a certificate says ------------------------------------------------------------


def test_a_certificate_counts_only_the_sessions_attended(cycle):
    certificate = certificate_get(action_id=cycle["action"].pk, person_id=cycle["nadia"].pk)

    full_day, morning, _missed, _cancelled = cycle["sessions"]
    assert [s.session_id for s in certificate.sessions] == [full_day.pk, morning.pk]
    assert [s.half_days for s in certificate.sessions] == [2, 1]
    assert certificate.half_days == 3
    assert certificate.duration == timedelta(hours=10, minutes=30)
    assert certificate.duration_label == "10\xa0h\xa030"
    assert certificate.person_name == "Nadia BENALI"
    assert certificate.organisation == "Ville de Garges"
    assert certificate.action_format == "Cycle de qualification"
    assert certificate_get(action_id=cycle["action"].pk, person_id=PersonFactory().pk) is None


def test_the_pdf_names_the_centre_the_person_the_sessions_and_the_totals(staff_client, cycle):
    action, nadia = cycle["action"], cycle["nadia"]
    url = reverse("admin:events_action_certificate", args=[action.pk, nadia.pk])

    response = staff_client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attestation-cycle-laicite-benali-nadia.pdf" in (response["Content-Disposition"])
    text = pdf_text(response.content)
    assert "Attestation de présence" in text
    assert "Pôle ressources ville et développement social" in text
    assert "Nadia BENALI" in text and "Ville de Garges" in text
    assert "Cycle de qualification laïcité" in text and "(Cycle de qualification)" in text
    assert "mardi 4 mars 2025, 9 h 30 \u2013 17 h" in text and "Journée 1" in text
    assert "mardi 11 mars 2025, 9 h 30 \u2013 12 h 30" in text
    assert "18 mars" not in text and "25 mars" not in text  # absent, cancelled
    assert "10 h 30" in text  # the total duration
    assert "3 demi-journées" in text
    assert "Fait à Cergy le 10 juin 2025" in text
    assert "Signature et cachet" in text
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == (
        "Attestation de présence \u2013 Nadia BENALI \u2013 Cycle de qualification laïcité"
    )


def test_no_certificate_for_someone_absent(staff_client, cycle):
    absent = PersonFactory()
    present(cycle["sessions"][2], absent, is_present=False)
    url = reverse("admin:events_action_certificate", args=[cycle["action"].pk, absent.pk])
    assert staff_client.get(url).status_code == 404


# The action's page and the zip ------------------------------------------------------


def test_the_action_page_lists_each_participant_with_their_links(staff_client, cycle):
    action = cycle["action"]
    other = PersonFactory(first_name="Léo", last_name="Arnaud", email="")
    present(cycle["sessions"][1], other)
    present(cycle["sessions"][2], PersonFactory(last_name="Absent"), is_present=False)

    response = staff_client.get(reverse("admin:events_action_change", args=[action.pk]))

    html = response.content.decode()
    rows = response.context["certificates"]
    assert [certificate.last_name for certificate, _mailing in rows] == ["Arnaud", "Benali"]
    for person in (other, cycle["nadia"]):
        assert reverse("admin:events_action_certificate", args=[action.pk, person.pk]) in html
    mail = reverse("admin:events_action_certificate_mail", args=[action.pk, cycle["nadia"].pk])
    assert mail in html
    assert reverse("admin:events_action_certificate_mail", args=[action.pk, other.pk]) not in html
    assert "Aucune adresse électronique" in html
    assert reverse("admin:events_action_certificates", args=[action.pk]) in html
    assert "Télécharger les 2 attestations (zip)" in html


def test_the_zip_holds_one_pdf_per_person_present(staff_client, cycle):
    action = cycle["action"]
    full_day, morning, missed, _cancelled = cycle["sessions"]
    twin = PersonFactory(first_name="Nadia", last_name="Benali")  # same name, other person
    present(morning, twin)
    present(full_day, PersonFactory(first_name="Paul", last_name="Éluard"))
    present(missed, PersonFactory(last_name="Absent"), is_present=False)

    response = staff_client.get(reverse("admin:events_action_certificates", args=[action.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert len(names) == 3
    assert names[2] == "attestation-cycle-laicite-eluard-paul.pdf"
    assert len(set(names)) == 3
    texts = [pdf_text(archive.read(name)) for name in names]
    assert all(len(PdfReader(io.BytesIO(archive.read(name))).pages) == 1 for name in names)
    assert "3 demi-journées" in texts[0] and "1 demi-journée" in texts[1]
    assert "Paul ÉLUARD" in texts[2] and "Nadia" not in texts[2]
    assert "Absent".upper() not in "".join(texts)
    titles = [PdfReader(io.BytesIO(archive.read(name))).metadata.title for name in names]
    assert titles[2].startswith("Attestation de présence \u2013 Paul ÉLUARD")


def test_the_zip_of_an_action_nobody_attended_says_so(staff_client):
    action = ActionFactory()
    response = staff_client.get(reverse("admin:events_action_certificates", args=[action.pk]))
    assert response.status_code == 302
    assert "Personne n\u2019est encore enregistré présent à cette action." in messages_of(response)


def test_members_never_reach_the_staff_pages(client, member_user, cycle):
    client.force_login(member_user)
    action, nadia = cycle["action"], cycle["nadia"]
    for url in (
        reverse("admin:events_action_certificate", args=[action.pk, nadia.pk]),
        reverse("admin:events_action_certificates", args=[action.pk]),
        reverse("admin:events_action_certificate_mail", args=[action.pk, nadia.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


# Mailed on request ----------------------------------------------------------------------


@pytest.fixture
def tasks_inline(monkeypatch, form_mail_tasks_inline):
    """The tasks queued after commit (the certificate's, then the mail task) run at once,
    in this process (no broker)."""
    task = tasks.certificate_mailing_send
    monkeypatch.setattr(task, "delay", task)


def test_staff_mail_a_certificate_once_per_click(
    staff_client, staff_user, cycle, smtp_server, tasks_inline, django_capture_on_commit_callbacks
):
    action, nadia = cycle["action"], cycle["nadia"]
    url = reverse("admin:events_action_certificate_mail", args=[action.pk, nadia.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "nadia@example.org" in page.content.decode()
    key = str(page.context["request_key"])

    with django_capture_on_commit_callbacks(execute=True):
        first = staff_client.post(url, {"request_key": key})
    with django_capture_on_commit_callbacks(execute=True):
        second = staff_client.post(url, {"request_key": key})  # the same form, twice

    assert first.status_code == second.status_code == 302
    assert first["Location"].endswith(
        reverse("admin:events_action_change", args=[action.pk]) + "#certificates"
    )
    assert (
        "L\u2019attestation de présence de Nadia Benali est en route vers nadia@example.org."
        in messages_of(first)
    )
    already = "Cette demande est déjà enregistrée : l\u2019attestation n\u2019est envoyée"
    assert f"{already} qu\u2019une fois." in messages_of(second)
    [message] = smtp_server.messages
    assert message["To"] == "nadia@example.org"
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "Votre attestation de présence : Cycle de qualification laïcité"
    [attachment] = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert attachment.get_filename() == "attestation-cycle-laicite-benali-nadia.pdf"
    text = pdf_text(attachment.get_payload(decode=True))
    assert "Nadia BENALI" in text and "3 demi-journées" in text
    [mailing] = CertificateMailing.objects.all()
    assert mailing.status == CertificateMailingStatus.SENT
    assert mailing.sent_at is not None and mailing.requested_by == staff_user
    actions = list(
        AuditEntry.objects.for_object(mailing).order_by("pk").values_list("action", "actor")
    )
    assert actions == [
        ("attendance_certificate.mail_requested", staff_user.pk),
        ("attendance_certificate.mailed", None),
    ]
    # A new click (a new form) sends it again.
    page = staff_client.get(url)
    assert "Envoyé" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"request_key": str(page.context["request_key"])})
    assert len(smtp_server.messages) == 2


def test_no_mail_without_an_address_or_a_key(staff_client, cycle):
    action = cycle["action"]
    silent = PersonFactory(email="")
    present(cycle["sessions"][0], silent)
    url = reverse("admin:events_action_certificate_mail", args=[action.pk, silent.pk])
    assert (
        "Cette personne n\u2019a pas d\u2019adresse électronique"
        in staff_client.get(url).content.decode()
    )

    response = staff_client.post(url, {"request_key": str(uuid.uuid4())})

    assert any("n\u2019a pas d\u2019adresse électronique" in text for text in messages_of(response))
    assert not CertificateMailing.objects.exists()
    nadia_url = reverse("admin:events_action_certificate_mail", args=[action.pk, cycle["nadia"].pk])
    assert staff_client.post(nadia_url, {"request_key": "not-a-key"}).status_code == 400
    assert not CertificateMailing.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_the_same_instant_record_one_mailing(staff_user, cycle, monkeypatch):
    """Two requests with the same form key, on two database connections at once."""
    queued = []
    monkeypatch.setattr(tasks.certificate_mailing_send, "delay", queued.append)
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def click():
        try:
            barrier.wait()
            results.append(
                certificate_mailing_request(
                    action=cycle["action"], person=cycle["nadia"], request_key=key,
                    actor=staff_user,
                )[1]
            )  # fmt: skip
        except Exception as error:  # pragma: no cover - shown by the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sorted(results) == [False, True]
    assert CertificateMailing.objects.count() == 1
    assert queued == [CertificateMailing.objects.get().pk]


def _request(cycle, staff_user) -> CertificateMailing:
    mailing, _created = certificate_mailing_request(
        action=cycle["action"], person=cycle["nadia"], request_key=uuid.uuid4(), actor=staff_user
    )
    return mailing


def test_a_refused_certificate_is_kept_by_the_mail_task_and_the_task_runs_once(
    cycle, staff_user, smtp_server, mail_flush
):
    mailing = _request(cycle, staff_user)
    smtp_server.refusals["nadia@example.org"] = "451 4.3.0 Try again later"

    assert certificate_mailing_send(mailing_id=mailing.pk) is True
    assert certificate_mailing_send(mailing_id=mailing.pk) is False  # a redelivered task
    mail_flush()  # the mail task's first try: a temporary refusal, kept queued
    recorded = OutgoingMail.objects.get()
    assert recorded.status == OutgoingMailStatus.QUEUED
    assert "Try again later" in recorded.last_error
    mailing.refresh_from_db()
    assert mailing.status == CertificateMailingStatus.SENT

    del smtp_server.refusals["nadia@example.org"]
    OutgoingMail.objects.update(available_at=timezone.now())  # the backoff is over
    mail_flush()
    [message] = smtp_server.messages
    assert message["Message-ID"] == recorded.message_id


def test_a_certificate_gone_since_the_click_fails_the_request(cycle, staff_user, smtp_server):
    mailing = _request(cycle, staff_user)
    Attendance.objects.update(present=False)  # the attendance was corrected
    assert certificate_mailing_send(mailing_id=mailing.pk) is False
    mailing.refresh_from_db()
    assert mailing.status == CertificateMailingStatus.FAILED
    assert not OutgoingMail.objects.exists()


# The member's own, in Mon espace ------------------------------------------------------


@pytest.fixture
def nadia_client(cycle, make_user) -> Client:
    user = make_user("nadia@example.org", first_name="Nadia")
    cycle["nadia"].user = user
    cycle["nadia"].save(update_fields=["user"])
    client = Client()
    client.force_login(user)
    return client


def test_a_member_downloads_their_own_certificate_from_their_space(nadia_client, cycle):
    action = cycle["action"]
    page = nadia_client.get(reverse("events_space:registrations"))
    [row, _other] = page.context["certificates"]
    assert (row.action_id, row.sessions, row.half_days) == (action.pk, 2, 3)
    url = reverse("events_space:certificate", args=[action.pk])
    assert url in page.content.decode()

    response = nadia_client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Nadia BENALI" in pdf_text(response.content)


def test_a_member_never_gets_someone_else_s_certificate(nadia_client, cycle, client):
    other_action = ActionFactory()
    present(at(20, "9:30", "12:30", action=other_action), PersonFactory(last_name="Autre"))
    url = reverse("events_space:certificate", args=[other_action.pk])
    assert nadia_client.get(url).status_code == 404  # she did not attend it
    assert nadia_client.get(reverse("events_space:certificate", args=[999999])).status_code == 404
    response = client.get(reverse("events_space:certificate", args=[cycle["action"].pk]))
    assert response.status_code == 302  # anonymous: to the login page
    assert response["Location"].startswith("/comptes/login/")


def test_the_selectors_read_in_a_fixed_number_of_queries(cycle, django_assert_num_queries):
    for session in cycle["sessions"][:2]:
        for person in PersonFactory.create_batch(5):
            present(session, person)
    with django_assert_num_queries(1):
        assert len(action_certificates(action_id=cycle["action"].pk)) == 11
