"""Spreadsheet import and export of the directory (django-import-export resources).

Column headers are translated (French on the site). An import file may use any
subset of the columns, in any order and case, but must have the required ones and
no unknown one; `columns_check()` tells which are missing or unknown before any
row is read. References use codes staff know: the département code, the commune's
INSEE code, the organisation's name.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from members.models import ActorType, Membership, Organisation, OrganisationKind, Person
from members.selectors import membership_status
from portal.core.models import Commune, Department

# Widgets -------------------------------------------------------------------------


def _text(value) -> str:
    """A cell as stripped text; spreadsheet numbers without their useless '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return _text(value)


class CompactTextWidget(widgets.CharWidget):
    """Identifiers typed with spaces (« 219 200 029 00011 »): spaces removed."""

    def clean(self, value, row=None, **kwargs):
        return re.sub(r"\s+", "", _text(value))


class CountWidget(widgets.IntegerWidget):
    """A whole number, tolerant of French thousands separators (« 62 760 »)."""

    def clean(self, value, row=None, **kwargs):
        text = re.sub(r"\s+", "", _text(value))
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(gettext("“%(value)s” is not a whole number.") % {"value": text})
        return int(text)


class YesNoWidget(widgets.Widget):
    """oui/non (or yes/no, 1/0, x); an empty cell gives the default."""

    TRUE = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
    FALSE = {"non", "n", "no", "faux", "false", "0"}

    def __init__(self, default: bool):
        super().__init__(coerce_to_string=True)
        self.default = default

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = _text(value).casefold()
        if not text:
            return self.default
        if text in self.TRUE or text == gettext("yes").casefold():
            return True
        if text in self.FALSE or text == gettext("no").casefold():
            return False
        raise ValueError(gettext("“%(value)s” is neither yes nor no.") % {"value": _text(value)})

    def render(self, value, obj=None, **kwargs):
        return gettext("yes") if value else gettext("no")


class ChoiceLabelWidget(widgets.Widget):
    """A choice given by its label (« Association ») or its code; exported as the label."""

    def __init__(self, choices: type[TextChoices], default: str | None = None):
        super().__init__(coerce_to_string=True)
        self.choices = choices
        self.default = default

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return self.default or ""
        for choice in self.choices:
            if text.casefold() in (choice.value.casefold(), str(choice.label).casefold()):
                return choice.value
        raise ValueError(
            gettext("“%(value)s” is not one of: %(choices)s.")
            % {"value": text, "choices": ", ".join(str(c.label) for c in self.choices)}
        )

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class CodeForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key given by a code; an unknown code is a clear row error."""

    def __init__(self, model, field: str, message, width: int = 0):
        super().__init__(model, field)
        self.message = message
        self.width = width

    def clean(self, value, row=None, **kwargs):
        code = _text(value).upper()
        if not code:
            return None
        if self.width and code.isdigit():
            code = code.zfill(self.width)
        try:
            return self.model.objects.get(**{self.field: code})
        except self.model.DoesNotExist:
            raise ValueError(str(self.message) % {"value": code}) from None


class OrganisationNameWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Organisation, "name")

    def clean(self, value, row=None, **kwargs):
        name = _text(value)
        if not name:
            return None
        matches = list(Organisation.objects.filter(name__iexact=name)[:2])
        if not matches:
            raise ValueError(gettext("No organisation is named “%(value)s”.") % {"value": name})
        if len(matches) > 1:
            raise ValueError(
                gettext("Several organisations are named “%(value)s”.") % {"value": name}
            )
        return matches[0]


def department_widget() -> CodeForeignKeyWidget:
    return CodeForeignKeyWidget(
        Department, "code", _("Unknown département code “%(value)s”."), width=2
    )


# Formats -----------------------------------------------------------------------


class CSV(base_formats.CSV):
    """CSV in UTF-8, separated by semicolons as French spreadsheets write them.

    Import accepts commas too: the separator is read from the header line.
    """

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = in_stream.decode(self.encoding or "utf-8-sig")
        first_line = in_stream.lstrip("\ufeff").split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        return super().create_dataset(in_stream, delimiter=delimiter, **kwargs)

    def export_data(self, dataset, **kwargs):
        kwargs.setdefault("delimiter", ";")
        return super().export_data(dataset, **kwargs)


class XLSX(base_formats.XLSX):
    pass


FORMATS = [CSV, XLSX]


# Resources ---------------------------------------------------------------------


class DirectoryResource(resources.ModelResource):
    """Translated headers, a check of the file's columns, the ID column for updates."""

    #: Field names whose column must be in an imported file.
    required_columns: tuple[str, ...] = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for field in self.fields.values():
            field.column_name = str(field.column_name)

    @classmethod
    def column_labels(cls) -> dict[str, str]:
        """Field name → column header, in the active language."""
        return {name: str(field.column_name) for name, field in cls().fields.items()}

    @classmethod
    def columns_check(cls, headers) -> tuple[list[str], list[str]]:
        """The required columns missing from `headers` and the headers that are not columns."""
        labels = cls.column_labels()
        known = {label.casefold() for label in labels.values()}
        given = {_text(header).casefold() for header in headers if _text(header)}
        missing = [
            labels[name] for name in cls.required_columns if labels[name].casefold() not in given
        ]
        unknown = [_text(h) for h in headers if _text(h) and _text(h).casefold() not in known]
        return missing, unknown

    def before_import(self, dataset, **kwargs):
        """Headers matched whatever their case or surrounding spaces."""
        canonical = {label.casefold(): label for label in self.column_labels().values()}
        dataset.headers = [
            canonical.get(_text(header).casefold(), _text(header)) for header in dataset.headers
        ]

    def import_row(self, row, instance_loader, **kwargs):
        """Row errors name the column of the file, not the model field."""
        row_result = super().import_row(row, instance_loader, **kwargs)
        error = row_result.validation_error
        if error is not None and hasattr(error, "error_dict"):
            labels = {field.attribute: field.column_name for field in self.fields.values()}
            row_result.validation_error = ValidationError(
                {labels.get(key, key): value for key, value in error.error_dict.items()}
            )
        return row_result

    def get_instance(self, instance_loader, row):
        """A row with an ID updates that record; an ID that matches none is an error."""
        instance = super().get_instance(instance_loader, row)
        raw_id = _text(row.get(self.fields["id"].column_name))
        if raw_id and instance is None:
            raise ValidationError(
                {"id": gettext("No record has the ID %(value)s.") % {"value": raw_id}}
            )
        return instance


