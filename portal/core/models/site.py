"""The centre's identity, edited by staff, read by the layout, invoices and reports."""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from portal.core.pagecache import kept_while_unchanged
from portal.core.validators import validate_iban, validate_siret

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))
account_code = RegexValidator(r"^[0-9A-Z]+$", _("Enter digits and capital letters only."))


def _lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]


class AccessibilityStatus(models.TextChoices):
    """The three conformity states of the RGAA; without an audit a site is "non compliant"."""

    COMPLIANT = "compliant", _("fully compliant")
    PARTIAL = "partial", _("partially compliant")
    NON_COMPLIANT = "non_compliant", _("non compliant")


class SiteSettings(models.Model):
    """The centre's identity, one row, edited by staff; read by layout, invoices, reports."""

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
        help_text=_(
            "Anything else the legal notice page should say: the association's status, "
            "credits, intellectual property."
        ),
    )
    # Legal notice (LCEN art. 6 III): who answers for the content, who hosts the site.
    publication_director = models.CharField(
        _("director of publication"),
        max_length=200,
        blank=True,
        help_text=_("Usually the association's president, by name."),
    )
    host_name = models.CharField(_("host"), max_length=200, blank=True)
    host_address = models.TextField(_("host's address"), blank=True)
    host_phone = models.CharField(_("host's phone"), max_length=30, blank=True)
    # Accessibility statement (RGAA model): what varies from one audit to the next.
    accessibility_status = models.CharField(
        _("accessibility conformity"),
        max_length=20,
        choices=AccessibilityStatus.choices,
        default=AccessibilityStatus.NON_COMPLIANT,
        help_text=_(
            "Fully: every RGAA criterion met; partially: at least half of them; "
            "non compliant: less than half, or no audit yet."
        ),
    )
    accessibility_rate = models.DecimalField(
        _("RGAA criteria met (%)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    accessibility_audit_date = models.DateField(
        _("accessibility audit date"), null=True, blank=True
    )
    accessibility_audit_basis = models.TextField(
        _("audit basis"),
        blank=True,
        help_text=_("Who carried out the audit, on which pages, with which tools."),
    )
    accessibility_non_accessible = models.TextField(
        _("non-accessible content"),
        blank=True,
        help_text=_("One item per line: the content or function and what is wrong with it."),
    )
    accessibility_derogations = models.TextField(
        _("derogations for disproportionate burden"),
        blank=True,
        help_text=_("One item per line; leave empty if none."),
    )
    accessibility_statement_date = models.DateField(
        _("date of the accessibility statement"), null=True, blank=True
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
    # The sales journal (members.selectors.journal): accounts of the French chart for
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

    def clean(self) -> None:
        super().clean()
        self.iban = self.iban.replace(" ", "").upper()
        self._clean_accessibility()

    def _clean_accessibility(self) -> None:
        """The state follows the rate as the RGAA defines it; a rate needs an audit date."""
        rate, status = self.accessibility_rate, self.accessibility_status
        if rate is not None and self.accessibility_audit_date is None:
            raise ValidationError(
                {"accessibility_audit_date": _("Give the date of the audit that found this rate.")}
            )
        if rate is None:
            if status != AccessibilityStatus.NON_COMPLIANT:
                raise ValidationError(
                    {"accessibility_rate": _("Give the rate found by the audit for this state.")}
                )
            return
        expected = (
            AccessibilityStatus.COMPLIANT
            if rate >= 100
            else AccessibilityStatus.PARTIAL
            if rate >= 50
            else AccessibilityStatus.NON_COMPLIANT
        )
        if status != expected:
            raise ValidationError(
                {
                    "accessibility_status": _(
                        "With %(rate)s %% of the criteria met, the RGAA state is « %(state)s »."
                    )
                    % {"rate": number_format(rate), "state": expected.label}
                }
            )

    @property
    def accessibility_non_accessible_items(self) -> list[str]:
        return _lines(self.accessibility_non_accessible)

    @property
    def accessibility_derogation_items(self) -> list[str]:
        return _lines(self.accessibility_derogations)

    @classmethod
    def load(cls) -> SiteSettings:
        """The settings row, kept in each process while the public content is unchanged
        (a save moves pagecache.content_version() on); created with defaults if missing.
        Each caller gets its own copy, free to change."""
        return copy.copy(_settings_row())


@kept_while_unchanged
def _settings_row() -> SiteSettings:
    settings, _created = SiteSettings.objects.get_or_create(
        pk=1, defaults={"name": "Pôle ressources ville et développement social"}
    )
    return settings
