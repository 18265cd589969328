"""Spreadsheet export of the subscribers (django-import-export); the import is
newsletter.imports. The columns are the import's, so that an export imports back.

Names and organisations come from a public form: a cell that a spreadsheet would run as
a formula gets a leading apostrophe.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from members.models import ActorType
from members.resources import ChoiceLabelWidget, DirectoryResource
from newsletter.models import Subscriber, SubscriberStatus
from portal.core.sheets.writing import guard


class SafeTextWidget(widgets.CharWidget):
    """Text that a spreadsheet must never run as a formula."""

    def render(self, value, obj=None, **kwargs):
        return guard("" if value is None else str(value))


class DateWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return timezone.localtime(value).strftime("%d/%m/%Y") if value else ""


class SubscriberResource(DirectoryResource):
    email = fields.Field("email", _("Email"), SafeTextWidget())
    first_name = fields.Field("first_name", _("First name"), SafeTextWidget())
    last_name = fields.Field("last_name", _("Last name"), SafeTextWidget())
    organisation = fields.Field("organisation", _("Organisation"), SafeTextWidget())
    actor_type = fields.Field("actor_type", _("Type of actor"), ChoiceLabelWidget(ActorType))
    department = fields.Field(column_name=_("Département"), readonly=True)
    consent_basis = fields.Field("consent_basis", _("Consent basis"), SafeTextWidget())
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