class OrganisationResource(DirectoryResource):
    id = fields.Field("id", _("ID"), widgets.IntegerWidget())
    name = fields.Field("name", _("Name"), TextWidget())
    kind = fields.Field("kind", _("Kind"), ChoiceLabelWidget(OrganisationKind))
    siret = fields.Field("siret", _("SIRET"), CompactTextWidget())
    address = fields.Field("address", _("Address"), TextWidget())
    postcode = fields.Field("postcode", _("Postcode"), TextWidget())
    city = fields.Field("city", _("Town"), TextWidget())
    commune = fields.Field(
        "commune",
        _("Commune INSEE code"),
        CodeForeignKeyWidget(Commune, "insee_code", _("Unknown commune INSEE code “%(value)s”.")),
    )
    department = fields.Field("department", _("Département code"), department_widget())
    inhabitants = fields.Field("inhabitants", _("Inhabitants"), CountWidget())
    email = fields.Field("email", _("Email"), CompactTextWidget())
    phone = fields.Field("phone", _("Phone"), TextWidget())
    website = fields.Field("website", _("Website"), TextWidget())
    is_funder = fields.Field("is_funder", _("Funder"), YesNoWidget(default=False))
    chorus_service_code = fields.Field(
        "chorus_service_code", _("Chorus Pro service code"), TextWidget()
    )
    is_active = fields.Field("is_active", _("Active"), YesNoWidget(default=True))

    required_columns = ("name", "kind")

    class Meta:
        model = Organisation
        name = _("Organisations")
        fields = (
            "id", "name", "kind", "siret", "address", "postcode", "city", "commune",
            "department", "inhabitants", "email", "phone", "website", "is_funder",
            "chorus_service_code", "is_active",
        )  # fmt: skip
        import_id_fields = ["id"]  # a list: import-export skips its header check for ["id"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

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
    email = fields.Field("email", _("Email"), CompactTextWidget())
    phone = fields.Field("phone", _("Phone"), TextWidget())
    job_title = fields.Field("job_title", _("Job title"), TextWidget())
    actor_type = fields.Field(
        "actor_type", _("Type of actor"), ChoiceLabelWidget(ActorType, ActorType.OTHER)
    )
    organisation = fields.Field("organisation", _("Organisation"), OrganisationNameWidget())
    department = fields.Field("department", _("Département code"), department_widget())
    is_member_contact = fields.Field(
        "is_member_contact", _("Member contact"), YesNoWidget(default=False)
    )

    required_columns = ("first_name", "last_name")

    class Meta:
        model = Person
        name = _("People")
        fields = (
            "id", "first_name", "last_name", "email", "phone", "job_title", "actor_type",
            "organisation", "department", "is_member_contact",
        )  # fmt: skip
        import_id_fields = ["id"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def get_queryset(self):
        return Person.objects.select_related("organisation", "department")

    def dehydrate_organisation(self, person: Person) -> str:
        return person.organisation.name if person.organisation_id else ""

    def dehydrate_department(self, person: Person) -> str:
        return person.department.code if person.department_id else ""


class MembershipResource(resources.ModelResource):
    """Export only: one line per membership with its money and derived status."""

    year = fields.Field("year", _("Year"), widgets.IntegerWidget())
    member = fields.Field(column_name=_("Member"), readonly=True)
    siret = fields.Field(column_name=_("SIRET"), readonly=True)
    department = fields.Field(column_name=_("Département code"), readonly=True)
    category = fields.Field("category", _("Category"), readonly=True)
    population_used = fields.Field("population_used", _("Population used"), readonly=True)
    amount = fields.Field("amount", _("Dues (€)"), widgets.DecimalWidget(), readonly=True)
    invoiced = fields.Field(
        "invoiced_amount", _("Invoiced (€)"), widgets.DecimalWidget(), readonly=True
    )
    paid = fields.Field("paid_amount", _("Paid (€)"), widgets.DecimalWidget(), readonly=True)
    status = fields.Field(column_name=_("Status"), readonly=True)
    commitment_number = fields.Field("commitment_number", _("Commitment number"), readonly=True)

    class Meta:
        model = Membership
        name = _("Memberships")
        fields = (
            "year", "member", "siret", "department", "category", "population_used", "amount",
            "invoiced", "paid", "status", "commitment_number",
        )  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for field in self.fields.values():
            field.column_name = str(field.column_name)

    def get_queryset(self):
        from members.selectors import memberships_with_amounts

        return memberships_with_amounts().select_related(
            "organisation__department", "person__department"
        )

    def dehydrate_member(self, membership: Membership) -> str:
        return str(membership.member)

    def dehydrate_siret(self, membership: Membership) -> str:
        return membership.organisation.siret if membership.organisation_id else ""

    def dehydrate_department(self, membership: Membership) -> str:
        department = membership.member.department
        return department.code if department else ""

    def dehydrate_category(self, membership: Membership) -> str:
        return membership.get_category_display()

    def dehydrate_status(self, membership: Membership) -> str:
        return str(membership_status(membership).label)
