"""One row per (issue, subscriber): the unit that sending claims, sends and records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from newsletter.models.issues import Issue
from newsletter.models.subscribers import Subscriber


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    SENT = "sent", pgettext_lazy("delivery", "Sent")
    FAILED = "failed", pgettext_lazy("delivery", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("delivery", "Cancelled")


class Delivery(models.Model):
    """Claimed with skip-locked and a lease, marked sent right after the server accepts it."""

    id = models.BigAutoField(primary_key=True)
    issue = models.ForeignKey(
        Issue, models.CASCADE, related_name="deliveries", verbose_name=_("issue"),
        db_index=False,  # the unique (issue, subscriber) index serves it
    )  # fmt: skip
    subscriber = models.ForeignKey(
        Subscriber, models.CASCADE, related_name="deliveries", verbose_name=_("subscriber"),
        db_index=False,  # delivery_subscriber_idx serves it
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Not claimed again before this time (backoff after a temporary error).
    available_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # While sending: the claim expires then, and the sweeper queues the row again.
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=250, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["issue", "pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="delivery_issue_subscriber_unique"
            ),
        ]
        indexes = [
            # Claiming (queued rows of an issue, oldest first), progress counts, and the
            # back office's list of an issue's deliveries filtered by status.
            models.Index(fields=["issue", "status", "id"], name="delivery_issue_status_idx"),
            models.Index(fields=["issue", "id"], name="delivery_issue_idx"),
            models.Index(fields=["status", "id"], name="delivery_status_idx"),
            # The sweeper: expired leases.
            models.Index(
                fields=["lease_until"], condition=models.Q(status="sending"),
                name="delivery_lease_idx",
            ),
            # The sending rate of the last minute.
            models.Index(fields=["issue", "sent_at"], name="delivery_issue_sent_idx"),
            models.Index(fields=["subscriber", "issue"], name="delivery_subscriber_idx"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.issue.number} → {self.subscriber_id}"
