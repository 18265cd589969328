"""Spreadsheet export of the subscribers (django-import-export); the import is
newsletter.imports.subscribers. The columns are the import's, so that an export imports back.

Names and organisations come from a public form: the formats (portal.core.sheets.exports) guard
every text a spreadsheet would run as a formula.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from members.imports.exports import DirectoryResource
from members.models import ActorType
from newsletter.models import Subscriber, SubscriberStatus
from portal.core.sheets.exports import ChoiceLabelWidget, TextWidget


class DateWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return timezone.localtime(value).strftime("%d/%m/%Y") if value else ""


class SubscriberResource(DirectoryResource):
    email = fields.Field("email", _("Email"), TextWidget())
    first_name = fields.Field("first_name", _("First name"), TextWidget())
    last_name = fields.Field("last_name", _("Last name"), TextWidget())
    organisation = fields.Field("organisation", _("Organisation"), TextWidget())
    actor_type = fields.Field("actor_type", _("Type of actor"), ChoiceLabelWidget(ActorType))
    department = fields.Field(column_name=_("Département"), readonly=True)
    consent_basis = fields.Field("consent_basis", _("Consent basis"), TextWidget())
    consent_at = fields.Field("consent_at", _("Consent date"), DateWidget())
    confirmed_at = fields.Field("confirmed_at", _("Confirmation date"), DateWidget())
    status = fields.Field("status", _("Status"), ChoiceLabelWidget(SubscriberStatus), readonly=True)

    class Meta:
        model = Subscriber
        name = _("Subscribers")
        fields = (
            "email", "first_name", "last_name", "organisation", "actor_type", "department",
            "consent_basis", "consent_at", "confirmed_at", "status",
        )  # fmt: skip

    def get_queryset(self):
        return Subscriber.objects.select_related("department").order_by("email")

    def dehydrate_department(self, subscriber: Subscriber) -> str:
        return subscriber.department.code if subscriber.department_id else ""
