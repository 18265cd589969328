"""Yearly memberships and the dues rules that price them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models.directory import Organisation, OrganisationKind, Person

CENT = Decimal("0.01")


class MembershipCategory(models.TextChoices):
    """The categories of the annual report's list of members."""

    CITY = "city", _("City")
    EPCI = "epci", _("Inter-municipal body")
    ASSOCIATION = "association", _("Association")
    INDIVIDUAL = "individual", _("Individual")
    OTHER = "other", _("Other organisation")


CATEGORY_BY_KIND = {
    OrganisationKind.COMMUNE: MembershipCategory.CITY,
    OrganisationKind.EPCI: MembershipCategory.EPCI,
    OrganisationKind.ASSOCIATION: MembershipCategory.ASSOCIATION,
}


class DuesMode(models.TextChoices):
    PER_INHABITANT = "per_inhabitant", _("Per inhabitant")
    FLAT = "flat", _("Flat amount")


class DuesRule(models.Model):
    """How much a category pays in a year, as voted by the board."""

    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=20, choices=MembershipCategory.choices)
    mode = models.CharField(_("mode"), max_length=20, choices=DuesMode.choices)
    rate = models.DecimalField(
        _("rate per inhabitant (€)"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    flat_amount = models.DecimalField(
        _("flat amount (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["-year", "category"]
        verbose_name = _("dues rule")
        verbose_name_plural = _("dues rules")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "category"],
                name="members_duesrule_one_per_category_year",
                violation_error_message=_("This category already has a rule for this year."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        mode=DuesMode.PER_INHABITANT,
                        rate__isnull=False,
                        rate__gt=0,
                        flat_amount__isnull=True,
                    )
                    | Q(
                        mode=DuesMode.FLAT,
                        flat_amount__isnull=False,
                        flat_amount__gte=0,
                        rate__isnull=True,
                    )
                ),
                name="members_duesrule_mode_amount",
                violation_error_message=_(
                    "A per-inhabitant rule needs a positive rate only; a flat rule an amount only."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.year}"

    def amount_for(self, population: int | None) -> Decimal:
        """The dues, rounded half-up to the cent."""
        if self.mode == DuesMode.FLAT:
            return self.flat_amount.quantize(CENT, ROUND_HALF_UP)
        if population is None:
            raise ValidationError(
                _("The population is needed to compute per-inhabitant dues."), code="population"
            )
        return (self.rate * population).quantize(CENT, ROUND_HALF_UP)


class MembershipStatus(models.TextChoices):
    TO_INVOICE = "to_invoice", _("To invoice")
    INVOICED = "invoiced", _("Invoiced")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(cancelled_at__isnull=True)

    def for_year(self, year: int) -> MembershipQuerySet:
        return self.filter(year=year)


class Membership(models.Model):
    """One member's membership for one year: an organisation, or a person on their own."""

    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=20, choices=MembershipCategory.choices)
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, related_name="memberships",
        verbose_name=_("organisation"),
    )  # fmt: skip
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="memberships",
        verbose_name=_("individual member"),
    )  # fmt: skip
    population_used = models.PositiveIntegerField(_("population used"), null=True, blank=True)
    rate_used = models.DecimalField(
        _("rate used (€)"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    amount = models.DecimalField(_("dues (€)"), max_digits=10, decimal_places=2)
    commitment_number = models.CharField(
        _("commitment number"), max_length=50, blank=True,
        help_text=_("The payer's « numéro d'engagement », printed on the invoice."),
    )  # fmt: skip
    decision_reference = models.CharField(
        _("council decision"), max_length=100, blank=True,
        help_text=_("Reference and date of the deliberation that decided to join."),
    )  # fmt: skip
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # A year brought in from the centre's spreadsheets has no invoice in the portal: its
    # status is the one recorded then (members.imports), until an invoice is issued.
    recorded_status = models.CharField(
        _("status recorded before the portal"), max_length=20, blank=True,
        choices=MembershipStatus.choices,
        help_text=_("Imported with the membership; used while it has no invoice."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(organisation__isnull=False, person__isnull=True)
                    | Q(organisation__isnull=True, person__isnull=False)
                ),
                name="members_membership_one_member",
                violation_error_message=_(
                    "A membership is either an organisation's or a person's."
                ),
            ),
            models.UniqueConstraint(
                fields=["organisation", "year"],
                condition=Q(organisation__isnull=False),
                name="members_membership_org_year_unique",
                violation_error_message=_("This organisation already has a membership this year."),
            ),
            models.UniqueConstraint(
                fields=["person", "year"],
                condition=Q(person__isnull=False),
                name="members_membership_person_year_unique",
                violation_error_message=_("This person already has a membership this year."),
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="members_membership_amount"),
        ]
        indexes = [models.Index(fields=["year", "category"])]

    def __str__(self) -> str:
        return f"{self.member} — {self.year}"

    @property
    def member(self) -> Organisation | Person:
        return self.organisation if self.organisation_id else self.person


class MembershipRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class MembershipRequest(models.Model):
    """A request to join sent from the public page; staff accept or reject it."""

    organisation_name = models.CharField(
        _("organisation"), max_length=200, blank=True,
        help_text=_("Leave empty to join as an individual."),
    )  # fmt: skip
    kind = models.CharField(
        _("kind of organisation"), max_length=20, choices=OrganisationKind.choices, blank=True
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    message = models.TextField(_("message"), blank=True)
    consent_at = models.DateTimeField(_("consent given"))
    status = models.CharField(
        _("status"), max_length=10, choices=MembershipRequestStatus.choices,
        default=MembershipRequestStatus.PENDING,
    )  # fmt: skip
    handled_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("handled by"),
    )  # fmt: skip
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    membership = models.ForeignKey(
        Membership, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("membership created"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("membership request")
        verbose_name_plural = _("membership requests")

    def __str__(self) -> str:
        return self.organisation_name or f"{self.first_name} {self.last_name}"
