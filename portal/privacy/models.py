"""Records of the privacy app: erasure requests (two staff members each) and retention runs.

An erasure request names its subject by email only until it is done: then the address is
emptied and a SHA-256 fingerprint stays, so the record proves an erasure took place
without holding the data it erased.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ErasureStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for confirmation")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ErasureRequest(models.Model):
    """An erasure asked for by one staff member, carried out when another confirms it."""

    subject_email = models.EmailField(
        _("email"), blank=True, help_text=_("Emptied once the erasure is done.")
    )
    email_sha256 = models.CharField(_("email fingerprint (SHA-256)"), max_length=64, db_index=True)
    person = models.ForeignKey(
        "members.Person", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("person"),
    )  # fmt: skip
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
        verbose_name=_("requested by"),
    )  # fmt: skip
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("confirmed by"),
    )  # fmt: skip
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ErasureStatus.choices, default=ErasureStatus.REQUESTED
    )
    # Rows changed or deleted, per model label ("events.evaluation": 2).
    counts = models.JSONField(_("rows changed"), default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("requested_by")),
                name="privacy_erasure_confirmed_by_another",
                violation_error_message=_("Another staff member must confirm the erasure."),
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(subject_email="") & Q(confirmed_at__isnull=False)),
                name="privacy_erasure_done_keeps_no_email",
            ),
            models.UniqueConstraint(
                fields=["email_sha256"],
                condition=Q(status="requested"),
                name="privacy_erasure_one_open_per_email",
                violation_error_message=_(
                    "An erasure of this address is already waiting for confirmation."
                ),
            ),
        ]

    def __str__(self) -> str:
        return _("Erasure request no. %(pk)s") % {"pk": self.pk}


class RetentionRun(models.Model):
    """One application (or dry run) of the retention rules: when, by whom, what went."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    # Rows removed (or that would be, for a dry run) per rule.
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("started by"),
    )  # fmt: skip

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return _("Retention run no. %(pk)s") % {"pk": self.pk}


class SubjectLookup(ErasureRequest):
    """No data of its own: the back office's « personal data of a person » page hangs on it."""

    class Meta:
        proxy = True
        default_permissions = ()
        verbose_name = _("personal data of a person")
        verbose_name_plural = _("personal data of a person")
