"""The reminder sent two days before a session to each confirmed person, once.

A registration is claimed by setting `reminder_sent_at` (an UPDATE … WHERE
reminder_sent_at IS NULL: two runs cannot both claim it) in the transaction that
records its message; the mail task sends it, retrying while the mail server is away
(portal.core.mail). A claimed registration is never reminded twice.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from events.emails import registration_reminder_build
from events.models import Registration, RegistrationStatus
from events.selectors.agenda import registration_for_email, reminder_candidates
from portal.core.mail import mail_queue

# Sessions starting before the end of the day after tomorrow are reminded.
REMINDER_DAYS = 2


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
    for registration_id in candidates:
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=registration_id,
                status=RegistrationStatus.CONFIRMED,
                reminder_sent_at__isnull=True,
            ).update(reminder_sent_at=now)
            if not claimed:
                continue  # cancelled meanwhile, or claimed by another run
            registration = registration_for_email(registration_id=registration_id)
            if registration is None:
                continue
            mail_queue(registration_reminder_build(registration=registration))
        sent += 1
    return sent
