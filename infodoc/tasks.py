"""Celery wrappers around the info-doc services (ids in, nothing out)."""

from celery import shared_task


# Each loan is claimed (reminder_sent_at) in the transaction that records its message, so
# a re-run reminds nobody twice; the mail task sends the messages (portal.core.mail).
@shared_task(acks_late=True)
def loan_reminders_send() -> int:
    """Remind once the borrowers of overdue loans (beat: "loan-reminders", daily)."""
    from infodoc.services.loans import loan_reminders_send as send

    return send()
