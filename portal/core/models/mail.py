"""Transactional mail, recorded in the transaction that causes it and sent by a task.

See portal.core.mail: a message is stored here as the bytes it will be sent as (its
Message-ID and date fixed when recorded), then a Celery task claims the row, sends it
and marks it sent; temporary refusals wait with backoff, permanent ones fail the row.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutgoingMailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    SENT = "sent", pgettext_lazy("delivery", "Sent")
    FAILED = "failed", _("Failed")


class OutgoingMail(models.Model):
    """One transactional message (confirmation, acknowledgement, invoice, reminder...)."""

    to = models.TextField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    # Envelope recipients (To, Cc and Bcc: Bcc is not in the message itself).
    recipients = models.JSONField(_("envelope recipients"), default=list)
    from_email = models.CharField(_("sender"), max_length=255)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    content = models.BinaryField(_("message"))
    status = models.CharField(
        _("status"), max_length=10, choices=OutgoingMailStatus.choices,
        default=OutgoingMailStatus.QUEUED,
    )  # fmt: skip
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True, db_index=True)
    # A queued row is not tried before this moment (the backoff after a refusal).
    available_at = models.DateTimeField(_("next try"), null=True, blank=True)
    # A row being sent belongs to its worker until then; the sweeper queues it again after.
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("transactional email")
        verbose_name_plural = _("transactional emails")
        indexes = [
            models.Index(
                fields=["status", "created_at"],
                name="core_outmail_pending_idx",
                condition=models.Q(status__in=["queued", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
