"""The sending engine in one process: deliveries, claims, SMTP outcomes, moves, sweeper."""

from __future__ import annotations

import threading
from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from newsletter.models import Delivery, DeliveryStatus, IssueStatus, SubscriberStatus
from newsletter.services import campaigns, sending, throttle
from newsletter.tokens import manage_token_read
from portal.core.models import AuditEntry
from tests.commit import after_commit_tasks
from tests.newsletter.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.SITE_URL = "https://portail.example.org"
    settings.NEWSLETTER_RATE_PER_SECOND = 0
    settings.NEWSLETTER_BATCH_SIZE = 10


def sending_issue(**kwargs):
    issue = IssueFactory(status=IssueStatus.SENDING, sending_started_at=timezone.now(), **kwargs)
    return issue


def send_all(issue) -> None:
    """Run batches in this process until the issue has nothing left to send now."""
    for _step in range(100):
        result = sending.batch_send(issue_id=issue.pk)
        if result.next_in != 0:
            return


def statuses(issue) -> dict[str, int]:
    rows = Delivery.objects.filter(issue=issue).values_list("status", flat=True)
    return {status: list(rows).count(status) for status in set(rows)}


def test_deliveries_go_to_active_subscribers_once_even_when_created_twice():
    active = SubscriberFactory.create_batch(5)
    SubscriberFactory(status=SubscriberStatus.PENDING)
    SubscriberFactory(status=SubscriberStatus.UNSUBSCRIBED)
    SubscriberFactory(status=SubscriberStatus.BOUNCED)
    issue = sending_issue()

    assert sending.deliveries_create(issue_id=issue.pk) == 5
    assert sending.deliveries_create(issue_id=issue.pk) == 5

    issue.refresh_from_db()
    assert issue.recipients_count == 5
    assert set(Delivery.objects.filter(issue=issue).values_list("subscriber", flat=True)) == {
        subscriber.pk for subscriber in active
    }


def test_every_message_carries_the_list_headers_and_a_working_unsubscribe_link(smtp_server):
    subscribers = SubscriberFactory.create_batch(3)
    issue = sending_issue()
    sending.deliveries_create(issue_id=issue.pk)

    send_all(issue)

    assert statuses(issue) == {DeliveryStatus.SENT: 3}
    messages = smtp_server.messages
    assert sorted(parseaddr(m["To"])[1] for m in messages) == sorted(s.email for s in subscribers)
    for message in messages:
        subscriber = next(s for s in subscribers if s.email == parseaddr(message["To"])[1])
        assert message["List-Id"].endswith("<resonances.portail.example.org>")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = message["List-Unsubscribe"].strip("<>")
        assert unsubscribe.startswith("https://portail.example.org/resonances/desinscription/")
        assert manage_token_read(unsubscribe.rstrip("/").rsplit("/", 1)[1]) == subscriber.pk
        assert message["Message-ID"].endswith("@portail.example.org>")
        html = next(p for p in message.walk() if p.get_content_type() == "text/html")
        text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        for part in (html, text):
            body = part.get_payload(decode=True).decode()
            assert unsubscribe in body
            assert "https://unsubscribe.invalid" not in body
            assert "/resonances/preferences/" in body
    delivery = Delivery.objects.get(issue=issue, subscriber=subscribers[0])
    sent = next(m for m in messages if parseaddr(m["To"])[1] == subscribers[0].email)
    assert delivery.message_id == sent["Message-ID"].strip()


def test_a_text_only_subscriber_gets_no_html_part(smtp_server):
    SubscriberFactory(mail_format="text")
    issue = sending_issue()
    sending.deliveries_create(issue_id=issue.pk)

    send_all(issue)

    (message,) = smtp_server.messages
    assert [p.get_content_type() for p in message.walk()] == ["text/plain"]


def test_a_permanent_refusal_fails_only_that_delivery(smtp_server):
    good = SubscriberFactory.create_batch(4)
    unknown = SubscriberFactory(email="inconnu@example.org")
    smtp_server.refusals[unknown.email] = "550 5.1.1 Mailbox unknown"
    issue = sending_issue()
    sending.deliveries_create(issue_id=issue.pk)

    send_all(issue)

    failed = Delivery.objects.get(issue=issue, subscriber=unknown)
    assert failed.status == DeliveryStatus.FAILED
    assert "550" in failed.error and "Mailbox unknown" in failed.error
    assert Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENT).count() == len(good)
    assert sending.issue_finish_if_done(issue_id=issue.pk) is False  # already finished
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert AuditEntry.objects.for_object(issue).filter(action="newsletter.sent").exists()


