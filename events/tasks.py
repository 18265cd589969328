"""Celery wrappers around the events services (ids in, nothing out)."""

from celery import shared_task


# Each registration is claimed (reminder_sent_at) in the transaction that records its
# message, so a re-run reminds nobody twice; the mail task sends (portal.core.mail).
@shared_task(acks_late=True)
def session_reminders_send() -> None:
    """Remind confirmed people of their session two days before (beat: "session-reminders")."""
    from events.services.reminders import session_reminders_send as send

    send()


# Each attendance is claimed (evaluation_sent_at) in the transaction that records its
# message, so a re-run sends nothing twice; the mail task sends (portal.core.mail).
@shared_task(acks_late=True)
def evaluations_send() -> None:
    """Email the questionnaire of the sessions ended lately (beat: "events-evaluations")."""
    from events.services.evaluations import evaluations_send as send

    send()


# Safe to deliver again: the request is claimed (queued → sent) in the transaction that
# records its message; a passing error while rendering the PDF is retried.
@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def certificate_mailing_send(mailing_id: int) -> None:
    """Render an attendance certificate asked for by staff and record its message
    (see events.services.certificates); the mail task sends it."""
    from events.services.certificates import certificate_mailing_send as send

    send(mailing_id=mailing_id)
