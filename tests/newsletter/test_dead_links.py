"""An issue cannot be marked ready, scheduled or sent while it links to content a visitor
cannot see; the refusal names each link, and the preview lists them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from events.models import ActionStatus
from newsletter.models import IssueStatus
from newsletter.selectors.links import issue_dead_links
from newsletter.services import campaigns
from portal.core.models import AuditEntry
from publications.models import PublicationKind, PublicationStatus
from publications.services import publication_schedule, publication_withdraw
from tests.commit import after_commit_tasks
from tests.events.factories import ActionFactory, SessionFactory
from tests.newsletter.factories import IssueFactory
from tests.publications.factories import PublicationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine("2025-06-10 10:00 +02:00", tick=False),
]

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 6, 10, 10, 0, tzinfo=PARIS)
LATER = datetime(2025, 6, 20, 9, 0, tzinfo=PARIS)  # a sending scheduled ten days ahead


def session_of(**action) -> object:
    return SessionFactory(
        action=ActionFactory(title="Groupe santé", **action),
        starts_at=datetime(2025, 6, 26, 9, 30, tzinfo=PARIS),
        ends_at=datetime(2025, 6, 26, 12, 30, tzinfo=PARIS),
    )


def scheduled_publication(on: date, staff_user):
    publication = PublicationFactory(title="Actes du séminaire", status=PublicationStatus.DRAFT)
    return publication_schedule(publication=publication, actor=staff_user, publish_on=on)


def messages(issue, at) -> list[str]:
    return [str(link) for link in issue_dead_links(issue=issue, at=at)]


# What is a dead link ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ({"status": ActionStatus.DRAFT}, "son action n\u2019est pas publiée"),
        ({"status": ActionStatus.CANCELLED}, "son action est annulée"),
        ({"is_public": False}, "son action n\u2019est pas publique (absente de l\u2019agenda)"),
    ],
)
def test_a_session_of_an_action_off_the_agenda(action, reason):
    issue = IssueFactory(status=IssueStatus.DRAFT)
    issue.sessions.add(session_of(**action))

    assert messages(issue, None) == [f"Séance du 26 juin 2025 « Groupe santé » : {reason}."]


def test_a_public_session_and_a_cancelled_one_are_fine():
    issue = IssueFactory(status=IssueStatus.DRAFT)
    cancelled = session_of(status=ActionStatus.DRAFT)
    cancelled.is_cancelled = True  # left out of the issue: no link to it
    cancelled.save()
    issue.sessions.add(session_of(), cancelled)
    assert messages(issue, NOW) == []


def test_an_unpublished_and_a_withdrawn_publication(staff_user):
    issue = IssueFactory(status=IssueStatus.DRAFT)
    draft = PublicationFactory(title="Étude en cours", status=PublicationStatus.DRAFT)
    withdrawn = publication_withdraw(
        publication=PublicationFactory(title="Guide retiré"), actor=staff_user
    )
    issue.publications.add(draft, withdrawn)

    assert messages(issue, None) == [
        "Publication « Guide retiré » : elle a été retirée.",
        "Publication « Étude en cours » : elle n\u2019est pas publiée.",
    ]


def test_a_publication_scheduled_after_the_sending(staff_user):
    issue = IssueFactory(status=IssueStatus.READY)
    issue.publications.add(scheduled_publication(date(2025, 6, 25), staff_user))

    expected = [
        "Publication « Actes du séminaire » : elle n\u2019est pas encore en ligne "
        "(date de publication : 25 juin 2025)."
    ]
    assert messages(issue, None) == []  # « ready »: the sending date is not known yet
    assert messages(issue, LATER) == expected
    assert messages(issue, NOW) == expected
    assert messages(issue, datetime(2025, 6, 25, 9, 0, tzinfo=PARIS)) == []


def test_a_publication_scheduled_for_today_is_not_online_for_send_now(staff_user):
    issue = IssueFactory(status=IssueStatus.READY)
    issue.publications.add(scheduled_publication(date(2025, 6, 10), staff_user))

    assert len(messages(issue, NOW)) == 1  # the hourly task has not put it online yet
    assert messages(issue, NOW + timedelta(hours=2)) == []  # by then it has


def test_the_initiative_is_checked_too():
    issue = IssueFactory(status=IssueStatus.DRAFT)
    issue.initiative = PublicationFactory(
        title="Fiche CLSM", kind=PublicationKind.EXPERIENCE_SHEET, status=PublicationStatus.DRAFT
    )
    issue.save()
    assert messages(issue, None) == [
        "Initiative locale « Fiche CLSM » : elle n\u2019est pas publiée."
    ]


# The refusals ---------------------------------------------------------------------------


def dead_issue(status: str):
    issue = IssueFactory(number=42, status=status)
    issue.publications.add(PublicationFactory(title="Étude en cours", status="draft"))
    issue.sessions.add(session_of(status=ActionStatus.CANCELLED))
    return issue


def assert_refused(error, issue, status: str) -> None:
    text = " ".join(error.value.messages)
    assert text.startswith("Résonances n° 42 contient des liens vers des contenus")
    assert "Publication « Étude en cours » : elle n\u2019est pas publiée." in text
    assert "« Groupe santé » : son action est annulée." in text
    issue.refresh_from_db()
    assert issue.status == status


def test_mark_ready_is_refused(staff_user):
    issue = dead_issue(IssueStatus.DRAFT)
    with pytest.raises(ValidationError) as error:
        campaigns.issue_mark_ready(issue=issue, actor=staff_user)
    assert_refused(error, issue, IssueStatus.DRAFT)


def test_schedule_is_refused_for_a_link_dead_at_the_time_chosen(staff_user):
    issue = dead_issue(IssueStatus.READY)
    with pytest.raises(ValidationError) as error:
        campaigns.issue_schedule(issue=issue, when=LATER, actor=staff_user)
    assert_refused(error, issue, IssueStatus.READY)
    assert issue.scheduled_at is None

    fine = IssueFactory(status=IssueStatus.READY)
    fine.publications.add(scheduled_publication(date(2025, 6, 25), staff_user))
    with pytest.raises(ValidationError, match="25 juin 2025"):
        campaigns.issue_schedule(issue=fine, when=LATER, actor=staff_user)
    campaigns.issue_schedule(issue=fine, when=LATER + timedelta(days=5), actor=staff_user)
    fine.refresh_from_db()
    assert fine.status == IssueStatus.SCHEDULED


def test_send_now_is_refused(staff_user, django_capture_on_commit_callbacks):
    issue = dead_issue(IssueStatus.READY)
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ValidationError) as error,
    ):
        campaigns.issue_send_start(issue=issue, actor=staff_user)
    assert_refused(error, issue, IssueStatus.READY)
    assert callbacks == []  # no campaign task
    assert not issue.deliveries.exists()


def test_a_scheduled_issue_whose_link_died_goes_back_to_ready(
    staff_user, time_machine, django_capture_on_commit_callbacks
):
    publication = PublicationFactory(title="Guide du CLSM")
    issue = IssueFactory(number=42, status=IssueStatus.READY)
    issue.publications.add(publication)
    campaigns.issue_schedule(issue=issue, when=LATER, actor=staff_user)
    publication_withdraw(publication=publication, actor=staff_user)

    time_machine.move_to(LATER + timedelta(minutes=1))
    with django_capture_on_commit_callbacks() as callbacks:
        assert campaigns.scheduled_issues_start() == []

    assert after_commit_tasks(callbacks) == []
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_at) == (IssueStatus.READY, None)
    entry = AuditEntry.objects.for_object(issue).get(action="newsletter.schedule_refused")
    assert "Publication « Guide du CLSM » : elle a été retirée." in entry.changes["problems"]
    assert campaigns.scheduled_issues_start() == []  # not tried again every minute


# The back office ------------------------------------------------------------------------


def test_the_preview_lists_the_dead_links(staff_client):
    issue = dead_issue(IssueStatus.DRAFT)

    html = staff_client.get(reverse("admin:newsletter_issue_preview", args=[issue.pk]))
    text = staff_client.get(reverse("admin:newsletter_issue_preview_text", args=[issue.pk]))

    for body in (html.content.decode(), text.content.decode()):
        assert "Étude en cours" in body
        assert "elle n\u2019est pas publiée" in body
        assert "son action est annulée" in body


def test_a_clean_issue_has_no_notice_in_its_preview(staff_client):
    issue = IssueFactory(status=IssueStatus.DRAFT)
    issue.publications.add(PublicationFactory())
    html = staff_client.get(reverse("admin:newsletter_issue_preview", args=[issue.pk]))
    assert "aperçu uniquement" not in html.content.decode()


def test_the_admin_lists_dead_links_and_reports_the_refusal(staff_client):
    issue = dead_issue(IssueStatus.DRAFT)
    change = staff_client.get(reverse("admin:newsletter_issue_change", args=[issue.pk]))
    assert "« Étude en cours » : elle n\u2019est pas publiée" in change.content.decode()
    url = reverse("admin:newsletter_issue_move", args=[issue.pk, "ready"])
    assert (
        "« Étude en cours » : elle n\u2019est pas publiée" in staff_client.get(url).content.decode()
    )

    response = staff_client.post(url, follow=True)

    assert "elle n\u2019est pas publiée" in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT
