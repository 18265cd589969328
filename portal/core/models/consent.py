"""Records of consent: what a person agreed to, when, on which form (RGPD art. 7.1)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.formats import format_datetime


class ConsentPurpose(models.TextChoices):
    EVENT_REGISTRATION = "event_registration", _("Event registration")
    INFODOC_REQUEST = "infodoc_request", _("Info-doc request")
    NEWSLETTER = "newsletter", _("Newsletter subscription")
    MEMBERSHIP_REQUEST = "membership_request", _("Membership request")
    ACCOUNT = "account", _("User account")


# The source of consents taken over from a file rather than given on a form.
IMPORT_SOURCE = "import"


class ConsentRecord(models.Model):
    """One consent as given: the exact wording shown, kept to prove it (never edited).

    The directory record is linked by a string reference, so this lowest layer imports
    nothing from the members app. Erasure empties the address and IP and keeps the row.
    """

    email = models.EmailField(_("email"), blank=True)
    person = models.ForeignKey(
        "members.Person", models.SET_NULL, null=True, blank=True, related_name="consent_records",
        verbose_name=_("person"),
    )  # fmt: skip
    purpose = models.CharField(_("purpose"), max_length=30, choices=ConsentPurpose.choices)
    wording = models.TextField(_("wording"), help_text=_("The text the person agreed to."))
    source = models.CharField(
        _("source"), max_length=100, help_text=_("The form (its URL name), or « import »."),
    )  # fmt: skip
    given_at = models.DateTimeField(_("given"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [models.Index(fields=["email"], name="core_consent_email_idx")]

    def __str__(self) -> str:
        when = format_datetime(self.given_at)
        return f"{self.get_purpose_display()} — {when}"
