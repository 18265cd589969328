"""Spreadsheet exports of the directory and of memberships (django-import-export).

The imports are members.imports (portal.core.sheets); an export's columns carry the
import's labels, so that a file exported, corrected and imported back updates the same
records. References use what staff know: the département code, the commune's INSEE
code, the organisation's name.

Names may come from public forms: the formats (portal.core.sheets.exports) guard every text
a spreadsheet would run as a formula.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from members.models import ActorType, Membership, Organisation, OrganisationKind, Person
from members.selectors.memberships import membership_status
from portal.core.sheets.exports import ChoiceLabelWidget, TextWidget, YesNoWidget

# Resources ---------------------------------------------------------------------


class DirectoryResource(resources.ModelResource):
    """Headers in the active language (French on the site)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for field in self.fields.values():
            field.column_name = str(field.column_name)

    @classmethod
    def column_labels(cls) -> dict[str, str]:
        """Field name → column header, in the active language."""
        return {name: str(field.column_name) for name, field in cls().fields.items()}


class OrganisationResource(DirectoryResource):
    id = fields.Field("id", _("ID"), widgets.IntegerWidget())
    name = fields.Field("name", _("Name"), TextWidget())
    kind = fields.Field("kind", _("Kind"), ChoiceLabelWidget(OrganisationKind))
    siret = fields.Field("siret", _("SIRET"), TextWidget())
    address = fields.Field("address", _("Address"), TextWidget())
    postcode = fields.Field("postcode", _("Postcode"), TextWidget())
    city = fields.Field("city", _("Town"), TextWidget())
    commune = fields.Field(column_name=_("Commune INSEE code"), readonly=True)
    department = fields.Field(column_name=_("Département"), readonly=True)
    inhabitants = fields.Field("inhabitants", _("Inhabitants"), widgets.IntegerWidget())
    email = fields.Field("email", _("Email"), TextWidget())
    phone = fields.Field("phone", _("Phone"), TextWidget())
    website = fields.Field("website", _("Website"), TextWidget())
    is_funder = fields.Field("is_funder", _("Funder"), YesNoWidget())
    chorus_service_code = fields.Field(
        "chorus_service_code", _("Chorus Pro service code"), TextWidget()
    )
    is_active = fields.Field("is_active", _("Active"), YesNoWidget())

    class Meta:
        model = Organisation
        name = _("Organisations")
        fields = (
            "id", "name", "kind", "siret", "address", "postcode", "city", "commune",
            "department", "inhabitants", "email", "phone", "website", "is_funder",
            "chorus_service_code", "is_active",
        )  # fmt: skip

    def get_queryset(self):
        return Organisation.objects.select_related("commune", "department")

    def dehydrate_commune(self, organisation: Organisation) -> str:
        return organisation.commune.insee_code if organisation.commune_id else ""

    def dehydrate_department(self, organisation: Organisation) -> str:
        return organisation.department.code if organisation.department_id else ""


class PersonResource(DirectoryResource):
    id = fields.Field("id", _("ID"), widgets.IntegerWidget())
    first_name = fields.Field("first_name", _("First name"), TextWidget())
    last_name = fields.Field("last_name", _("Last name"), TextWidget())
    email = fields.Field("email", _("Email"), TextWidget())
    phone = fields.Field("phone", _("Phone"), TextWidget())
    job_title = fields.Field("job_title", _("Job title"), TextWidget())
    actor_type = fields.Field("actor_type", _("Type of actor"), ChoiceLabelWidget(ActorType))
    organisation = fields.Field(column_name=_("Organisation"), readonly=True)
    department = fields.Field(column_name=_("Département"), readonly=True)
    is_member_contact = fields.Field("is_member_contact", _("Member contact"), YesNoWidget())

    class Meta:
        model = Person
        name = _("People")
        fields = (
            "id", "first_name", "last_name", "email", "phone", "job_title", "actor_type",
            "organisation", "department", "is_member_contact",
        )  # fmt: skip

    def get_queryset(self):
        return Person.objects.select_related("organisation", "department")

    def dehydrate_organisation(self, person: Person) -> str:
        return person.organisation.name if person.organisation_id else ""

    def dehydrate_department(self, person: Person) -> str:
        return person.department.code if person.department_id else ""


class MembershipResource(DirectoryResource):
    """One line per membership with its money and derived status; the columns of the
    memberships' import among them."""

    year = fields.Field("year", _("Year"), widgets.IntegerWidget())
    member = fields.Field(column_name=_("Member"), readonly=True)
    siret = fields.Field(column_name=_("SIRET"), readonly=True)
    email = fields.Field(column_name=_("Email"), readonly=True)
    department = fields.Field(column_name=_("Département code"), readonly=True)
    category = fields.Field(column_name=_("Category"), readonly=True)
    population_used = fields.Field("population_used", _("Population used"), readonly=True)
    amount = fields.Field("amount", _("Dues (€)"), widgets.DecimalWidget(), readonly=True)
    invoiced = fields.Field(
        "invoiced_amount", _("Invoiced (€)"), widgets.DecimalWidget(), readonly=True
    )
    paid = fields.Field("paid_amount", _("Paid (€)"), widgets.DecimalWidget(), readonly=True)
    status = fields.Field(column_name=_("Status"), readonly=True)
    commitment_number = fields.Field(
        "commitment_number", _("Commitment number"), TextWidget(), readonly=True
    )
    decision_reference = fields.Field(
        "decision_reference", _("Council decision"), TextWidget(), readonly=True
    )

    class Meta:
        model = Membership
        name = _("Memberships")
        fields = (
            "year", "member", "siret", "email", "department", "category", "population_used",
            "amount", "invoiced", "paid", "status", "commitment_number", "decision_reference",
        )  # fmt: skip

    def get_queryset(self):
        from members.selectors.memberships import memberships_with_amounts

        return memberships_with_amounts().select_related(
            "organisation__department", "person__department"
        )

    def dehydrate_member(self, membership: Membership) -> str:
        return str(membership.member)

    def dehydrate_siret(self, membership: Membership) -> str:
        return membership.organisation.siret if membership.organisation_id else ""

    def dehydrate_email(self, membership: Membership) -> str:
        return "" if membership.organisation_id else membership.person.email

    def dehydrate_department(self, membership: Membership) -> str:
        department = membership.member.department
        return department.code if department else ""

    def dehydrate_category(self, membership: Membership) -> str:
        return membership.get_category_display()

    def dehydrate_status(self, membership: Membership) -> str:
        return str(membership_status(membership).label)
