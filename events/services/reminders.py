"""The reminder sent two days before a session to each confirmed person, once.

A registration is claimed by setting `reminder_sent_at` in a short transaction
(an UPDATE … WHERE reminder_sent_at IS NULL: two runs cannot both claim it); the
message is then sent outside any transaction. If the mail server refuses it, the
claim is given back so that the next run tries again; if the process dies after
the server took the message, the registration stays claimed and is never
reminded twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from events.emails import registration_reminder_build
from events.models import Registration, RegistrationStatus
from events.selectors.agenda import registration_for_email, reminder_candidates

logger = logging.getLogger(__name__)

# Sessions starting before the end of the day after tomorrow are reminded.
REMINDER_DAYS = 2


def _reminder_claim(*, registration_id: int, now: datetime) -> bool:
    with transaction.atomic():
        claimed = Registration.objects.filter(
            pk=registration_id,
            status=RegistrationStatus.CONFIRMED,
            reminder_sent_at__isnull=True,
        ).update(reminder_sent_at=now)
    return claimed == 1


def _reminder_release(*, registration_id: int, claimed_at: datetime) -> None:
    Registration.objects.filter(pk=registration_id, reminder_sent_at=claimed_at).update(
        reminder_sent_at=None
    )


def session_reminders_send(*, now: datetime | None = None) -> int:
    """Remind the people confirmed for a session starting within two days; returns the count.

    The window ends at midnight (site time) after the day after tomorrow, so a daily run
    reminds each session two days before, and a run missed or late still catches up.
    """
    now = now or timezone.now()
    last_day = timezone.localtime(now).date() + timedelta(days=REMINDER_DAYS + 1)
    until = timezone.make_aware(datetime.combine(last_day, time.min))
    candidates = list(reminder_candidates(now=now, until=until).values_list("pk", flat=True))
    sent = 0
    failures: list[Exception] = []
    for registration_id in candidates:
        if not _reminder_claim(registration_id=registration_id, now=now):
            continue  # cancelled meanwhile, or claimed by another run
        registration = registration_for_email(registration_id=registration_id)
        if registration is None:
            continue
        try:
            registration_reminder_build(registration=registration).send()
        except Exception as error:  # the server did not take it: give the claim back
            logger.exception("The reminder of registration %s could not be sent.", registration_id)
            _reminder_release(registration_id=registration_id, claimed_at=now)
            failures.append(error)
            continue
        sent += 1
    if failures:
        raise failures[0]
    return sent
