"""Addresses erased at their owner's request, kept as fingerprints only."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ErasedAddress(models.Model):
    """The SHA-256 of an address whose data were erased (portal.privacy): no import and
    no staff form may bring it back; only its owner can, through a public form."""

    email_sha256 = models.CharField(_("email fingerprint (SHA-256)"), max_length=64, unique=True)
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)

    class Meta:
        verbose_name = _("erased address")
        verbose_name_plural = _("erased addresses")

    def __str__(self) -> str:
        return f"sha256:{self.email_sha256[:16]}"
