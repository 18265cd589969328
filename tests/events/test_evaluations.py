"""The questionnaire after a session: sent once, answered once, summed up per action/year."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from events import tasks
from events.models import Attendance, Evaluation
from events.selectors.evaluations import (
    evaluation_summaries_by_action,
    evaluation_summary,
    evaluation_years,
)
from events.services.evaluations import (
    TOKEN_SALT,
    evaluation_submit,
    evaluation_token,
    evaluations_send,
)
from portal.core.models import OutgoingMail
from tests.events.factories import ActionFactory, SessionFactory
from tests.members.factories import PersonFactory

pytestmark = pytest.mark.django_db


def ended(days: float = 1, **kwargs):
    ends_at = timezone.now() - timedelta(days=days)
    return SessionFactory(starts_at=ends_at - timedelta(hours=3), ends_at=ends_at, **kwargs)


def attend(session, present=True, **person):
    return Attendance.objects.create(
        session=session, person=PersonFactory(**person), present=present
    )


def text_part(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def form_path(session, person) -> str:
    token = evaluation_token(session_id=session.pk, person_id=person.pk)
    return reverse("events_evaluation:form", args=[token])


# Sending ------------------------------------------------------------------------------


def test_present_participants_are_emailed_once(smtp_server, mail_flush):
    session = ended(1, action=ActionFactory(title="Petit-déjeuner santé"))
    first = attend(session, first_name="Inès", email="ines@example.org")
    second = attend(session, email="paul@example.org")
    attend(session, email="")  # no email
    attend(session, present=False, email="absent@example.org")
    answered = attend(session, email="deja@example.org")
    Evaluation.objects.create(session=session, person=answered.person, satisfaction=5, usefulness=5)
    attend(ended(10), email="ancien@example.org")  # ended too long ago
    attend(SessionFactory(), email="futur@example.org")  # not over yet
    attend(ended(1, is_cancelled=True), email="annule@example.org")

    assert evaluations_send() == 2
    assert evaluations_send() == 0  # run twice: sent once
    mail_flush()  # the mail task

    recipients = sorted(address for e in smtp_server.envelopes for address in e.rcpt_tos)
    assert recipients == ["ines@example.org", "paul@example.org"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.evaluation_sent_at is not None and second.evaluation_sent_at is not None
    message = next(m for m in smtp_server.messages if m["To"] == "ines@example.org")
    assert "Petit-déjeuner santé" in str(make_header(decode_header(message["Subject"])))
    body = text_part(message)
    assert "Inès" in body
    link = re.search(r"https?://\S+/agenda/evaluation/\S+/", body).group(0)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert signing.loads(token, salt=TOKEN_SALT) == {"s": session.pk, "p": first.person_id}


def test_the_beat_task_sends_the_questionnaires(smtp_server, mail_flush):
    attend(ended(0.5), email="ines@example.org")
    tasks.evaluations_send()
    tasks.evaluations_send()
    mail_flush()
    assert len(smtp_server.envelopes) == 1


def test_a_questionnaire_waits_while_the_server_is_down_and_goes_once_it_is_back(
    smtp_server, mail_flush
):
    attendance = attend(ended(1), email="ines@example.org")
    smtp_server.stop()
    assert evaluations_send() == 1
    mail_flush()  # the mail task's first try: refused a connection, kept queued
    assert OutgoingMail.objects.get().status == "queued"
    attendance.refresh_from_db()
    assert attendance.evaluation_sent_at is not None  # claimed: never sent twice
    assert evaluations_send() == 0

    smtp_server.start()
    OutgoingMail.objects.update(available_at=timezone.now())  # the backoff is over
    mail_flush()
    assert [message["To"] for message in smtp_server.messages] == ["ines@example.org"]


# Answering ----------------------------------------------------------------------------


def test_the_questionnaire_is_answered_once(client):
    session = ended(2, action=ActionFactory(title="Atelier jeunesse"))
    person = attend(session, first_name="Inès").person
    url = form_path(session, person)

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Atelier jeunesse" in html and "Inès" in html
    assert html.count("<fieldset") == 2 and html.count("<legend>") == 2
    assert html.count('type="radio"') == 10

    response = client.post(url, {"satisfaction": "4", "usefulness": "5", "comments": " Merci ! "})
    assert response.status_code == 302
    assert response["Location"] == reverse("events_evaluation:thanks")
    evaluation = Evaluation.objects.get(session=session, person=person)
    assert (evaluation.satisfaction, evaluation.usefulness, evaluation.comments) == (
        4,
        5,
        "Merci !",
    )
    assert client.get(response["Location"]).status_code == 200

    again = client.post(url, {"satisfaction": "1", "usefulness": "1"})
    assert again.status_code == 200
    assert again.context["already"] is True
    assert Evaluation.objects.get(pk=evaluation.pk).satisfaction == 4
    assert client.get(url).context["already"] is True


def test_an_incomplete_or_out_of_range_answer_is_not_stored(client):
    session = ended(1)
    person = attend(session).person
    response = client.post(form_path(session, person), {"satisfaction": "6", "usefulness": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert "satisfaction" in form.errors and "usefulness" in form.errors
    assert not Evaluation.objects.exists()


def test_a_tampered_or_unknown_link_shows_a_clear_page(client):
    session = ended(1)
    person = attend(session).person
    token = evaluation_token(session_id=session.pk, person_id=person.pk)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for bad in (forged, "nimporte-quoi", evaluation_token(session_id=999999, person_id=person.pk)):
        response = client.get(reverse("events_evaluation:form", args=[bad]))
        assert response.status_code == 400
        assert "events/evaluation_invalid.html" in [t.name for t in response.templates]
        assert response.context["message"]
        response = client.post(reverse("events_evaluation:form", args=[bad]), {"satisfaction": "5"})
        assert response.status_code == 400
    assert not Evaluation.objects.exists()


def test_the_service_refuses_a_second_answer():
    session = ended(1)
    person = attend(session).person
    evaluation_submit(session=session, person=person, satisfaction=3, usefulness=3)
    with pytest.raises(ValidationError) as error:
        evaluation_submit(session=session, person=person, satisfaction=5, usefulness=5)
    assert error.value.code == "answered"
    assert Evaluation.objects.count() == 1


# Summary ------------------------------------------------------------------------------


def test_summary_per_action_and_per_year_hand_computed():
    this_year = 2025
    cycle = ActionFactory(title="Cycle laïcité")
    breakfast = ActionFactory(title="Petit-déjeuner")
    now = timezone.now()
    paris = ZoneInfo("Europe/Paris")
    current = SessionFactory(action=cycle, starts_at=datetime(2025, 6, 10, 9, tzinfo=paris))
    other_current = SessionFactory(
        action=breakfast,
        starts_at=datetime(2025, 1, 1, 0, 30, tzinfo=paris),  # 2024 in UTC
    )
    last_year = SessionFactory(action=cycle, starts_at=datetime(2024, 11, 5, 9, tzinfo=paris))
    for session, scores in [
        (current, [(5, 4, "Très bien"), (4, 4, ""), (2, 5, "Trop court")]),
        (other_current, [(3, 2, "")]),
        (last_year, [(1, 1, "")]),
    ]:
        for satisfaction, usefulness, comments in scores:
            attendance = Attendance.objects.create(
                session=session,
                person=PersonFactory(),
                present=True,
                evaluation_sent_at=now,
            )
            Evaluation.objects.create(
                session=session,
                person=attendance.person,
                satisfaction=satisfaction,
                usefulness=usefulness,
                comments=comments,
            )
    Attendance.objects.create(  # sent, not answered
        session=current, person=PersonFactory(), present=True, evaluation_sent_at=now
    )

    summary = evaluation_summary(action=cycle, year=this_year, with_comments=True)
    assert (summary.answers, summary.sent, summary.with_comments) == (3, 4, 2)
    assert summary.satisfaction.average == Decimal("3.7")  # 11 / 3
    assert summary.usefulness.average == Decimal("4.3")  # 13 / 3
    assert summary.satisfaction.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert summary.usefulness.distribution == {1: 0, 2: 0, 3: 0, 4: 2, 5: 1}
    assert summary.response_rate == 75
    assert sorted(summary.comments) == ["Trop court", "Très bien"]

    all_cycle = evaluation_summary(action=cycle)
    assert all_cycle.answers == 4
    assert all_cycle.satisfaction.average == Decimal("3.0")  # 12 / 4
    assert all_cycle.satisfaction.distribution[1] == 1

    year = evaluation_summary(year=this_year)
    assert year.answers == 4
    assert year.usefulness.average == Decimal("3.8")  # 15 / 4 = 3.75, rounded half up

    by_action = evaluation_summaries_by_action(year=this_year)
    assert [(s.action.title, s.answers, s.sent) for s in by_action] == [
        ("Cycle laïcité", 3, 4),
        ("Petit-déjeuner", 1, 1),
    ]
    assert by_action[1].satisfaction.average == Decimal("3.0")
    assert evaluation_years() == [2025, 2024]

    empty = evaluation_summary(year=1990)
    assert empty.answers == 0 and empty.satisfaction.average is None
    assert empty.response_rate is None
