"""The centre's identity, edited by staff, read by the layout, invoices and reports."""

from __future__ import annotations

from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.validators import validate_iban, validate_siret

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))
account_code = RegexValidator(r"^[0-9A-Z]+$", _("Enter digits and capital letters only."))


class SiteSettings(models.Model):
    """The centre's identity, one row, edited by staff; read by layout, invoices, reports."""

    CACHE_KEY = "core:site-settings"

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    logo = models.ImageField(_("logo"), upload_to="site/", blank=True)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1d4e89", validators=[hex_colour]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#b3261e", validators=[hex_colour]
    )
    legal_mentions = models.TextField(
        _("legal notice"),
        blank=True,
        help_text=_("Publisher, director of publication, host; shown on the legal notice page."),
    )
    iban = models.CharField(
        _("IBAN"),
        max_length=34,
        blank=True,
        validators=[validate_iban],
        help_text=_("Printed on dues calls for payment by transfer."),
    )
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    payment_days = models.PositiveSmallIntegerField(
        _("payment term (days)"),
        default=30,
        help_text=_("Days between the issue of a dues call and its due date."),
    )
    vat_mention = models.CharField(
        _("VAT mention"), max_length=200, default="TVA non applicable, art. 293 B du CGI"
    )
    # The sales journal (members.selectors_journal): accounts of the French chart for
    # associations, and the journal codes the accountant's software expects.
    customer_account = models.CharField(
        _("members account"), max_length=20, default="411000", validators=[account_code],
        help_text=_("Debited by dues calls, credited by payments and credit notes (411…)."),
    )  # fmt: skip
    dues_account = models.CharField(
        _("dues account"), max_length=20, default="756000", validators=[account_code],
        help_text=_("Revenue account of the dues (756… « Cotisations »)."),
    )  # fmt: skip
    bank_account = models.CharField(
        _("bank account"), max_length=20, default="512000", validators=[account_code],
        help_text=_("Debited by payments received (512…)."),
    )  # fmt: skip
    sales_journal = models.CharField(
        _("sales journal"), max_length=10, default="VT", validators=[account_code],
        help_text=_("Journal code of dues calls and credit notes."),
    )  # fmt: skip
    bank_journal = models.CharField(
        _("bank journal"), max_length=10, default="BQ", validators=[account_code],
        help_text=_("Journal code of payments received."),
    )  # fmt: skip
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="core_sitesettings_singleton"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    def clean(self) -> None:
        super().clean()
        self.iban = self.iban.replace(" ", "").upper()

    @classmethod
    def load(cls) -> SiteSettings:
        """The settings row, cached in Redis; created with defaults if missing."""
        settings = cache.get(cls.CACHE_KEY)
        if settings is None:
            settings, _created = cls.objects.get_or_create(
                pk=1, defaults={"name": "Pôle ressources ville et développement social"}
            )
            cache.set(cls.CACHE_KEY, settings, 3600)
        return settings
