"""Spreadsheet exports of the events app (django-import-export): participants and
attendance. Headers are translated (French on the site): nom, prénom, courriel, structure…
Imports are events.imports.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from events.models import Attendance, Registration

# Exports ---------------------------------------------------------------------------


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return gettext("yes") if value else gettext("no")


class ParticipantResource(resources.ModelResource):
    """One line per registration, with the person's details and their presence.

    The queryset carries `present` (see events.admin: None when not checked yet).
    """

    last_name = fields.Field("person__last_name", _("Last name"), readonly=True)
    first_name = fields.Field("person__first_name", _("First name"), readonly=True)
    email = fields.Field("person__email", _("Email"), readonly=True)
    organisation = fields.Field(column_name=_("Organisation"), readonly=True)
    job_title = fields.Field("person__job_title", _("Job title"), readonly=True)
    actor_type = fields.Field(column_name=_("Type of actor"), readonly=True)
    department = fields.Field(column_name=_("Département"), readonly=True)
    status = fields.Field(column_name=_("Status"), readonly=True)
    presence = fields.Field(column_name=_("Presence"), readonly=True)
    action = fields.Field("session__action__title", _("Action"), readonly=True)
    date = fields.Field(column_name=_("Date"), readonly=True)

    class Meta:
        model = Registration
        name = _("Participants")
        fields = (
            "last_name", "first_name", "email", "organisation", "job_title", "actor_type",
            "department", "status", "presence", "action", "date",
        )  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for resource_field in self.fields.values():
            resource_field.column_name = str(resource_field.column_name)

    def dehydrate_organisation(self, obj) -> str:
        person = obj.person
        return person.organisation.name if person.organisation_id else ""

    def dehydrate_actor_type(self, obj) -> str:
        return str(obj.person.get_actor_type_display())

    def dehydrate_department(self, obj) -> str:
        person = obj.person
        return str(person.department) if person.department_id else ""

    def dehydrate_status(self, registration: Registration) -> str:
        return str(registration.get_status_display())

    def dehydrate_presence(self, obj) -> str:
        return _yes_no(getattr(obj, "present", None))

    def dehydrate_date(self, obj) -> str:
        return f"{timezone.localtime(obj.session.starts_at):%d/%m/%Y %H:%M}"


class AttendanceResource(ParticipantResource):
    """One line per attendance (walk-ins included)."""

    status = fields.Field(column_name=_("Registration"), readonly=True)
    presence = fields.Field("present", _("Presence"), readonly=True)

    class Meta:
        model = Attendance
        name = _("Attendance")
        fields = ParticipantResource.Meta.fields

    def dehydrate_status(self, attendance: Attendance) -> str:
        return gettext("Walk-in") if attendance.is_walk_in else gettext("Registered")

    def dehydrate_presence(self, attendance: Attendance) -> str:
        return _yes_no(attendance.present)