def test_a_temporary_refusal_waits_then_fails_after_the_last_attempt(smtp_server, settings):
    settings.NEWSLETTER_MAX_ATTEMPTS = 2
    busy = SubscriberFactory(email="plein@example.org")
    smtp_server.refusals[busy.email] = "452 4.2.2 Mailbox full"
    issue = sending_issue()
    sending.deliveries_create(issue_id=issue.pk)

    result = sending.batch_send(issue_id=issue.pk)

    delivery = Delivery.objects.get(issue=issue)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert delivery.available_at > timezone.now()
    assert result.next_in == 0
    later = sending.batch_send(issue_id=issue.pk)
    assert 0 < later.next_in <= 6  # the chain comes back when the row is due

    Delivery.objects.filter(pk=delivery.pk).update(available_at=timezone.now())
    send_all(issue)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    assert "452" in delivery.error


def test_with_the_server_down_the_batch_is_given_back_for_later(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    SubscriberFactory.create_batch(3)
    issue = sending_issue()
    sending.deliveries_create(issue_id=issue.pk)

    result = sending.batch_send(issue_id=issue.pk, failures=2)

    assert result.connection_failed and result.released == 3
    assert result.next_in == sending.backoff_seconds(3) == 20
    rows = Delivery.objects.filter(issue=issue)
    assert {row.status for row in rows} == {DeliveryStatus.QUEUED}
    assert all(row.attempts == 0 and row.available_at > timezone.now() for row in rows)


def test_a_subscriber_gone_meanwhile_gets_nothing(smtp_server):
    subscriber = SubscriberFactory()
    issue = sending_issue()
    sending.deliveries_create(issue_id=issue.pk)
    subscriber.status = SubscriberStatus.UNSUBSCRIBED
    subscriber.save()

    send_all(issue)

    assert smtp_server.messages == []
    assert Delivery.objects.get(issue=issue).status == DeliveryStatus.CANCELLED


def test_concurrent_claims_never_share_a_row(transactional_db):
    SubscriberFactory.create_batch(40)
    issue = sending_issue()
    sending.deliveries_create(issue_id=issue.pk)
    claimed: list[list[int]] = []
    barrier = threading.Barrier(4)

    def claim():
        try:
            barrier.wait()
            rows = sending.deliveries_claim(issue_id=issue.pk, limit=10)
            claimed.append([row.pk for row in rows])
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ids = [pk for rows in claimed for pk in rows]
    assert len(ids) == len(set(ids)) == 40


def test_the_sweeper_queues_expired_leases_again():
    SubscriberFactory.create_batch(3)
    issue = sending_issue()
    sending.deliveries_create(issue_id=issue.pk)
    claimed = sending.deliveries_claim(issue_id=issue.pk, limit=2)
    Delivery.objects.filter(pk=claimed[0].pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )

    assert sending.leases_expire() == 1

    assert Delivery.objects.get(pk=claimed[0].pk).status == DeliveryStatus.QUEUED
    assert Delivery.objects.get(pk=claimed[1].pk).status == DeliveryStatus.SENDING


def test_a_message_sent_again_keeps_its_first_message_id(smtp_server):
    SubscriberFactory()
    issue = sending_issue()
    sending.deliveries_create(issue_id=issue.pk)
    send_all(issue)
    delivery = Delivery.objects.get(issue=issue)
    # As if its worker had died between sending it and recording it: it goes again.
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.QUEUED)
    type(issue).objects.filter(pk=issue.pk).update(status=IssueStatus.SENDING)

    send_all(issue)

    first, again = smtp_server.messages
    assert first["Message-ID"] == again["Message-ID"] == delivery.message_id
    other = sending_issue()
    sending.deliveries_create(issue_id=other.pk)
    send_all(other)
    assert smtp_server.messages[-1]["Message-ID"] != delivery.message_id


def test_pause_stops_claims_and_resume_goes_on(smtp_server, staff_user):
    SubscriberFactory.create_batch(3)
    issue = sending_issue()
    sending.deliveries_create(issue_id=issue.pk)

    campaigns.issue_pause(issue=issue, actor=staff_user)
    assert sending.batch_send(issue_id=issue.pk).next_in is None
    assert smtp_server.messages == []

    campaigns.issue_resume(issue=issue, actor=staff_user)
    send_all(issue)
    assert len(smtp_server.messages) == 3
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert list(
        AuditEntry.objects.for_object(issue).order_by("pk").values_list("action", flat=True)
    ) == ["newsletter.paused", "newsletter.resumed", "newsletter.sent"]


