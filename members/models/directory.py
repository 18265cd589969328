"""The directory: organisations and people."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from portal.core.models import Commune, Department
from portal.core.validators import validate_siret


class OrganisationKind(models.TextChoices):
    COMMUNE = "commune", _("City")
    EPCI = "epci", _("Inter-municipal body (EPCI)")
    DEPARTEMENT = "departement", _("Département")
    STATE = "state", _("State service")
    PUBLIC_AGENCY = "public_agency", _("Public agency")
    SOCIAL_LANDLORD = "social_landlord", _("Social landlord")
    ASSOCIATION = "association", _("Association")
    COMPANY = "company", _("Company or social economy")
    OTHER = "other", _("Other")


# Bodies paid by public accountants: invoices go through Chorus Pro as Factur-X.
PUBLIC_BODY_KINDS = frozenset(
    {
        OrganisationKind.COMMUNE,
        OrganisationKind.EPCI,
        OrganisationKind.DEPARTEMENT,
        OrganisationKind.STATE,
        OrganisationKind.PUBLIC_AGENCY,
    }
)


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    address = models.TextField(_("address"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("town"), max_length=100, blank=True)
    commune = models.ForeignKey(
        Commune, models.SET_NULL, null=True, blank=True, related_name="organisations",
        verbose_name=_("commune"), help_text=_("For a city: the commune it administers."),
    )  # fmt: skip
    department = models.ForeignKey(
        Department, models.SET_NULL, null=True, blank=True, related_name="organisations",
        verbose_name=_("département"),
    )  # fmt: skip
    inhabitants = models.PositiveIntegerField(
        _("inhabitants"), null=True, blank=True,
        help_text=_("Population used for dues when it is not the commune's legal population."),
    )  # fmt: skip
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_funder = models.BooleanField(_("funder"), default=False)
    chorus_service_code = models.CharField(
        _("Chorus Pro service code"), max_length=100, blank=True,
        help_text=_("Required by some public bodies to route invoices in Chorus Pro."),
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind"]), models.Index(Lower("name"), name="org_lname")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public_body(self) -> bool:
        return self.kind in PUBLIC_BODY_KINDS

    def shown_when_created(self) -> bool:
        """No public page shows a new organisation: a membership or an action's partners
        link it first, and those writes drop the page cache (portal.core.pagecache)."""
        return False

    def population(self) -> int | None:
        """Inhabitants for per-inhabitant dues: the override, else the commune's population."""
        if self.inhabitants is not None:
            return self.inhabitants
        return self.commune.population if self.commune_id else None

    def clean(self) -> None:
        super().clean()
        if self.commune_id and not self.department_id:
            self.department_id = self.commune.department_id


class ActorType(models.TextChoices):
    COLLECTIVITY_STAFF = "collectivity_staff", _("Local authority staff")
    ELECTED = "elected", _("Elected official")
    ASSOCIATION = "association", _("Association")
    STATE = "state", _("State or institution")
    RESIDENT = "resident", _("Resident")
    RESEARCHER = "researcher", _("Researcher or expert")
    OTHER = "other", _("Other")


class Person(models.Model):
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    actor_type = models.CharField(
        _("type of actor"), max_length=20, choices=ActorType.choices, default=ActorType.OTHER
    )
    organisation = models.ForeignKey(
        Organisation, models.SET_NULL, null=True, blank=True, related_name="people",
        verbose_name=_("organisation"),
    )  # fmt: skip
    department = models.ForeignKey(
        Department, models.SET_NULL, null=True, blank=True, related_name="people",
        verbose_name=_("département"),
    )  # fmt: skip
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="person",
        verbose_name=_("user account"),
    )  # fmt: skip
    is_member_contact = models.BooleanField(
        _("member contact"), default=False,
        help_text=_("May invite colleagues of the organisation to the member space."),
    )  # fmt: skip
    consent_processing_at = models.DateTimeField(_("consent to processing"), null=True, blank=True)
    consent_communications_at = models.DateTimeField(
        _("consent to communications"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="members_person_email_ci_unique",
                violation_error_message=_("A person with this email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()
