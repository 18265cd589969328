"""Spreadsheet import and export of the subscribers (django-import-export).

An imported address needs a stated consent basis (how the person agreed: RGPD
art. 7, the centre must be able to show it); the consent date is optional. Imported
rows become active with the « import » source. An address already known, whatever
its case, is updated, never duplicated: an active subscriber keeps the consent it
gave, and a person who unsubscribed or complained, or whose data were erased, is
refused, never subscribed again behind their back.

Names and organisations come from a public form: on export, a cell that a
spreadsheet would run as a formula gets a leading apostrophe (removed on import).
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from members.models import ActorType
from members.resources import ChoiceLabelWidget, DirectoryResource, department_widget
from newsletter.models import ConsentSource, Subscriber, SubscriberStatus
from newsletter.selectors.subscribers import ERASED_REFUSAL, address_erased, subscribers_by_email
from portal.core.services import audit_log

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S")
# Statuses an import must not undo: the person said no.
REFUSED = (SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.COMPLAINED)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class SafeTextWidget(widgets.CharWidget):
    """Text that a spreadsheet must never run as a formula."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if text[:1] == "'" and text[1:2] and text[1:].startswith(FORMULA_START):
            text = text[1:]
        return text

    def render(self, value, obj=None, **kwargs):
        text = "" if value is None else str(value)
        return f"'{text}" if text.startswith(FORMULA_START) else text


class EmailWidget(SafeTextWidget):
    def clean(self, value, row=None, **kwargs):
        return "".join(super().clean(value, row, **kwargs).split())


class ConsentBasisWidget(SafeTextWidget):
    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if not text:
            raise ValueError(
                gettext(
                    "The consent basis is required: say how this person agreed to receive "
                    "the newsletter."
                )
            )
        return text


class ConsentDateWidget(widgets.Widget):
    """A French date (dd/mm/yyyy; yyyy-mm-dd accepted), or a spreadsheet date cell."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            moment = datetime.combine(value, time())  # made aware below
        else:
            moment = self._parse(_text(value))
            if moment is None:
                return None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if moment > timezone.now():
            raise ValueError(gettext("The consent date cannot be in the future."))
        return moment

    @staticmethod
    def _parse(text: str) -> datetime | None:
        if not text:
            return None
        for pattern in DATE_FORMATS:
            try:
                return datetime.strptime(text, pattern)  # noqa: DTZ007 (made aware by clean)
            except ValueError:
                continue
        raise ValueError(
            gettext("“%(value)s” is not a date: write it as dd/mm/yyyy.") % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        return timezone.localtime(value).strftime("%d/%m/%Y") if value else ""


class SubscriberResource(DirectoryResource):
    email = fields.Field("email", _("Email"), EmailWidget())
    first_name = fields.Field("first_name", _("First name"), SafeTextWidget())
    last_name = fields.Field("last_name", _("Last name"), SafeTextWidget())
    organisation = fields.Field("organisation", _("Organisation"), SafeTextWidget())
    actor_type = fields.Field(
        "actor_type", _("Type of actor"), ChoiceLabelWidget(ActorType, ActorType.OTHER)
    )
    department = fields.Field("department", _("Département code"), department_widget())
    consent_basis = fields.Field("consent_basis", _("Consent basis"), ConsentBasisWidget())
    consent_at = fields.Field("consent_at", _("Consent date"), ConsentDateWidget())
    status = fields.Field("status", _("Status"), ChoiceLabelWidget(SubscriberStatus), readonly=True)

    required_columns = ("email", "consent_basis")

    class Meta:
        model = Subscriber
        name = _("Subscribers")
        fields = (
            "email", "first_name", "last_name", "organisation", "actor_type", "department",
            "consent_basis", "consent_at", "status",
        )  # fmt: skip
        import_id_fields = ["email"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def get_queryset(self):
        return Subscriber.objects.select_related("department").order_by("email")

    def get_instance(self, instance_loader, row):
        """The subscriber with this address, whatever its case."""
        email = EmailWidget().clean(row.get(self.fields["email"].column_name))
        return subscribers_by_email(email).first() if email else None

    def dehydrate_department(self, subscriber: Subscriber) -> str:
        return subscriber.department.code if subscriber.department_id else ""

    def import_instance(self, instance: Subscriber, row, **kwargs):
        """Read the row; then set the status and consent an import gives (see module)."""
        known = instance.pk is not None
        instance._status_before = instance.status if known else ""
        kept = None
        if known and instance.status == SubscriberStatus.ACTIVE:
            kept = {
                name: getattr(instance, name)
                for name in ("consent_at", "consent_basis", "consent_source", "consent_ip")
            }
        super().import_instance(instance, row, **kwargs)
        if not known and address_erased(instance.email):
            raise ValidationError({"email": str(ERASED_REFUSAL)})
        if known and instance.status in REFUSED:
            raise ValidationError(
                {
                    "email": gettext(
                        "This person is %(status)s: an import cannot subscribe them again."
                    )
                    % {"status": str(instance.get_status_display()).lower()}
                }
            )
        if kept is not None:
            for name, value in kept.items():
                setattr(instance, name, value)
            return
        instance.status = SubscriberStatus.ACTIVE
        instance.consent_source = ConsentSource.IMPORT
        instance.consent_at = instance.consent_at or timezone.now()
        instance.consent_ip = None
        instance.unsubscribed_at = None
        instance.soft_bounces = 0

    def after_save_instance(self, instance: Subscriber, row, **kwargs):
        before = getattr(instance, "_status_before", "")
        if before != instance.status:
            audit_log(
                actor=kwargs.get("user"),
                obj=instance,
                action="newsletter.subscriber_imported",
                changes={"status": [before, instance.status], "source": ConsentSource.IMPORT},
            )