def test_cancel_keeps_what_was_sent_and_sends_nothing_more(smtp_server, staff_user, settings):
    settings.NEWSLETTER_BATCH_SIZE = 2
    SubscriberFactory.create_batch(5)
    issue = sending_issue()
    sending.deliveries_create(issue_id=issue.pk)
    sending.batch_send(issue_id=issue.pk)

    campaigns.issue_cancel(issue=issue, actor=staff_user)
    send_all(issue)

    assert statuses(issue) == {DeliveryStatus.SENT: 2, DeliveryStatus.CANCELLED: 3}
    assert len(smtp_server.messages) == 2
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CANCELLED


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (IssueStatus.DRAFT, campaigns.issue_send_start),
        (IssueStatus.SENT, campaigns.issue_send_start),
        (IssueStatus.SENT, campaigns.issue_cancel),
        (IssueStatus.READY, campaigns.issue_pause),
        (IssueStatus.SENDING, campaigns.issue_resume),
    ],
)
def test_moves_the_status_does_not_allow_are_refused_in_french(status, move, staff_user):
    issue = IssueFactory(status=status)

    with pytest.raises(ValidationError) as refused:
        move(issue=issue, actor=staff_user)

    assert "n'est pas possible" in " ".join(refused.value.messages)
    issue.refresh_from_db()
    assert issue.status == status


def test_a_campaign_started_twice_at_once_starts_once(transactional_db, staff_user):
    issue = IssueFactory(status=IssueStatus.READY)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def start():
        try:
            barrier.wait()
            campaigns.issue_send_start(issue=issue, actor=staff_user)
            outcomes.append("started")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "started"]
    assert AuditEntry.objects.for_object(issue).filter(action="newsletter.sending").count() == 1


def test_scheduled_issues_start_when_due(staff_user, django_capture_on_commit_callbacks):
    due = IssueFactory(status=IssueStatus.READY)
    later = IssueFactory(status=IssueStatus.READY)
    soon, tomorrow = timezone.now() + timedelta(minutes=1), timezone.now() + timedelta(days=1)
    campaigns.issue_schedule(issue=due, when=soon, actor=staff_user)
    campaigns.issue_schedule(issue=later, when=tomorrow, actor=staff_user)
    type(due).objects.filter(pk=due.pk).update(scheduled_at=timezone.now() - timedelta(seconds=5))

    with django_capture_on_commit_callbacks() as callbacks:
        assert campaigns.scheduled_issues_start() == [due.pk]

    assert len(after_commit_tasks(callbacks)) == 1  # the campaign task, after commit
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (IssueStatus.SENDING, IssueStatus.SCHEDULED)


def test_scheduling_in_the_past_is_refused(staff_user):
    issue = IssueFactory(status=IssueStatus.READY)
    with pytest.raises(ValidationError, match="à venir"):
        campaigns.issue_schedule(
            issue=issue, when=timezone.now() - timedelta(hours=1), actor=staff_user
        )


def test_the_global_rate_holds_a_message_until_the_next_second(settings, monkeypatch):
    settings.NEWSLETTER_RATE_PER_SECOND = 3
    clock = {"now": 1_000_000.25}
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock["now"] += seconds

    monkeypatch.setattr(throttle.time, "time", lambda: clock["now"])
    monkeypatch.setattr(throttle.time, "sleep", sleep)

    for _message in range(4):
        throttle.throttle_wait()

    assert sleeps == [pytest.approx(0.75)]  # the fourth waits for the next second


def test_the_sweeper_starts_a_lost_campaign_again_instead_of_closing_it():
    SubscriberFactory.create_batch(2)
    issue = sending_issue()  # "sending", but its campaign task never ran

    assert campaigns.deliveries_sweep() == {"returned": 0, "restarted": 1}

    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENDING


def test_a_batch_still_at_work_renews_the_lease_on_what_it_holds(settings):
    settings.NEWSLETTER_LEASE_SECONDS = 300
    SubscriberFactory.create_batch(3)
    issue = sending_issue()
    sending.deliveries_create(issue_id=issue.pk)
    held = sending.deliveries_claim(issue_id=issue.pk, limit=2)
    Delivery.objects.filter(pk__in=[row.pk for row in held]).update(
        lease_until=timezone.now() + timedelta(seconds=1)
    )

    sending._leases_renew(held)

    for row in Delivery.objects.filter(pk__in=[row.pk for row in held]):
        assert row.lease_until > timezone.now() + timedelta(seconds=290)
    assert sending.leases_expire() == 0
