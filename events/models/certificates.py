"""Attendance certificates mailed on request: one row per « send it » click."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models.actions import Action
from members.models import Person


class CertificateMailingStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class CertificateMailing(models.Model):
    """A staff member asked to mail a person's attendance certificate for an action.

    Recorded in the request's transaction, then sent by a task. `request_key` comes from
    the confirmation form: a second click of the same form finds its row and sends
    nothing (the unique constraint settles two clicks at the same instant).
    """

    action = models.ForeignKey(
        Action, models.CASCADE, related_name="certificate_mailings", verbose_name=_("action")
    )
    person = models.ForeignKey(
        Person, models.CASCADE, related_name="certificate_mailings", verbose_name=_("person")
    )
    recipient = models.EmailField(_("recipient"))
    request_key = models.UUIDField(_("request key"), unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=CertificateMailingStatus.choices,
        default=CertificateMailingStatus.QUEUED,
    )  # fmt: skip
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"),
    )  # fmt: skip
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("certificate mailing")
        verbose_name_plural = _("certificate mailings")
        indexes = [models.Index(fields=["action", "person"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.action}"
