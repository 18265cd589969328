"""Retention rules (RGPD art. 5.1.e): what is kept no longer than needed, applied monthly.

Three rules, their periods in the RETENTION_* settings:

- people inactive for RETENTION_INACTIVE_PEOPLE_YEARS years — no membership,
  registration, attendance, evaluation, info-doc request or loan, newsletter
  subscription, request to join, consent, sign-in nor new record since — are erased
  through the privacy service (anonymised: the annual figures keep counting them).
  Never a staff member's record, nor someone with an unpaid invoice or a membership of
  this year or the last (their own, or their organisation's for its member contacts).
  Each app's privacy module says what counts as a trace in it (`traces_since`, in the
  contract of portal.privacy.registry);
- subscriptions never confirmed RETENTION_PENDING_SUBSCRIPTION_DAYS days after they
  were asked for are deleted, with the address in the consents given for them;
- newsletter delivery rows older than RETENTION_DELIVERY_YEARS years are deleted.

retention_plan() says what would go (ids, counts); retention_apply() does exactly that
and records a RetentionRun. A run after a run finds nothing left to do.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from members.selectors.retention import people_inactive
from newsletter.services.retention import (
    old_deliveries_count,
    old_deliveries_delete,
    pending_subscriptions_delete,
    pending_subscriptions_expired,
)
from portal.core.consent import consent_records_anonymise
from portal.core.models import ConsentPurpose
from portal.core.subjects import DataSubject
from portal.privacy.models import RetentionRun
from portal.privacy.registry import contributors
from portal.privacy.services import subject_erase

if TYPE_CHECKING:
    from members.models import Person

logger = logging.getLogger(__name__)

RULE_PEOPLE = "inactive_people"
RULE_PENDING = "pending_subscriptions"
RULE_DELIVERIES = "old_deliveries"
RULES = (RULE_PEOPLE, RULE_PENDING, RULE_DELIVERIES)
# Erasures that failed (logged); the next run tries them again.
FAILED = "failed"
REASON = "retention"
# Only one run at a time, whoever starts it (beat, a second beat, the command).
LOCK_KEY = 7_410_001


class RetentionBusy(Exception):
    """Another retention run holds the lock."""


@dataclass(frozen=True)
class RetentionPlan:
    """What a run at `now` removes: ids per rule (a count for deliveries, they are many)."""

    now: datetime
    people_before: datetime
    subscriptions_before: datetime
    deliveries_before: datetime
    people: tuple[int, ...]
    pending_subscriptions: tuple[int, ...]
    deliveries: int

    def counts(self) -> dict[str, int]:
        return {
            RULE_PEOPLE: len(self.people),
            RULE_PENDING: len(self.pending_subscriptions),
            RULE_DELIVERIES: self.deliveries,
        }


def years_before(moment: datetime, years: int) -> datetime:
    """The same day and time `years` years earlier (29 February → 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


# Inactive people ------------------------------------------------------------------------


def inactive_people(*, now: datetime, cutoff: datetime) -> QuerySet[Person]:
    """The records the first rule erases: no trace in any app since `cutoff` (each app's
    privacy module says what counts), not protected (members.privacy)."""
    traces = [
        trace
        for contributor in contributors()
        for trace in contributor.module.traces_since(cutoff=cutoff)
    ]
    return people_inactive(now=now, traces=reduce(operator.or_, traces))


# Plan and run ---------------------------------------------------------------------------


def retention_cutoffs(*, now: datetime) -> dict[str, datetime]:
    """{rule: the moment before which its rows go}, from the RETENTION_* settings."""
    return {
        RULE_PEOPLE: years_before(now, settings.RETENTION_INACTIVE_PEOPLE_YEARS),
        RULE_PENDING: now - timedelta(days=settings.RETENTION_PENDING_SUBSCRIPTION_DAYS),
        RULE_DELIVERIES: years_before(now, settings.RETENTION_DELIVERY_YEARS),
    }


def retention_plan(*, now: datetime | None = None) -> RetentionPlan:
    """What a run now would remove; nothing is changed."""
    now = now or timezone.now()
    cutoffs = retention_cutoffs(now=now)
    people_before = cutoffs[RULE_PEOPLE]
    subscriptions_before = cutoffs[RULE_PENDING]
    deliveries_before = cutoffs[RULE_DELIVERIES]
    people = inactive_people(now=now, cutoff=people_before).values_list("pk", flat=True)
    pending = pending_subscriptions_expired(before=subscriptions_before).order_by("pk")
    return RetentionPlan(
        now=now,
        people_before=people_before,
        subscriptions_before=subscriptions_before,
        deliveries_before=deliveries_before,
        people=tuple(people),
        pending_subscriptions=tuple(pending.values_list("pk", flat=True)),
        deliveries=old_deliveries_count(before=deliveries_before),
    )


@contextmanager
def _run_lock() -> Iterator[None]:
    """A PostgreSQL advisory lock held by this connection for the run (freed if it dies)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise RetentionBusy
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def retention_dry_run(*, now: datetime | None = None, actor=None) -> RetentionPlan:
    """The plan, recorded as a dry run (what would have gone, when, asked by whom)."""
    plan = retention_plan(now=now)
    moment = timezone.now()
    RetentionRun.objects.create(
        started_at=moment, finished_at=moment, dry_run=True, counts=plan.counts(), actor=actor
    )
    return plan


def _people_erase(*, people: QuerySet[Person], counts: dict[str, int], run: RetentionRun) -> None:
    for person in people:
        subject = DataSubject(email=person.email.strip().lower(), person=person)
        try:
            subject_erase(subject=subject, actor=None, reason=REASON)
        except Exception:
            logger.exception("Retention: the erasure of person %s failed.", person.pk)
            counts[FAILED] += 1
        else:
            counts[RULE_PEOPLE] += 1
        if (counts[RULE_PEOPLE] + counts[FAILED]) % 50 == 0:
            RetentionRun.objects.filter(pk=run.pk).update(counts=counts)


def retention_apply(
    *, plan: RetentionPlan | None = None, now: datetime | None = None, actor=None
) -> RetentionRun:
    """Remove what `plan` lists (a fresh plan when none is given) and record the run.

    Given an older plan, a person erased is one it lists who is still inactive now.
    Each erasure and each chunk commits on its own: an interrupted run keeps what it
    did (its record shows no end) and the next one goes on. Raises RetentionBusy when
    another run is going on.
    """
    with _run_lock():
        plan = plan or retention_plan(now=now)
        people = inactive_people(now=plan.now, cutoff=plan.people_before)
        counts = dict.fromkeys((*RULES, FAILED), 0)
        run = RetentionRun.objects.create(
            started_at=timezone.now(), dry_run=False, counts=counts, actor=actor
        )
        try:
            _people_erase(people=people.filter(pk__in=plan.people), counts=counts, run=run)
            emails = pending_subscriptions_delete(
                ids=plan.pending_subscriptions, before=plan.subscriptions_before
            )
            consent_records_anonymise(emails=emails, purpose=ConsentPurpose.NEWSLETTER)
            counts[RULE_PENDING] = len(emails)
            counts[RULE_DELIVERIES] = old_deliveries_delete(before=plan.deliveries_before)
            run.finished_at = timezone.now()
        finally:
            run.counts = counts
            run.save(update_fields=["counts", "finished_at"])
    logger.info("Retention run %s: %s", run.pk, counts)
    return run
