"""Celery wrappers around the info-doc services (ids in, nothing out)."""

from smtplib import SMTPException

from celery import shared_task


# Each loan is claimed (reminder_sent_at) before its message is sent, so a re-run sends
# nothing twice; a refused message gives its claim back and the task retries later.
@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    max_retries=3,
    retry_backoff=60,
)
def loan_reminders_send() -> int:
    """Remind once the borrowers of overdue loans (beat: "loan-reminders", daily)."""
    from infodoc.services.loans import loan_reminders_send as send

    return send()
