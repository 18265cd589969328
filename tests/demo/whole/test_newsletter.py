"""The newsletter demo: 7,500 subscribers, last year's issues, three composed ones and a
draft, loaded twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Count
from django.utils import timezone

from demo import newsletter as newsletter_demo
from newsletter.models import (
    Block,
    ConsentSource,
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
    SubscriberStatus,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# What the demo composes depends on the day and the hour: a fixed, ordinary instant.
NOW = datetime(2026, 11, 18, 14, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _counts() -> tuple[int, ...]:
    models = (Issue, Block, Subscriber, Delivery, Issue.sessions.through, Issue.resources.through)
    return tuple(model.objects.count() for model in models)


@pytest.fixture
def demo(whole_demo, frozen_clock):
    """The whole demo (tests/demo/whole/conftest.py): the issues pick its sessions,
    publications and resources."""
    return whole_demo


def test_loads_twice_without_duplicates(demo):
    before = _counts()
    newsletter_demo.load_demo()
    assert _counts() == before


def test_about_7500_active_subscribers_with_their_consent(demo):
    by_status = dict(
        Subscriber.objects.values_list("status").annotate(count=Count("pk")).order_by()
    )
    assert by_status[SubscriberStatus.ACTIVE] == 7500
    for status in (SubscriberStatus.PENDING, SubscriberStatus.UNSUBSCRIBED, "bounced"):
        assert 0 < by_status[status] < 250
    active = Subscriber.objects.filter(status=SubscriberStatus.ACTIVE)
    assert not active.filter(consent_at=None).exists()
    assert not active.filter(confirmed_at=None).exists()
    imported = active.filter(consent_source=ConsentSource.IMPORT)
    assert 0.5 < imported.count() / 7500 < 0.8
    assert set(imported.values_list("consent_basis", flat=True)) == {
        "Abonnés repris de l'ancienne liste"
    }
    assert not active.filter(consent_source=ConsentSource.WEB_FORM, consent_ip=None).exists()
    val_doise = active.filter(department__code="95").count() / 7500
    assert 0.35 < val_doise < 0.45
    assert active.filter(organisation="").count() < 1000


def test_last_years_issues_sent_with_their_deliveries(demo):
    last_year = timezone.localdate().year - 1
    issues = Issue.objects.filter(status=IssueStatus.SENT, sent_at__year=last_year)
    assert issues.count() == 10  # the annual report of the demo year counts them
    for issue in issues:
        assert issue.title and issue.editorial
        assert Delivery.objects.filter(issue=issue).count() == issue.recipients_count > 7000


def test_three_composed_issues_sent_with_their_deliveries_and_a_draft(demo):
    sent = list(
        Issue.objects.filter(status=IssueStatus.SENT).exclude(initiative=None).order_by("number")
    )
    draft = Issue.objects.get(status=IssueStatus.DRAFT)
    assert [issue.number for issue in sent] == [sent[0].number + n for n in range(3)]
    assert draft.number == sent[-1].number + 1
    year_ago = timezone.localdate() - timedelta(days=366)
    for issue in sent:
        assert year_ago < issue.month <= timezone.localdate()
        assert issue.sent_at < timezone.now()
        deliveries = Delivery.objects.filter(issue=issue)
        assert deliveries.filter(status=DeliveryStatus.SENT).count() == issue.recipients_count
        assert 7000 < issue.recipients_count <= 7700
        assert not deliveries.exclude(sent_at=issue.sent_at).exists()
        assert issue.initiative is not None
        assert issue.resources.count() >= 5
        assert issue.blocks.filter(page="news", scope="national").exists()
        assert issue.blocks.filter(page="news", scope="local").exists()
    assert draft.month > sent[-1].month
    assert not Delivery.objects.filter(issue=draft).exists()
    assert draft.sessions.exists()
    initiatives = [issue.initiative_id for issue in [*sent, draft]]
    assert len(set(initiatives)) == 4


def test_issue_months_skip_the_summer():
    sent, coming = newsletter_demo._months(datetime(2026, 9, 10, 12, 0, tzinfo=PARIS))

    assert sent == [date(2026, 5, 1), date(2026, 6, 1), date(2026, 9, 1)]
    assert coming == date(2026, 10, 1)
    assert newsletter_demo.issue_number(date(2026, 9, 1)) == 177
    assert newsletter_demo.issue_number(date(2026, 6, 1)) == 176


@pytest.mark.parametrize(
    ("now", "last_sent", "coming"),
    [
        # The 6th before 9:30: this month's issue is still to come.
        (datetime(2026, 12, 6, 9, 0, tzinfo=PARIS), date(2026, 11, 1), date(2026, 12, 1)),
        # Its sending has started but not finished: still not counted as sent.
        (datetime(2026, 12, 6, 10, 0, tzinfo=PARIS), date(2026, 11, 1), date(2026, 12, 1)),
        # Its sending is over.
        (datetime(2026, 12, 6, 10, 30, tzinfo=PARIS), date(2026, 12, 1), date(2027, 1, 1)),
        # The first minutes of a year: last year's issues, this January's to come.
        (datetime(2027, 1, 1, 0, 5, tzinfo=PARIS), date(2026, 12, 1), date(2027, 1, 1)),
    ],
)
def test_this_months_issue_counts_as_sent_once_its_sending_is_over(now, last_sent, coming):
    sent, next_issue = newsletter_demo._months(now)

    assert sent[-1] == last_sent
    assert next_issue == coming
    assert newsletter_demo._sent_at(sent[-1]) + newsletter_demo.SENDING_TIME <= now
