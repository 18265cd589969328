"""Sending from the back office: the panel, the moves, live progress, big delivery lists."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsletter.models import Delivery, DeliveryStatus, IssueStatus
from newsletter.services import sending
from portal.core.models import AuditEntry
from tests.commit import after_commit_tasks
from tests.newsletter.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def move_url(issue, move: str) -> str:
    return reverse("admin:newsletter_issue_move", args=[issue.pk, move])


def test_the_panel_offers_only_the_moves_the_status_allows(client, staff_user):
    issue = IssueFactory(status=IssueStatus.READY)
    client.force_login(staff_user)

    page = client.get(reverse("admin:newsletter_issue_change", args=[issue.pk])).content.decode()

    for move in ("start", "schedule", "draft", "cancel"):
        assert move_url(issue, move) in page
    for move in ("pause", "resume", "unschedule", "ready"):
        assert move_url(issue, move) not in page


def test_send_now_asks_first_then_starts_the_campaign(
    client, staff_user, django_capture_on_commit_callbacks
):
    SubscriberFactory.create_batch(3)
    issue = IssueFactory(status=IssueStatus.READY)
    client.force_login(staff_user)

    confirm = client.get(move_url(issue, "start"))
    assert "Le numéro partira vers 3 abonné·es actif·ves." in html.unescape(
        confirm.content.decode()
    )
    issue.refresh_from_db()
    assert issue.status == IssueStatus.READY  # a GET changes nothing

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(move_url(issue, "start"), follow=True)

    assert "L&#x27;envoi a commencé." in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENDING
    assert len(after_commit_tasks(callbacks)) == 1  # the campaign task, after commit
    entry = AuditEntry.objects.for_object(issue).get(action="newsletter.sending")
    assert entry.actor == staff_user


def test_scheduling_takes_a_french_date_and_refuses_the_past(client, staff_user):
    issue = IssueFactory(status=IssueStatus.READY)
    client.force_login(staff_user)

    past = client.post(move_url(issue, "schedule"), {"when": "01/01/2020 09:00"})
    assert "Choisissez une date et une heure à venir." in html.unescape(past.content.decode())
    garbage = client.post(move_url(issue, "schedule"), {"when": "demain matin"})
    assert garbage.status_code == 200 and "errorlist" in garbage.content.decode()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.READY

    when = timezone.localtime() + timedelta(days=2)
    client.post(move_url(issue, "schedule"), {"when": when.strftime("%d/%m/%Y %H:%M")})
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SCHEDULED
    assert issue.scheduled_at.replace(second=0, microsecond=0) == when.replace(
        second=0, microsecond=0
    )


def test_a_move_the_status_refuses_says_why_and_changes_nothing(client, staff_user):
    issue = IssueFactory(status=IssueStatus.SENT)
    client.force_login(staff_user)

    response = client.post(move_url(issue, "pause"), follow=True)

    assert "ce n&#x27;est pas possible maintenant" in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT


def test_an_unknown_move_is_a_404(client, staff_user):
    issue = IssueFactory(status=IssueStatus.READY)
    client.force_login(staff_user)
    assert client.post(move_url(issue, "explode")).status_code == 404


def test_members_and_visitors_cannot_send(client, member_user):
    issue = IssueFactory(status=IssueStatus.READY)
    assert client.post(move_url(issue, "start")).status_code == 302  # to the admin login
    client.force_login(member_user)
    client.post(move_url(issue, "start"))
    issue.refresh_from_db()
    assert issue.status == IssueStatus.READY


def test_progress_counts_sent_failed_remaining_and_the_rate(client, staff_user):
    SubscriberFactory.create_batch(4)
    issue = IssueFactory(
        status=IssueStatus.SENDING, sending_started_at=timezone.now() - timedelta(seconds=30)
    )
    sending.deliveries_create(issue_id=issue.pk)
    rows = list(Delivery.objects.filter(issue=issue).order_by("pk"))
    Delivery.objects.filter(pk__in=[rows[0].pk, rows[1].pk]).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now()
    )
    Delivery.objects.filter(pk=rows[2].pk).update(status=DeliveryStatus.FAILED)
    client.force_login(staff_user)

    progress = client.get(reverse("admin:newsletter_issue_progress", args=[issue.pk])).json()

    assert progress["total"] == 4
    assert (progress["sent"], progress["failed"], progress["remaining"]) == (2, 1, 1)
    assert progress["percent"] == 75
    assert progress["rate"] == "0,1"  # 2 messages in the 30 s since the start
    assert progress["eta"] == "15 s"
    assert progress["finished"] is False


def test_the_delivery_list_never_counts_the_whole_table(client, staff_user):
    issue = IssueFactory(status=IssueStatus.SENT)
    SubscriberFactory.create_batch(3)
    sending.deliveries_create(issue_id=issue.pk)
    client.force_login(staff_user)
    url = reverse("admin:newsletter_delivery_changelist")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"issue__id__exact": issue.pk, "status__exact": "queued"})

    assert response.status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the paginator counts the filtered rows"
    assert all("LIMIT" in sql.upper() for sql in counts if "newsletter_delivery" in sql)


def test_the_delivery_search_finds_an_exact_address_in_any_case(client, staff_user):
    issue = IssueFactory(status=IssueStatus.SENT)
    SubscriberFactory(email="Claire.Martin@Example.org")
    SubscriberFactory(email="autre@example.org")
    sending.deliveries_create(issue_id=issue.pk)
    client.force_login(staff_user)

    response = client.get(
        reverse("admin:newsletter_delivery_changelist"), {"q": "claire.martin@example.org"}
    )

    assert list(response.context["cl"].result_list) == list(
        Delivery.objects.filter(subscriber__email="Claire.Martin@Example.org")
    )
