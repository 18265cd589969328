"""Retention rules: the dry run and the real run agree, a second run removes nothing,
recent people and people with recent activity stay, the beat runs it monthly."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from events.models import Attendance
from members.models import Membership, Person
from members.services.billing import invoice_issue, payment_record
from newsletter.models import (
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
    SubscriberStatus,
)
from newsletter.selectors.figures import newsletter_figures
from newsletter.services.retention import old_deliveries_ids
from portal.core.consent import consent_record
from portal.core.models import ConsentPurpose, ConsentRecord, User
from portal.privacy import retention
from portal.privacy.models import RetentionRun
from portal.privacy.retention import retention_apply, retention_plan
from portal.privacy.tasks import retention_apply_task
from tests.events.factories import SessionFactory
from tests.members.factories import (
    IndividualMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)
from tests.newsletter.factories import DeliveryFactory, IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LONG_AGO = NOW - timedelta(days=5 * 365)
LAST_YEAR = NOW - timedelta(days=365)


def _old_person(**fields) -> Person:
    person = PersonFactory(**fields)
    Person.objects.filter(pk=person.pk).update(created_at=LONG_AGO)
    return person


def _attended(person: Person, when) -> None:
    session = SessionFactory(starts_at=when)
    Attendance.objects.create(session=session, person=person, present=True)


def _member_of_year(person: Person, year: int, *, paid: bool) -> None:
    membership = IndividualMembershipFactory(person=person, year=year)
    invoice = invoice_issue(membership=membership, issued_by=None)
    if paid:
        payment_record(
            invoice=invoice,
            amount=invoice.amount,
            method="transfer",
            paid_on=timezone.localdate(),
            recorded_by=None,
        )


@pytest.fixture
def people() -> dict[str, Person]:
    """Who goes (erased_*) and who stays (kept_*)."""
    old_year = timezone.localdate(LONG_AGO).year
    found = {
        "erased_attended_long_ago": _old_person(),
        "erased_nothing_since": _old_person(organisation=None),
        "erased_paid_old_member": _old_person(organisation=None),
        "kept_recent": PersonFactory(),
        "kept_attended_last_year": _old_person(),
        "kept_signed_in": _old_person(user=User.objects.create_user("lu@example.org")),
        "kept_staff": _old_person(
            user=User.objects.create_user("equipe@example.org", is_staff=True)
        ),
        "kept_unpaid": _old_person(organisation=None),
        "kept_subscribed": _old_person(email="abonnee@example.org"),
        "kept_contact": _old_person(organisation=OrganisationFactory(), is_member_contact=True),
        "kept_consented": _old_person(),
    }
    _attended(found["erased_attended_long_ago"], LONG_AGO)
    _member_of_year(found["erased_paid_old_member"], old_year, paid=True)
    _attended(found["kept_attended_last_year"], LAST_YEAR)
    User.objects.filter(email="lu@example.org").update(last_login=LAST_YEAR, date_joined=LONG_AGO)
    User.objects.filter(email="equipe@example.org").update(date_joined=LONG_AGO)
    _member_of_year(found["kept_unpaid"], old_year, paid=False)
    SubscriberFactory(email="Abonnee@example.org", status=SubscriberStatus.ACTIVE)
    MembershipFactory(organisation=found["kept_contact"].organisation)
    consent_record(
        purpose=ConsentPurpose.EVENT_REGISTRATION,
        email=found["kept_consented"].email,
        wording="J'accepte.",
        source="events:action",
    )
    Membership.objects.filter(
        person__in=[found["erased_paid_old_member"], found["kept_unpaid"]]
    ).update(created_at=LONG_AGO)
    return found


@pytest.fixture
def newsletter() -> dict:
    """Pending subscriptions old and new, and deliveries old and recent."""
    pending_old = SubscriberFactory(
        status=SubscriberStatus.PENDING, confirmed_at=None, consent_at=None
    )
    pending_new = SubscriberFactory(
        status=SubscriberStatus.PENDING, confirmed_at=None, consent_at=None
    )
    asked_again = SubscriberFactory(status=SubscriberStatus.PENDING, confirmed_at=LONG_AGO)
    Subscriber.objects.filter(pk__in=[pending_old.pk, asked_again.pk]).update(
        updated_at=NOW - timedelta(days=45)
    )
    consent_record(
        purpose=ConsentPurpose.NEWSLETTER,
        email=pending_old.email,
        wording="Oui.",
        source="newsletter:subscribe",
        ip="203.0.113.9",
    )
    old_issue = IssueFactory(status=IssueStatus.SENT, sent_at=LONG_AGO)
    new_issue = IssueFactory(status=IssueStatus.SENT, sent_at=LAST_YEAR - timedelta(days=200))
    Issue.objects.filter(pk=old_issue.pk).update(created_at=LONG_AGO)
    sent, failed, queued, recent = (SubscriberFactory() for _ in range(4))
    DeliveryFactory(issue=old_issue, subscriber=sent, status=DeliveryStatus.SENT, sent_at=LONG_AGO)
    DeliveryFactory(issue=old_issue, subscriber=failed, status=DeliveryStatus.FAILED)
    DeliveryFactory(issue=old_issue, subscriber=queued, status=DeliveryStatus.QUEUED)
    DeliveryFactory(
        issue=new_issue, subscriber=recent, status=DeliveryStatus.SENT, sent_at=LAST_YEAR
    )
    return {"pending_old": pending_old, "pending_new": pending_new, "asked_again": asked_again}


def _anonymised(person: Person) -> bool:
    person.refresh_from_db()
    return (person.first_name, person.last_name, person.email) == ("Personne", "anonymisée", "")


def test_the_dry_run_lists_exactly_what_the_real_run_removes(people, newsletter):
    plan = retention_plan(now=NOW)
    expected = {people[name].pk for name in people if name.startswith("erased_")}
    assert set(plan.people) == expected
    assert plan.pending_subscriptions == (newsletter["pending_old"].pk,)
    planned_deliveries = set(old_deliveries_ids(before=plan.deliveries_before))
    assert len(planned_deliveries) == plan.deliveries == 2
    deliveries_before = set(Delivery.objects.values_list("pk", flat=True))

    run = retention_apply(plan=plan)

    erased = {pk for pk, person in ((p.pk, p) for p in people.values()) if _anonymised(person)}
    assert erased == set(plan.people)
    assert set(Subscriber.objects.filter(status="pending").values_list("pk", flat=True)) == {
        newsletter["pending_new"].pk,
        newsletter["asked_again"].pk,
    }
    gone = deliveries_before - set(Delivery.objects.values_list("pk", flat=True))
    assert gone == planned_deliveries
    assert run.counts == {**plan.counts(), "failed": 0}
    assert (run.dry_run, run.actor, run.finished_at is not None) == (False, None, True)
    # The consent given for the unconfirmed subscription keeps no address or IP.
    consent = ConsentRecord.objects.get(purpose=ConsentPurpose.NEWSLETTER)
    assert (consent.email, consent.ip) == ("", None)


def test_a_second_run_removes_nothing(people, newsletter):
    first = retention_apply(now=NOW)
    assert sum(first.counts.values()) > 0

    second = retention_apply(now=NOW)

    assert set(second.counts.values()) == {0}
    assert retention_plan(now=NOW).counts() == dict.fromkeys(retention.RULES, 0)


def test_recent_people_and_recent_activity_are_kept(people, newsletter):
    retention_apply(now=NOW)
    for name, person in people.items():
        assert _anonymised(person) == name.startswith("erased_"), name


def test_erased_people_still_count_in_the_figures_of_their_year(people):
    person = people["erased_attended_long_ago"]
    department, actor_type = person.department_id, person.actor_type
    retention_apply(now=NOW)
    person.refresh_from_db()
    assert Attendance.objects.filter(person=person, present=True).count() == 1
    assert (person.department_id, person.actor_type) == (department, actor_type)


def test_old_issues_keep_their_number_and_their_delivery_rate(newsletter):
    year = timezone.localdate(LONG_AGO).year
    before = newsletter_figures(year=year)
    assert before.delivery_rate is not None
    retention_apply(now=NOW)
    assert not Delivery.objects.filter(issue__sent_at__year=year, status="sent").exists()
    assert newsletter_figures(year=year) == before


def test_the_command_shows_what_would_go_then_applies_it(people, newsletter):
    out = StringIO()
    call_command("retention", "--dry-run", "--verbosity", "2", stdout=out)
    text = out.getvalue()
    assert str(people["erased_nothing_since"].pk) in text
    assert RetentionRun.objects.get().dry_run is True
    assert not any(_anonymised(person) for person in people.values())

    out = StringIO()
    call_command("retention", stdout=out)
    assert RetentionRun.objects.filter(dry_run=False).count() == 1
    assert _anonymised(people["erased_nothing_since"])
    assert out.getvalue().count("\n") >= 4


def test_the_beat_applies_it_monthly():
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] == retention_apply_task.name == "portal.privacy.tasks.retention_apply_task"
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.day_of_month == {1}
    assert (
        retention_apply_task.soft_time_limit
        < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    )


def test_the_task_runs_and_gives_way_to_a_run_going_on(people):
    retention_apply_task.apply()
    assert RetentionRun.objects.count() == 1

    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [retention.LOCK_KEY])
        retention_apply_task.apply()
        assert RetentionRun.objects.count() == 1
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [retention.LOCK_KEY])
    finally:
        other.close()


def test_the_settings_set_the_periods(settings, people):
    settings.RETENTION_INACTIVE_PEOPLE_YEARS = 10
    assert retention_plan(now=NOW).people == ()
    settings.RETENTION_INACTIVE_PEOPLE_YEARS = 3
    assert people["kept_unpaid"].pk not in retention_plan(now=NOW).people
