"""Celery wrappers around the members services (ids in, nothing out)."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def document_render_pdf(kind: str, pk: int) -> None:
    """Render and attach the PDF of an issued document; does nothing if already attached."""
    from members.documents import document_attach_pdf

    document_attach_pdf(kind=kind, pk=pk)


# Idempotent (see members.services.campaigns), so a run lost with its worker is redone.
# Its own time limits: a few thousand members, well under the broker's visibility timeout.
@shared_task(acks_late=True, soft_time_limit=30 * 60, time_limit=35 * 60)
def dues_campaign_run(campaign_id: int) -> None:
    """Renew last year's members and issue their dues calls, recording the progress."""
    from members.services.campaigns import dues_campaign_run as run

    run(campaign_id=campaign_id)


# Each reminder step is claimed by a unique row in the transaction that records its
# message, so a re-run records nothing twice; the mail task sends (portal.core.mail).
@shared_task(acks_late=True)
def invoice_reminders_send() -> None:
    """Record the reminders of unpaid dues calls due today (beat: "dues-reminders")."""
    from members.services.reminders import invoice_reminders_send as send

    send()


# The invoice is claimed (sent_at, under its row lock) in the transaction that records its
# message, so a retry or a re-delivery mails nothing twice; the mail task sends it.
@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def invoice_call_send(invoice_id: int) -> None:
    """Mail a dues call issued by a campaign to its payer, with its PDF attached."""
    from members.services.dues_calls import invoice_call_send as send

    send(invoice_id=invoice_id)
