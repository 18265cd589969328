"""The editorial workflow: scheduled publications go online at their date, audited."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.core.models import AuditEntry
from publications import tasks
from publications.models import Publication, PublicationStatus
from publications.services import (
    publication_publish,
    publication_schedule,
    publication_withdraw,
    publications_publish_due,
)
from tests.publications.admin_factories import AdminPublicationFactory

pytestmark = pytest.mark.django_db

SCHEDULED = PublicationStatus.SCHEDULED


def days(count: int):
    return timezone.localdate() + timedelta(days=count)


def status_of(publication: Publication) -> str:
    publication.refresh_from_db()
    return publication.status


def audit_actions(publication: Publication) -> list[str]:
    return list(AuditEntry.objects.for_object(publication).values_list("action", flat=True))


def test_due_publications_go_online_and_future_ones_wait():
    overdue = AdminPublicationFactory(status=SCHEDULED, published_on=days(-3))
    due_today = AdminPublicationFactory(status=SCHEDULED, published_on=days(0))
    future = AdminPublicationFactory(status=SCHEDULED, published_on=days(5))
    draft = AdminPublicationFactory(status=PublicationStatus.DRAFT, published_on=days(-3))

    assert publications_publish_due() == 2

    assert status_of(overdue) == PublicationStatus.PUBLISHED
    assert status_of(due_today) == PublicationStatus.PUBLISHED
    assert status_of(future) == SCHEDULED
    assert status_of(draft) == PublicationStatus.DRAFT
    assert overdue.published_on == days(-3)  # the date announced is kept
    assert Publication.objects.published().filter(pk=overdue.pk).exists()
    entry = AuditEntry.objects.for_object(overdue).get()
    assert entry.action == "publication.published"
    assert entry.actor is None
    assert entry.changes["status"] == ["scheduled", "published"]


def test_running_twice_changes_nothing_the_second_time():
    publication = AdminPublicationFactory(status=SCHEDULED, published_on=days(-1))
    assert publications_publish_due() == 1
    updated_at = Publication.objects.get(pk=publication.pk).updated_at

    assert publications_publish_due() == 0
    assert Publication.objects.get(pk=publication.pk).updated_at == updated_at
    assert audit_actions(publication) == ["publication.published"]


def test_the_date_is_read_in_paris_time():
    publication = AdminPublicationFactory(status=SCHEDULED, published_on=days(1))
    tomorrow_morning = timezone.make_aware(datetime.combine(days(1), time(0, 5)))
    assert publications_publish_due(now=tomorrow_morning - timedelta(minutes=10)) == 0
    assert publications_publish_due(now=tomorrow_morning) == 1
    assert status_of(publication) == PublicationStatus.PUBLISHED


def test_the_beat_task_runs_the_service():
    publication = AdminPublicationFactory(status=SCHEDULED, published_on=days(-1))
    tasks.publications_publish_due()
    assert status_of(publication) == PublicationStatus.PUBLISHED


def test_publish_now_puts_a_future_date_back_to_today(staff_user):
    publication = AdminPublicationFactory(status=SCHEDULED, published_on=days(10))
    publication_publish(publication=publication, actor=staff_user)
    publication.refresh_from_db()
    assert (publication.status, publication.published_on) == ("published", days(0))
    entry = AuditEntry.objects.for_object(publication).get()
    assert entry.actor == staff_user


def test_schedule_and_withdraw_are_audited_and_a_past_date_is_refused(staff_user):
    publication = AdminPublicationFactory(status=PublicationStatus.DRAFT)
    with pytest.raises(ValidationError):
        publication_schedule(publication=publication, actor=staff_user, publish_on=days(-1))
    assert status_of(publication) == PublicationStatus.DRAFT

    publication_schedule(publication=publication, actor=staff_user, publish_on=days(7))
    publication.refresh_from_db()
    assert (publication.status, publication.published_on) == (SCHEDULED, days(7))

    publication_withdraw(publication=publication, actor=staff_user)
    assert status_of(publication) == PublicationStatus.DRAFT
    assert audit_actions(publication) == ["publication.withdrawn", "publication.scheduled"]

    publication_withdraw(publication=publication, actor=staff_user)  # already a draft
    assert len(audit_actions(publication)) == 2
