"""Celery wrappers around the events services (ids in, nothing out)."""

from smtplib import SMTPException

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


@shared_task(bind=True, max_retries=5)
def certificate_mailing_send(self, mailing_id: int) -> None:
    """Mail an attendance certificate asked for by staff (see events.services.certificates);
    passing SMTP errors are retried with backoff, the last try marks the request failed."""
    from events.services.certificates import certificate_mailing_send as send

    try:
        send(mailing_id=mailing_id, last_try=self.request.retries >= self.max_retries)
    except (SMTPException, ConnectionError, TimeoutError) as error:
        raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error
